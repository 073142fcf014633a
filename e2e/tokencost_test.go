//go:build e2e

package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
)

const tokenCostConfig = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: {{ endpoint "otlp" }}
processors:
  token_cost:
    breakdown: true
    prices:
      file: {{ .prices }}
      reload_interval: 1s
  batch:
    timeout: 100ms
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_cost, batch]
      exporters: [otlp_grpc]
    logs:
      receivers: [otlp]
      processors: [token_cost, batch]
      exporters: [otlp_grpc]
`

// The external price file overrides gpt-4.1 only; everything else comes from
// the embedded table.
const gpt41Price = `
models:
  - provider: openai
    model: gpt-4.1
    input: %s
    output: %s
    source: https://platform.openai.com/docs/pricing
    date: "2025-11-24"
`

// copyTraces merges what the sink received without taking it out of the sink
// (Sink.AllTraces moves the batches, so a second call finds nothing).
func copyTraces(sink *Sink) ptrace.Traces {
	out := ptrace.NewTraces()
	for _, td := range sink.Traces.AllTraces() {
		rss := td.ResourceSpans()
		for i := range rss.Len() {
			rss.At(i).CopyTo(out.ResourceSpans().AppendEmpty())
		}
	}
	return out
}

// chatSpans returns the chat spans of td by model span name ("chat gpt-4o").
func chatSpans(td ptrace.Traces) map[string][]ptrace.Span {
	out := map[string][]ptrace.Span{}
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				if s := spans.At(k); strings.HasPrefix(s.Name(), "chat ") {
					out[s.Name()] = append(out[s.Name()], s)
				}
			}
		}
	}
	return out
}

func count(tb testing.TB, span ptrace.Span, keys ...string) float64 {
	tb.Helper()
	for _, k := range keys {
		if v, ok := span.Attributes().Get(k); ok {
			n, ok := genai.AsFloat(v)
			require.True(tb, ok, k)
			return n
		}
	}
	tb.Fatalf("span %s has none of %v", span.Name(), keys)
	return 0
}

func costOf(span ptrace.Span) (float64, bool) {
	v, ok := span.Attributes().Get(genai.AttrUsageCostAmount)
	if !ok || v.Type() != pcommon.ValueTypeDouble {
		return 0, false
	}
	return v.Double(), true
}

// The built collector prices the demo traffic in every usage shape, marks the
// self-hosted model, and picks up a changed price file without a restart.
func TestTokenCostPricesDemoTrafficAndReloadsThePriceFile(t *testing.T) {
	prices := filepath.Join(t.TempDir(), "prices.yaml")
	require.NoError(t, os.WriteFile(prices, []byte(fmt.Sprintf(gpt41Price, "2.00", "8.00")), 0o600))
	sink := NewSink(t)
	ports := NewPorts(t)
	StartWithSink(t, ports, sink, tokenCostConfig, map[string]any{"prices": prices})
	sender := NewSender(t, ports.Endpoint("otlp"))

	gen := genaidata.NewGenerator(42)
	batch := gen.Batch(time.Now())
	sender.SendTraces(t, batch.Traces)
	require.Eventually(t, func() bool { return sink.Traces.SpanCount() >= batch.Traces.SpanCount() }, 20*time.Second, 50*time.Millisecond)

	got := chatSpans(copyTraces(sink))
	// Every hosted model of the demo is priced; hand arithmetic per model
	// from its token counts and the published prices (USD per 1M tokens).
	type price struct{ in, out, cacheRead float64 }
	expect := map[string]price{
		"chat gpt-4o":            {2.50, 10.00, 0},
		"chat gpt-4o-mini":       {0.15, 0.60, 0},
		"chat gemini-2.5-flash":  {0.30, 2.50, 0},
		"chat o3-mini":           {1.10, 4.40, 0},
		"chat claude-sonnet-4-5": {3.00, 15.00, 0.30},
	}
	for name, p := range expect {
		require.NotEmpty(t, got[name], name)
		span := got[name][0]
		in := count(t, span, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
		out := count(t, span, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
		want := (in*p.in + out*p.out) / 1e6
		if p.cacheRead > 0 {
			// Anthropic: cache reads come on top of the input count.
			want += count(t, span, "gen_ai.usage.cache_read.input_tokens") * p.cacheRead / 1e6
		}
		usd, ok := costOf(span)
		require.True(t, ok, "%s not priced: %v", name, span.Attributes().AsRaw())
		assert.InDelta(t, want, usd, 1e-12, name)
		cur, _ := span.Attributes().Get(genai.AttrUsageCostCurrency)
		assert.Equal(t, "USD", cur.Str())
	}
	// gpt-4.1 appears twice: the OpenInference span and the RAG answer.
	require.Len(t, got["chat gpt-4.1"], 2)
	for _, span := range got["chat gpt-4.1"] {
		in := count(t, span, "gen_ai.usage.input_tokens", "llm.token_count.prompt")
		out := count(t, span, "gen_ai.usage.output_tokens", "llm.token_count.completion")
		usd, ok := costOf(span)
		require.True(t, ok)
		assert.InDelta(t, (in*2.00+out*8.00)/1e6, usd, 1e-12)
	}
	llama := got["chat meta-llama/Llama-3.1-8B-Instruct"]
	require.NotEmpty(t, llama)
	_, priced := costOf(llama[0])
	assert.False(t, priced, "self-hosted models have no per-token price")
	marker, _ := llama[0].Attributes().Get("gen_ai.usage.cost.unpriced")
	assert.Equal(t, "self_hosted", marker.Str())

	// A new gpt-4.1 price in the file applies without a restart.
	require.NoError(t, os.WriteFile(prices, []byte(fmt.Sprintf(gpt41Price, "20.00", "80.00")), 0o600))
	future := time.Now().Add(time.Second)
	require.NoError(t, os.Chtimes(prices, future, future))
	reloaded := regexp.MustCompile(`otelcol_token_cost_price_table_reloads(_total)?\{[^}]*outcome="success"`)
	if !assert.Eventually(t, func() bool {
		return reloaded.MatchString(SelfMetrics(t, ports.Endpoint("telemetry")))
	}, 20*time.Second, 100*time.Millisecond, "the price file was not reloaded") {
		t.Fatalf("collector telemetry:\n%s", SelfMetrics(t, ports.Endpoint("telemetry")))
	}
	sink.Traces.Reset()
	batch = gen.Batch(time.Now())
	sender.SendTraces(t, batch.Traces)
	require.Eventually(t, func() bool { return sink.Traces.SpanCount() >= batch.Traces.SpanCount() }, 20*time.Second, 50*time.Millisecond)
	for _, span := range chatSpans(copyTraces(sink))["chat gpt-4.1"] {
		in := count(t, span, "gen_ai.usage.input_tokens", "llm.token_count.prompt")
		out := count(t, span, "gen_ai.usage.output_tokens", "llm.token_count.completion")
		usd, _ := costOf(span)
		assert.InDelta(t, (in*20.00+out*80.00)/1e6, usd, 1e-12, "the reloaded price")
	}

	telemetry := SelfMetrics(t, ports.Endpoint("telemetry"))
	assert.Contains(t, telemetry, "otelcol_token_cost_items_priced")
	assert.Regexp(t, regexp.MustCompile(`otelcol_token_cost_items_unpriced(_total)?\{[^}]*reason="self_hosted"`), telemetry)
}

func TestTokenCostBadPriceTableFailsAtStartWithTheKeyPath(t *testing.T) {
	cfg := `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:0
processors:
  token_cost:
    prices:
      models:
        - provider: openai
          model: house-gpt
          input: -1
        - provider: opnai
          model: x
          input: 1
          output: 1
exporters:
  debug: {}
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    traces:
      receivers: [otlp]
      processors: [token_cost]
      exporters: [debug]
`
	out, code := RunToExit(t, cfg, 30*time.Second)
	assert.NotEqual(t, 0, code, "output:\n%s", out)
	assert.Contains(t, out, "processors::token_cost")
	assert.Contains(t, out, "prices.models[0].input: must not be negative, got -1")
	assert.Contains(t, out, "prices.models[0].output: required")
}

// gpuScrape is one scrape of two H100s, one held by the vLLM Deployment pod,
// one idle and unallocated, and the vLLM engine's throughput (tokens/s) as the
// inference_log receiver reports it.
func gpuScrape(ts time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for _, gpu := range []map[string]any{
		{"hw.id": "GPU-e2e-a", "hw.model": "NVIDIA H100 80GB HBM3", "k8s.namespace.name": "inference", "k8s.pod.name": "vllm-llama-7d9f8b6c5d-x2x4z"},
		{"hw.id": "GPU-e2e-b", "hw.model": "NVIDIA H100 80GB HBM3"},
	} {
		rm := md.ResourceMetrics().AppendEmpty()
		_ = rm.Resource().Attributes().FromRaw(gpu)
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("hw.gpu.utilization")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(0.5)
		dp.Attributes().PutStr("hw.gpu.task", "general")
	}
	rm := md.ResourceMetrics().AppendEmpty()
	_ = rm.Resource().Attributes().FromRaw(map[string]any{"k8s.namespace.name": "inference", "k8s.pod.name": "vllm-llama-7d9f8b6c5d-x2x4z"})
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("inference.engine.generation_throughput")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetDoubleValue(1000)
	return md
}

// metricSum adds up the points of a metric across everything the sink got,
// grouped by the value of a resource attribute.
func metricSum(sink *Sink, name, resourceKey string) map[string]float64 {
	out := map[string]float64{}
	for _, md := range sink.Metrics.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := range rms.Len() {
			who := ""
			if v, ok := rms.At(i).Resource().Attributes().Get(resourceKey); ok {
				who = v.AsString()
			}
			sms := rms.At(i).ScopeMetrics()
			for j := range sms.Len() {
				ms := sms.At(j).Metrics()
				for k := range ms.Len() {
					m := ms.At(k)
					if m.Name() != name {
						continue
					}
					var dps pmetric.NumberDataPointSlice
					switch m.Type() {
					case pmetric.MetricTypeSum:
						dps = m.Sum().DataPoints()
					case pmetric.MetricTypeGauge:
						dps = m.Gauge().DataPoints()
					default:
						continue
					}
					for p := range dps.Len() {
						dp := dps.At(p)
						if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
							out[who] += float64(dp.IntValue())
						} else {
							out[who] += dp.DoubleValue()
						}
					}
				}
			}
		}
	}
	return out
}

// The gateway example as shipped: spans come out priced, signal_to_metrics
// turns the cost into per-team spend, and GPU samples become GPU cost per
// deployment and cost per 1K tokens.
func TestGatewayExamplePricesRequestsAndGPUs(t *testing.T) {
	sink := NewSink(t)
	ports := NewPorts(t)
	StartGatewayExample(t, ports, sink, "--set=service.telemetry.metrics.level=none", "--set=processors::token_cost::gpu::interval=1s")
	sender := NewSender(t, ports.Endpoint("otlp"))

	batch := genaidata.NewGenerator(3).Batch(time.Now())
	sender.SendTraces(t, batch.Traces)
	now := time.Now()
	sender.SendMetrics(t, gpuScrape(now.Add(-10*time.Second)))
	sender.SendMetrics(t, gpuScrape(now))

	require.Eventually(t, func() bool {
		spend := metricSum(sink, "gen_ai.usage.cost", "team")
		return spend["support"] > 0 && spend["research"] > 0 && spend["search"] > 0
	}, 20*time.Second, 100*time.Millisecond, "per-team spend never reached the sink")
	// The RAG answer may wait in retrieval_quality for its retrieval span.
	require.Eventually(t, func() bool {
		priced := 0
		for _, spans := range chatSpans(copyTraces(sink)) {
			for _, s := range spans {
				if _, ok := costOf(s); ok {
					priced++
				}
			}
		}
		return priced == 7 // six hosted chat spans and the RAG answer
	}, 40*time.Second, 100*time.Millisecond, "not every hosted request was priced")
	// The spend metrics add up to the costs on the spans.
	var spanTotal float64
	for _, spans := range chatSpans(copyTraces(sink)) {
		for _, s := range spans {
			usd, _ := costOf(s)
			spanTotal += usd
		}
	}
	total := func() float64 {
		var sum float64
		for _, v := range metricSum(sink, "gen_ai.usage.cost", "team") {
			sum += v
		}
		return sum
	}
	assert.Eventually(t, func() bool { return math.Abs(total()-spanTotal) < 1e-9 }, 20*time.Second, 100*time.Millisecond)
	assert.InDelta(t, spanTotal, total(), 1e-9, "spend metrics add up to the span costs; by team: %v", metricSum(sink, "gen_ai.usage.cost", "team"))
	assert.Equal(t, 1.0, metricSum(sink, "gen_ai.usage.unpriced", "team")["platform"], "the vLLM request is counted as unpriced")

	// One 10 s period of two H100s at $4.00/h: $0.0111… each; 1000 tokens/s × 10 s.
	require.Eventually(t, func() bool {
		return metricSum(sink, "inference.gpu.cost", "k8s.deployment.name")["vllm-llama"] > 0
	}, 20*time.Second, 100*time.Millisecond, "GPU cost never reached the sink")
	cost := metricSum(sink, "inference.gpu.cost", "k8s.deployment.name")
	assert.InDelta(t, 10*4.00/3600, cost["vllm-llama"], 1e-9)
	assert.InDelta(t, 10*4.00/3600, cost[""], 1e-9, "the unheld GPU is unallocated")
	assert.InDelta(t, 10000, metricSum(sink, "inference.tokens", "k8s.deployment.name")["vllm-llama"], 1e-6)
	per1k := metricSum(sink, "inference.cost.per_1k_tokens", "k8s.deployment.name")["vllm-llama"]
	assert.InDelta(t, (10*4.00/3600)/10, per1k, 1e-9)
	assert.False(t, math.IsNaN(per1k))
}
