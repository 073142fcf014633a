//go:build cgo

package nvmlreceiver

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource/nvmlfake"
)

func startFake(t testing.TB, cfg *Config, node *nvmlfake.Node, host component.Host, tel *componenttest.Telemetry) *nvmlScraper {
	t.Helper()
	set := receivertest.NewNopSettings(metadata.Type)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	s, err := newScraper(cfg, set, nvmlsource.NewFromLibrary(node))
	require.NoError(t, err)
	require.NoError(t, s.start(context.Background(), host))
	t.Cleanup(func() { require.NoError(t, s.shutdown(context.Background())) })
	require.True(t, s.opened)
	return s
}

func compareGolden(t *testing.T, dir string, md pmetric.Metrics) {
	t.Helper()
	path := filepath.Join("testdata", dir, "expected.yaml")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, golden.WriteMetricsToFile(path, md))
	}
	want, err := golden.ReadMetrics(path)
	require.NoError(t, err, "missing golden file; run with UPDATE_GOLDEN=1 and review it")
	require.NoError(t, pmetrictest.CompareMetrics(want, md,
		pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreResourceAttributeValue("host.name"),
		pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(),
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreScopeVersion()))
}

func sumByField(t *testing.T, tel *componenttest.Telemetry, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	m, err := tel.GetMetric(name)
	if err != nil {
		return out
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		f, _ := dp.Attributes.Value(attribute.Key("field"))
		out[f.AsString()] += dp.Value
	}
	return out
}

// The whole output for the fake node: 8 H100s, MIG on two, processes, one
// GPU with unsupported fields, one with a failing field.
func TestAnH100NodeMapsToTheGPUSchema(t *testing.T) {
	tel := componenttest.NewTelemetry()
	cfg := createDefaultConfig().(*Config)
	cfg.Metrics.HwGpuClockThrottleTime.Enabled = true
	s := startFake(t, cfg, nvmlfake.NewH100Node(), componenttest.NewNopHost(), tel)
	md, err := s.scrape(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 13, md.ResourceMetrics().Len(), "8 GPUs and 5 MIG instances")
	compareGolden(t, "an_h100_node_with_mig_maps_to_the_gpu_schema", md)

	assert.Equal(t, map[string]int64{"temperature": 1}, sumByField(t, tel, "otelcol_nvml_field_errors"))
	unsupported := sumByField(t, tel, "otelcol_nvml_unsupported_fields")
	assert.Equal(t, int64(8), unsupported["fan_speed"], "no H100 has a fan")
	assert.Equal(t, int64(1), unsupported["energy"], "GPU 5 only")
	assert.Equal(t, int64(2), unsupported["utilization"], "the two MIG-mode GPUs")
}

func TestALostGPUKeepsTheOthers(t *testing.T) {
	tel := componenttest.NewTelemetry()
	node := nvmlfake.NewH100Node()
	s := startFake(t, createDefaultConfig().(*Config), node, componenttest.NewNopHost(), tel)
	node.Lose(0)
	md, err := s.scrape(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 12, md.ResourceMetrics().Len())
	assert.Equal(t, int64(1), sumByField(t, tel, "otelcol_nvml_field_errors")["device"])
}

type fakeHost struct {
	exts map[component.ID]component.Component
}

func (h fakeHost) GetExtensions() map[component.ID]component.Component { return h.exts }

type fakeResolver struct {
	component.StartFunc
	component.ShutdownFunc
	pods map[string]gpupod.Pod
}

func (f fakeResolver) PodForDevice(id string) (gpupod.Pod, bool) { p, ok := f.pods[id]; return p, ok }

func TestPodResourcesAttributeGPUsAndMIGInstances(t *testing.T) {
	node := nvmlfake.NewH100Node()
	id := component.MustNewID("pod_resources")
	resolver := fakeResolver{pods: map[string]gpupod.Pod{
		node.GPUs[0].UUID:    {Namespace: "inference", Name: "vllm-0", Container: "vllm"},
		node.MIGs[6][0].UUID: {Namespace: "inference", Name: "small-llm-0", Container: "server"},
	}}
	cfg := createDefaultConfig().(*Config)
	cfg.PodResources = &id
	s := startFake(t, cfg, node, fakeHost{exts: map[component.ID]component.Component{id: resolver}}, nil)
	md, err := s.scrape(context.Background())
	require.NoError(t, err)

	pods := map[string]any{}
	for i := range md.ResourceMetrics().Len() {
		attrs := md.ResourceMetrics().At(i).Resource().Attributes().AsRaw()
		key := attrs["hw.id"].(string)
		if mig, ok := attrs["hw.gpu.mig.uuid"]; ok {
			key = mig.(string)
		}
		if pod, ok := attrs["k8s.pod.name"]; ok {
			pods[key] = []any{attrs["k8s.namespace.name"], pod, attrs["k8s.container.name"]}
		}
	}
	assert.Equal(t, map[string]any{
		node.GPUs[0].UUID:    []any{"inference", "vllm-0", "vllm"},
		node.MIGs[6][0].UUID: []any{"inference", "small-llm-0", "server"},
	}, pods)
}

// BenchmarkScrape measures one scrape of the fake 8-GPU node through the
// go-nvml mock (which itself records every call); ns/gpu is the target
// (< 1 ms per GPU).
func BenchmarkScrape(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
	}{
		{"nvml_8xH100_mock_defaults", func(*Config) {}},
		{"nvml_8xH100_mock_all_metrics", func(c *Config) { c.Metrics.HwGpuClockThrottleTime.Enabled = true }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			tc.cfg(cfg)
			s := startFake(b, cfg, nvmlfake.NewH100Node(), componenttest.NewNopHost(), nil)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := s.scrape(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			perScrape := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perScrape/8, "ns/gpu")
		})
	}
}
