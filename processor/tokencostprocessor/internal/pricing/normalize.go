package pricing

import "strings"

// Candidates returns the names a reported model name is looked up as, most
// specific first: the name itself, then forms with hosting decorations and
// snapshot suffixes removed. The first candidate found in the table wins, so a
// dated snapshot with its own price (gpt-4o-2024-05-13) is matched before the
// family name it would be stripped to.
//
// Removed, in this order:
//   - a path prefix: models/gemini-2.5-flash, openai/gpt-4o,
//     accounts/fireworks/models/… (after the full name was tried);
//   - Bedrock decorations: a cross-region prefix (us., eu., apac., global., …),
//     the vendor prefix (anthropic., meta., …) and the -v1:0 version;
//   - a Vertex AI version after @ (claude-sonnet-4-5@20250929);
//   - then, repeatedly, one trailing snapshot suffix: -YYYY-MM-DD,
//     -YYYYMMDD, -MMYY or -YYMM style four digits (gpt-4-0613,
//     mistral-large-2411), three-digit versions (gemini-2.0-flash-001), -latest.
//
// Nothing else is guessed: no prefix matching, so gpt-4o-mini never becomes
// gpt-4o, and fine-tuned names (ft:…) stay unknown until priced explicitly.
func Candidates(name string) []string {
	n := normName(name)
	if n == "" {
		return nil
	}
	out := []string{n}
	push := func(s string) {
		if s != "" && s != out[len(out)-1] {
			out = append(out, s)
		}
	}
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
		push(n)
	}
	if m, ok := stripBedrock(n); ok {
		n = m
		push(n)
	}
	if i := strings.IndexByte(n, '@'); i > 0 {
		n = n[:i]
		push(n)
	}
	for {
		m, ok := stripSnapshot(n)
		if !ok {
			break
		}
		n = m
		push(n)
	}
	return out
}

var bedrockRegions = []string{"us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca."}

var bedrockVendors = []string{"anthropic.", "meta.", "mistral.", "cohere.", "amazon.", "deepseek.", "ai21.", "writer.", "qwen.", "openai."}

// stripBedrock removes [region.]vendor. and -vN[:M] from a Bedrock model ID.
// The version is only removed together with a vendor prefix, so names that
// merely end in -v2 are left alone.
func stripBedrock(n string) (string, bool) {
	s := n
	for _, r := range bedrockRegions {
		if strings.HasPrefix(s, r) {
			s = s[len(r):]
			break
		}
	}
	vendor := false
	for _, v := range bedrockVendors {
		if strings.HasPrefix(s, v) {
			s = s[len(v):]
			vendor = true
			break
		}
	}
	if !vendor {
		return n, false
	}
	if i := strings.LastIndex(s, "-v"); i > 0 && isVersion(s[i+2:]) {
		s = s[:i]
	}
	return s, s != n && s != ""
}

// isVersion reports whether s is N or N:M.
func isVersion(s string) bool {
	major, minor, found := strings.Cut(s, ":")
	if !allDigits(major) {
		return false
	}
	return !found || allDigits(minor)
}

// stripSnapshot removes one trailing snapshot suffix.
func stripSnapshot(n string) (string, bool) {
	if s, ok := strings.CutSuffix(n, "-latest"); ok && s != "" {
		return s, true
	}
	// -YYYY-MM-DD
	if len(n) > 11 && n[len(n)-11] == '-' && n[len(n)-6] == '-' && n[len(n)-3] == '-' &&
		allDigits(n[len(n)-10:len(n)-6]) && allDigits(n[len(n)-5:len(n)-3]) && allDigits(n[len(n)-2:]) {
		return n[:len(n)-11], true
	}
	// -NNNNNNNN (YYYYMMDD), -NNNN (MMDD, YYMM), -NNN (version)
	i := strings.LastIndexByte(n, '-')
	if i <= 0 {
		return n, false
	}
	tail := n[i+1:]
	switch len(tail) {
	case 8, 4, 3:
		if allDigits(tail) {
			return n[:i], true
		}
	}
	return n, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
