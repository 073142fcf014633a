package scan

import (
	"strings"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainChar(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// atSigns handles every '@' of a token: credentials in a URL's authority
// (scheme://user:pass@host) or an email address. One forward pass tracks
// the last "://" and the first '/' and ':' after it, so each '@' costs O(1).
func (st *state) atSigns(ts, te int) {
	text := st.text
	authority, slash, colon := -1, -1, -1 // positions after the last "://"
	for a := ts; a < te; a++ {
		c := text[a]
		if c == ':' && a+2 < te && text[a+1] == '/' && text[a+2] == '/' {
			authority, slash, colon = a+3, -1, -1
			a += 2
			continue
		}
		if authority >= 0 && a >= authority {
			if c == '/' && slash < 0 {
				slash = a
			} else if c == ':' && colon < 0 {
				colon = a
			}
		}
		if c != '@' {
			continue
		}
		if authority >= 0 && slash < 0 && colon >= 0 && colon < a-1 {
			if st.s.on[detect.URLCredentials] {
				st.emit(authority, a, detect.URLCredentials)
			}
			continue
		}
		if !st.s.on[detect.Email] {
			continue
		}
		j := a
		for j > ts && isLocalChar(text[j-1]) && a-j < 64 {
			j--
		}
		for j < a && text[j] == '.' {
			j++
		}
		k := a + 1
		for k < te && isDomainChar(text[k]) && k-a < 254 {
			k++
		}
		for k > a+1 && (text[k-1] == '.' || text[k-1] == '-') {
			k--
		}
		if j < a && (j == ts || !isLocalChar(text[j-1])) && detect.EmailValid(text[j:a], text[a+1:k]) {
			st.emit(j, k, detect.Email)
			a = k - 1
		}
	}
}

// pem emits a PEM private key block from its BEGIN line through its END
// line; a block cut off before its END line is claimed to the end of text.
func (st *state) pem(p int) int {
	text := st.text
	hdr := p + len("-----BEGIN ")
	e := strings.Index(text[hdr:min(len(text), hdr+64)], "-----")
	if e < 0 {
		return 0
	}
	label := text[hdr : hdr+e]
	if !strings.HasSuffix(label, "PRIVATE KEY") && label != "PGP PRIVATE KEY BLOCK" {
		return 0
	}
	body := hdr + e + 5
	end := len(text)
	if f := strings.Index(text[body:], "-----END "); f >= 0 {
		end = body + f + len("-----END ")
		if g := strings.Index(text[end:min(len(text), end+64)], "-----"); g >= 0 {
			end += g + 5
		}
	}
	st.emit(p, end, detect.PrivateKey)
	return end
}

// run returns the end of the run of bytes from p for which ok holds.
func run(text string, p int, ok func(byte) bool) int {
	for p < len(text) && ok(text[p]) {
		p++
	}
	return p
}

func isKeyBody(c byte) bool    { return isAlnum(c) || c == '_' || c == '-' }
func isAlnumOnly(c byte) bool  { return isAlnum(c) }
func isAlnumUnder(c byte) bool { return isAlnum(c) || c == '_' }
func isB64(c byte) bool        { return isAlnum(c) || c == '/' || c == '+' }

// upperStart: IBANs, AWS access key IDs and Google API keys.
func (st *state) upperStart(p, te int) int {
	text := st.text
	on := &st.s.on
	if text[p] == 'A' && te-p >= 20 {
		if on[detect.GoogleAPIKey] && strings.HasPrefix(text[p:], "AIza") {
			if e := run(text, p+4, isKeyBody); e-p == 39 {
				st.emit(p, e, detect.GoogleAPIKey)
				return e
			}
		}
		if on[detect.AWSAccessKey] && p+20 <= len(text) && detect.AWSAccessKeyID(text[p:p+20]) && !glued(text, p+20) {
			st.emit(p, p+20, detect.AWSAccessKey)
			return p + 20
		}
	}
	if on[detect.IBAN] && p+4 <= len(text) && isUpper(text[p+1]) && isDigit(text[p+2]) && isDigit(text[p+3]) {
		return st.iban(p)
	}
	return 0
}

// iban reads an IBAN written compact ("DE89370400440532013000") or in groups
// of four ("DE89 3704 0044 0532 0130 00") and checks its length and mod 97.
func (st *state) iban(p int) int {
	text := st.text
	want := detect.IBANLength(text[p : p+2])
	if want == 0 {
		return 0
	}
	isIBANChar := func(c byte) bool { return isDigit(c) || isUpper(c) }
	e := run(text, p, isIBANChar)
	if e-p == want {
		if !glued(text, e) && detect.IBANValid(text[p:e]) {
			st.emit(p, e, detect.IBAN)
			return e
		}
		return 0
	}
	if e-p != 4 || e+1 >= len(text) || text[e] != ' ' {
		return 0 // not grouped: let other detectors read it (AE11.81EE.ABDD is a MAC)
	}
	var buf [34]byte
	b := append(buf[:0], text[p:e]...)
	for len(b) < want && e+1 < len(text) && text[e] == ' ' && isIBANChar(text[e+1]) {
		gs := e + 1
		g := run(text, gs, isIBANChar)
		if g-gs > 4 || len(b)+g-gs > want {
			return e
		}
		b = append(b, text[gs:g]...)
		e = g
		if g-gs < 4 {
			break // only the last group may be short
		}
	}
	if len(b) != want || glued(text, e) || !detect.IBANValid(string(b)) {
		// Not an IBAN, but its groups are not anything else either: skip
		// them rather than read the digits as a phone number.
		return e
	}
	st.emit(p, e, detect.IBAN)
	return e
}

// lowerStart: JWTs and the vendor key prefixes that start with a lower-case
// letter.
func (st *state) lowerStart(p, te int) int {
	text := st.text
	on := &st.s.on
	if te-p < 16 {
		return 0
	}
	rest := text[p:]
	switch text[p] {
	case 'e':
		if on[detect.JWT] && strings.HasPrefix(rest, "eyJ") {
			return st.jwt(p)
		}
	case 's':
		if strings.HasPrefix(rest, "sk-") {
			e := run(text, p+3, isKeyBody)
			body := text[p+3 : e]
			if strings.HasPrefix(body, "ant-") {
				if on[detect.AnthropicKey] && detect.TokenBody(body[4:], 32, "_-") {
					st.emit(p, e, detect.AnthropicKey)
					return e
				}
				return 0
			}
			if on[detect.OpenAIKey] && detect.TokenBody(body, 20, "_-") {
				st.emit(p, e, detect.OpenAIKey)
				return e
			}
			return 0
		}
		if on[detect.StripeKey] && strings.HasPrefix(rest, "sk_live_") {
			return st.prefixed(p, 8, 24, isAlnumOnly, detect.StripeKey)
		}
	case 'r':
		if on[detect.StripeKey] && strings.HasPrefix(rest, "rk_live_") {
			return st.prefixed(p, 8, 24, isAlnumOnly, detect.StripeKey)
		}
	case 'g':
		if !on[detect.GitHubToken] {
			return 0
		}
		if len(rest) > 4 && rest[0] == 'g' && rest[1] == 'h' && strings.IndexByte("pousr", rest[2]) >= 0 && rest[3] == '_' {
			return st.prefixed(p, 4, 36, isAlnumOnly, detect.GitHubToken)
		}
		if strings.HasPrefix(rest, "github_pat_") {
			return st.prefixed(p, 11, 60, isAlnumUnder, detect.GitHubToken)
		}
	case 'x':
		if on[detect.SlackToken] && len(rest) > 5 && strings.HasPrefix(rest, "xox") && strings.IndexByte("abposr", rest[3]) >= 0 && rest[4] == '-' {
			e := run(text, p+5, func(c byte) bool { return isAlnum(c) || c == '-' })
			if detect.TokenBody(text[p+5:e], 10, "-") {
				st.emit(p, e, detect.SlackToken)
				return e
			}
		}
	}
	return 0
}

// prefixed emits a key made of a known prefix of length plen and a body of
// at least min characters for which ok holds, with a digit and a letter.
func (st *state) prefixed(p, plen, min int, ok func(byte) bool, t detect.Type) int {
	e := run(st.text, p+plen, ok)
	if glued(st.text, e) || !detect.TokenBody(st.text[p+plen:e], min, "_") {
		return 0
	}
	st.emit(p, e, t)
	return e
}

// jwt emits header.payload.signature when the header is a JWT header.
func (st *state) jwt(p int) int {
	text := st.text
	e := run(text, p, isKeyBody)
	if e >= len(text) || text[e] != '.' {
		return 0
	}
	e = run(text, e+1, isKeyBody)
	if e >= len(text) || text[e] != '.' {
		return 0
	}
	e = run(text, e+1, isKeyBody)
	if !detect.JWTValid(text[p:e]) {
		return 0
	}
	st.emit(p, e, detect.JWT)
	return e
}

// awsSecret emits a 40-character base64 string when an AWS or secret context
// surrounds it.
func (st *state) awsSecret(p int) int {
	text := st.text
	// O(1) pre-check: a 40-byte run must end right at p+40.
	if p+40 > len(text) || (p+40 < len(text) && isB64(text[p+40])) || (p > 0 && isB64(text[p-1]) && text[p-1] != '/' && text[p-1] != '+') {
		return 0
	}
	e := p
	for e < len(text) && e-p <= 40 && isB64(text[e]) {
		e++
	}
	if e-p != 40 || glued(text, e) || !detect.AWSSecretKeyShape(text[p:e]) {
		return 0
	}
	if !st.clauseBefore(p, 48, "aws", "secret") {
		return 0
	}
	st.emit(p, e, detect.AWSSecretKey)
	return e
}

// macOrIPv6 reads a MAC address or an IPv6 address starting at p.
func (st *state) macOrIPv6(p int) int {
	text := st.text
	if st.s.on[detect.MAC] {
		for _, l := range [2]int{17, 14} {
			if p+l <= len(text) && detect.MACValid(text[p:p+l]) && !glued(text, p+l) &&
				(p+l == len(text) || text[p+l] != ':' && text[p+l] != '-') {
				st.emit(p, p+l, detect.MAC)
				return p + l
			}
		}
	}
	if !st.s.on[detect.IPv6] {
		return 0
	}
	e := p
	colons, double := 0, false
	for e < len(text) && e-p < 45 && (isHex(text[e]) || text[e] == ':' || text[e] == '.') {
		if text[e] == ':' {
			colons++
			if colons > 7 {
				return 0
			}
			if e > p && text[e-1] == ':' {
				double = true
			}
		}
		e++
	}
	for e > p && (text[e-1] == '.' || text[e-1] == ':' && !(e-2 >= p && text[e-2] == ':')) {
		e--
	}
	if colons < 2 || !(double || colons == 7) || glued(text, e) {
		return 0
	}
	if !detect.IPv6Valid(text[p:e]) {
		return 0
	}
	st.emit(p, e, detect.IPv6)
	return e
}
