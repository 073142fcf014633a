package tokencostprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/pricing"
)

// priceSpan runs one span with attrs through a token_cost processor built
// from cfg and returns the span's attributes afterwards.
func priceSpan(t *testing.T, cfg *Config, attrs map[string]any) pcommon.Map {
	t.Helper()
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, p.Shutdown(context.Background())) }()
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	require.NoError(t, span.Attributes().FromRaw(attrs))
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.Len(t, sink.AllTraces(), 1)
	return sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
}

// Every expected amount below is worked out by hand from the published list
// prices in internal/pricing/prices.yaml (USD per 1M tokens): tokens × price
// / 1,000,000 for each billed part.
func TestHandComputedCosts(t *testing.T) {
	anthropic1h := createDefaultConfig()
	anthropic1h.Prices.Providers = map[string]pricing.ProviderSpec{
		"anthropic": {Semantics: pricing.SemanticsSpec{CacheWriteTTL: "1h"}},
	}
	reasoner := createDefaultConfig()
	reasoner.Prices.Models = []pricing.ModelSpec{{
		Provider: "openai", Model: "house-reasoner",
		RatesSpec: pricing.RatesSpec{Input: ptrFloat(1), Output: ptrFloat(4), Reasoning: ptrFloat(2)},
	}}
	cases := []struct {
		name   string
		cfg    *Config // nil: the default config
		attrs  map[string]any
		want   float64 // USD; ignored when unpriced is set
		parts  map[string]float64
		reason string // expected gen_ai.usage.cost.unpriced, "" when priced
	}{
		{
			// gpt-4o: input $2.50, output $10.00.
			// 1000 × 2.50 = 0.0025; 500 × 10 = 0.005; total 0.0075
			name: "openai dated snapshot resolves to its family",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500},
			want:  0.0075,
			parts: map[string]float64{attrCostInput: 0.0025, attrCostOutput: 0.005},
		},
		{
			// OpenAI input includes cached tokens: 10000 − 4000 = 6000 uncached.
			// 6000 × 2.50 = 0.015; 4000 × 1.25 = 0.005; 200 × 10 = 0.002; total 0.022
			name: "openai cached tokens are inside the input count",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.response.model": "gpt-4o-2024-11-20",
				"gen_ai.usage.input_tokens": 10000, "gen_ai.usage.cache_read.input_tokens": 4000, "gen_ai.usage.output_tokens": 200},
			want:  0.022,
			parts: map[string]float64{attrCostInput: 0.015, attrCostCacheRead: 0.005, attrCostOutput: 0.002},
		},
		{
			// gpt-4o-2024-05-13 keeps its launch price: $5 / $15.
			// 1000 × 5 = 0.005; 1000 × 15 = 0.015; total 0.020
			name: "a snapshot with its own price is not stripped",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.response.model": "gpt-4o-2024-05-13",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 1000},
			want: 0.020,
		},
		{
			// o3-mini: $1.10 / $4.40; reasoning is inside the output count.
			// 2000 × 1.10 = 0.0022; (3000 − 2500) × 4.40 = 0.0022; 2500 × 4.40 = 0.011;
			// total 0.0154 (adding reasoning on top would give 0.0264)
			name: "openai reasoning tokens are billed once as output",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "o3-mini", "gen_ai.response.model": "o3-mini-2025-01-31",
				"gen_ai.usage.input_tokens": 2000, "gen_ai.usage.output_tokens": 3000, "gen_ai.usage.reasoning.output_tokens": 2500},
			want:  0.0154,
			parts: map[string]float64{attrCostInput: 0.0022, attrCostOutput: 0.0022, attrCostReasoning: 0.011},
		},
		{
			// claude-sonnet-4-5: $3 in, $0.30 cache read, $15 out; Anthropic's
			// input excludes the cache read.
			// 500 × 3 = 0.0015; 20000 × 0.30 = 0.006; 800 × 15 = 0.012; total 0.0195
			name: "anthropic cache reads come on top of the input count",
			attrs: map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.response.model": "claude-sonnet-4-5-20250929",
				"gen_ai.usage.input_tokens": 500, "gen_ai.usage.cache_read.input_tokens": 20000, "gen_ai.usage.output_tokens": 800},
			want:  0.0195,
			parts: map[string]float64{attrCostInput: 0.0015, attrCostCacheRead: 0.006, attrCostOutput: 0.012},
		},
		{
			// 5-minute cache write $3.75.
			// 100 × 3 = 0.0003; 10000 × 3.75 = 0.0375; 50 × 15 = 0.00075; total 0.03855
			name: "anthropic cache writes at the 5 minute price by default",
			attrs: map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
				"gen_ai.usage.input_tokens": 100, "gen_ai.usage.cache_creation.input_tokens": 10000, "gen_ai.usage.output_tokens": 50},
			want:  0.03855,
			parts: map[string]float64{attrCostCacheCreation: 0.0375},
		},
		{
			// 1-hour cache write $6.00 (cache_write_ttl: 1h in the config).
			// 100 × 3 = 0.0003; 10000 × 6 = 0.06; 50 × 15 = 0.00075; total 0.06105
			name: "anthropic cache writes at the 1 hour price when configured",
			cfg:  anthropic1h,
			attrs: map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
				"gen_ai.usage.input_tokens": 100, "gen_ai.usage.cache_creation.input_tokens": 10000, "gen_ai.usage.output_tokens": 50},
			want: 0.06105,
		},
		{
			// Prompt 150000 + 60000 = 210000 > 200K: every token at the long-context
			// tier ($6 in, $0.60 cache read, $22.50 out).
			// 150000 × 6 = 0.9; 60000 × 0.60 = 0.036; 2000 × 22.50 = 0.045; total 0.981
			name: "anthropic long context tier above 200K prompt tokens",
			attrs: map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
				"gen_ai.usage.input_tokens": 150000, "gen_ai.usage.cache_read.input_tokens": 60000, "gen_ai.usage.output_tokens": 2000},
			want:  0.981,
			parts: map[string]float64{attrCostInput: 0.9, attrCostCacheRead: 0.036, attrCostOutput: 0.045},
		},
		{
			// Prompt 190000 + 10000 = 200000, not above 200K: base prices.
			// 190000 × 3 = 0.57; 10000 × 0.30 = 0.003; 1000 × 15 = 0.015; total 0.588
			name: "exactly 200K prompt tokens stays at the base price",
			attrs: map[string]any{"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
				"gen_ai.usage.input_tokens": 190000, "gen_ai.usage.cache_read.input_tokens": 10000, "gen_ai.usage.output_tokens": 1000},
			want: 0.588,
		},
		{
			// Bedrock ID → claude-3-7-sonnet ($3 / $15).
			// 2000 × 3 = 0.006; 300 × 15 = 0.0045; total 0.0105
			name: "bedrock cross region model id",
			attrs: map[string]any{"gen_ai.provider.name": "aws.bedrock", "gen_ai.request.model": "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
				"gen_ai.usage.input_tokens": 2000, "gen_ai.usage.output_tokens": 300},
			want: 0.0105,
		},
		{
			// OpenInference prompt counts include the cache details: 5000 − 3000
			// = 2000 uncached. claude-haiku-4-5: $1 in, $0.10 cache read, $5 out.
			// 2000 × 1 = 0.002; 3000 × 0.10 = 0.0003; 400 × 5 = 0.002; total 0.0043
			name: "openinference anthropic counts are inclusive",
			attrs: map[string]any{"openinference.span.kind": "LLM", "llm.provider": "anthropic", "llm.model_name": "claude-haiku-4-5-20251001",
				"llm.token_count.prompt": 5000, "llm.token_count.prompt_details.cache_read": 3000, "llm.token_count.completion": 400},
			want: 0.0043,
		},
		{
			// gemini-2.5-pro above 200K ($2.50 in, $0.25 cache read, $15 out);
			// Gemini's prompt count includes the 50000 cached tokens.
			// 200000 × 2.50 = 0.5; 50000 × 0.25 = 0.0125; 1000 × 15 = 0.015; total 0.5275
			name: "gemini long context tier",
			attrs: map[string]any{"gen_ai.provider.name": "gcp.gemini", "gen_ai.request.model": "gemini-2.5-pro",
				"gen_ai.usage.input_tokens": 250000, "gen_ai.usage.cache_read.input_tokens": 50000, "gen_ai.usage.output_tokens": 1000},
			want: 0.5275,
		},
		{
			// gemini-2.5-flash $0.30 / $2.50; thinking tokens are outside the
			// candidate count and billed as output.
			// 1000 × 0.30 = 0.0003; 200 × 2.50 = 0.0005; 800 × 2.50 = 0.002; total 0.0028
			name: "gemini thinking tokens come on top of the output count",
			attrs: map[string]any{"gen_ai.provider.name": "gcp.gemini", "gen_ai.request.model": "gemini-2.5-flash",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 200, "gen_ai.usage.reasoning.output_tokens": 800},
			want:  0.0028,
			parts: map[string]float64{attrCostReasoning: 0.002},
		},
		{
			// Older names; gemini-2.0-flash-001 → gemini-2.0-flash ($0.10 / $0.40).
			// 10000 × 0.10 = 0.001; 1000 × 0.40 = 0.0004; total 0.0014
			name: "older semconv names and a vertex version suffix",
			attrs: map[string]any{"gen_ai.system": "vertex_ai", "gen_ai.request.model": "gemini-2.0-flash-001",
				"gen_ai.usage.prompt_tokens": 10000, "gen_ai.usage.completion_tokens": 1000},
			want: 0.0014,
		},
		{
			// gpt-4o-mini $0.15 / $0.60, never gpt-4o.
			// 1200 × 0.15 = 0.00018; 300 × 0.60 = 0.00018; total 0.00036
			name: "gpt-4o-mini is not mistaken for gpt-4o",
			attrs: map[string]any{"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
				"gen_ai.usage.prompt_tokens": 1200, "gen_ai.usage.completion_tokens": 300},
			want: 0.00036,
		},
		{
			// gpt-4.1 $2 / $8.
			// 1500 × 2 = 0.003; 100 × 8 = 0.0008; total 0.0038
			name: "openinference openai span",
			attrs: map[string]any{"openinference.span.kind": "LLM", "llm.provider": "openai", "llm.model_name": "gpt-4.1-2025-04-14",
				"llm.token_count.prompt": 1500, "llm.token_count.completion": 100},
			want: 0.0038,
		},
		{
			// mistral-large-2411 → mistral-large ($2 / $6).
			// 3000 × 2 = 0.006; 1000 × 6 = 0.006; total 0.012
			name: "mistral four digit version",
			attrs: map[string]any{"gen_ai.provider.name": "mistral_ai", "gen_ai.request.model": "mistral-large-2411",
				"gen_ai.usage.input_tokens": 3000, "gen_ai.usage.output_tokens": 1000},
			want: 0.012,
		},
		{
			// deepseek-reasoner: $0.28 miss, $0.028 hit, $0.42 out; prompt tokens
			// include the hits, completion tokens include reasoning.
			// 4000 × 0.28 = 0.00112; 6000 × 0.028 = 0.000168; 500 × 0.42 = 0.00021;
			// 1500 × 0.42 = 0.00063; total 0.002128
			name: "deepseek cache hits and reasoning",
			attrs: map[string]any{"gen_ai.provider.name": "deepseek", "gen_ai.request.model": "deepseek-reasoner",
				"gen_ai.usage.input_tokens": 10000, "gen_ai.usage.cache_read.input_tokens": 6000,
				"gen_ai.usage.output_tokens": 2000, "gen_ai.usage.reasoning.output_tokens": 1500},
			want: 0.002128,
		},
		{
			// llama-3.3-70b-versatile on Groq $0.59 / $0.79.
			// 100000 × 0.59 = 0.059; 20000 × 0.79 = 0.0158; total 0.0748
			name: "llama on groq",
			attrs: map[string]any{"gen_ai.provider.name": "groq", "gen_ai.request.model": "llama-3.3-70b-versatile",
				"gen_ai.usage.input_tokens": 100000, "gen_ai.usage.output_tokens": 20000},
			want: 0.0748,
		},
		{
			// Llama 3.3 70B Turbo on Together $0.88 / $0.88.
			// (10000 + 10000) × 0.88 = 0.0176
			name: "llama on together with a mixed case name",
			attrs: map[string]any{"gen_ai.provider.name": "together_ai", "gen_ai.request.model": "meta-llama/Llama-3.3-70B-Instruct-Turbo",
				"gen_ai.usage.input_tokens": 10000, "gen_ai.usage.output_tokens": 10000},
			want: 0.0176,
		},
		{
			// Llama 3.3 70B on Bedrock $0.72 / $0.72.
			// (5000 + 1000) × 0.72 = 0.00432
			name: "llama on bedrock",
			attrs: map[string]any{"gen_ai.provider.name": "aws.bedrock", "gen_ai.request.model": "us.meta.llama3-3-70b-instruct-v1:0",
				"gen_ai.usage.input_tokens": 5000, "gen_ai.usage.output_tokens": 1000},
			want: 0.00432,
		},
		{
			// gemini-1.5-pro above 128K: $2.50 / $10.
			// 130000 × 2.50 = 0.325; 1000 × 10 = 0.01; total 0.335
			name: "gemini 1.5 tier above 128K",
			attrs: map[string]any{"gen_ai.provider.name": "gcp.vertex_ai", "gen_ai.request.model": "gemini-1.5-pro-002",
				"gen_ai.usage.input_tokens": 130000, "gen_ai.usage.output_tokens": 1000},
			want: 0.335,
		},
		{
			// text-embedding-3-small $0.02, input only.
			// 1000000 × 0.02 = 0.02
			name: "embeddings have only input tokens",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small",
				"gen_ai.usage.input_tokens": 1000000},
			want: 0.02,
		},
		{
			// The response names an Azure deployment; the request names gpt-4o.
			// 1000 × 2.50 = 0.0025; 100 × 10 = 0.001; total 0.0035
			name: "an unknown response model falls back to the request model",
			attrs: map[string]any{"gen_ai.provider.name": "azure.ai.openai", "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "prod-chat-deployment",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100},
			want: 0.0035,
		},
		{
			// No provider; claude-3-5-haiku costs the same everywhere ($0.80 / $4).
			// 1000 × 0.80 = 0.0008; 1000 × 4 = 0.004; total 0.0048
			name: "no provider but one price",
			attrs: map[string]any{"gen_ai.request.model": "claude-3-5-haiku-20241022",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 1000},
			want: 0.0048,
		},
		{
			// Cached 1000 > input 100 although OpenAI declares inclusive counts:
			// priced as disjoint (and counted as inconsistent).
			// 100 × 2.50 = 0.00025; 1000 × 1.25 = 0.00125; 10 × 10 = 0.0001; total 0.0016
			name: "counts that contradict the semantics are priced as disjoint",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
				"gen_ai.usage.input_tokens": 100, "gen_ai.usage.cache_read.input_tokens": 1000, "gen_ai.usage.output_tokens": 10},
			want: 0.0016,
		},
		{
			// An entry's own reasoning price ($2) applies to the reasoning
			// tokens inside OpenAI's output count; the rest is output ($4).
			// 1000 × 1 = 0.001; 600 × 4 = 0.0024; 400 × 2 = 0.0008; total 0.0042
			name: "a reasoning price of its own",
			cfg:  reasoner,
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "house-reasoner",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 1000, "gen_ai.usage.reasoning.output_tokens": 400},
			want:  0.0042,
			parts: map[string]float64{attrCostInput: 0.001, attrCostOutput: 0.0024, attrCostReasoning: 0.0008},
		},
		{
			// Only the exact name and its stripped snapshot forms are looked
			// up: no prefix matching.
			name: "a name that only starts like a priced model is unknown",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-house-router",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100},
			reason: "unknown_model",
		},
		{
			name: "unknown model is never guessed",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-7",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100},
			reason: "unknown_model",
		},
		{
			name: "fine-tuned model is unknown until priced",
			attrs: map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "ft:gpt-4o-mini-2024-07-18:acme::abc",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100},
			reason: "unknown_model",
		},
		{
			name: "unknown provider",
			attrs: map[string]any{"gen_ai.provider.name": "my-proxy", "gen_ai.request.model": "gpt-4o",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100},
			reason: "unknown_provider",
		},
		{
			name: "self hosted models are priced from GPU time",
			attrs: map[string]any{"gen_ai.provider.name": "vllm", "gen_ai.request.model": "meta-llama/Llama-3.1-8B-Instruct",
				"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100},
			reason: "self_hosted",
		},
		{
			name:   "a model without token counts",
			attrs:  map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o"},
			reason: "missing_usage",
		},
		{
			name:   "token counts without a model",
			attrs:  map[string]any{"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 10},
			reason: "missing_model",
		},
	}
	require.GreaterOrEqual(t, len(cases), 20)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			if cfg == nil {
				cfg = createDefaultConfig()
			}
			cfg.Breakdown = true
			got := priceSpan(t, cfg, c.attrs)
			amount, priced := got.Get(genai.AttrUsageCostAmount)
			marker, marked := got.Get(attrCostUnpriced)
			if c.reason != "" {
				assert.False(t, priced, "no cost for an unpriced item")
				require.True(t, marked)
				assert.Equal(t, c.reason, marker.Str())
				return
			}
			require.True(t, priced, "not priced: %v", got.AsRaw())
			assert.False(t, marked)
			assert.Equal(t, pcommon.ValueTypeDouble, amount.Type())
			assert.InDelta(t, c.want, amount.Double(), 1e-12)
			cur, _ := got.Get(genai.AttrUsageCostCurrency)
			assert.Equal(t, "USD", cur.Str())
			src, _ := got.Get(genai.AttrUsageCostSource)
			assert.Equal(t, "local", src.Str())
			for k, want := range c.parts {
				v, ok := got.Get(k)
				if assert.True(t, ok, k) {
					assert.InDelta(t, want, v.Double(), 1e-12, k)
				}
			}
		})
	}
}

func TestExistingCostIsKeptUnlessOverwrite(t *testing.T) {
	attrs := map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100, "gen_ai.usage.cost.amount": 0.5}
	got := priceSpan(t, createDefaultConfig(), attrs)
	v, _ := got.Get(genai.AttrUsageCostAmount)
	assert.InDelta(t, 0.5, v.Double(), 0)
	_, hasSource := got.Get(genai.AttrUsageCostSource)
	assert.False(t, hasSource)

	cfg := createDefaultConfig()
	cfg.Overwrite = true
	got = priceSpan(t, cfg, attrs)
	v, _ = got.Get(genai.AttrUsageCostAmount)
	assert.InDelta(t, 0.0035, v.Double(), 1e-12) // 1000 × 2.50 + 100 × 10, per 1M
}

func TestSpansWithoutGenAIAttributesAreUntouched(t *testing.T) {
	got := priceSpan(t, createDefaultConfig(), map[string]any{"http.route": "/v1/chat", "http.response.status_code": 200})
	assert.Equal(t, map[string]any{"http.route": "/v1/chat", "http.response.status_code": int64(200)}, got.AsRaw())
}

func ptrFloat(v float64) *float64 { return &v }
