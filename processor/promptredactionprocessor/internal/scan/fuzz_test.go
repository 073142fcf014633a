package scan_test

import (
	"strings"
	"testing"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/action"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/corpus"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/scan"
)

func maskRules() []action.Rule {
	r := make([]action.Rule, detect.NumBuiltin)
	for _, t := range detect.Builtin() {
		r[t] = action.Rule{Label: detect.Label(t.Name())}
	}
	return r
}

// FuzzScan checks that the scanner never panics, returns sorted,
// non-overlapping matches inside the text, and that masking them leaves none
// of the claimed values in the output.
func FuzzScan(f *testing.F) {
	for _, s := range corpus.New(9).Samples(40) {
		f.Add(s.Text, "")
	}
	f.Add("+1 (415) 555-0132 4111 1111 1111 1111 DE89 3704 0044 0532 0130 00", "")
	f.Add("password=\"a b\" token: x-y api_key='z' Bearer abcdefghijklmnop1234", "")
	f.Add("536221234", "ssn")
	f.Add("-----BEGIN PRIVATE KEY-----\nabc", "")
	f.Add("a@b.co@c.de https://u:p@h@i.jk ((415) 555-0132", "")
	s := scan.New(scan.Config{})
	a := action.New(maskRules(), nil)
	f.Fuzz(func(t *testing.T, text, hint string) {
		ms := s.Scan(text, hint, nil)
		last := 0
		for _, m := range ms {
			if m.Start < last || m.End <= m.Start || m.End > len(text) || m.Type >= detect.NumBuiltin {
				t.Fatalf("bad match %+v after %d in %q", m, last, text)
			}
			last = m.End
		}
		out := a.Apply(text, ms)
		for _, m := range ms {
			secret := text[m.Start:m.End]
			if len(secret) >= 6 && strings.Count(text, secret) == 1 && strings.Contains(out, secret) {
				t.Fatalf("claimed %s %q is still in the output %q", m.Type.Name(), secret, out)
			}
		}
	})
}
