// Package jsonwalk walks JSON documents and rewrites their string leaves
// without changing anything else.
//
// Telemetry carries JSON inside string attributes (GenAI message arrays, tool
// arguments, retrieval documents). Decoding such a value with encoding/json and
// encoding it again reorders object members, changes number formatting and
// escapes, and costs several allocations per leaf. A Rewriter instead copies
// every byte of the input verbatim except the string values (and, on request,
// member names and numbers) that its callback changes, which it re-escapes.
// The whole document is validated as it is walked (RFC 8259 grammar, nesting
// bounded by MaxDepth), so a caller can tell a JSON value from text that only
// looks like one, and a malformed document is never half rewritten.
//
// Strings without escape sequences, the common case, are handed to the
// callback as substrings of the input with no decoding and no copy.
package jsonwalk

import (
	"encoding/binary"
	"errors"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// DefaultMaxDepth bounds the nesting of arrays and objects when a Rewriter
// does not set MaxDepth.
const DefaultMaxDepth = 512

// ErrTooDeep is returned (wrapped in a *SyntaxError) when arrays and objects
// nest deeper than the Rewriter's MaxDepth.
var ErrTooDeep = errors.New("nesting too deep")

// SyntaxError says where and why a document is not valid JSON.
type SyntaxError struct {
	Offset int // byte offset in the input
	Msg    string
	Err    error // ErrTooDeep for depth violations, nil otherwise
}

func (e *SyntaxError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

func (e *SyntaxError) Unwrap() error { return e.Err }

// Kind is the type of a JSON leaf.
type Kind uint8

const (
	KindString Kind = iota + 1
	KindNumber
	KindTrue
	KindFalse
	KindNull
)

func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindNumber:
		return "number"
	case KindTrue:
		return "true"
	case KindFalse:
		return "false"
	case KindNull:
		return "null"
	}
	return "unknown"
}

// Rewriter rewrites the leaves of JSON documents. The zero value validates and
// copies; set the callbacks to change leaves. A Rewriter holds no state
// between calls and may be used concurrently when its callbacks allow it.
type Rewriter struct {
	// MaxDepth bounds array and object nesting; 0 means DefaultMaxDepth.
	MaxDepth int

	// Value is called for every string value with its decoded text and the
	// name of the nearest enclosing object member ("" at top level or in a
	// top-level array; array elements inherit their array's member name).
	// Returning true replaces the value with the returned text.
	Value func(member, s string) (string, bool)

	// Edits, when set, is used instead of Value: it appends to dst the
	// changes to make to a string value, as edits of its decoded text sorted
	// by position and not overlapping. Every byte of the value outside the
	// edits is copied from the input verbatim, escape sequences included.
	Edits func(member, s string, dst []Edit) []Edit

	// Key, when set, is called for every object member name; returning true
	// renames the member. Nil leaves names as they are.
	Key func(name string) (string, bool)

	// Number, when set, is called for every number with its literal text;
	// returning true replaces the number with a JSON string holding the
	// returned text. Nil leaves numbers as they are.
	Number func(member, literal string) (string, bool)
}

// Edit replaces Text[Start:End] of a decoded string with Text.
type Edit struct {
	Start, End int
	Text       string
}

// EditBetween returns the one edit that turns old into repl: it covers only
// the bytes between their common prefix and suffix, so that Rewriter.Edits
// can replace a whole string value and still keep the spelling (escapes
// included) of the parts that did not change.
func EditBetween(old, repl string) Edit {
	pre := commonPrefix(old, repl)
	suf := commonSuffix(old[pre:], repl[pre:])
	return Edit{Start: pre, End: len(old) - suf, Text: repl[pre : len(repl)-suf]}
}

// editBuffers recycles the edit lists of Rewriter.Edits between documents.
var editBuffers = sync.Pool{New: func() any { return new([]Edit) }}

// Rewrite validates data and returns it with every string value that fn
// changes replaced and re-escaped. When nothing changes, out is data itself
// (no copy) and changed is false. On a syntax error out is nil.
func Rewrite(data []byte, fn func(s string) (string, bool)) (out []byte, changed bool, err error) {
	rw := Rewriter{Value: func(_, s string) (string, bool) { return fn(s) }}
	return rw.Rewrite(data)
}

// RewriteString is Rewrite for a document held in a string. Strings without
// escapes reach fn as substrings of s, without a copy.
func RewriteString(s string, fn func(s string) (string, bool)) (out string, changed bool, err error) {
	rw := Rewriter{Value: func(_, v string) (string, bool) { return fn(v) }}
	return rw.RewriteString(s)
}

// Rewrite validates data and applies the Rewriter's callbacks. When nothing
// changes, out is data itself and changed is false.
func (r *Rewriter) Rewrite(data []byte) (out []byte, changed bool, err error) {
	p := parser[[]byte]{src: data, rw: r, maxDepth: r.depth()}
	if r.Edits != nil {
		buf := editBuffers.Get().(*[]Edit)
		p.edits = (*buf)[:0]
		defer func() {
			clear(p.edits[:cap(p.edits)])
			*buf = p.edits[:0]
			editBuffers.Put(buf)
		}()
	}
	if err := p.document(); err != nil {
		return nil, false, err
	}
	if p.out == nil {
		return data, false, nil
	}
	return p.finish(), true, nil
}

// RewriteString is Rewrite for a document held in a string.
func (r *Rewriter) RewriteString(s string) (out string, changed bool, err error) {
	p := parser[string]{src: s, rw: r, maxDepth: r.depth()}
	if r.Edits != nil {
		buf := editBuffers.Get().(*[]Edit)
		p.edits = (*buf)[:0]
		defer func() {
			clear(p.edits[:cap(p.edits)]) // drop the references to replacement texts
			*buf = p.edits[:0]
			editBuffers.Put(buf)
		}()
	}
	if err := p.document(); err != nil {
		return "", false, err
	}
	if p.out == nil {
		return s, false, nil
	}
	out = finishString(p.finish())
	return out, true, nil
}

// finishString turns the output buffer into a string without copying it: the
// buffer was allocated by this walk and is not referenced afterwards.
func finishString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *Rewriter) depth() int {
	if r == nil || r.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return r.MaxDepth
}

// Validate reports whether data is one valid JSON value (surrounded by
// optional whitespace) nested no deeper than DefaultMaxDepth.
func Validate(data []byte) error {
	p := parser[[]byte]{src: data, maxDepth: DefaultMaxDepth}
	return p.document()
}

// Leaf is one scalar of a document as Visit reports it.
type Leaf struct {
	Kind Kind
	// Member is the nearest enclosing object member name, as for
	// Rewriter.Value.
	Member string
	// Value is the decoded text of a string, the literal text of a number,
	// and "true", "false" or "null" for the others.
	Value string
	// Depth is the number of arrays and objects around the leaf.
	Depth int
}

// Visit validates data and calls fn for every leaf in document order. An
// error from fn stops the walk and is returned as is.
func Visit(data []byte, fn func(Leaf) error) error {
	p := parser[[]byte]{src: data, maxDepth: DefaultMaxDepth, visit: fn}
	return p.document()
}

// VisitString is Visit for a document held in a string.
func VisitString(s string, fn func(Leaf) error) error {
	p := parser[string]{src: s, maxDepth: DefaultMaxDepth, visit: fn}
	return p.document()
}

type text interface{ ~string | ~[]byte }

type parser[T text] struct {
	src      T
	pos      int
	depth    int
	maxDepth int
	rw       *Rewriter
	visit    func(Leaf) error
	// out is nil until the first change; from then on it holds the output up
	// to src[copied:].
	out     []byte
	copied  int
	scratch []byte
	edits   []Edit
	userErr error
}

func (p *parser[T]) finish() []byte {
	return append(p.out, p.src[p.copied:]...)
}

func (p *parser[T]) fail(msg string) error {
	return &SyntaxError{Offset: p.pos, Msg: msg}
}

func (p *parser[T]) document() error {
	p.skipSpace()
	if err := p.value(""); err != nil {
		if p.userErr != nil {
			return p.userErr
		}
		return err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return p.fail("data after the top-level value")
	}
	return nil
}

func (p *parser[T]) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

var errStop = errors.New("stopped by visitor")

func (p *parser[T]) value(member string) error {
	if p.pos >= len(p.src) {
		return p.fail("unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array(member)
	case c == '"':
		return p.stringValue(member)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(member)
	case c == 't':
		return p.literal("true", KindTrue, member)
	case c == 'f':
		return p.literal("false", KindFalse, member)
	case c == 'n':
		return p.literal("null", KindNull, member)
	}
	return p.fail("unexpected character " + strconv.QuoteRune(rune(p.src[p.pos])))
}

func (p *parser[T]) enter() error {
	p.depth++
	if p.depth > p.maxDepth {
		return &SyntaxError{Offset: p.pos, Msg: "nesting deeper than " + strconv.Itoa(p.maxDepth), Err: ErrTooDeep}
	}
	return nil
}

func (p *parser[T]) object() error {
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++ // '{'
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.depth--
		return nil
	}
	for {
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return p.fail("expected a member name")
		}
		name, err := p.memberName()
		if err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return p.fail("expected ':' after a member name")
		}
		p.pos++
		p.skipSpace()
		if err := p.value(name); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return p.fail("unexpected end of input in an object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			p.depth--
			return nil
		default:
			return p.fail("expected ',' or '}' in an object")
		}
	}
}

func (p *parser[T]) array(member string) error {
	if err := p.enter(); err != nil {
		return err
	}
	p.pos++ // '['
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.depth--
		return nil
	}
	for {
		if err := p.value(member); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return p.fail("unexpected end of input in an array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			p.depth--
			return nil
		default:
			return p.fail("expected ',' or ']' in an array")
		}
	}
}

func (p *parser[T]) literal(word string, kind Kind, member string) error {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return p.fail("invalid literal")
	}
	p.pos += len(word)
	if p.visit != nil {
		return p.callVisit(Leaf{Kind: kind, Member: member, Value: word, Depth: p.depth})
	}
	return nil
}

func (p *parser[T]) callVisit(l Leaf) error {
	if err := p.visit(l); err != nil {
		p.userErr = err
		return errStop
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser[T]) number(member string) error {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.src) && p.src[p.pos] == '0':
		p.pos++
	case p.pos < len(p.src) && p.src[p.pos] >= '1' && p.src[p.pos] <= '9':
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
	default:
		return p.fail("invalid number")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if p.pos >= len(p.src) || !isDigit(p.src[p.pos]) {
			return p.fail("invalid number: digit expected after '.'")
		}
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(p.src) || !isDigit(p.src[p.pos]) {
			return p.fail("invalid number: digit expected in exponent")
		}
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
	}
	if p.visit == nil && (p.rw == nil || p.rw.Number == nil) {
		return nil
	}
	lit := string(p.src[start:p.pos])
	if p.visit != nil {
		return p.callVisit(Leaf{Kind: KindNumber, Member: member, Value: lit, Depth: p.depth})
	}
	if repl, ok := p.rw.Number(member, lit); ok {
		p.replace(start, p.pos, func(out []byte) []byte {
			out = append(out, '"')
			out = appendEscaped(out, repl)
			return append(out, '"')
		})
	}
	return nil
}

// stringEnd marks the bytes that end the fast scan of a string body.
var stringEnd = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'] = true
	t['\\'] = true
	return t
}()

// scanString validates the string starting at p.pos (its opening quote) and
// returns the bounds of its body; hasEscape says whether it contains escape
// sequences. p.pos ends past the closing quote.
func (p *parser[T]) scanString() (start, end int, hasEscape bool, err error) {
	p.pos++ // opening quote
	start = p.pos
	src := p.src
	i := p.pos
	for {
		i = skipPlain(src, i)
		if i >= len(src) {
			p.pos = i
			return 0, 0, false, p.fail("unterminated string")
		}
		switch c := src[i]; {
		case c == '"':
			p.pos = i + 1
			return start, i, hasEscape, nil
		case c == '\\':
			hasEscape = true
			if i+1 >= len(src) {
				p.pos = i
				return 0, 0, false, p.fail("unterminated escape")
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) || !isHex4(src[i+2:i+6]) {
					p.pos = i
					return 0, 0, false, p.fail(`invalid \u escape`)
				}
				i += 6
			default:
				p.pos = i
				return 0, 0, false, p.fail("invalid escape character")
			}
		default: // control character
			p.pos = i
			return 0, 0, false, p.fail("control character in string")
		}
	}
}

// skipPlain returns the index of the first byte at or after i that ends the
// fast scan of a string body ('"', '\\' or a control character), or len(s).
// It tests eight bytes at a time.
func skipPlain[T text](s T, i int) int {
	if len(s)-i >= 8 {
		b := bytesOf(s)
		for ; i+8 <= len(b); i += 8 {
			x := binary.LittleEndian.Uint64(b[i:])
			if stopByte(x) {
				break
			}
		}
	}
	for i < len(s) && !stringEnd[s[i]] {
		i++
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// stopByte reports whether one of the eight bytes of x is '"', '\\' or below
// 0x20 (the classic "has zero byte" and "has byte less than" bit tricks).
func stopByte(x uint64) bool {
	quote := x ^ (lsb * '"')
	slash := x ^ (lsb * '\\')
	return ((quote-lsb)&^quote|(slash-lsb)&^slash|(x-lsb*0x20)&^x)&msb != 0
}

// bytesOf views s as bytes without copying; the view is only read.
func bytesOf[T text](s T) []byte {
	switch v := any(s).(type) {
	case string:
		return unsafe.Slice(unsafe.StringData(v), len(v))
	case []byte:
		return v
	}
	return []byte(s)
}

func isHex4[T text](s T) bool {
	for i := range 4 {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func hex4[T text](s T) rune {
	return rune(hexVal(s[0])<<12 | hexVal(s[1])<<8 | hexVal(s[2])<<4 | hexVal(s[3]))
}

// unit decodes the escape sequence or plain byte at raw[i] into dst and
// returns the raw length consumed. Invalid surrogates decode to U+FFFD, as in
// encoding/json.
func unit[T text](raw T, i int, dst []byte) ([]byte, int) {
	c := raw[i]
	if c != '\\' {
		return append(dst, c), 1
	}
	switch raw[i+1] {
	case '"':
		return append(dst, '"'), 2
	case '\\':
		return append(dst, '\\'), 2
	case '/':
		return append(dst, '/'), 2
	case 'b':
		return append(dst, '\b'), 2
	case 'f':
		return append(dst, '\f'), 2
	case 'n':
		return append(dst, '\n'), 2
	case 'r':
		return append(dst, '\r'), 2
	case 't':
		return append(dst, '\t'), 2
	}
	r := hex4(raw[i+2 : i+6])
	if r >= 0xD800 && r < 0xDC00 {
		if i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
			if r2 := hex4(raw[i+8 : i+12]); r2 >= 0xDC00 && r2 < 0xE000 {
				return utf8.AppendRune(dst, (r-0xD800)<<10|(r2-0xDC00)+0x10000), 12
			}
		}
		return utf8.AppendRune(dst, utf8.RuneError), 6
	}
	if r >= 0xDC00 && r < 0xE000 {
		return utf8.AppendRune(dst, utf8.RuneError), 6
	}
	return utf8.AppendRune(dst, r), 6
}

func decode[T text](raw T, dst []byte) []byte {
	for i := 0; i < len(raw); {
		var n int
		dst, n = unit(raw, i, dst)
		i += n
	}
	return dst
}

// decoded returns the text of the string body src[start:end].
func (p *parser[T]) decoded(start, end int, hasEscape bool) string {
	if !hasEscape {
		return string(p.src[start:end])
	}
	p.scratch = decode(p.src[start:end], p.scratch[:0])
	return string(p.scratch)
}

func (p *parser[T]) memberName() (string, error) {
	start, end, esc, err := p.scanString()
	if err != nil {
		return "", err
	}
	name := p.decoded(start, end, esc)
	if p.rw != nil && p.rw.Key != nil {
		if repl, ok := p.rw.Key(name); ok {
			p.replaceString(start, end, esc, name, repl)
		}
	}
	return name, nil
}

func (p *parser[T]) stringValue(member string) error {
	start, end, esc, err := p.scanString()
	if err != nil {
		return err
	}
	if p.visit != nil {
		return p.callVisit(Leaf{Kind: KindString, Member: member, Value: p.decoded(start, end, esc), Depth: p.depth})
	}
	if p.rw == nil {
		return nil
	}
	if p.rw.Edits != nil {
		s := p.decoded(start, end, esc)
		p.edits = p.rw.Edits(member, s, p.edits[:0])
		if len(p.edits) > 0 {
			p.applyEdits(start, end, esc, s, p.edits)
		}
		return nil
	}
	if p.rw.Value == nil {
		return nil
	}
	s := p.decoded(start, end, esc)
	if repl, ok := p.rw.Value(member, s); ok {
		p.replaceString(start, end, esc, s, repl)
	}
	return nil
}

// replace writes src[copied:from] and then what emit appends, and resumes
// copying at to.
func (p *parser[T]) replace(from, to int, emit func([]byte) []byte) {
	if p.out == nil {
		p.out = make([]byte, 0, len(p.src)+len(p.src)/8+64)
	}
	p.out = append(p.out, p.src[p.copied:from]...)
	p.out = emit(p.out)
	p.copied = to
}

// replaceString replaces the string body src[start:end] (decoded text old)
// with the text repl. Bytes of the body that repl keeps at its start and end
// are copied verbatim, so escape sequences outside the changed part keep
// their original spelling.
func (p *parser[T]) replaceString(start, end int, hasEscape bool, old, repl string) {
	if repl == old {
		return
	}
	if !hasEscape {
		// The raw body is the decoded text and holds nothing that needs
		// escaping, so escaping repl reproduces the unchanged parts exactly.
		p.replace(start, end, func(out []byte) []byte { return appendEscaped(out, repl) })
		return
	}
	raw := p.src[start:end]
	pre := commonPrefix(old, repl)
	suf := commonSuffix(old[pre:], repl[pre:])
	// The last unit boundary at or before pre, and the first at or after
	// len(old)-suf: the raw bytes outside them are kept.
	rawPre, decPre := 0, 0
	rawSuf, decSuf := -1, -1
	target := len(old) - suf
	if target == 0 {
		rawSuf, decSuf = 0, 0
	}
	var tmp [4]byte
	for i, d := 0, 0; i < len(raw) && rawSuf < 0; {
		b, n := unit(raw, i, tmp[:0])
		i += n
		d += len(b)
		if d <= pre {
			rawPre, decPre = i, d
		}
		if d >= target {
			rawSuf, decSuf = i, d
		}
	}
	middle := repl[decPre : len(repl)-(len(old)-decSuf)]
	p.replace(start+rawPre, start+rawSuf, func(out []byte) []byte { return appendEscaped(out, middle) })
}

// applyEdits applies edits of the decoded text s to the string body
// src[start:end]. An edit boundary inside an escape sequence's text widens
// the edit to the whole sequence; edits that then meet inside one sequence
// are replaced together, so none of them gives back text another one covers.
func (p *parser[T]) applyEdits(start, end int, hasEscape bool, s string, edits []Edit) {
	// Edits that do not follow the contract are clamped, never skipped: the
	// text they cover is still replaced. edits is the walk's own scratch.
	prevEnd := 0
	for k := range edits {
		e := &edits[k]
		e.Start = min(max(e.Start, prevEnd), len(s))
		e.End = min(max(e.End, e.Start), len(s))
		prevEnd = e.End
	}
	if !hasEscape {
		for _, e := range edits {
			p.replace(start+e.Start, start+e.End, func(out []byte) []byte { return appendEscaped(out, e.Text) })
		}
		return
	}
	raw := p.src[start:end]
	i, d := 0, 0 // raw and decoded positions of the current unit boundary
	for k := 0; k < len(edits); {
		for i < len(raw) {
			n, dl := unitLen(raw, i)
			if d+dl > edits[k].Start {
				break
			}
			i += n
			d += dl
		}
		rawStart, decStart := i, d
		// Widen to the unit boundary at or after the edit's end, taking in
		// the edits that start before that boundary.
		first := k
		for {
			for d < edits[k].End && i < len(raw) {
				n, dl := unitLen(raw, i)
				i += n
				d += dl
			}
			k++
			if k == len(edits) || edits[k].Start >= d {
				break
			}
		}
		group, decEnd := edits[first:k], d
		p.replace(start+rawStart, start+i, func(out []byte) []byte {
			at := decStart
			for _, e := range group {
				out = appendEscaped(out, s[at:e.Start])
				out = appendEscaped(out, e.Text)
				at = e.End
			}
			return appendEscaped(out, s[at:decEnd])
		})
	}
}

// unitLen returns the raw and decoded lengths of the unit at raw[i].
func unitLen[T text](raw T, i int) (rawLen, decLen int) {
	if raw[i] != '\\' {
		return 1, 1
	}
	if raw[i+1] != 'u' {
		return 2, 1
	}
	var tmp [4]byte
	b, n := unit(raw, i, tmp[:0])
	return n, len(b)
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

func commonSuffix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s as the body of a JSON string. Only what JSON
// requires is escaped ('"', '\\' and control characters); everything else,
// including non-ASCII bytes, is copied as is.
func appendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !stringEnd[c] {
			continue
		}
		dst = append(dst, s[last:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// AppendString appends s to dst as a quoted JSON string, escaping only what
// JSON requires.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}
