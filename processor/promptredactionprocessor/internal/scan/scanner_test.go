package scan

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

func found(s *Scanner, text, hint string) []string {
	var out []string
	for _, m := range s.Scan(text, hint, nil) {
		out = append(out, m.Type.Name()+":"+text[m.Start:m.End])
	}
	return out
}

func TestScannerFindsEachDetectorInContext(t *testing.T) {
	s := New(Config{})
	tests := []struct {
		text string
		want []string
	}{
		{"Hi, I'm Maria (maria.lopez@example.com, call me on +1 415 555 0132).", []string{"email:maria.lopez@example.com", "phone:+1 415 555 0132"}},
		{"mailto:kenji.sato+work@mail.example.co.uk.", []string{"email:kenji.sato+work@mail.example.co.uk"}},
		{"My card 4111 1111 1111 1111 was charged twice", []string{"payment_card:4111 1111 1111 1111"}},
		{"card=5555-5555-5555-4444;", []string{"payment_card:5555-5555-5555-4444"}},
		{"amex 378282246310005 and 3782 822463 10005", []string{"payment_card:378282246310005", "payment_card:3782 822463 10005"}},
		{"IBAN DE89 3704 0044 0532 0130 00 on file", []string{"iban:DE89 3704 0044 0532 0130 00"}},
		{"pay to GB82WEST12345698765432.", []string{"iban:GB82WEST12345698765432"}},
		{"ssn 536-22-1234 and 536 22 1234", []string{"us_ssn:536-22-1234", "us_ssn:536 22 1234"}},
		{"SSN: 536221234", []string{"us_ssn:536221234"}},
		{"from 192.168.10.20:8080 via 10.0.0.1", []string{"ipv4:192.168.10.20", "ipv4:10.0.0.1"}},
		{"client 2001:db8::8a2e:370:7334 and fe80::1ff:fe23:4567:890a.", []string{"ipv6:2001:db8::8a2e:370:7334", "ipv6:fe80::1ff:fe23:4567:890a"}},
		{"nic 00:1A:2B:3C:4D:5E, 00-1a-2b-3c-4d-5f and 001a.2b3c.4d60", []string{"mac_address:00:1A:2B:3C:4D:5E", "mac_address:00-1a-2b-3c-4d-5f", "mac_address:001a.2b3c.4d60"}},
		{"postgres://admin:s3cr3t@db.internal:5432/app", []string{"url_credentials:admin:s3cr3t"}},
		{"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", []string{"jwt:eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}},
		{"key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nthanks", []string{"private_key:-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"}},
		{"truncated -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk", []string{"private_key:-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk"}},
		{"AKIAIOSFODNN7EXAMPLE", []string{"aws_access_key:AKIAIOSFODNN7EXAMPLE"}},
		{"aws secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"aws_secret_key:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
		{"use sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z please", []string{"openai_api_key:sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"}},
		{"sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3dEf6h-AA", []string{"anthropic_api_key:sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3dEf6h-AA"}},
		{"ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3d", []string{"github_token:ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3d"}},
		{"xoxb-1234567890-Ab3dEf6hIj9k", []string{"slack_token:xoxb-1234567890-Ab3dEf6hIj9k"}},
		{"AIzaSyAb3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_", []string{"google_api_key:AIzaSyAb3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_"}},
		{"sk_live_Ab3dEf6hIj9kLm2nOp5qRs8t and rk_live_Ab3dEf6hIj9kLm2nOp5qRs8t", []string{"stripe_key:sk_live_Ab3dEf6hIj9kLm2nOp5qRs8t", "stripe_key:rk_live_Ab3dEf6hIj9kLm2nOp5qRs8t"}},
		{"password=hunter2 and DB_PASSWORD: 'c0rrect horse'", []string{"secret_assignment:hunter2", "secret_assignment:c0rrect horse"}},
		{`{"api_key": "abc123xyz"} token = t0k3n`, []string{"secret_assignment:abc123xyz", "secret_assignment:t0k3n"}},
		{"api_key=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", []string{"openai_api_key:sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"}},
		{"call (415) 555-0132 or 415.555.0199 or 1-415-555-0100", []string{"phone:(415) 555-0132", "phone:415.555.0199", "phone:1-415-555-0100"}},
		{"ring 020 7946 0958 or 01 23 45 67 89 or +44 (0)20 7946 0958 or 0044 20 7946 0958", []string{"phone:020 7946 0958", "phone:01 23 45 67 89", "phone:+44 (0)20 7946 0958", "phone:0044 20 7946 0958"}},
		{"my phone is 4155550132", []string{"phone:4155550132"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, found(s, tt.text, ""), "text %q", tt.text)
	}
}

func TestScannerLeavesLookAlikesAlone(t *testing.T) {
	s := New(Config{})
	for _, text := range []string{
		"order number 1234-5678-9012 and version 2.14.1",
		"order 4111 1111 1111 1112 failed Luhn",
		"invoice 1234567812345678",
		"released 2024-01-15T10:30:00Z at 10:30:45, epoch 1700000000",
		"request 550e8400-e29b-41d4-a716-446655440000",
		"commit da39a3ee5e6b4b0d3255bfef95601890afd80709",
		"version 1.2.3.4 of the firmware, build 10.0.19041.1",
		"IBAN DE89 3704 0044 0532 0130 01 is wrong",
		"SSN 000-12-3456, 666-12-3456, 912-34-5678, 123-45-6789",
		"follow @maria on the forum; npm i pkg@1.2.3; user@localhost",
		"How do I reset the password on my account?",
		"The password: must be at least 12 characters.",
		"std::vector<int> and a::b and 12:34:56",
		"Use scikit-learn (sk-learn) and ask-me-anything",
		"priced at $1,234.56, ISBN 978-3-16-148410-0, 3.14159265358979",
		"max_tokens=256 num_tokens: 1000",
		"call 123-456-7890 (not a real area code)",
		"password=<SECRET> token=*** secret: ${env:KEY}",
		"AKIAIOSFODNN7EXAMPLE1 is too long",
	} {
		assert.Empty(t, found(s, text, ""), "text %q", text)
	}
}

func TestHintGivesContext(t *testing.T) {
	s := New(Config{})
	assert.Empty(t, found(s, "536221234", ""))
	assert.Equal(t, []string{"us_ssn:536221234"}, found(s, "536221234", "user.ssn"))
	assert.Equal(t, []string{"phone:4155550132"}, found(s, "4155550132", "contact.phone"))
}

func TestDisabledDetectorsAndAllowList(t *testing.T) {
	s := New(Config{
		Disabled:      []detect.Type{detect.IPv4},
		Allow:         []string{"support@example.com"},
		AllowPatterns: []*regexp.Regexp{regexp.MustCompile(`.*@example\.org`)},
	})
	assert.Equal(t, []string{"email:maria@example.net"},
		found(s, "support@example.com, kenji@example.org, maria@example.net from 10.0.0.1", ""))
}

func TestAllowPatternsMatchTheWholeText(t *testing.T) {
	s := New(Config{AllowPatterns: []*regexp.Regexp{regexp.MustCompile(`maria|maria@example\.com`), regexp.MustCompile(`(?i)KENJI@.*`)}})
	assert.Equal(t, []string{"email:maria@example.net"},
		found(s, "maria@example.com, kenji@example.org, maria@example.net", ""),
		"an alternative that matches only a prefix does not hide the whole match")
	s = New(Config{AllowPatterns: []*regexp.Regexp{regexp.MustCompile(`maria`)}})
	assert.Equal(t, []string{"email:maria@example.com"}, found(s, "maria@example.com", ""), "a part is not the whole")
}

func TestCustomDetectors(t *testing.T) {
	emp := detect.NumBuiltin
	s := New(Config{Custom: []Custom{{Type: emp, Pattern: regexp.MustCompile(`EMP-\d{6}`)}}})
	ms := s.Scan("employee EMP-123456 mailed a@b.io", "", nil)
	assert.Equal(t, []Match{{Start: 9, End: 19, Type: emp}, {Start: 27, End: 33, Type: detect.Email}}, ms)
}

func TestOverlapsMergeIntoTheUnion(t *testing.T) {
	s := New(Config{Custom: []Custom{{Type: detect.NumBuiltin, Pattern: regexp.MustCompile(`lopez@exa`)}}})
	ms := s.Scan("x maria.lopez@example.com y", "", nil)
	assert.Equal(t, []Match{{Start: 2, End: 25, Type: detect.Email}}, ms)

	// A match that starts inside another and runs past it extends the
	// union to its end, under the more specific type.
	s = New(Config{Custom: []Custom{{Type: detect.NumBuiltin, Pattern: regexp.MustCompile(`example\.com ref-\d+`)}}})
	ms = s.Scan("x maria.lopez@example.com ref-4471 y", "", nil)
	assert.Equal(t, []Match{{Start: 2, End: 34, Type: detect.Email}}, ms)
}

func TestIsSecretKey(t *testing.T) {
	for _, k := range []string{"password", "db_password", "DB_PASSWORD", "x-api-key", "aws_secret_access_key", "client_secret", "access_token", "Authorization", "github.token"} {
		assert.True(t, IsSecretKey(k), k)
	}
	for _, k := range []string{"max_tokens", "passport", "bypass", "tokenizer", "key", "monkey", "secretary", "gen_ai.usage.input_tokens"} {
		assert.False(t, IsSecretKey(k), k)
	}
}
