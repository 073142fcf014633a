package pricing

import (
	"strings"
	"testing"
)

func FuzzCandidates(f *testing.F) {
	for _, s := range []string{"gpt-4o-2024-08-06", "us.anthropic.claude-3-7-sonnet-20250219-v1:0", "models/gemini-2.0-flash-001",
		"claude-3-5-sonnet-v2@20241022", "-latest", "a-1234-latest-2024-01-01", "meta.-v1:0", "@", "/", "x-v:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c := Candidates(name)
		if strings.TrimSpace(name) == "" {
			if c != nil {
				t.Fatalf("candidates for blank name: %q", c)
			}
			return
		}
		if len(c) == 0 || c[0] != normName(name) {
			t.Fatalf("first candidate must be the name itself: %q → %q", name, c)
		}
		for i := 1; i < len(c); i++ {
			if c[i] == "" || len(c[i]) >= len(c[i-1]) {
				t.Fatalf("candidates must shrink: %q → %q", name, c)
			}
		}
	})
}

func FuzzParseTable(f *testing.F) {
	f.Add(string(EmbeddedYAML))
	f.Add("models:\n  - {provider: openai, model: x, input: 1, output: 1, tiers: [{above_input_tokens: 5, input: 1, output: 1}]}\n")
	f.Add("providers: {a: {aliases: [b, b]}}\n")
	f.Add("models: 3\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse([]byte(src))
		if err != nil {
			return
		}
		if file.Validate("x.") != nil {
			return
		}
		tbl, err := Build(Layer{File: file})
		if err != nil {
			return
		}
		for _, m := range file.Models {
			for _, p := range m.ProviderNames() {
				if _, r := tbl.Lookup(p, m.Model); r != Found {
					t.Fatalf("valid entry %s/%s not found: %v", p, m.Model, r)
				}
			}
		}
	})
}
