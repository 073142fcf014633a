package scan

import (
	"strings"
	"testing"
)

// adversarial are inputs built to make a naive scanner quadratic (every
// position a candidate start that would look to the end of the token).
var adversarial = map[string]string{
	"slashes":        "a/",
	"at_signs":       "a@",
	"urls":           "x://a@",
	"assignments":    "password=",
	"spaced_digits":  "1 ",
	"dotted_digits":  "1.",
	"colons":         "a:",
	"pem_headers":    "-----BEGIN RSA PRIVATE KEY-----",
	"jwt_prefixes":   "eyJ/",
	"key_prefixes":   "sk-a=",
	"iban_heads":     "DE89 ",
	"long_b64_token": "aB3+",
}

// BenchmarkScanAdversarial reports the throughput on each adversarial shape
// at 1 MB: a quadratic path shows up as a throughput orders of magnitude
// below the others.
func BenchmarkScanAdversarial(b *testing.B) {
	s := New(Config{})
	for name, unit := range adversarial {
		text := strings.Repeat(unit, (1<<20)/len(unit))
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			var dst []Match
			for b.Loop() {
				dst = s.Scan(text, "", dst[:0])
			}
		})
	}
}
