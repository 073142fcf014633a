package tokencostprocessor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
)

// sumByAttr reads a counter of the component's own telemetry as attribute
// value (of key) → value.
func sumByAttr(t *testing.T, tel *componenttest.Telemetry, name, key string) map[string]float64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return map[string]float64{}
	}
	out := map[string]float64{}
	add := func(set attribute.Set, v float64) {
		val, _ := set.Value(attribute.Key(key))
		out[val.AsString()] += v
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes, float64(dp.Value))
		}
	case metricdata.Sum[float64]:
		for _, dp := range d.DataPoints {
			add(dp.Attributes, dp.Value)
		}
	}
	return out
}

func TestTelemetryCountsWhatWasPricedAndWhy(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()

	p, err := NewFactory().CreateTraces(context.Background(), set, createDefaultConfig(), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeTraces(context.Background(), unpricedTraces()))
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	// 1000 × 2.50 + 100 × 10 per 1M = 0.0035; cache 200 > input 100 is inconsistent:
	// 100 × 2.50 + 200 × 1.25 + 100 × 10 per 1M = 0.0015 → total 0.0050
	require.NoError(t, span.Attributes().FromRaw(map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 100}))
	span2 := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	require.NoError(t, span2.Attributes().FromRaw(map[string]any{"gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.usage.input_tokens": 100, "gen_ai.usage.cache_read.input_tokens": 200, "gen_ai.usage.output_tokens": 100}))
	require.NoError(t, p.ConsumeTraces(context.Background(), td))
	require.NoError(t, p.Shutdown(context.Background()))

	assert.Equal(t, map[string]float64{"unknown_model": 2, "unknown_provider": 1, "self_hosted": 1, "missing_usage": 1, "missing_model": 1},
		sumByAttr(t, tel, "otelcol.token_cost.items.unpriced", "reason"))
	assert.Equal(t, map[string]float64{"traces": 2}, sumByAttr(t, tel, "otelcol.token_cost.items.priced", "signal"))
	assert.InDelta(t, 0.005, sumByAttr(t, tel, "otelcol.token_cost.cost", "signal")["traces"], 1e-12)
	assert.Equal(t, map[string]float64{"cache": 1}, sumByAttr(t, tel, "otelcol.token_cost.usage.inconsistent", "field"))
}

const priceFileV1 = `
models:
  - provider: openai
    model: gpt-4o
    input: 1.00
    output: 1.00
`

const priceFileV2 = `
providers:
  house:
    semantics: {input_includes_cache_read: true, input_includes_cache_creation: true, output_includes_reasoning: true}
models:
  - provider: openai
    model: gpt-4o
    input: 2.00
    output: 2.00
  - provider: house
    model: house-llm
    input: 0.10
    output: 0.10
`

func TestPriceFileIsReloadedWhenItChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prices.yaml")
	write := func(content string, mtime time.Time) {
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		require.NoError(t, os.Chtimes(path, mtime, mtime))
	}
	base := time.Now().Add(-time.Hour)
	write(priceFileV1, base)

	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig()
	cfg.Prices.File = path
	cfg.Prices.ReloadInterval = 20 * time.Millisecond
	sink := new(consumertest.LogsSink)
	p, err := NewFactory().CreateLogs(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, p.Shutdown(context.Background())) }()

	price := func(provider, model string) (float64, string) {
		ld := plog.NewLogs()
		rec := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		require.NoError(t, rec.Attributes().FromRaw(map[string]any{"gen_ai.provider.name": provider, "gen_ai.request.model": model,
			"gen_ai.usage.input_tokens": 1_000_000, "gen_ai.usage.output_tokens": 1_000_000}))
		require.NoError(t, p.ConsumeLogs(context.Background(), ld))
		all := sink.AllLogs()
		attrs := all[len(all)-1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes()
		if v, ok := attrs.Get(genai.AttrUsageCostAmount); ok {
			return v.Double(), ""
		}
		v, _ := attrs.Get(attrCostUnpriced)
		return 0, v.Str()
	}
	// The file's gpt-4o ($1 + $1) overrides the embedded one; other models
	// still come from the embedded table.
	usd, _ := price("openai", "gpt-4o")
	assert.InDelta(t, 2.0, usd, 1e-12)
	usd, _ = price("openai", "gpt-4.1")
	assert.InDelta(t, 10.0, usd, 1e-12) // $2 + $8
	_, reason := price("house", "house-llm")
	assert.Equal(t, "unknown_provider", reason)

	write(priceFileV2, base.Add(time.Minute))
	require.Eventually(t, func() bool { usd, _ := price("openai", "gpt-4o"); return usd == 4.0 }, 5*time.Second, 10*time.Millisecond)
	usd, _ = price("house", "house-llm")
	assert.InDelta(t, 0.2, usd, 1e-12)

	// A broken file keeps the previous table and is counted.
	write("models:\n  - {provider: openai, model: gpt-4o, input: free}\n", base.Add(2*time.Minute))
	require.Eventually(t, func() bool {
		return sumByAttr(t, tel, "otelcol.token_cost.price_table.reloads", "outcome")["failure"] >= 1
	}, 5*time.Second, 10*time.Millisecond)
	usd, _ = price("openai", "gpt-4o")
	assert.InDelta(t, 4.0, usd, 1e-12)
	assert.Equal(t, 1.0, sumByAttr(t, tel, "otelcol.token_cost.price_table.reloads", "outcome")["success"])
}

func TestStartFailsOnAMissingOrInvalidPriceFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("models:\n  - {provider: nobody, model: x, input: 1, output: 1}\n"), 0o600))
	for path, want := range map[string]string{
		filepath.Join(dir, "missing.yaml"): "prices.file",
		bad:                                "prices.file " + bad + ": models[0].provider: unknown provider \"nobody\"",
	} {
		cfg := createDefaultConfig()
		cfg.Prices.File = path
		p, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
		require.NoError(t, err)
		err = p.Start(context.Background(), componenttest.NewNopHost())
		require.Error(t, err)
		assert.Contains(t, err.Error(), want)
		require.NoError(t, p.Shutdown(context.Background()))
	}
}

// The GPU metric and attribute names read here are those the GPU receivers
// emit (internal/gpuschema).
func TestGPUNamesExistInTheSharedSchema(t *testing.T) {
	var schema struct {
		ResourceAttributes map[string]any `yaml:"resource_attributes"`
		Attributes         map[string]any `yaml:"attributes"`
		Metrics            map[string]any `yaml:"metrics"`
	}
	require.NoError(t, yaml.Unmarshal(gpuschema.SharedMetadata, &schema))
	for _, m := range []string{metricGPUUtilization, metricGPUMemoryUsage} {
		assert.Contains(t, schema.Metrics, m)
	}
	for _, a := range []string{attrHwID, attrHwModel, attrMIGInstanceID, attrMIGProfile, attrK8sPodName, attrK8sNamespaceName} {
		assert.Contains(t, schema.ResourceAttributes, a)
	}
	assert.Contains(t, schema.Attributes, attrGPUTask)
}

func TestDeploymentFromPodName(t *testing.T) {
	for pod, want := range map[string]string{
		"vllm-llama-7d9f8b6c5d-x2x4z": "vllm-llama",
		"api-5c9bd8d7b4-8xq2w":        "api",
		"embedder-0":                  "",
		"vllm-llama":                  "",
		"node-exporter-x2x4z":         "", // DaemonSet pods have no ReplicaSet hash
		"a-bcdfgh-aeiou":              "", // vowels never appear in generated suffixes
		"":                            "",
	} {
		got, ok := deploymentFromPod(pod)
		assert.Equal(t, want != "", ok, pod)
		assert.Equal(t, want, got, pod)
	}
}

func TestMetricsPassThroughWithoutGPUPrices(t *testing.T) {
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), createDefaultConfig(), sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	md := gpuScrapes()
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	require.NoError(t, p.Shutdown(context.Background()))
	require.Len(t, sink.AllMetrics(), 1, "nothing is emitted without GPU prices")
	assert.Equal(t, gpuScrapes().DataPointCount(), sink.AllMetrics()[0].DataPointCount())
}

func TestShutdownFlushesTheLastInterval(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.GPU.Prices = []GPUPrice{{GPUModel: "NVIDIA H100 80GB HBM3", USDPerHour: 3.60}}
	cfg.GPU.Interval = time.Hour
	sink := new(consumertest.MetricsSink)
	var p processor.Metrics
	p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeMetrics(context.Background(), gpuScrapes()))
	require.NoError(t, p.Shutdown(context.Background()))
	require.Len(t, sink.AllMetrics(), 2, "the scrapes, then the cost of the partial interval")
	var names []string
	rms := sink.AllMetrics()[1].ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			names = append(names, ms.At(j).Name())
		}
	}
	assert.Contains(t, names, "inference.gpu.cost")
	assert.Contains(t, names, "inference.cost.per_1k_tokens")
}

func TestRepeatedGPUScrapesAreRefusedAndCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tel.Shutdown(context.Background())) }()
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig()
	cfg.GPU.Prices = []GPUPrice{{GPUModel: "NVIDIA H100 80GB HBM3", USDPerHour: 3.60}}

	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, p.ConsumeMetrics(context.Background(), gpuScrapes()))
	assert.Empty(t, sumByAttr(t, tel, "otelcol.token_cost.gpu.token_samples.dropped", ""), "first delivery: nothing refused")
	// The same scrapes again (a retry upstream): the older scrape is behind
	// every GPU's latest, and no token point is newer than its series' latest.
	require.NoError(t, p.ConsumeMetrics(context.Background(), gpuScrapes()))
	require.NoError(t, p.Shutdown(context.Background()))

	// 2 scrapes × (prompt, generation throughput)
	assert.Equal(t, map[string]float64{"": 4}, sumByAttr(t, tel, "otelcol.token_cost.gpu.token_samples.dropped", ""))
	// the first scrape's GPU points: utilisation (general; encoder is skipped
	// before) and memory of GPU-aaaa and GPU-cccc, memory of the two GPU-bbbb
	// resources
	assert.Equal(t, map[string]float64{"": 6}, sumByAttr(t, tel, "otelcol.token_cost.gpu.samples.dropped", ""))
}
