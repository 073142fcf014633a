package pricing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/cost"
)

func embeddedTable(t *testing.T) *Table {
	t.Helper()
	f, err := Embedded()
	require.NoError(t, err)
	tbl, err := Build(Layer{Name: "embedded: ", File: f})
	require.NoError(t, err)
	return tbl
}

func TestEmbeddedTableEveryEntryHasSourceAndDate(t *testing.T) {
	f, err := Embedded()
	require.NoError(t, err)
	require.NotEmpty(t, f.Models)
	for i, m := range f.Models {
		assert.NotEmpty(t, m.Source, "models[%d] (%s) has no source", i, m.Model)
		assert.NotEmpty(t, m.Date, "models[%d] (%s) has no date", i, m.Model)
		_, err := time.Parse(time.DateOnly, m.Date)
		assert.NoError(t, err, "models[%d] date", i)
	}
	for name, p := range f.Providers {
		assert.NotEmpty(t, p.Source, "provider %s documents its counting semantics", name)
		assert.NotNil(t, p.Semantics.InputIncludesCacheRead, name)
		assert.NotNil(t, p.Semantics.InputIncludesCacheCreation, name)
		assert.NotNil(t, p.Semantics.OutputIncludesReasoning, name)
	}
	// Every family the README promises.
	tbl := embeddedTable(t)
	for _, pm := range [][2]string{
		{"openai", "gpt-4o"}, {"anthropic", "claude-sonnet-4-5"}, {"gcp.gemini", "gemini-2.5-flash"},
		{"mistral_ai", "mistral-large"}, {"deepseek", "deepseek-chat"},
		{"together_ai", "meta-llama/Llama-3.3-70B-Instruct-Turbo"}, {"fireworks_ai", "accounts/fireworks/models/llama-v3p1-8b-instruct"},
		{"groq", "llama-3.3-70b-versatile"}, {"aws.bedrock", "us.meta.llama3-3-70b-instruct-v1:0"},
	} {
		_, reason := tbl.Lookup(pm[0], pm[1])
		assert.Equal(t, Found, reason, "%s %s", pm[0], pm[1])
	}
}

func TestCandidates(t *testing.T) {
	cases := map[string][]string{
		"gpt-4o-2024-08-06":                            {"gpt-4o-2024-08-06", "gpt-4o"},
		"GPT-4o":                                       {"gpt-4o"},
		"claude-sonnet-4-5-20250929":                   {"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
		"claude-3-7-sonnet-latest":                     {"claude-3-7-sonnet-latest", "claude-3-7-sonnet"},
		"models/gemini-2.5-flash":                      {"models/gemini-2.5-flash", "gemini-2.5-flash"},
		"gemini-2.0-flash-001":                         {"gemini-2.0-flash-001", "gemini-2.0-flash"},
		"mistral-large-2411":                           {"mistral-large-2411", "mistral-large"},
		"gpt-4-0613":                                   {"gpt-4-0613", "gpt-4"},
		"us.anthropic.claude-3-7-sonnet-20250219-v1:0": {"us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet"},
		"meta.llama3-1-8b-instruct-v1:0":               {"meta.llama3-1-8b-instruct-v1:0", "llama3-1-8b-instruct"},
		"claude-sonnet-4-5@20250929":                   {"claude-sonnet-4-5@20250929", "claude-sonnet-4-5"},
		"claude-3-5-sonnet-v2@20241022":                {"claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-v2"},
		"gpt-4o-mini-2024-07-18":                       {"gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		"ft:gpt-4o-mini-2024-07-18:acme::a1b2":         {"ft:gpt-4o-mini-2024-07-18:acme::a1b2"},
		"my-model-v2":                                  {"my-model-v2"},
		"":                                             nil,
		"-latest":                                      {"-latest"},
		"arn:aws:bedrock:x::foundation-model/meta.llama3": {"arn:aws:bedrock:x::foundation-model/meta.llama3", "meta.llama3", "llama3"},
	}
	for in, want := range cases {
		assert.Equal(t, want, Candidates(in), in)
	}
}

func TestLookup(t *testing.T) {
	tbl := embeddedTable(t)
	cases := []struct {
		provider, model string
		want            string // entry key, "" for none
		reason          Reason
	}{
		{"openai", "gpt-4o-2024-08-06", "openai/gpt-4o", Found},
		{"openai", "gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13", Found}, // own price beats the family
		{"openai", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini", Found},
		{"azure.ai.openai", "gpt-4o", "openai/gpt-4o", Found},
		{"OpenAI", "GPT-4.1", "openai/gpt-4.1", Found},
		{"anthropic", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5", Found},
		{"aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock/claude-sonnet-4-5", Found},
		{"gcp.vertex_ai", "claude-3-5-sonnet-v2@20241022", "gcp.vertex_ai/claude-3-5-sonnet", Found},
		{"gemini", "models/gemini-2.5-pro", "gcp.gemini/gemini-2.5-pro", Found},
		{"mistralai", "mistral-small-latest", "mistral_ai/mistral-small", Found},
		{"", "gpt-4o", "openai/gpt-4o", Found},                            // one provider sells it
		{"", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5", Found},   // same price everywhere
		{"", "llama-3.3-70b-instruct-turbo", "", UnknownModel},            // only the full Together name is listed
		{"openai", "ft:gpt-4o-mini-2024-07-18:acme::x", "", UnknownModel}, // fine-tunes are never guessed
		{"openai", "gpt-4o-ultra", "", UnknownModel},
		{"litellm", "gpt-4o", "", UnknownProvider},
		{"openai", "", "", UnknownModel},
	}
	for _, c := range cases {
		e, reason := tbl.Lookup(c.provider, c.model)
		assert.Equal(t, c.reason, reason, "%s %s", c.provider, c.model)
		if c.want == "" {
			assert.Nil(t, e)
			continue
		}
		if assert.NotNil(t, e, "%s %s", c.provider, c.model) {
			assert.Equal(t, c.want, e.Key())
		}
	}
}

func TestLookupWithoutProviderIsAmbiguousWhenPricesDiffer(t *testing.T) {
	f := mustParse(t, `
providers:
  a: {semantics: {input_includes_cache_read: true, input_includes_cache_creation: true, output_includes_reasoning: true}}
  b: {semantics: {input_includes_cache_read: true, input_includes_cache_creation: true, output_includes_reasoning: true}}
models:
  - {provider: a, model: llama-x, input: 1, output: 1}
  - {provider: b, model: llama-x, input: 2, output: 2}
  - {providers: [a, b], model: same-everywhere, input: 1, output: 1}
`)
	tbl, err := Build(Layer{File: f})
	require.NoError(t, err)
	_, reason := tbl.Lookup("", "llama-x")
	assert.Equal(t, AmbiguousModel, reason)
	e, reason := tbl.Lookup("", "same-everywhere")
	assert.Equal(t, Found, reason)
	assert.Equal(t, "a/same-everywhere", e.Key())
	e, _ = tbl.Lookup("b", "llama-x")
	assert.InDelta(t, 2.0, e.Price.Base.Input, 0)
}

func TestSemanticsResolution(t *testing.T) {
	tbl := embeddedTable(t)
	claude, _ := tbl.Lookup("aws.bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0")
	require.NotNil(t, claude)
	assert.Equal(t, cost.Semantics{OutputIncludesReasoning: true}, claude.Semantics(genai.ShapeSemconv),
		"Anthropic counts are disjoint")
	assert.Equal(t, cost.Semantics{InputIncludesCacheRead: true, InputIncludesCacheCreation: true, OutputIncludesReasoning: true},
		claude.Semantics(genai.ShapeOpenInference), "OpenInference prompt counts include the cache details")
	gemini, _ := tbl.Lookup("gcp.vertex_ai", "gemini-2.5-flash")
	assert.Equal(t, cost.Semantics{InputIncludesCacheRead: true, InputIncludesCacheCreation: true}, gemini.Semantics(genai.ShapeSemconv),
		"Gemini's candidate count excludes thinking tokens")
}

func TestFallbackRates(t *testing.T) {
	tbl := embeddedTable(t)
	e, _ := tbl.Lookup("openai", "gpt-4")
	assert.Equal(t, cost.Rates{Input: 30, Output: 60, CacheRead: 30, CacheWrite: 30, CacheWrite1h: 30, Reasoning: 60}, e.Price.Base)
}

func TestLayersOverrideAndAdd(t *testing.T) {
	base, err := Embedded()
	require.NoError(t, err)
	over := mustParse(t, `
providers:
  anthropic:
    semantics: {input_includes_cache_read: true, cache_write_ttl: 1h}
  my-gateway:
    aliases: [mygw]
    semantics: {input_includes_cache_read: true, input_includes_cache_creation: true, output_includes_reasoning: true}
models:
  - provider: openai
    model: gpt-4o
    input: 2.0
    output: 8.0
  - provider: openai
    model: gpt-4o-2024-08-06
    input: 9
    output: 9
  - provider: mygw
    model: house-model
    aliases: [house]
    input: 0.5
    output: 1.5
`)
	require.NoError(t, over.Validate("prices."))
	tbl, err := Build(Layer{"embedded: ", base}, Layer{"prices.", over})
	require.NoError(t, err)

	e, _ := tbl.Lookup("openai", "gpt-4o-2024-11-20")
	assert.InDelta(t, 2.0, e.Price.Base.Input, 0, "replacement applies to snapshots of the name")
	assert.InDelta(t, 2.0, e.Price.Base.CacheRead, 0, "a replacing entry does not inherit the old cache price")
	e, _ = tbl.Lookup("openai", "gpt-4o-2024-08-06")
	assert.InDelta(t, 9.0, e.Price.Base.Input, 0, "an exact later entry wins over the stripped name")
	e, reason := tbl.Lookup("my-gateway", "house")
	require.Equal(t, Found, reason)
	assert.Equal(t, "my-gateway/house-model", e.Key())
	c, _ := tbl.Lookup("anthropic", "claude-3-haiku")
	sem := c.Semantics(genai.ShapeSemconv)
	// A later layer's provider setting beats the embedded entry's semantics;
	// what it does not set stays as the entry says.
	assert.True(t, sem.InputIncludesCacheRead)
	assert.False(t, sem.InputIncludesCacheCreation)
	assert.Equal(t, cost.CacheTTL1h, sem.CacheWriteTTL)
	bedrockClaude, _ := tbl.Lookup("aws.bedrock", "claude-3-haiku")
	assert.False(t, bedrockClaude.Semantics(genai.ShapeSemconv).InputIncludesCacheRead, "other providers keep theirs")
}

func TestBadTablesNameTheKeyPath(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"missing output", `
models:
  - {provider: openai, model: x, input: 1}`, []string{"prices.models[0].output: required"}},
		{"negative price", `
models:
  - {provider: openai, model: x, input: -1, output: 1}`, []string{"prices.models[0].input: must not be negative"}},
		{"no model name", `
models:
  - {provider: openai, input: 1, output: 1}`, []string{"prices.models[0].model: required"}},
		{"no provider", `
models:
  - {model: x, input: 1, output: 1}`, []string{"prices.models[0].provider: required"}},
		{"both provider forms", `
models:
  - {provider: a, providers: [b], model: x, input: 1, output: 1}`, []string{"prices.models[0]: set provider or providers, not both"}},
		{"tiers out of order", `
models:
  - provider: openai
    model: x
    input: 1
    output: 1
    tiers:
      - {above_input_tokens: 200000, input: 2, output: 2}
      - {above_input_tokens: 128000, input: 3, output: 3}
      - {above_input_tokens: 0, input: 3}`, []string{
			"prices.models[0].tiers[1].above_input_tokens: must be greater than the previous tier's 200000, got 128000",
			"prices.models[0].tiers[2].above_input_tokens: must be greater than 0",
			"prices.models[0].tiers[2].output: required"}},
		{"bad date and source", `
models:
  - {provider: openai, model: x, input: 1, output: 1, date: 24/11/2025, source: platform.openai.com}`, []string{
			`prices.models[0].date: "24/11/2025" is not a date`, `prices.models[0].source: "platform.openai.com" is not an http(s) URL`}},
		{"duplicate name", `
models:
  - {provider: openai, model: x, input: 1, output: 1}
  - {provider: openai, model: y, aliases: [X], input: 1, output: 1}`, []string{`prices.models[1].aliases[0]: "x" (provider openai) is already named by models[0].model`}},
		{"bad ttl and shape", `
providers:
  openai: {semantics: {cache_write_ttl: 2h}}
shapes:
  openllmetry2: {}`, []string{"prices.providers.openai.semantics.cache_write_ttl: must be 5m or 1h", "prices.shapes.openllmetry2: unknown shape"}},
		{"alias claimed twice", `
providers:
  a: {aliases: [shared]}
  b: {aliases: [shared]}`, []string{`prices.providers.b.aliases[0]: "shared" is already a name of provider "a"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.yaml)
			err := f.Validate("prices.")
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestBuildErrorsNameTheKeyPath(t *testing.T) {
	base, err := Embedded()
	require.NoError(t, err)
	f := mustParse(t, `
providers:
  newco: {semantics: {input_includes_cache_read: true}}
models:
  - {provider: opnai, model: x, input: 1, output: 1}
  - {providers: [openai, nobody], model: y, input: 1, output: 1}`)
	require.NoError(t, f.Validate("prices."))
	_, err = Build(Layer{"embedded: ", base}, Layer{"prices.", f})
	require.Error(t, err)
	for _, w := range []string{
		`prices.models[0].provider: unknown provider "opnai"`,
		`prices.models[1].providers[1]: unknown provider "nobody"`,
		`prices.providers.newco.semantics.output_includes_reasoning: required`,
		`prices.providers.newco.semantics.input_includes_cache_creation: required`,
	} {
		assert.Contains(t, err.Error(), w)
	}
}

func TestParseRejectsUnknownKeysAndWrongTypes(t *testing.T) {
	_, err := Parse([]byte("models:\n  - {provider: openai, model: x, inptu: 1, output: 1}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "inptu")
	_, err = Parse([]byte("models:\n  - {provider: openai, model: x, input: cheap, output: 1}\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "input")
	_, err = Parse([]byte("- a\n- b\n"))
	require.Error(t, err)
	f, err := Parse(nil)
	require.NoError(t, err)
	assert.Empty(t, f.Models)
}

func TestFileWatcherReportsChangesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.yaml")
	write := func(s string, mtime time.Time) {
		require.NoError(t, os.WriteFile(path, []byte(s), 0o600))
		require.NoError(t, os.Chtimes(path, mtime, mtime))
	}
	t0 := time.Now().Add(-time.Hour)
	write("models:\n  - {provider: openai, model: a, input: 1, output: 1}\n", t0)
	w := &FileWatcher{Path: path}
	f, err := w.Poll()
	require.NoError(t, err)
	require.NotNil(t, f)
	assert.Len(t, f.Models, 1)

	f, err = w.Poll()
	require.NoError(t, err)
	assert.Nil(t, f, "unchanged file")

	write("models:\n  - {provider: openai, model: a, input: 1, output: 1}\n", t0.Add(time.Minute))
	f, err = w.Poll()
	require.NoError(t, err)
	assert.Nil(t, f, "touched but same content")

	write("models:\n  - {provider: openai, model: a, input: 1}\n", t0.Add(2*time.Minute))
	_, err = w.Poll()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "prices.file "+path+": models[0].output: required")

	write("models:\n  - {provider: openai, model: a, input: 2, output: 2}\n", t0.Add(3*time.Minute))
	f, err = w.Poll()
	require.NoError(t, err)
	require.NotNil(t, f)
	assert.InDelta(t, 2.0, *f.Models[0].Input, 0)

	require.NoError(t, os.Remove(path))
	_, err = w.Poll()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "prices.file"))
}

func mustParse(t *testing.T, s string) *File {
	t.Helper()
	f, err := Parse([]byte(s))
	require.NoError(t, err)
	return f
}

// BenchmarkLookup is the table lookup alone: a name the cache has seen, and
// the full candidate search a new name costs.
func BenchmarkLookup(b *testing.B) {
	f, err := Embedded()
	require.NoError(b, err)
	tbl, err := Build(Layer{File: f})
	require.NoError(b, err)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if e, _ := tbl.Lookup("anthropic", "claude-sonnet-4-5-20250929"); e == nil {
				b.Fatal("not found")
			}
		}
	})
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if e, _ := tbl.lookup("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"); e == nil {
				b.Fatal("not found")
			}
		}
	})
}
