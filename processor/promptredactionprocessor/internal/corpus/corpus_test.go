package corpus

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func TestSamplesAreDeterministic(t *testing.T) {
	assert.Equal(t, New(7).Samples(50), New(7).Samples(50))
	assert.NotEqual(t, New(7).Samples(50), New(8).Samples(50))
}

func TestLabelsAreInBoundsOrderedAndValid(t *testing.T) {
	samples := New(1).Samples(3000)
	types := Types(samples)
	assert.Len(t, types, int(detect.NumBuiltin), "every detector has ground truth")
	for _, s := range samples {
		last := 0
		for _, l := range s.Labels {
			require.True(t, l.Start >= last && l.Start < l.End && l.End <= len(s.Text), "label %+v in %q", l, s.Text)
			last = l.End
			v := s.Text[l.Start:l.End]
			switch l.Type {
			case detect.PaymentCard:
				d := digitsOf(v)
				assert.True(t, detect.Luhn(d) && detect.CardNetwork(d), v)
			case detect.IBAN:
				assert.True(t, detect.IBANValid(strings.ReplaceAll(v, " ", "")), v)
			case detect.USSSN:
				d := digitsOf(v)
				assert.True(t, detect.SSNValid(d[:3], d[3:5], d[5:]), v)
			case detect.IPv4:
				assert.True(t, detect.IPv4Valid(v), v)
			case detect.IPv6:
				assert.True(t, detect.IPv6Valid(v), v)
			case detect.MAC:
				assert.True(t, detect.MACValid(v), v)
			case detect.JWT:
				assert.True(t, detect.JWTValid(v), v)
			case detect.AWSAccessKey:
				assert.True(t, detect.AWSAccessKeyID(v), v)
			case detect.Email:
				at := strings.LastIndexByte(v, '@')
				assert.True(t, detect.EmailValid(v[:at], v[at+1:]), v)
			}
		}
	}
}

func TestHardNegativesHoldNoValidValue(t *testing.T) {
	g := New(3)
	for range 2000 {
		n := g.negative()
		for _, f := range strings.Fields(n) {
			f = strings.Trim(f, ".,()[]")
			if len(f) >= 13 && len(f) <= 19 && digitsOf(f) == f {
				assert.False(t, detect.Luhn(f) && detect.CardNetwork(f), "negative %q holds a valid card", n)
			}
		}
	}
}
