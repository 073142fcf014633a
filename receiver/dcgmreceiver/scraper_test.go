package dcgmreceiver

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/metadata"
)

const onePage = "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\nDCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\"} 48\n"

// counterValues returns the points of a telemetry counter by its attribute
// reason (or "" when it has none).
func counterValues(t *testing.T, tel *componenttest.Telemetry, name string) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	m, err := tel.GetMetric(name)
	if err != nil {
		return got
	}
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		reason, _ := dp.Attributes.Value(attribute.Key("reason"))
		got[reason.AsString()] += dp.Value
	}
	return got
}

func TestBadPagesFailTheScrapeAndAreCounted(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		reason  string
		errText string
	}{
		{"non-200", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "dcgm not ready", http.StatusServiceUnavailable)
		}, "http_status", "503"},
		{"empty", func(http.ResponseWriter, *http.Request) {}, "empty", "no samples"},
		{"malformed", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 48\n"))
		}, "parse", "parse"},
		{"truncated mid-line", func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\"} 48\nDCGM_FI_DEV_GPU_UTIL{gpu=\"1\",UU"))
		}, "truncated", "truncated"},
		{"connection closed before Content-Length", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(onePage)+50))
			_, _ = w.Write([]byte(onePage))
		}, "truncated", "unexpected EOF"},
		{"oversized by Content-Length", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(onePage)*100))
			for range 100 {
				_, _ = w.Write([]byte(onePage))
			}
		}, "too_large", "max_body_size"},
		{"oversized when streamed", func(w http.ResponseWriter, _ *http.Request) {
			for range 100 {
				_, _ = w.Write([]byte(onePage))
				w.(http.Flusher).Flush()
			}
		}, "too_large", "max_body_size"},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		}, "timeout", "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := componenttest.NewTelemetry()
			t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
			set := receivertest.NewNopSettings(metadata.Type)
			set.TelemetrySettings = tel.NewTelemetrySettings()

			cfg := createDefaultConfig().(*Config)
			cfg.ClientConfig.Endpoint = serve(t, tt.handler)
			cfg.ClientConfig.Timeout = 200 * time.Millisecond
			cfg.MaxBodySize = int64(len(onePage) * 10)
			s, err := newScraper(cfg, set)
			require.NoError(t, err)
			require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, s.shutdown(context.Background())) }()

			md, err := s.scrape(context.Background())
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.errText)
			assert.ErrorContains(t, err, "("+tt.reason+")")
			assert.Zero(t, md.DataPointCount(), "a failed scrape emits nothing")
			assert.Equal(t, map[string]int64{tt.reason: 1}, counterValues(t, tel, "otelcol_dcgm_scrape_errors"))

			// The receiver keeps working once the exporter recovers.
			cfg.ClientConfig.Endpoint = servePage(t, []byte(onePage))
			md, err = s.scrape(context.Background())
			require.NoError(t, err)
			assert.Equal(t, 1, md.DataPointCount())
		})
	}
}

func TestUnreachableEndpointIsATransportError(t *testing.T) {
	tel := componenttest.NewTelemetry()
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "http://127.0.0.1:1/metrics"
	s, err := newScraper(cfg, set)
	require.NoError(t, err)
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, s.shutdown(context.Background())) }()
	_, err = s.scrape(context.Background())
	assert.ErrorContains(t, err, "(transport)")
	assert.Equal(t, map[string]int64{"transport": 1}, counterValues(t, tel, "otelcol_dcgm_scrape_errors"))
}

func TestPassedThroughFieldsAreCounted(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("testdata", "fixtures", "datadog-integrations-core-dcgm-tests-fixtures-metrics.prom"))
	require.NoError(t, err)
	for _, passThrough := range []bool{true, false} {
		t.Run(strconv.FormatBool(passThrough), func(t *testing.T) {
			tel := componenttest.NewTelemetry()
			set := receivertest.NewNopSettings(metadata.Type)
			set.TelemetrySettings = tel.NewTelemetrySettings()
			cfg := createDefaultConfig().(*Config)
			cfg.ClientConfig.Endpoint = servePage(t, page)
			cfg.PassThroughUnknownFields = passThrough
			s, err := newScraper(cfg, set)
			require.NoError(t, err)
			require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
			defer func() { require.NoError(t, s.shutdown(context.Background())) }()
			md, err := s.scrape(context.Background())
			require.NoError(t, err)

			// vGPU license status and the device count: what the schema does
			// not map, counted whether passed through or dropped.
			assert.Equal(t, map[string]int64{"": 2}, counterValues(t, tel, "otelcol_dcgm_fields_passed_through"))
			names := map[string]bool{}
			for i := range md.ResourceMetrics().Len() {
				ms := md.ResourceMetrics().At(i).ScopeMetrics().At(0).Metrics()
				for j := range ms.Len() {
					names[ms.At(j).Name()] = true
				}
			}
			assert.Equal(t, passThrough, names["dcgm.dev_vgpu_license_status"])
			assert.Equal(t, passThrough, names["dcgm.dev_count"])
			assert.True(t, names["hw.gpu.utilization"])
		})
	}
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

func TestPodResourcesAttributeUnlabelledGPUs(t *testing.T) {
	page := `DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",container="",namespace="",pod=""} 10
DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",container="exporter-c",namespace="exporter-ns",pod="exporter-pod"} 20
DCGM_FI_DEV_GPU_UTIL{gpu="2",UUID="GPU-c"} 30
DCGM_FI_DEV_GPU_UTIL{gpu="3",UUID="GPU-d",GPU_I_ID="1",GPU_I_PROFILE="1g.10gb"} 40
`
	id := component.MustNewID("pod_resources")
	resolver := fakeResolver{pods: map[string]gpupod.Pod{
		"GPU-a": {Namespace: "ml", Name: "vllm-0", Container: "vllm"},
		"GPU-b": {Namespace: "ml", Name: "other", Container: "x"},
		"GPU-d": {Namespace: "ml", Name: "whole-gpu-pod", Container: "x"},
	}}
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = servePage(t, []byte(page))
	cfg.PodResources = &id
	s, err := newScraper(cfg, receivertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.NoError(t, s.start(context.Background(), fakeHost{exts: map[component.ID]component.Component{id: resolver}}))
	defer func() { require.NoError(t, s.shutdown(context.Background())) }()
	md, err := s.scrape(context.Background())
	require.NoError(t, err)

	pods := map[string]string{}
	for i := range md.ResourceMetrics().Len() {
		attrs := md.ResourceMetrics().At(i).Resource().Attributes().AsRaw()
		pod, _ := attrs["k8s.pod.name"].(string)
		pods[attrs["hw.id"].(string)] = pod
	}
	assert.Equal(t, map[string]string{
		"GPU-a": "vllm-0",       // empty exporter labels: the extension knows
		"GPU-b": "exporter-pod", // the exporter's own labels win
		"GPU-c": "",             // nobody knows
		"GPU-d": "",             // a MIG instance is not its parent GPU's pod
	}, pods)
}

func TestMissingPodResourcesExtensionFailsStart(t *testing.T) {
	id := component.MustNewID("pod_resources")
	cfg := createDefaultConfig().(*Config)
	cfg.PodResources = &id
	s, err := newScraper(cfg, receivertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	err = s.start(context.Background(), componenttest.NewNopHost())
	assert.ErrorContains(t, err, `"pod_resources" is not configured`)
}

func TestDisabledMetricsAreNotEmitted(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = servePage(t, []byte(onePage+"DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-a\"} 50\n"))
	cfg.Metrics.HwGpuUtilization.Enabled = false
	md, err := scrapeOnce(t, cfg)
	require.NoError(t, err)
	require.Equal(t, 1, md.MetricCount())
	assert.Equal(t, "hw.temperature", md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Name())
}
