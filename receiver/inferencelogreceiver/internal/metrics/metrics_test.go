package metrics

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"
)

func allOn() Config {
	return Config{
		Builder:    metadata.NewDefaultMetricsBuilderConfig(),
		Histograms: map[string]bool{RequestDuration: true, TimePerOutputToken: true, PhaseDuration: true, TokenUsage: true},
	}
}

func record(kind parser.Kind, format parser.Format, t time.Time, fields ...parser.Field) *parser.Record {
	return &parser.Record{Kind: kind, Format: format, Time: t, Fields: fields}
}

func num(name string, v float64) parser.Field { return parser.Field{Name: name, Value: v} }

func metricsByName(md pmetric.Metrics) map[string]pmetric.Metric {
	out := map[string]pmetric.Metric{}
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	for i := 0; i < ms.Len(); i++ {
		out[ms.At(i).Name()] = ms.At(i)
	}
	return out
}

func TestGaugesFollowMetadata(t *testing.T) {
	r := New(allOn(), pcommon.NewResource())
	for g := gauge(0); g < numGauges; g++ {
		meta := gaugeMeta[g]
		assert.Equal(t, gaugeNames[g], meta.name)
		assert.NotEmpty(t, meta.description, meta.name)
		assert.NotEmpty(t, meta.unit, meta.name)
	}
	_ = r
}

func TestVLLMStatsBecomeGauges(t *testing.T) {
	res := pcommon.NewResource()
	res.Attributes().PutStr("k8s.pod.name", "vllm-0")
	r := New(allOn(), res)
	at := time.Date(2025, 8, 14, 16, 5, 20, 0, time.UTC)
	rec := record(parser.KindVLLMStatsV1, parser.VLLM, at,
		num("prompt_tokens_per_s", 3512.8), num("running", 42), num("waiting", 7), num("gpu_kv_cache_pct", 38.2), num("prefix_cache_hit_pct", 61))
	rec.EngineID = "001"
	r.Record(rec, time.Now())
	md, ok := r.Emit()
	require.True(t, ok)
	assert.Equal(t, "vllm-0", md.ResourceMetrics().At(0).Resource().Attributes().AsRaw()["k8s.pod.name"])
	m := metricsByName(md)
	kv := m["inference.engine.kv_cache.usage"].Gauge().DataPoints().At(0)
	assert.Equal(t, 0.382, kv.DoubleValue())
	assert.Equal(t, map[string]any{"gen_ai.provider.name": "vllm", "inference.engine.id": "001", "inference.kv_cache.device": "gpu"}, kv.Attributes().AsRaw())
	assert.Equal(t, at, kv.Timestamp().AsTime())
	reqs := m["inference.engine.requests"].Gauge().DataPoints()
	require.Equal(t, 2, reqs.Len())
	assert.Equal(t, int64(42), reqs.At(0).IntValue())
	assert.Equal(t, "running", reqs.At(0).Attributes().AsRaw()["inference.request.state"])
	assert.Equal(t, int64(7), reqs.At(1).IntValue())

	_, ok = r.Emit()
	assert.False(t, ok, "nothing new")
}

func TestDisabledMetricsAreNotEmitted(t *testing.T) {
	cfg := allOn()
	cfg.Builder.Metrics.InferenceEngineRequests.Enabled = false
	cfg.Histograms[RequestDuration] = false
	r := New(cfg, pcommon.NewResource())
	now := time.Now()
	r.Record(record(parser.KindVLLMStatsV0, parser.VLLM, now, num("running", 1), num("generation_tokens_per_s", 3)), now)
	r.Record(record(parser.KindTGISuccess, parser.TGI, now, num("total_time_s", 1.5), num("time_per_token_s", 0.02)), now)
	md, ok := r.Emit()
	require.True(t, ok)
	m := metricsByName(md)
	assert.NotContains(t, m, "inference.engine.requests")
	assert.NotContains(t, m, RequestDuration)
	assert.Contains(t, m, "inference.engine.generation_throughput")
	assert.Contains(t, m, TimePerOutputToken)
}

func TestHistogramsAreCumulative(t *testing.T) {
	r := New(allOn(), pcommon.NewResource())
	t0 := time.Date(2024, 6, 3, 11, 21, 2, 0, time.UTC)
	r.Record(record(parser.KindTGISuccess, parser.TGI, t0, num("total_time_s", 1.2)), t0)
	md, ok := r.Emit()
	require.True(t, ok)
	dp := metricsByName(md)[RequestDuration].Histogram().DataPoints().At(0)
	assert.Equal(t, uint64(1), dp.Count())

	t1 := t0.Add(time.Minute)
	r.Record(record(parser.KindTGISuccess, parser.TGI, t1, num("total_time_s", 0.03)), t1)
	md, ok = r.Emit()
	require.True(t, ok)
	h := metricsByName(md)[RequestDuration].Histogram()
	assert.Equal(t, pmetric.AggregationTemporalityCumulative, h.AggregationTemporality())
	dp = h.DataPoints().At(0)
	assert.Equal(t, uint64(2), dp.Count())
	assert.InDelta(t, 1.23, dp.Sum(), 1e-9)
	assert.Equal(t, 0.03, dp.Min())
	assert.Equal(t, 1.2, dp.Max())
	assert.Equal(t, t0, dp.StartTimestamp().AsTime())
	assert.Equal(t, t1, dp.Timestamp().AsTime())
	// 0.03 falls in (0.02, 0.04], 1.2 in (0.64, 1.28].
	assert.Equal(t, []uint64{0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, dp.BucketCounts().AsRaw())
}

func TestOllamaOnlyInferenceRoutesAreRequests(t *testing.T) {
	r := New(allOn(), pcommon.NewResource())
	now := time.Now()
	gin := func(path string, status float64) *parser.Record {
		return record(parser.KindOllamaGIN, parser.Ollama, now, num("status", status), num("latency_s", 0.5),
			parser.Field{Name: "path", Text: path, IsString: true})
	}
	r.Record(gin("/api/tags", 200), now)
	_, ok := r.Emit()
	assert.False(t, ok)
	r.Record(gin("/api/chat", 200), now)
	r.Record(gin("/api/generate", 503), now)
	md, ok := r.Emit()
	require.True(t, ok)
	dps := metricsByName(md)[RequestDuration].Histogram().DataPoints()
	require.Equal(t, 2, dps.Len())
	got := map[string]any{}
	for i := 0; i < dps.Len(); i++ {
		a := dps.At(i).Attributes().AsRaw()
		got[a["gen_ai.operation.name"].(string)] = a["error.type"]
	}
	assert.Equal(t, map[string]any{"chat": nil, "text_completion": "503"}, got)
}

func TestNegativeOrNaNObservationsAreSkipped(t *testing.T) {
	r := New(allOn(), pcommon.NewResource())
	now := time.Now()
	zero := 0.0
	r.Record(record(parser.KindTGISuccess, parser.TGI, now, num("total_time_s", -1), num("queue_time_s", zero/zero)), now)
	_, ok := r.Emit()
	assert.False(t, ok)
}

// TestGaugesKeepTheLastValueOfARead: two statistics lines of one series in
// one read give one data point, the later one; in separate reads, two.
func TestGaugesKeepTheLastValueOfARead(t *testing.T) {
	r := New(allOn(), pcommon.NewResource())
	t0 := time.Date(2025, 8, 14, 16, 5, 20, 0, time.UTC)
	line := func(at time.Time, running float64, engine string) *parser.Record {
		rec := record(parser.KindVLLMStatsV1, parser.VLLM, at, num("running", running))
		rec.EngineID = engine
		return rec
	}
	r.Record(line(t0, 4, "000"), t0)
	r.Record(line(t0.Add(10*time.Second), 9, "000"), t0)
	r.Record(line(t0.Add(10*time.Second), 5, "001"), t0)
	r.Record(line(t0.Add(5*time.Second), 7, "000"), t0) // older than the kept one
	md, ok := r.Emit()
	require.True(t, ok)
	dps := metricsByName(md)["inference.engine.requests"].Gauge().DataPoints()
	require.Equal(t, 2, dps.Len(), "one per engine")
	assert.Equal(t, int64(9), dps.At(0).IntValue())
	assert.Equal(t, t0.Add(10*time.Second), dps.At(0).Timestamp().AsTime())
	assert.Equal(t, int64(5), dps.At(1).IntValue())

	r.Record(line(t0.Add(20*time.Second), 1, "000"), t0)
	md, ok = r.Emit()
	require.True(t, ok)
	dps = metricsByName(md)["inference.engine.requests"].Gauge().DataPoints()
	require.Equal(t, 1, dps.Len())
	assert.Equal(t, int64(1), dps.At(0).IntValue())
}
