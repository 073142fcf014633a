package tokencostprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/internal/genaidata"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
)

// TOKEN_COST_UPDATE_GOLDEN=1 go test ./processor/tokencostprocessor rewrites
// the expected files (and generated inputs); review the diff before committing.
var updateGolden = os.Getenv("TOKEN_COST_UPDATE_GOLDEN") == "1"

var goldenTime = time.Date(2025, 11, 24, 12, 0, 0, 0, time.UTC)

// demoTraces is the demo load generator's traffic (every usage shape) with the
// message contents left out, so that the golden files show what pricing reads
// and writes.
func demoTraces() ptrace.Traces {
	td := genaidata.NewGenerator(7).Batch(goldenTime).Traces
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		spans := rss.At(i).ScopeSpans().At(0).Spans()
		for j := 0; j < spans.Len(); j++ {
			spans.At(j).Attributes().RemoveIf(func(k string, _ pcommon.Value) bool {
				return genai.ClassifyContentKey(k) != genai.ContentNone
			})
		}
	}
	return td
}

func unpricedTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i, attrs := range []map[string]any{
		{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-7", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5},
		{"gen_ai.provider.name": "my-proxy", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5},
		{"gen_ai.provider.name": "vllm", "gen_ai.request.model": "meta-llama/Llama-3.1-8B-Instruct", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5},
		{"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5"},
		{"gen_ai.usage.input_tokens": 10},
		{"gen_ai.request.model": "llama-x", "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5},
		{"http.route": "/healthz"},
	} {
		span := ss.Spans().AppendEmpty()
		span.SetName("span")
		span.SetTraceID(pcommon.TraceID{1, byte(i)})
		span.SetSpanID(pcommon.SpanID{2, byte(i)})
		if err := span.Attributes().FromRaw(attrs); err != nil {
			panic(err)
		}
	}
	return td
}

func requestLogs() plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for _, attrs := range []map[string]any{
		// A gen_ai.client.inference.operation.details event with usage.
		{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-haiku-4-5",
			"gen_ai.response.model": "claude-haiku-4-5-20251001", "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300,
			"gen_ai.usage.cache_read.input_tokens": 8000},
		// An older-convention record from a gateway.
		{"gen_ai.system": "mistral", "gen_ai.request.model": "mistral-small-latest", "gen_ai.usage.prompt_tokens": 900, "gen_ai.usage.completion_tokens": 150},
		// Not a GenAI record.
		{"http.request.method": "GET"},
	} {
		rec := sl.LogRecords().AppendEmpty()
		rec.SetTimestamp(pcommon.NewTimestampFromTime(goldenTime))
		rec.SetEventName("gen_ai.client.inference.operation.details")
		rec.Body().SetStr("request finished")
		if err := rec.Attributes().FromRaw(attrs); err != nil {
			panic(err)
		}
	}
	return ld
}

func TestGoldenTraces(t *testing.T) {
	cases := []struct {
		dir       string
		breakdown bool
		input     func() ptrace.Traces
	}{
		{"demo_traffic_is_priced_in_every_usage_shape", true, demoTraces},
		{"unpriced_requests_are_marked_with_the_reason_and_never_guessed", false, unpricedTraces},
	}
	for _, c := range cases {
		t.Run(c.dir, func(t *testing.T) {
			in := filepath.Join("testdata", c.dir, "input.yaml")
			want := filepath.Join("testdata", c.dir, "expected.yaml")
			if updateGolden {
				require.NoError(t, golden.WriteTraces(t, in, c.input()))
			}
			input, err := golden.ReadTraces(in)
			require.NoError(t, err)
			cfg := createDefaultConfig()
			cfg.Breakdown = c.breakdown
			sink := new(consumertest.TracesSink)
			p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
			require.NoError(t, err)
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			require.NoError(t, p.ConsumeTraces(context.Background(), input))
			require.NoError(t, p.Shutdown(context.Background()))
			got := sink.AllTraces()[0]
			if updateGolden {
				require.NoError(t, golden.WriteTraces(t, want, got))
			}
			expected, err := golden.ReadTraces(want)
			require.NoError(t, err)
			require.NoError(t, ptracetest.CompareTraces(expected, got))
		})
	}
}

func TestGoldenLogs(t *testing.T) {
	dir := filepath.Join("testdata", "log_records_are_priced_like_spans")
	in, want := filepath.Join(dir, "input.yaml"), filepath.Join(dir, "expected.yaml")
	if updateGolden {
		require.NoError(t, golden.WriteLogs(t, in, requestLogs()))
	}
	input, err := golden.ReadLogs(in)
	require.NoError(t, err)
	cfg := createDefaultConfig()
	cfg.Breakdown = true
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeLogs(context.Background(), input))
	require.NoError(t, p.Shutdown(context.Background()))
	got := sink.AllLogs()[0]
	if updateGolden {
		require.NoError(t, golden.WriteLogs(t, want, got))
	}
	expected, err := golden.ReadLogs(want)
	require.NoError(t, err)
	require.NoError(t, plogtest.CompareLogs(expected, got))
}

// gpuScrapes is two scrapes (10 s apart) of a node with three H100s — one
// held by a vLLM Deployment pod, one in MIG mode with one instance held by a
// StatefulSet pod, one held by nobody — plus the vLLM engine's throughput
// lines read by the inference_log receiver, and a metric the processor ignores.
func gpuScrapes() pmetric.Metrics {
	md := pmetric.NewMetrics()
	gpu := func(ts time.Time, res map[string]any, util float64, hasUtil bool) {
		rm := md.ResourceMetrics().AppendEmpty()
		if err := rm.Resource().Attributes().FromRaw(res); err != nil {
			panic(err)
		}
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		if hasUtil {
			m := ms.AppendEmpty()
			m.SetName(metricGPUUtilization)
			m.SetUnit("1")
			dps := m.SetEmptyGauge().DataPoints()
			for task, v := range map[string]float64{"general": util, "encoder": 0.9} {
				dp := dps.AppendEmpty()
				dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				dp.SetDoubleValue(v)
				dp.Attributes().PutStr(attrGPUTask, task)
			}
			dps.Sort(func(a, b pmetric.NumberDataPoint) bool {
				x, _ := a.Attributes().Get(attrGPUTask)
				y, _ := b.Attributes().Get(attrGPUTask)
				return x.Str() < y.Str()
			})
		}
		m := ms.AppendEmpty()
		m.SetName(metricGPUMemoryUsage)
		m.SetUnit("By")
		s := m.SetEmptySum()
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp := s.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetIntValue(40 << 30)
	}
	for _, ts := range []time.Time{goldenTime, goldenTime.Add(10 * time.Second)} {
		gpu(ts, map[string]any{"hw.id": "GPU-aaaa", "hw.model": "NVIDIA H100 80GB HBM3", "hw.type": "gpu",
			"k8s.namespace.name": "inference", "k8s.pod.name": "vllm-llama-7d9f8b6c5d-x2x4z"}, 0.8, true)
		gpu(ts, map[string]any{"hw.id": "GPU-bbbb", "hw.model": "NVIDIA H100 80GB HBM3", "hw.type": "gpu"}, 0, false)
		gpu(ts, map[string]any{"hw.id": "GPU-bbbb", "hw.model": "NVIDIA H100 80GB HBM3", "hw.type": "gpu",
			"hw.gpu.mig.instance_id": int64(1), "hw.gpu.mig.profile": "3g.40gb",
			"k8s.namespace.name": "search", "k8s.pod.name": "embedder-0"}, 0, false)
		gpu(ts, map[string]any{"hw.id": "GPU-cccc", "hw.model": "NVIDIA H100 80GB HBM3", "hw.type": "gpu"}, 0, true)

		rm := md.ResourceMetrics().AppendEmpty()
		_ = rm.Resource().Attributes().FromRaw(map[string]any{"k8s.namespace.name": "inference", "k8s.pod.name": "vllm-llama-7d9f8b6c5d-x2x4z"})
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		for _, tp := range []struct {
			name string
			v    float64
		}{{"inference.engine.prompt_throughput", 1500}, {"inference.engine.generation_throughput", 500}, {"inference.engine.kv_cache.usage", 0.4}} {
			m := ms.AppendEmpty()
			m.SetName(tp.name)
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.Attributes().PutStr("gen_ai.provider.name", "vllm")
			dp.SetDoubleValue(tp.v)
		}
	}
	return md
}

func TestGoldenGPUCost(t *testing.T) {
	dir := filepath.Join("testdata", "gpu_time_is_billed_to_the_deployment_holding_the_gpu")
	in, want := filepath.Join(dir, "input.yaml"), filepath.Join(dir, "expected.yaml")
	if updateGolden {
		require.NoError(t, golden.WriteMetrics(t, in, gpuScrapes(), golden.SkipMetricTimestampNormalization()))
	}
	input, err := golden.ReadMetrics(in)
	require.NoError(t, err)
	passed := pmetric.NewMetrics()
	input.CopyTo(passed)

	cfg := createDefaultConfig()
	cfg.GPU.Prices = []GPUPrice{{GPUModel: "NVIDIA H100 80GB HBM3", USDPerHour: 3.60}}
	sink := new(consumertest.MetricsSink)
	set := processortest.NewNopSettings(metadata.Type)
	set.BuildInfo = component.BuildInfo{Version: "test"}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	require.NoError(t, err)
	g := newGPUPricer(cfg, set.TelemetrySettings, set.BuildInfo, "collector-1", tb, sink)
	clock := goldenTime.Add(-time.Second)
	g.setClock(func() time.Time { return clock })
	clock = goldenTime.Add(15 * time.Second)

	out, err := g.processMetrics(context.Background(), input)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(passed, out), "metrics pass through unchanged")
	g.flush(context.Background())
	require.Len(t, sink.AllMetrics(), 1)
	got := sink.AllMetrics()[0]
	if updateGolden {
		require.NoError(t, golden.WriteMetrics(t, want, got, golden.SkipMetricTimestampNormalization()))
	}
	expected, err := golden.ReadMetrics(want)
	require.NoError(t, err)
	require.NoError(t, pmetrictest.CompareMetrics(expected, got, pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricDataPointsOrder()))

	// The arithmetic behind expected.yaml, at $3.60 per GPU-hour ($0.001/s)
	// over the one 10 s period between the scrapes:
	//   vllm-llama: GPU-aaaa, 80% busy: $0.008 busy + $0.002 idle = $0.010;
	//     (1500 + 500) tokens/s × 10 s = 20 000 tokens → $0.010 / 20 = $0.0005 per 1K tokens
	//   embedder (a StatefulSet pod, named by k8s.pod.name): 3 of 7 MIG slices
	//     of GPU-bbbb, utilisation not reported: 10 × 3/7 s = 4.2857 s, $0.0042857
	//   unallocated: GPU-cccc whole (10 s) + 4 free slices of GPU-bbbb (5.7143 s) = $0.0157143
	totals := map[string]float64{}
	rms := got.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		who := "unallocated"
		if v, ok := rms.At(i).Resource().Attributes().Get("k8s.deployment.name"); ok {
			who = v.Str()
		} else if v, ok := rms.At(i).Resource().Attributes().Get("k8s.pod.name"); ok {
			who = v.Str()
		}
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			m := ms.At(j)
			var dps pmetric.NumberDataPointSlice
			if m.Type() == pmetric.MetricTypeSum {
				dps = m.Sum().DataPoints()
			} else {
				dps = m.Gauge().DataPoints()
			}
			for k := 0; k < dps.Len(); k++ {
				totals[who+" "+m.Name()] += dps.At(k).DoubleValue()
			}
		}
	}
	assert.InDeltaMapValues(t, map[string]float64{
		"vllm-llama inference.gpu.cost":           0.010,
		"vllm-llama inference.gpu.time":           10,
		"vllm-llama inference.tokens":             20000,
		"vllm-llama inference.cost.per_1k_tokens": 0.0005,
		"embedder-0 inference.gpu.cost":           0.03 / 7,
		"embedder-0 inference.gpu.time":           30.0 / 7,
		"unallocated inference.gpu.cost":          0.010 + 0.04/7,
		"unallocated inference.gpu.time":          10 + 40.0/7,
	}, totals, 1e-12)
}
