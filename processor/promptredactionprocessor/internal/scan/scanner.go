// Package scan finds personal data and secrets in text in one pass.
//
// The scanner walks the bytes once, splitting them into tokens at whitespace
// and bracket-like punctuation while it ORs a class bit per byte into a token
// mask (digit, upper, '@', ':', '=', ...). Most tokens of prose are plain
// words, and their mask alone rules out every detector but the `password:`
// style assignment, which needs only a peek at the next byte. Other tokens
// are dispatched on their mask and first byte to the few detectors that can
// start there (a '@' to emails, a digit to number runs, "eyJ" to JWTs, "sk-"
// to OpenAI keys, ...), and a candidate becomes a match only when its
// validator (Luhn, mod-97, SSN rules, JWT header, key shape) accepts it. No
// regular expression runs unless the configuration adds custom detectors.
package scan

import (
	"regexp"
	"slices"
	"strings"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

// Match is one finding: text[Start:End] is a value of Type.
type Match struct {
	Start, End int
	Type       detect.Type
}

// Custom is a detector defined by a regular expression.
type Custom struct {
	Type    detect.Type
	Pattern *regexp.Regexp
}

// Config selects what a Scanner finds.
type Config struct {
	// Disabled built-in detectors.
	Disabled []detect.Type
	// Custom detectors run after the built-in ones.
	Custom []Custom
	// Allow lists values never reported, compared exactly.
	Allow []string
	// AllowPatterns are regular expressions; a match whose whole text one of
	// them matches is not reported.
	AllowPatterns []*regexp.Regexp
}

// minMatch is the length of the shortest text a built-in detector matches
// ("a@b.io"; the shortest dotted quad is seven bytes).
const minMatch = 6

// Scanner finds matches in text. It is safe for concurrent use.
type Scanner struct {
	on            [detect.NumBuiltin]bool
	custom        []customDetector
	allow         map[string]struct{}
	allowPatterns []*regexp.Regexp
}

type customDetector struct {
	Custom
	// literal is a prefix every match starts with; text without it is skipped
	// without running the expression.
	literal string
}

// New returns a Scanner for cfg.
func New(cfg Config) *Scanner {
	s := &Scanner{}
	for _, re := range cfg.AllowPatterns {
		// Anchored, so that the expression is matched against the whole
		// text: unanchored, leftmost-first matching takes the first
		// alternative that matches a prefix ("maria" of
		// `maria|maria@example\.com`) and misses the whole match.
		s.allowPatterns = append(s.allowPatterns, regexp.MustCompile(`^(?:`+re.String()+`)$`))
	}
	for i := range s.on {
		s.on[i] = true
	}
	for _, t := range cfg.Disabled {
		if t < detect.NumBuiltin {
			s.on[t] = false
		}
	}
	for _, c := range cfg.Custom {
		lit, _ := c.Pattern.LiteralPrefix()
		s.custom = append(s.custom, customDetector{Custom: c, literal: lit})
	}
	if len(cfg.Allow) > 0 {
		s.allow = make(map[string]struct{}, len(cfg.Allow))
		for _, a := range cfg.Allow {
			s.allow[a] = struct{}{}
		}
	}
	return s
}

// Enabled reports whether a built-in detector is on.
func (s *Scanner) Enabled(t detect.Type) bool { return t < detect.NumBuiltin && s.on[t] }

// Byte classes. A token's mask is the OR of its bytes' classes.
const (
	cDelim uint16 = 1 << iota
	cLower
	cUpper
	cDigit
	cAt
	cColon
	cEq
	cDash
	cDot
	cUnder
	cPlus
	cSlash
	cOther
)

var class = func() (t [256]uint16) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z':
			t[c] = cLower
		case c >= 'A' && c <= 'Z':
			t[c] = cUpper
		case c >= '0' && c <= '9':
			t[c] = cDigit
		case c >= 0x80 || c <= ' ':
			t[c] = cDelim
		default:
			t[c] = cOther
		}
	}
	for _, c := range "\"'`<>()[]{},;|\\?&#" {
		t[c] = cDelim
	}
	t[0x7f] = cDelim
	t['@'] = cAt
	t[':'] = cColon
	t['='] = cEq
	t['-'] = cDash
	t['.'] = cDot
	t['_'] = cUnder
	t['+'] = cPlus
	t['/'] = cSlash
	return t
}()

// Scan appends the matches found in text to dst, ordered by position and
// without overlaps. hint is the attribute key or JSON member name the text
// was read from ("" if none); words in it count as context, like words just
// before a candidate (a bare nine-digit number under "ssn" is an SSN).
func (s *Scanner) Scan(text, hint string, dst []Match) []Match {
	if len(text) < minMatch && len(s.custom) == 0 {
		return dst
	}
	base := len(dst)
	if len(hint) > 128 {
		hint = hint[len(hint)-128:] // the end of a key names what it holds
	}
	st := state{s: s, text: text, hint: hint, dst: dst}
	n := len(text)
	i := 0
	for i < n {
		if class[text[i]]&cDelim != 0 {
			i++
			continue
		}
		ts := i
		var mask uint16
		for i < n {
			b := class[text[i]]
			if b&cDelim != 0 {
				break
			}
			mask |= b
			i++
		}
		if mask&^(cLower|cUpper) == 0 && i-ts < 20 {
			// A plain word: it can only be the key of an assignment
			// ("password: x", `"token": "x"`) or "Bearer". Followed by a
			// space and another word, it is neither.
			if i+1 < n && text[i] == ' ' && class[text[i+1]]&(cLower|cUpper|cDigit) != 0 && i-ts != 6 {
				continue
			}
			if r := st.word(ts, i); r > i {
				i = r
			}
			continue
		}
		if r := st.token(ts, i, mask); r > i {
			i = r
		}
	}
	for _, c := range s.custom {
		if c.literal != "" && !strings.Contains(text, c.literal) {
			continue
		}
		for _, loc := range c.Pattern.FindAllStringIndex(text, -1) {
			if loc[1] > loc[0] {
				st.dst = append(st.dst, Match{Start: loc[0], End: loc[1], Type: c.Type})
			}
		}
	}
	return s.resolve(text, st.dst, base)
}

// resolve drops allowed values, sorts the matches from base on and merges
// overlapping ones into their union named by the higher-priority type, so
// that every byte any detector claimed stays covered.
func (s *Scanner) resolve(text string, dst []Match, base int) []Match {
	ms := dst[base:]
	if s.allow != nil || len(s.allowPatterns) > 0 {
		kept := ms[:0]
		for _, m := range ms {
			if !s.allowed(text[m.Start:m.End]) {
				kept = append(kept, m)
			}
		}
		ms = kept
	}
	if len(ms) > 1 {
		slices.SortFunc(ms, func(a, b Match) int {
			if a.Start != b.Start {
				return a.Start - b.Start
			}
			return b.End - a.End
		})
		out := ms[:1]
		for _, m := range ms[1:] {
			last := &out[len(out)-1]
			if m.Start < last.End {
				if m.Type.Priority() > last.Type.Priority() {
					last.Type = m.Type
				}
				last.End = max(last.End, m.End)
				continue
			}
			out = append(out, m)
		}
		ms = out
	}
	return dst[:base+len(ms)]
}

func (s *Scanner) allowed(v string) bool {
	if _, ok := s.allow[v]; ok {
		return true
	}
	for _, re := range s.allowPatterns {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// state is one Scan call.
type state struct {
	s    *Scanner
	text string
	hint string
	dst  []Match
	run  numRun // scratch for number runs
	// digits holds the digits of a number-run candidate (see classify).
	digits [40]byte
}

func (st *state) emit(start, end int, t detect.Type) {
	st.dst = append(st.dst, Match{Start: start, End: end, Type: t})
}

// token handles a token that is not a plain word; it returns where scanning
// resumes (past te when a match ran over several tokens).
func (st *state) token(ts, te int, mask uint16) int {
	resume := te
	text := st.text
	if mask&cAt != 0 {
		st.atSigns(ts, te)
	}
	// Detectors anchored at the token start, and at every position after a
	// ':', '=' or '/' inside it (card=4111..., token:eyJ..., /AKIA...).
	p := ts
	for {
		if r := st.anchored(p, te, mask); r > resume {
			resume = r
		}
		if mask&(cColon|cEq|cSlash) == 0 {
			break
		}
		q := p
		for q < te && text[q] != ':' && text[q] != '=' && text[q] != '/' {
			q++
		}
		if q >= te {
			break
		}
		if text[q] != '/' && q > p && st.s.on[detect.SecretAssignment] {
			if r := st.assignment(p, q); r > 0 {
				// The value is claimed: continue after it (its own
				// anchored detectors ran in assignment).
				resume = max(resume, r)
				if r >= te {
					break
				}
				q = r - 1
			}
		}
		p = q + 1
		for p < te && (text[p] == ':' || text[p] == '=' || text[p] == '/') {
			p++
		}
		if p >= te {
			break
		}
	}
	// `db_password = x`, `"api_key": "x"`: the separator follows the token.
	if st.s.on[detect.SecretAssignment] && isAlpha(text[te-1]) {
		if sep := peekSeparator(text, te); sep > 0 {
			if r := st.assignment(keyStart(text, ts, te), sep); r > resume {
				resume = r
			}
		}
	}
	return resume
}

// word handles a token of letters only.
func (st *state) word(ts, te int) int {
	if !st.s.on[detect.SecretAssignment] {
		return te
	}
	text := st.text
	if sep := peekSeparator(text, te); sep > 0 {
		return st.assignment(ts, sep)
	}
	if te-ts == 6 && text[ts]|0x20 == 'b' && strings.EqualFold(text[ts:te], "bearer") {
		return st.bearer(te)
	}
	return te
}

// anchored runs the detectors that start at p, chosen by the byte there.
func (st *state) anchored(p, te int, mask uint16) int {
	text := st.text
	c := text[p]
	on := &st.s.on
	if te-p >= 40 && on[detect.AWSSecretKey] && isB64(c) {
		if r := st.awsSecret(p); r > 0 {
			return r
		}
	}
	switch {
	case isDigit(c):
		if mask&(cColon|cDash|cDot) != 0 && (on[detect.MAC] || on[detect.IPv6]) && macOrIPv6Shape(text, p) {
			if r := st.macOrIPv6(p); r > 0 {
				return r
			}
		}
		return st.numbers(p)
	case c == '+':
		if p+1 < len(text) && isDigit(text[p+1]) {
			return st.numbers(p)
		}
		return 0
	case c == '-':
		if on[detect.PrivateKey] && strings.HasPrefix(text[p:], "-----BEGIN ") {
			return st.pem(p)
		}
		return 0
	}
	if isUpper(c) {
		if r := st.upperStart(p, te); r > 0 {
			return r
		}
	} else if r := st.lowerStart(p, te); r > 0 {
		return r
	}
	if isHex(c) && mask&(cColon|cDash|cDot) != 0 && (on[detect.MAC] || on[detect.IPv6]) && macOrIPv6Shape(text, p) {
		return st.macOrIPv6(p)
	}
	return 0
}

// clauseBefore reports whether one of words occurs (ASCII case-insensitive)
// in the hint or in the window bytes before p, within the same clause (after
// the last newline, or '.', ',' or ';' followed by a space).
func (st *state) clauseBefore(p, window int, words ...string) bool {
	for _, w := range words {
		if containsFold(st.hint, w) {
			return true
		}
	}
	seg := st.text[max(0, p-window):p]
	for i := len(seg) - 1; i > 0; i-- {
		if seg[i] == '\n' || (seg[i] == ' ' && (seg[i-1] == '.' || seg[i-1] == ',' || seg[i-1] == ';')) {
			seg = seg[i:]
			break
		}
	}
	for _, w := range words {
		if containsFold(seg, w) {
			return true
		}
	}
	return false
}

// wordJustBefore reports whether one of words ends right before p, past
// spaces, ':' and '=' ("version 1.2.3.4", "build: 1.2.3.4").
func (st *state) wordJustBefore(p int, words ...string) bool {
	k := p
	for k > 0 && p-k < 4 && (st.text[k-1] == ' ' || st.text[k-1] == ':' || st.text[k-1] == '=') {
		k--
	}
	seg := st.text[max(0, k-12):k]
	for _, w := range words {
		if len(seg) >= len(w) && containsFold(seg[len(seg)-len(w):], w) {
			return true
		}
	}
	return false
}

// clauseAfter is clauseBefore for the window after p.
func (st *state) clauseAfter(p, window int, words ...string) bool {
	seg := st.text[p:min(len(st.text), p+window)]
	if i := strings.IndexAny(seg, ".,;\n"); i >= 0 {
		seg = seg[:i]
	}
	for _, w := range words {
		if containsFold(seg, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII word w,
// ignoring ASCII case in s.
func containsFold(s, w string) bool {
	if len(w) == 0 || len(s) < len(w) {
		return false
	}
	first := w[0]
	for i := 0; i+len(w) <= len(s); i++ {
		if lower(s[i]) != first {
			continue
		}
		j := 1
		for j < len(w) && lower(s[i+j]) == w[j] {
			j++
		}
		if j == len(w) {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// macOrIPv6Shape is the O(1) test for a MAC or IPv6 address at p: a ':'
// within the first five bytes, or a '-' at p+2 (00-1A-...), or a '.' at
// p+4 (001a.2b3c.4d5e).
func macOrIPv6Shape(text string, p int) bool {
	for i := p; i < p+5 && i < len(text); i++ {
		switch c := text[i]; {
		case c == ':':
			return true
		case c == '-':
			return i == p+2
		case c == '.':
			return i == p+4
		case !isHex(c):
			return false
		}
	}
	return false
}

// glued reports whether the byte at i continues a word, so that a candidate
// ending before i is part of something longer.
func glued(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	c := text[i]
	return isAlnum(c) || c == '_' || c == '@'
}
