package scan

import (
	"strings"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

// secretKeySuffixes end the names of keys whose values are secrets. A key
// matches when it ends with one of them at a word boundary: db_password,
// X-Api-Key, aws_secret_access_key (…key after "access_"), client_secret.
var secretKeySuffixes = []string{
	"password", "passwd", "pwd", "passphrase",
	"secret", "token", "apikey", "api_key", "api-key",
	"accesskey", "access_key", "secretkey", "secret_key", "secret_access_key",
	"privatekey", "private_key", "credential", "credentials", "authorization",
}

// IsSecretKey reports whether an attribute key, JSON member or map key names
// a secret, so that its whole value is one.
func IsSecretKey(key string) bool {
	if len(key) < 3 || len(key) > 128 {
		return false
	}
	// Every suffix ends in one of these pairs: most keys are rejected here.
	switch uint16(lower(key[len(key)-2]))<<8 | uint16(lower(key[len(key)-1])) {
	case 'r'<<8 | 'd', 'w'<<8 | 'd', 's'<<8 | 'e', 'e'<<8 | 't', 'e'<<8 | 'n', 'e'<<8 | 'y', 'a'<<8 | 'l', 'l'<<8 | 's', 'o'<<8 | 'n':
	default:
		return false
	}
	var buf [128]byte
	k := buf[:len(key)]
	for i := 0; i < len(key); i++ {
		k[i] = lower(key[i])
	}
	last := k[len(k)-1]
	if last < 'a' || last > 'z' {
		return false
	}
	for _, suf := range secretKeySuffixes {
		if len(k) < len(suf) || string(k[len(k)-len(suf):]) != suf {
			continue
		}
		at := len(k) - len(suf)
		if at == 0 || !isAlpha(k[at-1]) {
			return true
		}
	}
	return false
}

// peekSeparator returns the position of a ':' or '=' that follows a key
// ending at te, past an optional closing quote and spaces; 0 when none.
func peekSeparator(text string, te int) int {
	p := te
	if p < len(text) && (text[p] == '"' || text[p] == '\'') {
		p++
	}
	for k := 0; p < len(text) && text[p] == ' ' && k < 3; k++ {
		p++
	}
	if p < len(text) && (text[p] == ':' || text[p] == '=') {
		// "==" and ":=" are comparisons and declarations in code, not
		// assignments of a literal; "://" starts a URL.
		if p+1 < len(text) && (text[p+1] == '=' || text[p+1] == '/') {
			return 0
		}
		return p
	}
	return 0
}

func isKeyChar(c byte) bool { return isAlnum(c) || c == '_' || c == '-' || c == '.' }

// keyStart returns where the identifier ending at te starts, not before ts.
func keyStart(text string, ts, te int) int {
	k := te
	for k > ts && isKeyChar(text[k-1]) {
		k--
	}
	return k
}

// valueEnd marks bytes that end an unquoted value.
var valueEnd = func() (t [256]bool) {
	for _, c := range " \t\r\n\f\v\"'`,;&)]}<>|" {
		t[c] = true
	}
	return t
}()

// notSecrets are values that hold nothing: placeholders and literals.
var notSecrets = map[string]bool{
	"null": true, "nil": true, "none": true, "true": true, "false": true, "undefined": true,
	"redacted": true, "required": true, "optional": true, "string": true, "empty": true,
}

// assignment checks the key that ends at sep (the ':' or '=' position; the
// key starts at or after from) and, when it names a secret, emits the value
// after sep. It returns the end of the value, or 0.
func (st *state) assignment(from, sep int) int {
	text := st.text
	ke := sep
	if ke > from && (text[ke-1] == '"' || text[ke-1] == '\'') {
		ke--
	}
	for ke > from && text[ke-1] == ' ' {
		ke--
	}
	if ke > from && (text[ke-1] == '"' || text[ke-1] == '\'') {
		ke--
	}
	ks := keyStart(text, from, ke)
	if ke-ks < 3 || !isAlpha(text[ke-1]) || !IsSecretKey(text[ks:ke]) {
		return 0
	}
	v := sep + 1
	for k := 0; v < len(text) && (text[v] == ' ' || text[v] == '\t') && k < 4; k++ {
		v++
	}
	if v >= len(text) {
		return 0
	}
	var end int
	quoted := false
	if q := text[v]; q == '"' || q == '\'' {
		v++
		e := strings.IndexByte(text[v:min(len(text), v+1024)], q)
		if e < 0 {
			return 0
		}
		end = v + e
		quoted = true
	} else {
		end = v
		for end < len(text) && !valueEnd[text[end]] && end-v < 1024 {
			end++
		}
	}
	val := text[v:end]
	if !plausibleSecret(val, text[sep] == ':' && !quoted) {
		return 0
	}
	// "Authorization: Bearer <token>": the scheme is not the secret.
	if len(val) <= 6 && (strings.EqualFold(val, "bearer") || strings.EqualFold(val, "basic") || strings.EqualFold(val, "token")) {
		return st.bearer(end)
	}
	st.emit(v, end, detect.SecretAssignment)
	st.specific(v, end)
	return end
}

// specific runs the anchored detectors on a value already claimed as a
// secret, so that a JWT or vendor key in it is named by its own type.
func (st *state) specific(v, end int) {
	var mask uint16
	for i := v; i < end; i++ {
		mask |= class[st.text[i]]
	}
	if mask&cDelim == 0 && end-v >= 16 {
		st.anchored(v, end, mask)
	}
}

// plausibleSecret rejects values that cannot be a secret: empty, already
// masked ("***", "<REDACTED>"), literals and template references. After an
// unquoted ':' (prose: "Password: must be 12 characters") a short word of
// lower-case letters is taken for prose.
func plausibleSecret(v string, prose bool) bool {
	if v == "" || len(v) <= 9 && notSecrets[strings.ToLower(v)] {
		return false
	}
	if v[0] == '<' || strings.HasPrefix(v, "${") || strings.HasPrefix(v, "{{") || strings.Trim(v, "*xX.") == "" {
		return false
	}
	if prose {
		lowerOnly := true
		for i := 0; i < len(v); i++ {
			if v[i] < 'a' || v[i] > 'z' {
				lowerOnly = false
				break
			}
		}
		if lowerOnly && len(v) <= 6 {
			return false
		}
	}
	return true
}

// bearer emits the token after an authentication scheme word ending at p.
func (st *state) bearer(p int) int {
	text := st.text
	v := p
	for v < len(text) && text[v] == ' ' {
		v++
	}
	if v == p {
		return 0
	}
	end := v
	for end < len(text) && isTokenChar(text[end]) {
		end++
	}
	if end-v < 16 {
		return 0
	}
	st.emit(v, end, detect.SecretAssignment)
	st.specific(v, end)
	return end
}

// isTokenChar: the characters of RFC 6750 bearer tokens.
func isTokenChar(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '='
}
