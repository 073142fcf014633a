//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

const dcgmConfig = `
receivers:
  dcgm:
    endpoint: {{ .page }}
    collection_interval: 500ms
    initial_delay: 0s
processors:
  batch:
    timeout: 100ms
service:
  pipelines:
    metrics:
      receivers: [dcgm]
      processors: [batch]
      exporters: [otlp_grpc]
`

// pageValue returns the value of the first series of field whose labels
// contain match, read from the page text.
func pageValue(t *testing.T, page []byte, field, match string) float64 {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(page))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, field+"{") && strings.Contains(line, match) {
			v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			require.NoError(t, err)
			return v
		}
	}
	t.Fatalf("no %s{%s} on the page", field, match)
	return 0
}

type gpuKey struct {
	uuid     string
	instance int64
	pod      string
}

func resourceKey(r pcommon.Resource) gpuKey {
	var k gpuKey
	if v, ok := r.Attributes().Get("hw.id"); ok {
		k.uuid = v.Str()
	}
	k.instance = -1
	if v, ok := r.Attributes().Get("hw.gpu.mig.instance_id"); ok {
		k.instance = v.Int()
	}
	if v, ok := r.Attributes().Get("k8s.pod.name"); ok {
		k.pod = v.Str()
	}
	return k
}

// pointValue finds a data point of metric on the resource matching key and
// carrying attribute attr=value (or no attribute when attr is "").
func pointValue(md pmetric.Metrics, key gpuKey, metric, attr, value string) (float64, bool) {
	for i := range md.ResourceMetrics().Len() {
		rm := md.ResourceMetrics().At(i)
		if resourceKey(rm.Resource()) != key {
			continue
		}
		for j := range rm.ScopeMetrics().Len() {
			ms := rm.ScopeMetrics().At(j).Metrics()
			for k := range ms.Len() {
				m := ms.At(k)
				if m.Name() != metric {
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
					if attr != "" {
						if v, ok := dp.Attributes().Get(attr); !ok || v.Str() != value {
							continue
						}
					}
					if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
						return float64(dp.IntValue()), true
					}
					return dp.DoubleValue(), true
				}
			}
		}
	}
	return 0, false
}

func TestDCGMReceiverMapsAServedPageToTheGPUSchema(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(RepoRoot(), "receiver", "dcgmreceiver", "testdata", "fixtures", "synthetic-h100-8gpu-mig-k8s.prom"))
	require.NoError(t, err)
	var broken atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if broken.Load() {
			_, _ = w.Write([]byte("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 1\n"))
			return
		}
		_, _ = w.Write(page)
	}))
	defer srv.Close()

	sink := NewSink(t)
	ports := NewPorts(t)
	c := StartWithSink(t, ports, sink, dcgmConfig, map[string]any{"page": srv.URL + "/metrics"})

	// One scrape of the page is 8 GPUs, 10 MIG instances (7 on GPU 6, 3 on
	// GPU 7): 18 resources.
	var md pmetric.Metrics
	require.Eventually(t, func() bool {
		md = sink.AllMetrics()
		keys := map[gpuKey]bool{}
		for i := range md.ResourceMetrics().Len() {
			keys[resourceKey(md.ResourceMetrics().At(i).Resource())] = true
		}
		return len(keys) == 18
	}, 30*time.Second, 100*time.Millisecond, "collector output:\n%s", c.Output())

	const gpu0 = "GPU-52e6b438-f2a7-269e-6513-0c5ca6a3a450"
	key := gpuKey{uuid: gpu0, instance: -1, pod: "llm-serve-0-7c9f8"}
	got, ok := pointValue(md, key, "hw.gpu.utilization", "hw.gpu.task", "general")
	require.True(t, ok, "GPU 0 utilization")
	assert.InDelta(t, pageValue(t, page, "DCGM_FI_DEV_GPU_UTIL", `gpu="0"`)/100, got, 1e-9, "percent to ratio")
	got, ok = pointValue(md, key, "hw.gpu.clock.frequency", "hw.gpu.clock", "sm")
	require.True(t, ok)
	assert.InDelta(t, pageValue(t, page, "DCGM_FI_DEV_SM_CLOCK", `gpu="0"`)*1e6, got, 0.5, "MHz to Hz")
	got, ok = pointValue(md, key, "hw.gpu.memory.usage", "", "")
	require.True(t, ok)
	assert.InDelta(t, pageValue(t, page, "DCGM_FI_DEV_FB_USED", `gpu="0"`)*(1<<20), got, 0.5, "MiB to bytes")
	got, ok = pointValue(md, key, "hw.energy", "", "")
	require.True(t, ok)
	assert.InDelta(t, pageValue(t, page, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", `gpu="0"`)/1e3, got, 1e-3, "mJ to J")
	_, ok = pointValue(md, key, "dcgm.dev_vgpu_license_status", "", "")
	assert.True(t, ok, "unknown fields are passed through")

	// A MIG instance with its pod, from the exporter's labels.
	found := false
	for i := range md.ResourceMetrics().Len() {
		k := resourceKey(md.ResourceMetrics().At(i).Resource())
		if k.instance == 7 && k.pod == "small-llm-0-8f2a1" {
			_, found = pointValue(md, k, "hw.gpu.activity", "hw.gpu.engine", "graphics")
		}
	}
	assert.True(t, found, "MIG instance 7 of GPU 6 with its pod and profiling activity")

	// A broken page fails the scrape, is counted, and the collector lives on.
	broken.Store(true)
	require.Eventually(t, func() bool {
		page := SelfMetrics(t, ports.Endpoint("telemetry"))
		for _, line := range strings.Split(page, "\n") {
			if strings.HasPrefix(line, "otelcol_dcgm_scrape_errors") && strings.Contains(line, `reason="parse"`) {
				return true
			}
		}
		return false
	}, 20*time.Second, 200*time.Millisecond, "self metrics:\n%s", SelfMetrics(t, ports.Endpoint("telemetry")))
	assert.False(t, c.Exited())
}

const nvmlConfig = `
receivers:
  nvml:
    collection_interval: 200ms
    initial_delay: 0s
service:
  pipelines:
    metrics:
      receivers: [nvml]
      exporters: [otlp_grpc]
`

// On a machine without libnvidia-ml (like CI) the real cgo build must keep
// running: one warning, healthy, no metrics, a clean shutdown.
func TestNVMLReceiverWithoutAGPUKeepsTheCollectorRunning(t *testing.T) {
	if _, err := os.Stat("/dev/nvidiactl"); err == nil {
		t.Skip("this machine has an NVIDIA driver; scripts/gpu-check.sh covers it")
	}
	sink := NewSink(t)
	ports := NewPorts(t)
	c := StartWithSink(t, ports, sink, nvmlConfig, nil)
	time.Sleep(2 * time.Second) // about ten scrape intervals
	assert.False(t, c.Exited(), "output:\n%s", c.Output())
	assert.Equal(t, 1, strings.Count(c.Output(), "nvml receiver emits no GPU metrics"), "one log line; output:\n%s", c.Output())
	assert.Zero(t, sink.Metrics.DataPointCount())
	c.Stop()
}

// The agent example is a valid configuration of the built distribution.
func TestAgentExampleIsValid(t *testing.T) {
	cmd := exec.Command(Binary(t), "validate", "--config", filepath.Join(RepoRoot(), "examples", "agent", "config.yaml"))
	cmd.Env = append(os.Environ(), "GATEWAY_ENDPOINT=gateway:4317", "K8S_NODE_NAME=gpu-node-1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}
