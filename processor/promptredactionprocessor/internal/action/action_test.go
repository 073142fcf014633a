package action

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

func rules(kind Kind) []Rule {
	r := make([]Rule, detect.NumBuiltin)
	for _, t := range detect.Builtin() {
		r[t] = Rule{Kind: kind, Label: detect.Label(t.Name())}
	}
	return r
}

var scanner = scan.New(scan.Config{})

func TestMaskReplacesEachMatchWithItsType(t *testing.T) {
	a := New(rules(Mask), nil)
	text := "mail maria@example.com or call +1 415 555 0132."
	ms := scanner.Scan(text, "", nil)
	assert.Equal(t, "mail <EMAIL> or call <PHONE>.", a.Apply(text, ms))
	assert.False(t, a.Drops(ms))
	assert.Equal(t, "nothing", a.Apply("nothing", nil))
}

var pseudonymRE = regexp.MustCompile(`^<EMAIL:[0-9a-f]{8}> and <EMAIL:[0-9a-f]{8}>$`)

func TestPseudonymsAreStableKeyedAndNormalized(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a := New(rules(Pseudonymize), key)
	p1 := a.Replacement(detect.Email, "Maria@Example.com")
	p2 := a.Replacement(detect.Email, "maria@example.com")
	assert.Equal(t, p1, p2, "addresses differing in case are one person")
	assert.Regexp(t, `^<EMAIL:[0-9a-f]{8}>$`, p1)
	assert.NotEqual(t, p1, a.Replacement(detect.Email, "kenji@example.com"))

	card1 := a.Replacement(detect.PaymentCard, "4111 1111 1111 1111")
	assert.Equal(t, card1, a.Replacement(detect.PaymentCard, "4111-1111-1111-1111"))

	other := New(rules(Pseudonymize), []byte("another key of at least 32 bytes!!"))
	assert.NotEqual(t, p1, other.Replacement(detect.Email, "maria@example.com"), "the key changes every pseudonym")

	text := "maria@example.com and kenji@example.com"
	out := a.Apply(text, scanner.Scan(text, "", nil))
	require.Regexp(t, pseudonymRE, out)
	assert.NotContains(t, out, "maria")
}

func TestDropIsReported(t *testing.T) {
	r := rules(Mask)
	r[detect.PaymentCard].Kind = Drop
	a := New(r, nil)
	ms := scanner.Scan("card 4111 1111 1111 1111", "", nil)
	assert.True(t, a.Drops(ms))
	assert.False(t, a.Drops(scanner.Scan("mail a@b.io", "", nil)))
}

func TestParseKind(t *testing.T) {
	for s, want := range map[string]Kind{"": Mask, "mask": Mask, "pseudonymize": Pseudonymize, "drop": Drop} {
		got, err := ParseKind(s)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		if s != "" {
			assert.Equal(t, s, got.String())
		}
	}
	_, err := ParseKind("hash")
	assert.ErrorContains(t, err, `unknown action "hash"`)
}

func TestUnknownTypeGetsAGenericPlaceholder(t *testing.T) {
	a := New(rules(Mask), nil)
	assert.Equal(t, "<REDACTED>", a.Replacement(detect.NumBuiltin+5, "x"))
}
