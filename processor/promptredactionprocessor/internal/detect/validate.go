package detect

import (
	"encoding/base64"
	"net/netip"
	"strings"
)

// Luhn reports whether a string of decimal digits passes the Luhn checksum
// that every payment card number carries.
func Luhn(digits string) bool {
	if len(digits) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// CardNetwork reports whether digits start with the issuer identification
// number of a card network and have a length that network issues: Visa,
// Mastercard, American Express, Discover, JCB, Diners Club, UnionPay, Maestro.
func CardNetwork(digits string) bool {
	n := len(digits)
	if n < 13 || n > 19 {
		return false
	}
	p2 := atoi(digits[:2])
	p3 := atoi(digits[:3])
	p4 := atoi(digits[:4])
	p6 := atoi(digits[:6])
	switch {
	case digits[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p6 >= 222100 && p6 <= 272099: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 == 6011, p2 == 65, p3 >= 644 && p3 <= 649, p6 >= 622126 && p6 <= 622925: // Discover
		return n >= 16
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39, p4 == 3095: // Diners Club
		return n >= 14
	case p2 == 62: // UnionPay
		return n >= 16
	case p2 == 50, p2 >= 56 && p2 <= 58, p2 == 63, p2 == 67: // Maestro
		return n >= 12
	}
	return false
}

func atoi(s string) int {
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// ibanLengths is the IBAN length of each country in the SWIFT IBAN registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
	"NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// IBANLength returns the IBAN length of a two-letter country code, 0 when the
// country issues no IBANs.
func IBANLength(country string) int { return ibanLengths[country] }

// IBANCountries lists the countries with a registered IBAN format.
func IBANCountries() []string {
	c := make([]string, 0, len(ibanLengths))
	for k := range ibanLengths {
		c = append(c, k)
	}
	return c
}

// IBANValid reports whether s (compact: no spaces, upper case) is an IBAN of
// its country's length whose check digits pass ISO 7064 mod 97-10.
func IBANValid(s string) bool {
	if len(s) < 15 || len(s) > 34 || IBANLength(s[:2]) != len(s) {
		return false
	}
	if !isDigit(s[2]) || !isDigit(s[3]) || s[2:4] == "00" || s[2:4] == "01" || s[2:4] == "99" {
		return false
	}
	return IBANMod97(s) == 1
}

// IBANMod97 returns the ISO 7064 remainder of an IBAN-shaped string (country,
// check digits, account), or -1 when it holds a character outside [0-9A-Z].
func IBANMod97(s string) int {
	rem := 0
	add := func(c byte) bool {
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
		return true
	}
	for i := 4; i < len(s); i++ {
		if !add(s[i]) {
			return -1
		}
	}
	for i := 0; i < 4 && i < len(s); i++ {
		if !add(s[i]) {
			return -1
		}
	}
	return rem
}

// SSNValid applies the US Social Security Administration's allocation rules
// to the three parts of a number: area 000, 666 and 900-999, group 00 and
// serial 0000 are never issued, nor are the numbers retired after appearing
// in advertising.
func SSNValid(area, group, serial string) bool {
	if len(area) != 3 || len(group) != 2 || len(serial) != 4 {
		return false
	}
	if !allDigits(area) || !allDigits(group) || !allDigits(serial) {
		return false
	}
	a := atoi(area)
	if a == 0 || a == 666 || a >= 900 || group == "00" || serial == "0000" {
		return false
	}
	switch area + group + serial {
	case "078051120", "219099999", "123456789":
		return false
	}
	return true
}

// IPv4 reports whether s is a dotted-quad IPv4 address: four decimal octets
// of at most 255 without leading zeros.
func IPv4Valid(s string) bool {
	octets := 0
	i := 0
	for octets < 4 {
		start := i
		v := 0
		for i < len(s) && isDigit(s[i]) && i-start < 3 {
			v = v*10 + int(s[i]-'0')
			i++
		}
		n := i - start
		if n == 0 || v > 255 || (n > 1 && s[start] == '0') {
			return false
		}
		octets++
		if octets < 4 {
			if i >= len(s) || s[i] != '.' {
				return false
			}
			i++
		}
	}
	return i == len(s)
}

// IPv6Valid reports whether s is a textual IPv6 address with at least two
// written groups, one of them three or more digits long (so "a::b" in code is
// not an address), that is not the unspecified or loopback address (which
// identify nobody).
func IPv6Valid(s string) bool {
	if strings.IndexByte(s, ':') < 0 {
		return false
	}
	addr, err := netip.ParseAddr(s)
	if err != nil || !addr.Is6() || addr.IsUnspecified() || addr.IsLoopback() || addr.Zone() != "" {
		return false
	}
	groups, longest := 0, 0
	for _, g := range strings.Split(s, ":") {
		if g != "" {
			groups++
			longest = max(longest, len(g))
		}
	}
	return groups >= 2 && longest >= 3
}

// MACValid reports whether s is a 48-bit MAC address written as six pairs of
// hex digits separated by ':' or '-' (one separator throughout), or as three
// dot-separated groups of four (Cisco). The all-zero address is rejected.
func MACValid(s string) bool {
	switch len(s) {
	case 17:
		sep := s[2]
		if sep != ':' && sep != '-' {
			return false
		}
		for i := 0; i < 17; i++ {
			if i%3 == 2 {
				if s[i] != sep {
					return false
				}
			} else if !isHex(s[i]) {
				return false
			}
		}
	case 14:
		for i := 0; i < 14; i++ {
			if i%5 == 4 {
				if s[i] != '.' {
					return false
				}
			} else if !isHex(s[i]) {
				return false
			}
		}
	default:
		return false
	}
	return strings.Trim(s, "0:-.") != ""
}

// EmailValid reports whether local@domain is a deliverable-looking address:
// a dot-atom local part of at most 64 characters and a domain of at least two
// labels whose top-level label is alphabetic (or an IDN A-label).
func EmailValid(local, domain string) bool {
	if len(local) == 0 || len(local) > 64 || len(domain) < 4 || len(domain) > 253 {
		return false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		if !isLocalChar(local[i]) {
			return false
		}
	}
	labels := 0
	lastStart := 0
	for i := 0; i <= len(domain); i++ {
		if i < len(domain) && domain[i] != '.' {
			if !isAlnum(domain[i]) && domain[i] != '-' {
				return false
			}
			continue
		}
		label := domain[lastStart:i]
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		labels++
		lastStart = i + 1
	}
	if labels < 2 {
		return false
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if strings.HasPrefix(tld, "xn--") {
		return len(tld) > 4
	}
	if len(tld) < 2 {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if !isAlpha(tld[i]) {
			return false
		}
	}
	return true
}

// JWTValid reports whether s has the shape header.payload.signature where
// the header is base64url-encoded JSON naming an algorithm.
func JWTValid(s string) bool {
	dot1 := strings.IndexByte(s, '.')
	if dot1 < 10 {
		return false
	}
	rest := s[dot1+1:]
	dot2 := strings.IndexByte(rest, '.')
	if dot2 < 10 {
		return false
	}
	for _, seg := range []string{s[:dot1], rest[:dot2], rest[dot2+1:]} {
		for i := 0; i < len(seg); i++ {
			if !isBase64URL(seg[i]) {
				return false
			}
		}
	}
	header := s[:dot1]
	if len(header) > 1024 {
		return false
	}
	var buf [768]byte
	n, err := base64.RawURLEncoding.Decode(buf[:], []byte(header))
	if err != nil {
		return false
	}
	h := buf[:n]
	return len(h) > 2 && h[0] == '{' && h[len(h)-1] == '}' && strings.Contains(string(h), `"alg"`)
}

// PhoneE164 reports whether digits (after a leading '+') form an
// international number: 8 to 15 digits, country code not starting with 0.
func PhoneE164(digits string) bool {
	return len(digits) >= 8 && len(digits) <= 15 && digits[0] != '0'
}

// PhoneNANP reports whether ten digits are a North American number: area
// code and exchange start with 2-9, and the area code is not an N11 service
// code.
func PhoneNANP(digits string) bool {
	if len(digits) != 10 || !allDigits(digits) {
		return false
	}
	if digits[0] < '2' || digits[3] < '2' {
		return false
	}
	return !(digits[1] == '1' && digits[2] == '1')
}

// PhoneTrunk reports whether digits are a national number dialled with a
// trunk prefix 0 (most of Europe, the UK, Australia, ...): 0, then a
// non-zero digit, 10 or 11 digits in all.
func PhoneTrunk(digits string) bool {
	return (len(digits) == 10 || len(digits) == 11) && digits[0] == '0' && digits[1] != '0'
}

// awsKeyPrefixes are the four-letter prefixes of AWS access key IDs.
var awsKeyPrefixes = [...]string{"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "APKA", "AROA", "ASCA"}

// AWSAccessKeyID reports whether s is an AWS access key ID: a known prefix
// and 16 characters of base32 (A-Z, 2-7).
func AWSAccessKeyID(s string) bool {
	if len(s) != 20 {
		return false
	}
	ok := false
	for _, p := range awsKeyPrefixes {
		if s[:4] == p {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	for i := 4; i < 20; i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// AWSSecretKeyShape reports whether s looks like an AWS secret access key:
// 40 characters of base64 with upper case, lower case and digits.
func AWSSecretKeyShape(s string) bool {
	if len(s) != 40 {
		return false
	}
	var up, low, dig bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			up = true
		case c >= 'a' && c <= 'z':
			low = true
		case c >= '0' && c <= '9':
			dig = true
		case c == '/' || c == '+':
		default:
			return false
		}
	}
	return up && low && dig
}

// TokenBody reports whether s is at least min characters of [A-Za-z0-9_-]
// (extra holds further allowed bytes) with at least one digit and one letter,
// the body of most vendor API keys.
func TokenBody(s string, min int, extra string) bool {
	if len(s) < min {
		return false
	}
	var letter, digit bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
			letter = true
		case isDigit(c):
			digit = true
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return letter && digit
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool     { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool     { return isDigit(c) || isAlpha(c) }
func isHex(c byte) bool       { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }
func isBase64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// isLocalChar reports the characters the scanner accepts in the local part
// of an address (the common subset of RFC 5322's atext, plus dots).
func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}
