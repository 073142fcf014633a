package tokencostprocessor

import (
	"context"
	"math"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
)

// FuzzPriceSpan: whatever a span reports, the processor neither panics nor
// writes a negative or non-finite cost, and every GenAI-looking span ends up
// either priced or marked.
func FuzzPriceSpan(f *testing.F) {
	f.Add("anthropic", "claude-sonnet-4-5-20250929", int64(150000), int64(2000), int64(60000), int64(0), int64(0), "")
	f.Add("openai", "o3-mini-2025-01-31", int64(10), int64(5), int64(100), int64(0), int64(9), "1e3")
	f.Add("", "gpt-4o", int64(-1), int64(1<<62), int64(0), int64(0), int64(0), "x")
	f.Add("gcp.gemini", "models/gemini-2.5-pro", int64(1<<40), int64(1), int64(1<<41), int64(3), int64(7), "-5")
	cfg := createDefaultConfig()
	cfg.Breakdown = true
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	if err != nil {
		f.Fatal(err)
	}
	if err := p.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, provider, model string, in, out, cacheRead, cacheWrite, reasoning int64, strCount string) {
		td := ptrace.NewTraces()
		attrs := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
		attrs.PutStr(genai.AttrProviderName, provider)
		attrs.PutStr(genai.AttrRequestModel, model)
		attrs.PutInt(genai.AttrUsageInputTokens, in)
		attrs.PutInt(genai.AttrUsageOutputTokens, out)
		attrs.PutInt(genai.AttrUsageCacheReadInputTokens, cacheRead)
		attrs.PutInt(genai.AttrUsageCacheCreationInputTokens, cacheWrite)
		attrs.PutInt(genai.AttrUsageReasoningOutputTokens, reasoning)
		attrs.PutStr(genai.AttrUsagePromptTokens, strCount)
		sink.Reset()
		if err := p.ConsumeTraces(context.Background(), td); err != nil {
			t.Fatal(err)
		}
		got := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
		amount, priced := got.Get(genai.AttrUsageCostAmount)
		_, marked := got.Get(attrCostUnpriced)
		if priced == marked {
			t.Fatalf("priced=%v marked=%v: %v", priced, marked, got.AsRaw())
		}
		if priced {
			v := amount.Double()
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("cost %v for %v", v, got.AsRaw())
			}
		}
	})
}
