package tokencostprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
)

// transformPricing is what pricing looks like without this processor: one OTTL
// statement per model and attribute shape, prices copied by hand, no aliases,
// tiers or cache semantics. It prices the demo's six hosted models.
var transformPricing = map[string]any{
	"error_mode": "ignore",
	"trace_statements": []any{map[string]any{
		"context": "span",
		"statements": []any{
			`set(attributes["gen_ai.usage.cost.amount"], Double(attributes["gen_ai.usage.input_tokens"]) * 0.0000025 + Double(attributes["gen_ai.usage.output_tokens"]) * 0.00001) where attributes["gen_ai.response.model"] == "gpt-4o-2024-08-06"`,
			`set(attributes["gen_ai.usage.cost.amount"], Double(attributes["gen_ai.usage.input_tokens"]) * 0.0000011 + Double(attributes["gen_ai.usage.output_tokens"]) * 0.0000044) where attributes["gen_ai.response.model"] == "o3-mini-2025-01-31"`,
			`set(attributes["gen_ai.usage.cost.amount"], Double(attributes["gen_ai.usage.input_tokens"]) * 0.000003 + Double(attributes["gen_ai.usage.cache_read.input_tokens"]) * 0.0000003 + Double(attributes["gen_ai.usage.output_tokens"]) * 0.000015) where attributes["gen_ai.response.model"] == "claude-sonnet-4-5-20250929"`,
			`set(attributes["gen_ai.usage.cost.amount"], Double(attributes["gen_ai.usage.input_tokens"]) * 0.0000003 + Double(attributes["gen_ai.usage.output_tokens"]) * 0.0000025) where attributes["gen_ai.response.model"] == "gemini-2.5-flash"`,
			`set(attributes["gen_ai.usage.cost.amount"], Double(attributes["gen_ai.usage.prompt_tokens"]) * 0.00000015 + Double(attributes["gen_ai.usage.completion_tokens"]) * 0.0000006) where attributes["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"`,
			`set(attributes["gen_ai.usage.cost.amount"], Double(attributes["llm.token_count.prompt"]) * 0.000002 + Double(attributes["llm.token_count.completion"]) * 0.000008) where attributes["llm.model_name"] == "gpt-4.1-2025-04-14"`,
			`set(attributes["gen_ai.usage.cost.currency"], "USD") where attributes["gen_ai.usage.cost.amount"] != nil`,
		},
	}},
}

func newTransformPricer(tb testing.TB, next *consumertest.TracesSink) processor.Traces {
	f := transformprocessor.NewFactory()
	cfg := f.CreateDefaultConfig()
	require.NoError(tb, confmap.NewFromStringMap(transformPricing).Unmarshal(cfg))
	p, err := f.CreateTraces(context.Background(), processortest.NewNopSettings(f.Type()), cfg, next)
	require.NoError(tb, err)
	return p
}

func newTokenCost(tb testing.TB, cfg *Config, next *consumertest.TracesSink) processor.Traces {
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, next)
	require.NoError(tb, err)
	return p
}

// BenchmarkPriceSpans prices batches of demo chat spans (seven models in every
// usage shape, ~600-byte messages): this processor side by side with contrib's
// transform processor doing the hand-written OTTL equivalent.
func BenchmarkPriceSpans(b *testing.B) {
	const spans = 1000
	input := genaidata.NewGenerator(1).ChatSpans(spans, 600, time.Unix(1_700_000_000, 0))
	breakdown := createDefaultConfig()
	breakdown.Breakdown = true
	cases := []struct {
		name string
		make func(testing.TB, *consumertest.TracesSink) processor.Traces
	}{
		{"token_cost", func(tb testing.TB, s *consumertest.TracesSink) processor.Traces {
			return newTokenCost(tb, createDefaultConfig(), s)
		}},
		{"token_cost_breakdown", func(tb testing.TB, s *consumertest.TracesSink) processor.Traces {
			return newTokenCost(tb, breakdown, s)
		}},
		{"contrib_transform", newTransformPricer},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			sink := new(consumertest.TracesSink)
			p := c.make(b, sink)
			require.NoError(b, p.Start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(b, p.Shutdown(context.Background())) }()
			var batch ptrace.Traces
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				batch = ptrace.NewTraces()
				input.CopyTo(batch)
				sink.Reset()
				b.StartTimer()
				if err := p.ConsumeTraces(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(spans*b.N)/b.Elapsed().Seconds(), "spans/s")
		})
	}
}
