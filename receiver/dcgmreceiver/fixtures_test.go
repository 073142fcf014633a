package dcgmreceiver

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/dcgmpage"
	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/metadata"
)

// expectation is where a DCGM field must land in the schema. This table
// restates the mapping independently of internal/dcgmpage, from the DCGM
// field documentation, so that a wrong entry there fails here.
type expectation struct {
	metric string
	attrs  map[string]any
	scale  float64 // source unit to schema unit
}

func exp(metric string, scale float64, kv ...string) expectation {
	attrs := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i]] = kv[i+1]
	}
	return expectation{metric: metric, attrs: attrs, scale: scale}
}

const mib = 1 << 20

var fieldSpec = map[string]expectation{
	"DCGM_FI_DEV_SM_CLOCK":                         exp("hw.gpu.clock.frequency", 1e6, "hw.gpu.clock", "sm"),
	"DCGM_FI_DEV_SM_CLOCK_HERTZ":                   exp("hw.gpu.clock.frequency", 1, "hw.gpu.clock", "sm"),
	"DCGM_FI_DEV_MEM_CLOCK":                        exp("hw.gpu.clock.frequency", 1e6, "hw.gpu.clock", "memory"),
	"DCGM_FI_DEV_MEMORY_CLOCK_HERTZ":               exp("hw.gpu.clock.frequency", 1, "hw.gpu.clock", "memory"),
	"DCGM_FI_DEV_GPU_TEMP":                         exp("hw.temperature", 1, "hw.sensor_location", "gpu"),
	"DCGM_FI_DEV_GPU_TEMP_CELSIUS":                 exp("hw.temperature", 1, "hw.sensor_location", "gpu"),
	"DCGM_FI_DEV_MEMORY_TEMP":                      exp("hw.temperature", 1, "hw.sensor_location", "memory"),
	"DCGM_FI_DEV_MEMORY_TEMP_CELSIUS":              exp("hw.temperature", 1, "hw.sensor_location", "memory"),
	"DCGM_FI_DEV_SLOWDOWN_TEMP":                    exp("hw.temperature.limit", 1, "hw.sensor_location", "gpu", "hw.limit_type", "throttled"),
	"DCGM_FI_DEV_POWER_USAGE":                      exp("hw.power", 1),
	"DCGM_FI_DEV_BOARD_POWER_WATTS":                exp("hw.power", 1),
	"DCGM_FI_DEV_POWER_MGMT_LIMIT":                 exp("hw.gpu.power.limit", 1, "hw.limit_type", "management"),
	"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION":         exp("hw.energy", 1e-3),
	"DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL":          exp("hw.energy", 1),
	"DCGM_FI_DEV_PCIE_REPLAY_COUNTER":              exp("hw.errors", 1, "error.type", "pcie_replay"),
	"DCGM_FI_DEV_PCIE_REPLAY_TOTAL":                exp("hw.errors", 1, "error.type", "pcie_replay"),
	"DCGM_FI_DEV_GPU_UTIL":                         exp("hw.gpu.utilization", 0.01, "hw.gpu.task", "general"),
	"DCGM_FI_DEV_GPU_UTIL_RATIO":                   exp("hw.gpu.utilization", 1, "hw.gpu.task", "general"),
	"DCGM_FI_DEV_MEM_COPY_UTIL":                    exp("hw.gpu.utilization", 0.01, "hw.gpu.task", "memory_copy"),
	"DCGM_FI_DEV_MEMORY_UTIL_RATIO":                exp("hw.gpu.utilization", 1, "hw.gpu.task", "memory_copy"),
	"DCGM_FI_DEV_ENC_UTIL":                         exp("hw.gpu.utilization", 0.01, "hw.gpu.task", "encoder"),
	"DCGM_FI_DEV_ENC_UTIL_RATIO":                   exp("hw.gpu.utilization", 1, "hw.gpu.task", "encoder"),
	"DCGM_FI_DEV_DEC_UTIL":                         exp("hw.gpu.utilization", 0.01, "hw.gpu.task", "decoder"),
	"DCGM_FI_DEV_DEC_UTIL_RATIO":                   exp("hw.gpu.utilization", 1, "hw.gpu.task", "decoder"),
	"DCGM_FI_DEV_XID_ERRORS":                       exp("hw.gpu.xid.last", 1),
	"DCGM_FI_DEV_XID_ERROR":                        exp("hw.gpu.xid.last", 1),
	"DCGM_FI_DEV_FB_TOTAL":                         exp("hw.gpu.memory.limit", mib),
	"DCGM_FI_DEV_FB_FREE":                          exp("hw.gpu.memory.free", mib),
	"DCGM_FI_DEV_FB_FREE_BYTES":                    exp("hw.gpu.memory.free", 1),
	"DCGM_FI_DEV_FB_USED":                          exp("hw.gpu.memory.usage", mib),
	"DCGM_FI_DEV_FB_USED_BYTES":                    exp("hw.gpu.memory.usage", 1),
	"DCGM_FI_DEV_FB_RESERVED":                      exp("hw.gpu.memory.reserved", mib),
	"DCGM_FI_DEV_FB_RESERVED_BYTES":                exp("hw.gpu.memory.reserved", 1),
	"DCGM_FI_DEV_FB_USED_PERCENT":                  exp("hw.gpu.memory.utilization", 1),
	"DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL":           exp("hw.gpu.io.throughput", 1e6, "hw.gpu.link", "nvlink", "network.io.direction", "total"),
	"DCGM_FI_DEV_NVLINK_THROUGHPUT_TOTAL":          exp("hw.gpu.io.throughput", 1e6, "hw.gpu.link", "nvlink", "network.io.direction", "total"),
	"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS":      exp("hw.gpu.memory.remapped_rows", 1, "error.type", "ecc_uncorrected"),
	"DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS":        exp("hw.gpu.memory.remapped_rows", 1, "error.type", "ecc_corrected"),
	"DCGM_FI_DEV_ROW_REMAP_UNCORRECTABLE_TOTAL":    exp("hw.gpu.memory.remapped_rows", 1, "error.type", "ecc_uncorrected"),
	"DCGM_FI_DEV_ROW_REMAP_CORRECTABLE_TOTAL":      exp("hw.gpu.memory.remapped_rows", 1, "error.type", "ecc_corrected"),
	"DCGM_FI_DEV_ROW_REMAP_FAILURE":                exp("hw.gpu.memory.row_remap.failed", 1),
	"DCGM_FI_DEV_ROW_REMAP_FAILED":                 exp("hw.gpu.memory.row_remap.failed", 1),
	"DCGM_FI_DEV_FAN_SPEED":                        exp("hw.gpu.fan.speed_ratio", 0.01),
	"DCGM_FI_DEV_PSTATE":                           exp("hw.gpu.performance_state", 1),
	"DCGM_FI_DEV_GPU_POWER_THROTTLE_SECONDS_TOTAL": exp("hw.gpu.clock.throttle.time", 1, "hw.gpu.throttle_reason", "power"),
	"DCGM_FI_PROF_PCIE_TX_BYTES":                   exp("hw.gpu.io.throughput", 1, "hw.gpu.link", "pcie", "network.io.direction", "transmit"),
	"DCGM_FI_PROF_PCIE_RX_BYTES":                   exp("hw.gpu.io.throughput", 1, "hw.gpu.link", "pcie", "network.io.direction", "receive"),
	"DCGM_FI_PROF_PCIE_TX_BYTES_TOTAL":             exp("hw.gpu.io", 1, "hw.gpu.link", "pcie", "network.io.direction", "transmit"),
	"DCGM_FI_PROF_PCIE_RX_BYTES_TOTAL":             exp("hw.gpu.io", 1, "hw.gpu.link", "pcie", "network.io.direction", "receive"),
	"DCGM_FI_PROF_GR_ENGINE_ACTIVE":                exp("hw.gpu.activity", 1, "hw.gpu.engine", "graphics"),
	"DCGM_FI_PROF_GR_ENGINE_UTIL_RATIO":            exp("hw.gpu.activity", 1, "hw.gpu.engine", "graphics"),
	"DCGM_FI_PROF_SM_ACTIVE":                       exp("hw.gpu.activity", 1, "hw.gpu.engine", "sm"),
	"DCGM_FI_PROF_SM_OCCUPANCY":                    exp("hw.gpu.activity", 1, "hw.gpu.engine", "sm_occupancy"),
	"DCGM_FI_PROF_PIPE_TENSOR_ACTIVE":              exp("hw.gpu.activity", 1, "hw.gpu.engine", "tensor"),
	"DCGM_FI_PROF_TENSOR_UTIL_RATIO":               exp("hw.gpu.activity", 1, "hw.gpu.engine", "tensor"),
	"DCGM_FI_PROF_DRAM_ACTIVE":                     exp("hw.gpu.activity", 1, "hw.gpu.engine", "dram"),
	"DCGM_FI_PROF_DRAM_UTIL_RATIO":                 exp("hw.gpu.activity", 1, "hw.gpu.engine", "dram"),
	"DCGM_FI_PROF_PIPE_FP64_ACTIVE":                exp("hw.gpu.activity", 1, "hw.gpu.engine", "fp64"),
	"DCGM_FI_PROF_PIPE_FP32_ACTIVE":                exp("hw.gpu.activity", 1, "hw.gpu.engine", "fp32"),
	"DCGM_FI_PROF_PIPE_FP16_ACTIVE":                exp("hw.gpu.activity", 1, "hw.gpu.engine", "fp16"),

	// Fields no fixture page carries; TestEveryMappedFieldIsSpecified checks them.
	"DCGM_FI_DEV_VIDEO_CLOCK":                        exp("hw.gpu.clock.frequency", 1e6, "hw.gpu.clock", "video"),
	"DCGM_FI_DEV_VIDEO_CLOCK_HERTZ":                  exp("hw.gpu.clock.frequency", 1, "hw.gpu.clock", "video"),
	"DCGM_FI_DEV_SHUTDOWN_TEMP":                      exp("hw.temperature.limit", 1, "hw.sensor_location", "gpu", "hw.limit_type", "critical"),
	"DCGM_FI_DEV_GPU_MAX_OP_TEMP":                    exp("hw.temperature.limit", 1, "hw.sensor_location", "gpu", "hw.limit_type", "max"),
	"DCGM_FI_DEV_MEM_MAX_OP_TEMP":                    exp("hw.temperature.limit", 1, "hw.sensor_location", "memory", "hw.limit_type", "max"),
	"DCGM_FI_DEV_ENFORCED_POWER_LIMIT":               exp("hw.gpu.power.limit", 1, "hw.limit_type", "enforced"),
	"DCGM_FI_DEV_FB_CAPACITY_BYTES":                  exp("hw.gpu.memory.limit", 1),
	"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL":                  exp("hw.errors", 1, "error.type", "ecc_corrected"),
	"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL":                  exp("hw.errors", 1, "error.type", "ecc_uncorrected"),
	"DCGM_FI_DEV_ROW_REMAP_PENDING":                  exp("hw.gpu.memory.row_remap.pending", 1),
	"DCGM_FI_DEV_PCIE_RX_THROUGHPUT":                 exp("hw.gpu.io.throughput", 1024, "hw.gpu.link", "pcie", "network.io.direction", "receive"),
	"DCGM_FI_DEV_PCIE_TX_THROUGHPUT":                 exp("hw.gpu.io.throughput", 1024, "hw.gpu.link", "pcie", "network.io.direction", "transmit"),
	"DCGM_FI_PROF_NVLINK_RX_BYTES":                   exp("hw.gpu.io.throughput", 1, "hw.gpu.link", "nvlink", "network.io.direction", "receive"),
	"DCGM_FI_PROF_NVLINK_TX_BYTES":                   exp("hw.gpu.io.throughput", 1, "hw.gpu.link", "nvlink", "network.io.direction", "transmit"),
	"DCGM_FI_DEV_NVLINK_THROUGHPUT_BYTES_PER_SECOND": exp("hw.gpu.io.throughput", 1, "hw.gpu.link", "nvlink", "network.io.direction", "total"),
	"DCGM_FI_PROF_SM_UTIL_RATIO":                     exp("hw.gpu.activity", 1, "hw.gpu.engine", "sm"),
	"DCGM_FI_PROF_SM_OCCUPANCY_RATIO":                exp("hw.gpu.activity", 1, "hw.gpu.engine", "sm_occupancy"),
	"DCGM_FI_PROF_PIPE_TENSOR_HMMA_ACTIVE":           exp("hw.gpu.activity", 1, "hw.gpu.engine", "tensor_hmma"),
	"DCGM_FI_PROF_PIPE_TENSOR_IMMA_ACTIVE":           exp("hw.gpu.activity", 1, "hw.gpu.engine", "tensor_imma"),
	"DCGM_FI_PROF_PIPE_TENSOR_DFMA_ACTIVE":           exp("hw.gpu.activity", 1, "hw.gpu.engine", "tensor_dfma"),
	"DCGM_FI_PROF_FP64_UTIL_RATIO":                   exp("hw.gpu.activity", 1, "hw.gpu.engine", "fp64"),
	"DCGM_FI_PROF_FP32_UTIL_RATIO":                   exp("hw.gpu.activity", 1, "hw.gpu.engine", "fp32"),
	"DCGM_FI_DEV_FAN_SPEED_RATIO":                    exp("hw.gpu.fan.speed_ratio", 1),
	"DCGM_FI_DEV_MIG_MODE":                           exp("hw.gpu.mig.mode", 1),
	// Violation counters: nanoseconds in the classic names, seconds in DCGM 4.7's.
	"DCGM_FI_DEV_POWER_VIOLATION":                    exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "power"),
	"DCGM_FI_DEV_THERMAL_VIOLATION":                  exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "thermal"),
	"DCGM_FI_DEV_SYNC_BOOST_VIOLATION":               exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "sync_boost"),
	"DCGM_FI_DEV_BOARD_LIMIT_VIOLATION":              exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "board_limit"),
	"DCGM_FI_DEV_LOW_UTIL_VIOLATION":                 exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "low_utilization"),
	"DCGM_FI_DEV_RELIABILITY_VIOLATION":              exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "reliability"),
	"DCGM_FI_DEV_TOTAL_APP_CLOCKS_VIOLATION":         exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "applications_clocks"),
	"DCGM_FI_DEV_TOTAL_BASE_CLOCKS_VIOLATION":        exp("hw.gpu.clock.throttle.time", 1e-9, "hw.gpu.throttle_reason", "base_clocks"),
	"DCGM_FI_DEV_GPU_THERMAL_THROTTLE_SECONDS_TOTAL": exp("hw.gpu.clock.throttle.time", 1, "hw.gpu.throttle_reason", "thermal"),
}

// throttleMaskFields expand into one hw.gpu.clock.throttle series per reason.
var throttleMaskFields = map[string]bool{"DCGM_FI_DEV_CLOCK_THROTTLE_REASONS": true, "DCGM_FI_DEV_CLOCKS_EVENT_REASONS": true}

var throttleBits = map[string]uint64{
	"gpu_idle": 0x1, "applications_clocks_setting": 0x2, "sw_power_cap": 0x4, "hw_slowdown": 0x8, "sync_boost": 0x10,
	"sw_thermal_slowdown": 0x20, "hw_thermal_slowdown": 0x40, "hw_power_brake_slowdown": 0x80,
	"display_clock_setting": 0x100, "board_limit": 0x200, "reliability": 0x400,
}

// labels that identify the device and so become resource attributes.
var identityLabels = map[string]bool{
	"gpu": true, "UUID": true, "uuid": true, "pci_bus_id": true, "device": true, "modelName": true, "Hostname": true,
	"hostname": true, "GPU_I_PROFILE": true, "GPU_I_ID": true, "pod": true, "namespace": true, "container": true,
	"pod_name": true, "pod_namespace": true, "container_name": true,
}

func allMetricsEnabled() metadata.MetricsBuilderConfig {
	cfg := metadata.DefaultMetricsBuilderConfig()
	cfg.Metrics.HwGpuClockThrottleTime.Enabled = true
	cfg.ResourceAttributes.HwFirmwareVersion.Enabled = true
	cfg.ResourceAttributes.HwSerialNumber.Enabled = true
	return cfg
}

func fixtures(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "fixtures", "*.prom"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

func serve(t testing.TB, handler http.HandlerFunc) string {
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

func servePage(t testing.TB, page []byte) string {
	return serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write(page)
	})
}

func scrapeOnce(t *testing.T, cfg *Config) (pmetric.Metrics, error) {
	t.Helper()
	s, err := newScraper(cfg, receivertest.NewNopSettings(metadata.Type))
	require.NoError(t, err)
	require.NoError(t, s.start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, s.shutdown(context.Background())) })
	return s.scrape(context.Background())
}

// Every series of every fixture page lands in the schema (or, for fields the
// schema does not map, in a dcgm.* metric) on the right resource, with the
// right attributes and the value converted to SI units. The pages are parsed
// here with prometheus/common/expfmt, a different parser than the receiver's.
func TestEveryFixtureSeriesIsMapped(t *testing.T) {
	for _, file := range fixtures(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			page, err := os.ReadFile(file)
			require.NoError(t, err)
			cfg := createDefaultConfig().(*Config)
			cfg.ClientConfig.Endpoint = servePage(t, page)
			cfg.MetricsBuilderConfig = allMetricsEnabled()
			md, err := scrapeOnce(t, cfg)
			require.NoError(t, err)

			parser := expfmt.NewTextParser(model.UTF8Validation)
			families, err := parser.TextToMetricFamilies(bytes.NewReader(page))
			require.NoError(t, err)
			series := 0
			for name, fam := range families {
				for _, m := range fam.GetMetric() {
					series++
					checkSeries(t, md, name, fam.GetType(), m)
				}
			}
			require.Positive(t, series)

			// The whole output, reviewed once, kept as a golden file.
			goldenPath := filepath.Join("testdata", "every_fixture_page_maps_to_the_gpu_schema", strings.TrimSuffix(filepath.Base(file), ".prom")+".yaml")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				require.NoError(t, golden.WriteMetrics(t, goldenPath, md))
			}
			want, err := golden.ReadMetrics(goldenPath)
			require.NoError(t, err, "missing golden file; run with UPDATE_GOLDEN=1 and review it")
			require.NoError(t, pmetrictest.CompareMetrics(want, md,
				pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
				pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(),
				pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreScopeVersion()))
		})
	}
}

// Every field the receiver maps is in fieldSpec (or is a throttle mask), and
// lands where fieldSpec says: each field on a GPU of its own in one
// synthetic page, so that fields without a fixture page are checked too.
func TestEveryMappedFieldIsSpecified(t *testing.T) {
	var names []string
	for name := range fieldSpec {
		names = append(names, name)
	}
	for name := range throttleMaskFields {
		names = append(names, name)
	}
	slices.Sort(names)
	assert.Equal(t, dcgmpage.FieldNames(), names, "fields the receiver maps vs. fields this test specifies")

	var page strings.Builder
	for i, name := range names {
		// A value with a fraction, different per field, so that a missing or
		// extra scale shows.
		fmt.Fprintf(&page, "%s{gpu=\"%d\",UUID=\"GPU-%04d\"} %d.25\n", name, i, i, 3+i)
	}
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = servePage(t, []byte(page.String()))
	cfg.MetricsBuilderConfig = allMetricsEnabled()
	md, err := scrapeOnce(t, cfg)
	require.NoError(t, err)

	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(page.String()))
	require.NoError(t, err)
	require.Len(t, families, len(names))
	for name, fam := range families {
		for _, m := range fam.GetMetric() {
			checkSeries(t, md, name, fam.GetType(), m)
		}
	}
}

func checkSeries(t *testing.T, md pmetric.Metrics, name string, typ dto.MetricType, m *dto.Metric) {
	t.Helper()
	labels := map[string]string{}
	for _, lp := range m.GetLabel() {
		labels[lp.GetName()] = lp.GetValue()
	}
	value := m.GetGauge().GetValue()
	switch typ {
	case dto.MetricType_COUNTER:
		value = m.GetCounter().GetValue()
	case dto.MetricType_UNTYPED:
		value = m.GetUntyped().GetValue()
	}
	desc := name + labelString(labels)
	rm, ok := findResource(md, labels)
	if !assert.True(t, ok, "no single resource for %s", desc) {
		return
	}
	ms := rm.ScopeMetrics().At(0).Metrics()

	if throttleMaskFields[name] {
		for reason, bit := range throttleBits {
			want := 0.0
			if uint64(value)&bit != 0 {
				want = 1
			}
			assertPoint(t, ms, "hw.gpu.clock.throttle", map[string]any{"hw.gpu.throttle_reason": reason}, want, desc)
		}
		return
	}
	if e, ok := fieldSpec[name]; ok {
		assertPoint(t, ms, e.metric, e.attrs, value*e.scale, desc)
		return
	}
	// Not in the schema: dcgm.<field>, raw value, non-identity labels kept.
	attrs := map[string]any{}
	for k, v := range labels {
		if !identityLabels[k] && !strings.HasPrefix(k, "DCGM_FI_") {
			attrs[k] = v
		}
	}
	assertPoint(t, ms, "dcgm."+strings.ToLower(strings.TrimPrefix(name, "DCGM_FI_")), attrs, value, desc)
}

func labelString(labels map[string]string) string {
	parts := make([]string, 0, len(labels))
	for k, v := range labels {
		parts = append(parts, k+"="+strconv.Quote(v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// findResource returns the one resource whose identity matches the series.
func findResource(md pmetric.Metrics, labels map[string]string) (pmetric.ResourceMetrics, bool) {
	want := map[string]any{}
	if v := first(labels, "UUID", "uuid"); v != "" {
		want["hw.id"] = v
	}
	if v, err := strconv.ParseInt(labels["gpu"], 10, 64); err == nil {
		want["hw.gpu.index"] = v
	}
	if v, err := strconv.ParseInt(labels["GPU_I_ID"], 10, 64); err == nil {
		want["hw.gpu.mig.instance_id"] = v
	}
	if v := first(labels, "pod", "pod_name"); v != "" {
		want["k8s.pod.name"] = v
		want["k8s.container.name"] = first(labels, "container", "container_name")
	}
	var found []pmetric.ResourceMetrics
	for i := range md.ResourceMetrics().Len() {
		rm := md.ResourceMetrics().At(i)
		attrs := rm.Resource().Attributes().AsRaw()
		match := true
		for _, k := range []string{"hw.id", "hw.gpu.index", "hw.gpu.mig.instance_id", "k8s.pod.name", "k8s.container.name"} {
			if attrs[k] != want[k] {
				match = false
			}
		}
		if match {
			found = append(found, rm)
		}
	}
	if len(found) != 1 {
		return pmetric.ResourceMetrics{}, false
	}
	return found[0], true
}

func first(labels map[string]string, names ...string) string {
	for _, n := range names {
		if v := labels[n]; v != "" {
			return v
		}
	}
	return ""
}

func assertPoint(t *testing.T, ms pmetric.MetricSlice, metric string, attrs map[string]any, want float64, desc string) {
	t.Helper()
	for i := range ms.Len() {
		m := ms.At(i)
		if m.Name() != metric {
			continue
		}
		var dps pmetric.NumberDataPointSlice
		if m.Type() == pmetric.MetricTypeSum {
			dps = m.Sum().DataPoints()
		} else {
			dps = m.Gauge().DataPoints()
		}
		for j := range dps.Len() {
			dp := dps.At(j)
			if !sameAttrs(dp.Attributes(), attrs) {
				continue
			}
			got := dp.DoubleValue()
			if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
				got = float64(dp.IntValue())
				want = math.Trunc(want)
			}
			assert.InDelta(t, want, got, math.Abs(want)*1e-9+1e-9, "%s -> %s%v", desc, metric, attrs)
			return
		}
	}
	assert.Fail(t, "series not mapped", "%s: no %s%v data point", desc, metric, attrs)
}

func sameAttrs(got pcommon.Map, want map[string]any) bool {
	if got.Len() != len(want) {
		return false
	}
	for k, v := range want {
		g, ok := got.Get(k)
		if !ok || g.AsRaw() != v {
			return false
		}
	}
	return true
}
