package gpuschema

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
)

// A receiver's metadata.yaml is generated; editing it by hand (or editing
// metrics.yaml without `make generate`) must fail here.
func TestReceiverMetadataMatchesSharedSchema(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, dir := range Receivers {
		t.Run(dir, func(t *testing.T) {
			header, err := os.ReadFile(filepath.Join(root, dir, HeaderFile))
			require.NoError(t, err)
			want, err := ComposeMetadata(header, SharedMetadata)
			require.NoError(t, err)
			got, err := os.ReadFile(filepath.Join(root, dir, MetadataFile))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "%s/%s drifted from internal/gpuschema/metrics.yaml: run `make generate`", dir, MetadataFile)
		})
	}
}

type sharedSchema struct {
	ResourceAttributes map[string]struct{ Type string } `yaml:"resource_attributes"`
	Attributes         map[string]struct {
		Type string
		Enum []string
	} `yaml:"attributes"`
	Metrics map[string]struct {
		Attributes []string `yaml:"attributes"`
	} `yaml:"metrics"`
}

func loadShared(t *testing.T) sharedSchema {
	t.Helper()
	var s sharedSchema
	require.NoError(t, yaml.Unmarshal(SharedMetadata, &s))
	require.NotEmpty(t, s.Metrics)
	return s
}

// identifier mirrors mdatagen's FormatIdentifier for the names used here.
func identifier(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '_' }) {
		switch part {
		case "id", "uuid":
			b.WriteString(strings.ToUpper(part))
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func methodNames(iface any) []string {
	typ := reflect.TypeOf(iface).Elem()
	names := make([]string, 0, typ.NumMethod())
	for i := range typ.NumMethod() {
		names = append(names, typ.Method(i).Name)
	}
	slices.Sort(names)
	return names
}

// Every metric of metrics.yaml has a Recorder method and vice versa, so a
// metric added to the schema cannot be forgotten by Record's interface.
func TestRecorderMatchesSchemaMetrics(t *testing.T) {
	s := loadShared(t)
	var want []string
	for name := range s.Metrics {
		want = append(want, "Record"+identifier(name)+"DataPoint")
	}
	slices.Sort(want)
	assert.Equal(t, want, methodNames((*Recorder)(nil)))
}

func TestResourceBuilderMatchesSchemaResourceAttributes(t *testing.T) {
	s := loadShared(t)
	want := []string{"Emit"}
	for name := range s.ResourceAttributes {
		want = append(want, "Set"+identifier(name))
	}
	slices.Sort(want)
	assert.Equal(t, want, methodNames((*ResourceBuilder)(nil)))
}

// Enums would make mdatagen generate a typed attribute per receiver package
// and break the shared Recorder signatures.
func TestSchemaAttributesArePlain(t *testing.T) {
	s := loadShared(t)
	for name, a := range s.Attributes {
		assert.Empty(t, a.Enum, "attribute %s must not declare an enum", name)
		assert.Contains(t, []string{"string", "int"}, a.Type, "attribute %s", name)
	}
}

func TestComposeMetadata(t *testing.T) {
	header := []byte("type: x\nattributes:\n  zeta:\n    description: z\n    type: string\ntelemetry:\n  metrics:\n    b_metric: {}\n    a_metric: {}\n")
	out, err := ComposeMetadata(header, SharedMetadata)
	require.NoError(t, err)
	var doc struct {
		Attributes map[string]any `yaml:"attributes"`
	}
	require.NoError(t, yaml.Unmarshal(out, &doc))
	assert.Contains(t, doc.Attributes, "zeta", "header attributes are kept")
	assert.Contains(t, doc.Attributes, "hw.gpu.task", "shared attributes are added")
	text := string(out)
	assert.Less(t, strings.Index(text, "a_metric"), strings.Index(text, "b_metric"), "telemetry metrics are sorted")
	assert.Less(t, strings.Index(text, "  hw.gpu.task:"), strings.Index(text, "  zeta:"), "merged attributes are sorted")
	assert.True(t, strings.HasPrefix(text, "# Code generated"))

	_, err = ComposeMetadata([]byte("type: x\nmetrics:\n  a: {}\n"), SharedMetadata)
	assert.ErrorContains(t, err, `"metrics" belongs to internal/gpuschema/metrics.yaml only`)
	_, err = ComposeMetadata([]byte("type: x\nattributes:\n  hw.gpu.task:\n    type: string\n"), SharedMetadata)
	assert.ErrorContains(t, err, `attribute "hw.gpu.task" is already defined`)
	_, err = ComposeMetadata([]byte("- a\n"), SharedMetadata)
	assert.Error(t, err)
}

func TestUnitConversions(t *testing.T) {
	assert.Equal(t, int64(1_980_000_000), MHzToHz(1980))
	assert.Equal(t, int64(67_000_000), MHzToHz(67))
	assert.InDelta(t, 128996.013, MilliToUnit(128996013), 1e-9)
	assert.InDelta(t, 0.48, PercentToRatio(48), 1e-12)
	assert.Equal(t, int64(15109*1024*1024), MiBToBytes(15109))
	assert.InDelta(t, 2048.0, KiBToBytes(2), 0)
	assert.InDelta(t, 3e6, MBToBytes(3), 0)
	assert.InDelta(t, 1.5, NanosToSeconds(1.5e9), 1e-12)
}

// point is one recorded data point, rendered for comparison.
type point struct {
	metric string
	value  float64
	attrs  string
}

type fakeRecorder struct{ points []point }

func (f *fakeRecorder) add(metric string, v float64, attrs ...any) {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		switch a := a.(type) {
		case string:
			parts[i] = a
		case int64:
			parts[i] = "pid" // process.pid; its value is checked through the device
		}
	}
	f.points = append(f.points, point{metric, v, strings.Join(parts, ",")})
}

func (f *fakeRecorder) RecordHwEnergyDataPoint(_ pcommon.Timestamp, v float64) { f.add("hw.energy", v) }
func (f *fakeRecorder) RecordHwErrorsDataPoint(_ pcommon.Timestamp, v int64, e string) {
	f.add("hw.errors", float64(v), e)
}
func (f *fakeRecorder) RecordHwGpuActivityDataPoint(_ pcommon.Timestamp, v float64, e string) {
	f.add("hw.gpu.activity", v, e)
}
func (f *fakeRecorder) RecordHwGpuClockFrequencyDataPoint(_ pcommon.Timestamp, v int64, c string) {
	f.add("hw.gpu.clock.frequency", float64(v), c)
}
func (f *fakeRecorder) RecordHwGpuClockThrottleDataPoint(_ pcommon.Timestamp, v int64, r string) {
	f.add("hw.gpu.clock.throttle", float64(v), r)
}
func (f *fakeRecorder) RecordHwGpuClockThrottleTimeDataPoint(_ pcommon.Timestamp, v float64, r string) {
	f.add("hw.gpu.clock.throttle.time", v, r)
}
func (f *fakeRecorder) RecordHwGpuFanSpeedRatioDataPoint(_ pcommon.Timestamp, v float64) {
	f.add("hw.gpu.fan.speed_ratio", v)
}
func (f *fakeRecorder) RecordHwGpuIoDataPoint(_ pcommon.Timestamp, v int64, l, d string) {
	f.add("hw.gpu.io", float64(v), l, d)
}
func (f *fakeRecorder) RecordHwGpuIoThroughputDataPoint(_ pcommon.Timestamp, v float64, l, d string) {
	f.add("hw.gpu.io.throughput", v, l, d)
}
func (f *fakeRecorder) RecordHwGpuMemoryFreeDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.memory.free", float64(v))
}
func (f *fakeRecorder) RecordHwGpuMemoryLimitDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.memory.limit", float64(v))
}
func (f *fakeRecorder) RecordHwGpuMemoryRemappedRowsDataPoint(_ pcommon.Timestamp, v int64, e string) {
	f.add("hw.gpu.memory.remapped_rows", float64(v), e)
}
func (f *fakeRecorder) RecordHwGpuMemoryReservedDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.memory.reserved", float64(v))
}
func (f *fakeRecorder) RecordHwGpuMemoryRowRemapFailedDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.memory.row_remap.failed", float64(v))
}
func (f *fakeRecorder) RecordHwGpuMemoryRowRemapPendingDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.memory.row_remap.pending", float64(v))
}
func (f *fakeRecorder) RecordHwGpuMemoryUsageDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.memory.usage", float64(v))
}
func (f *fakeRecorder) RecordHwGpuMemoryUtilizationDataPoint(_ pcommon.Timestamp, v float64) {
	f.add("hw.gpu.memory.utilization", v)
}
func (f *fakeRecorder) RecordHwGpuMigModeDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.mig.mode", float64(v))
}
func (f *fakeRecorder) RecordHwGpuPerformanceStateDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.performance_state", float64(v))
}
func (f *fakeRecorder) RecordHwGpuPowerLimitDataPoint(_ pcommon.Timestamp, v float64, l string) {
	f.add("hw.gpu.power.limit", v, l)
}
func (f *fakeRecorder) RecordHwGpuProcessMemoryUsageDataPoint(_ pcommon.Timestamp, v int64, pid int64) {
	f.add("hw.gpu.process.memory.usage", float64(v), pid)
}
func (f *fakeRecorder) RecordHwGpuProcessUtilizationDataPoint(_ pcommon.Timestamp, v float64, pid int64, task string) {
	f.add("hw.gpu.process.utilization", v, pid, task)
}
func (f *fakeRecorder) RecordHwGpuUtilizationDataPoint(_ pcommon.Timestamp, v float64, task string) {
	f.add("hw.gpu.utilization", v, task)
}
func (f *fakeRecorder) RecordHwGpuXidLastDataPoint(_ pcommon.Timestamp, v int64) {
	f.add("hw.gpu.xid.last", float64(v))
}
func (f *fakeRecorder) RecordHwPowerDataPoint(_ pcommon.Timestamp, v float64) { f.add("hw.power", v) }
func (f *fakeRecorder) RecordHwTemperatureDataPoint(_ pcommon.Timestamp, v float64, s string) {
	f.add("hw.temperature", v, s)
}
func (f *fakeRecorder) RecordHwTemperatureLimitDataPoint(_ pcommon.Timestamp, v float64, s, l string) {
	f.add("hw.temperature.limit", v, s, l)
}

func (f *fakeRecorder) find(metric, attrs string) (float64, bool) {
	for _, p := range f.points {
		if p.metric == metric && p.attrs == attrs {
			return p.value, true
		}
	}
	return 0, false
}

type fakeResource struct{ res pcommon.Resource }

func newFakeResource() *fakeResource { return &fakeResource{res: pcommon.NewResource()} }

func (f *fakeResource) put(k, v string)               { f.res.Attributes().PutStr(k, v) }
func (f *fakeResource) SetHostName(v string)          { f.put("host.name", v) }
func (f *fakeResource) SetHwDriverVersion(v string)   { f.put("hw.driver_version", v) }
func (f *fakeResource) SetHwFirmwareVersion(v string) { f.put("hw.firmware_version", v) }
func (f *fakeResource) SetHwGpuIndex(v int64)         { f.res.Attributes().PutInt("hw.gpu.index", v) }
func (f *fakeResource) SetHwGpuMigInstanceID(v int64) {
	f.res.Attributes().PutInt("hw.gpu.mig.instance_id", v)
}
func (f *fakeResource) SetHwGpuMigProfile(v string)  { f.put("hw.gpu.mig.profile", v) }
func (f *fakeResource) SetHwGpuMigUUID(v string)     { f.put("hw.gpu.mig.uuid", v) }
func (f *fakeResource) SetHwGpuPciBusID(v string)    { f.put("hw.gpu.pci_bus_id", v) }
func (f *fakeResource) SetHwID(v string)             { f.put("hw.id", v) }
func (f *fakeResource) SetHwModel(v string)          { f.put("hw.model", v) }
func (f *fakeResource) SetHwName(v string)           { f.put("hw.name", v) }
func (f *fakeResource) SetHwSerialNumber(v string)   { f.put("hw.serial_number", v) }
func (f *fakeResource) SetHwType(v string)           { f.put("hw.type", v) }
func (f *fakeResource) SetHwVendor(v string)         { f.put("hw.vendor", v) }
func (f *fakeResource) SetK8sContainerName(v string) { f.put("k8s.container.name", v) }
func (f *fakeResource) SetK8sNamespaceName(v string) { f.put("k8s.namespace.name", v) }
func (f *fakeResource) SetK8sPodName(v string)       { f.put("k8s.pod.name", v) }
func (f *fakeResource) Emit() pcommon.Resource {
	r := f.res
	f.res = pcommon.NewResource()
	return r
}

var (
	_ Recorder        = (*fakeRecorder)(nil)
	_ ResourceBuilder = (*fakeResource)(nil)
)

// fullDevice reports every reading the schema knows.
func fullDevice() *Device {
	d := &Device{Identity: Identity{
		UUID: "GPU-1", Index: I(3), Name: "nvidia3", Model: "NVIDIA H100 80GB HBM3", Vendor: "NVIDIA",
		DriverVersion: "550.54.15", FirmwareVersion: "96.00", SerialNumber: "165", PCIBusID: "00000000:1A:00.0",
		HostName: "node-1", MIG: MIG{InstanceID: I(7), Profile: "1g.10gb", UUID: "MIG-1"},
		Pod: gpupod.Pod{Namespace: "ml", Name: "vllm-0", Container: "vllm"}, Extra: []Attr{{"dcgm.cuda_driver_version", "12010"}},
	}}
	for t := range NumTasks {
		d.Utilization[t] = F(0.1 * float64(t+1))
	}
	d.MemoryUsed, d.MemoryFree, d.MemoryReserved = I(30), I(60), I(10)
	d.Power, d.Energy, d.FanSpeed = F(300), F(1000), F(0.3)
	for l := range NumPowerLimits {
		d.PowerLimit[l] = F(700)
	}
	for s := range NumSensors {
		d.Temperature[s] = F(50)
		for l := range NumTempLimits {
			d.TemperatureLimit[s][l] = F(90)
		}
	}
	for c := range NumClocks {
		d.Clock[c] = I(MHzToHz(1000))
	}
	d.ThrottleReasons = I(0x1 | 0x40)
	for t := range NumThrottleTimes {
		d.ThrottleTime[t] = F(1)
	}
	for e := range NumErrorTypes {
		d.Errors[e] = I(int64(e))
	}
	d.XIDLast, d.RemappedRowsCorrected, d.RemappedRowsUncorrected = I(79), I(2), I(1)
	d.RowRemapPending, d.RowRemapFailed = I(0), I(0)
	for l := range NumLinks {
		d.IO[l] = [2]Int{I(1), I(2)}
		for dir := range NumDirections {
			d.IOThroughput[l][dir] = F(1e9)
		}
	}
	for e := range NumEngines {
		d.Activity[e] = F(0.5)
	}
	d.PerformanceState, d.MIGMode = I(0), I(1)
	d.Processes = []Process{{PID: 42, MemoryUsed: I(1 << 30), Utilization: [NumTasks]Float{F(0.9), {}, {}, F(0.2)}}}
	return d
}

func TestRecordEmitsEveryMetricOfAFullDevice(t *testing.T) {
	rec, rb := &fakeRecorder{}, newFakeResource()
	res := Record(rec, rb, 1, fullDevice())

	recorded := map[string]bool{}
	for _, p := range rec.points {
		recorded[p.metric] = true
	}
	for name := range loadShared(t).Metrics {
		assert.True(t, recorded[name], "metric %s was not recorded for a fully populated device", name)
	}

	attrs := res.Attributes().AsRaw()
	assert.Equal(t, map[string]any{
		"hw.type": "gpu", "hw.id": "GPU-1", "hw.gpu.index": int64(3), "hw.name": "nvidia3", "hw.model": "NVIDIA H100 80GB HBM3",
		"hw.vendor": "NVIDIA", "hw.driver_version": "550.54.15", "hw.firmware_version": "96.00", "hw.serial_number": "165",
		"hw.gpu.pci_bus_id": "00000000:1A:00.0", "host.name": "node-1", "hw.gpu.mig.instance_id": int64(7),
		"hw.gpu.mig.profile": "1g.10gb", "hw.gpu.mig.uuid": "MIG-1", "k8s.pod.name": "vllm-0", "k8s.namespace.name": "ml",
		"k8s.container.name": "vllm", "dcgm.cuda_driver_version": "12010",
	}, attrs)

	// Derived: limit = used + free + reserved, utilization = used / limit.
	v, ok := rec.find("hw.gpu.memory.limit", "")
	assert.True(t, ok)
	assert.InDelta(t, 100, v, 0)
	v, _ = rec.find("hw.gpu.memory.utilization", "")
	assert.InDelta(t, 0.3, v, 1e-12)

	// The throttle mask becomes one series per known reason.
	v, _ = rec.find("hw.gpu.clock.throttle", "gpu_idle")
	assert.InDelta(t, 1, v, 0)
	v, _ = rec.find("hw.gpu.clock.throttle", "hw_thermal_slowdown")
	assert.InDelta(t, 1, v, 0)
	v, ok = rec.find("hw.gpu.clock.throttle", "sw_power_cap")
	assert.True(t, ok)
	assert.InDelta(t, 0, v, 0)
	n := 0
	for _, p := range rec.points {
		if p.metric == "hw.gpu.clock.throttle" {
			n++
		}
	}
	assert.Len(t, ThrottleReasons, n)

	_, ok = rec.find("hw.gpu.process.utilization", "pid,memory_copy")
	assert.True(t, ok)
	_, ok = rec.find("hw.gpu.process.utilization", "pid,encoder")
	assert.False(t, ok, "absent process readings are not recorded")
}

func TestRecordSkipsAbsentReadings(t *testing.T) {
	rec, rb := &fakeRecorder{}, newFakeResource()
	d := &Device{Identity: Identity{UUID: "GPU-2"}}
	d.Power = F(0) // a present zero is a reading
	res := Record(rec, rb, 1, d)
	assert.Equal(t, []point{{"hw.power", 0, ""}}, rec.points)
	assert.Equal(t, map[string]any{"hw.type": "gpu", "hw.id": "GPU-2"}, res.Attributes().AsRaw())

	// A source's own memory utilization and total win over derivation.
	rec = &fakeRecorder{}
	d = &Device{MemoryUsed: I(10), MemoryFree: I(10), MemoryLimit: I(40), MemoryUtilization: F(0.75)}
	Record(rec, rb, 1, d)
	v, _ := rec.find("hw.gpu.memory.limit", "")
	assert.InDelta(t, 40, v, 0)
	v, _ = rec.find("hw.gpu.memory.utilization", "")
	assert.InDelta(t, 0.75, v, 0)
}

type mapResolver map[string]gpupod.Pod

func (m mapResolver) PodForDevice(id string) (gpupod.Pod, bool) { p, ok := m[id]; return p, ok }

func TestApplyPod(t *testing.T) {
	r := mapResolver{"GPU-1": {Namespace: "a", Name: "p1", Container: "c"}, "MIG-9": {Namespace: "b", Name: "p2", Container: "c"}}

	d := &Device{Identity: Identity{UUID: "GPU-1"}}
	d.ApplyPod(r)
	assert.Equal(t, "p1", d.Pod.Name)

	d = &Device{Identity: Identity{UUID: "GPU-1", MIG: MIG{InstanceID: I(1), UUID: "MIG-9"}}}
	d.ApplyPod(r)
	assert.Equal(t, "p2", d.Pod.Name, "a MIG instance is looked up by its MIG UUID")

	d = &Device{Identity: Identity{UUID: "GPU-1", MIG: MIG{InstanceID: I(1)}}}
	d.ApplyPod(r)
	assert.Empty(t, d.Pod.Name, "a MIG instance without UUID is not attributed to the whole GPU's pod")

	d = &Device{Identity: Identity{UUID: "GPU-1", Pod: gpupod.Pod{Name: "from-labels"}}}
	d.ApplyPod(r)
	assert.Equal(t, "from-labels", d.Pod.Name, "the source's own pod wins")

	d = &Device{Identity: Identity{UUID: "GPU-1"}}
	d.ApplyPod(nil)
	assert.Empty(t, d.Pod.Name)
}
