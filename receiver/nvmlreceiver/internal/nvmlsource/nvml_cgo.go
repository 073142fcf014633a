//go:build cgo

package nvmlsource // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource"

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	gs "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
)

// New returns the NVML source backed by libnvidia-ml.so.1, loaded at Open.
func New() Source { return NewFromLibrary(nvml.New()) }

// NewFromLibrary returns a source backed by lib; tests pass a
// github.com/NVIDIA/go-nvml/pkg/nvml/mock.Interface.
func NewFromLibrary(lib nvml.Interface) Source { return &source{lib: lib} }

type source struct {
	lib     nvml.Interface
	opts    Options
	open    bool
	driver  string
	host    string
	devices []*device
	// unopened are the GPUs NVML lists but could not open (no handle, no
	// UUID): left out of every read, and reported by every read.
	unopened []FieldError
	events   nvml.EventSet
	byHandle map[nvml.Device]*device
}

// device is one physical GPU, with what is read once and what is remembered
// between reads.
type device struct {
	handle      nvml.Device
	id          gs.Identity
	unsupported map[string]bool
	// Temperature thresholds do not change; read once.
	thresholds     [gs.NumSensors][gs.NumTempLimits]gs.Float
	thresholdsRead bool
	fieldValues    []fieldValue
	lastProcSample uint64
	xidRegistered  bool
	xidCount       int64
	xidLast        int64
	mig            map[string]*device // MIG devices by UUID
}

// fieldValue is one NVML field-value query.
type fieldValue struct {
	name  string
	id    uint32
	scope uint32
	set   func(d *gs.Device, v float64)
}

const allLinks = math.MaxUint32 // field-value scope: summed over all NVLinks

var fieldValueQueries = []fieldValue{
	{"memory_temperature", nvml.FI_DEV_MEMORY_TEMP, 0, func(d *gs.Device, v float64) { d.Temperature[gs.SensorMemory] = gs.F(v) }},
	{"pcie_tx_bytes", nvml.FI_DEV_PCIE_COUNT_TX_BYTES, 0, func(d *gs.Device, v float64) { d.IO[gs.LinkPCIe][gs.DirectionTransmit] = gs.I(int64(v)) }},
	{"pcie_rx_bytes", nvml.FI_DEV_PCIE_COUNT_RX_BYTES, 0, func(d *gs.Device, v float64) { d.IO[gs.LinkPCIe][gs.DirectionReceive] = gs.I(int64(v)) }},
	// NVLink data counters are in KiB.
	{"nvlink_tx_bytes", nvml.FI_DEV_NVLINK_THROUGHPUT_DATA_TX, allLinks, func(d *gs.Device, v float64) {
		d.IO[gs.LinkNVLink][gs.DirectionTransmit] = gs.I(int64(gs.KiBToBytes(v)))
	}},
	{"nvlink_rx_bytes", nvml.FI_DEV_NVLINK_THROUGHPUT_DATA_RX, allLinks, func(d *gs.Device, v float64) {
		d.IO[gs.LinkNVLink][gs.DirectionReceive] = gs.I(int64(gs.KiBToBytes(v)))
	}},
}

var violationPolicies = [gs.NumThrottleTimes]nvml.PerfPolicyType{
	gs.ThrottleTimePower:              nvml.PERF_POLICY_POWER,
	gs.ThrottleTimeThermal:            nvml.PERF_POLICY_THERMAL,
	gs.ThrottleTimeSyncBoost:          nvml.PERF_POLICY_SYNC_BOOST,
	gs.ThrottleTimeBoardLimit:         nvml.PERF_POLICY_BOARD_LIMIT,
	gs.ThrottleTimeLowUtilization:     nvml.PERF_POLICY_LOW_UTILIZATION,
	gs.ThrottleTimeReliability:        nvml.PERF_POLICY_RELIABILITY,
	gs.ThrottleTimeApplicationsClocks: nvml.PERF_POLICY_TOTAL_APP_CLOCKS,
	gs.ThrottleTimeBaseClocks:         nvml.PERF_POLICY_TOTAL_BASE_CLOCKS,
}

var clockTypes = [gs.NumClocks]nvml.ClockType{
	gs.ClockSM:       nvml.CLOCK_SM,
	gs.ClockMemory:   nvml.CLOCK_MEM,
	gs.ClockGraphics: nvml.CLOCK_GRAPHICS,
	gs.ClockVideo:    nvml.CLOCK_VIDEO,
}

var clockFields = [gs.NumClocks]string{"clock_sm", "clock_memory", "clock_graphics", "clock_video"}

// nvmlError keeps the NVML return code; its text comes from go-nvml's Go
// table, never from the library (which may be missing).
type nvmlError struct {
	call string
	ret  nvml.Return
}

func (e nvmlError) Error() string { return e.call + ": " + e.ret.Error() }

func (s *source) Open(opts Options) (Info, error) {
	if s.open {
		return Info{DriverVersion: s.driver, Devices: len(s.devices)}, nil
	}
	if ret := s.lib.Init(); ret != nvml.SUCCESS {
		return Info{}, openError(ret)
	}
	// From here on NVML is initialised: every failure path shuts it down.
	s.open = true
	s.opts = opts
	info, err := s.enumerate()
	if err != nil {
		_ = s.Close()
		return Info{}, err
	}
	return info, nil
}

func openError(ret nvml.Return) error {
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return fmt.Errorf("libnvidia-ml.so.1 not found (is the NVIDIA driver installed and the library mounted into the container?): %w", nvmlError{"nvmlInit", ret})
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return fmt.Errorf("the NVIDIA kernel driver is not loaded: %w", nvmlError{"nvmlInit", ret})
	case nvml.ERROR_NO_PERMISSION:
		return fmt.Errorf("no permission to open the NVIDIA devices: %w", nvmlError{"nvmlInit", ret})
	default:
		return nvmlError{"nvmlInit", ret}
	}
}

func (s *source) enumerate() (Info, error) {
	driver, ret := s.lib.SystemGetDriverVersion()
	if ret == nvml.SUCCESS {
		s.driver = driver
	}
	s.host, _ = os.Hostname()
	count, ret := s.lib.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return Info{}, nvmlError{"nvmlDeviceGetCount", ret}
	}
	if count == 0 {
		return Info{}, ErrNoDevices
	}
	s.devices = s.devices[:0]
	s.unopened = nil
	s.byHandle = map[nvml.Device]*device{}
	for i := range count {
		h, ret := s.lib.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			s.unopened = append(s.unopened, FieldError{Device: strconv.Itoa(i), Field: "device", Err: nvmlError{"nvmlDeviceGetHandleByIndex", ret}})
			continue
		}
		d := &device{handle: h, unsupported: map[string]bool{}, mig: map[string]*device{}}
		d.id, ret = identity(h, i)
		if ret != nvml.SUCCESS {
			s.unopened = append(s.unopened, FieldError{Device: strconv.Itoa(i), Field: "device", Err: nvmlError{"nvmlDeviceGetUUID", ret}})
			continue
		}
		d.id.DriverVersion = s.driver
		d.id.HostName = s.host
		d.fieldValues = fieldValueQueries
		s.devices = append(s.devices, d)
		s.byHandle[h] = d
	}
	if len(s.devices) == 0 {
		return Info{}, fmt.Errorf("NVML reports %d GPUs but none could be opened", count)
	}
	s.registerXIDEvents()
	return Info{DriverVersion: s.driver, Devices: len(s.devices)}, nil
}

// identity reads what names a GPU; without a UUID the GPU is skipped.
func identity(h nvml.Device, index int) (gs.Identity, nvml.Return) {
	id := gs.Identity{Vendor: "NVIDIA", Index: gs.I(int64(index))}
	uuid, ret := h.GetUUID()
	if ret != nvml.SUCCESS {
		return id, ret
	}
	id.UUID = uuid
	if name, ret := h.GetName(); ret == nvml.SUCCESS {
		id.Model = name
	}
	if minor, ret := h.GetMinorNumber(); ret == nvml.SUCCESS {
		id.Name = "nvidia" + strconv.Itoa(minor)
	}
	if pci, ret := h.GetPciInfo(); ret == nvml.SUCCESS {
		id.PCIBusID = cString(pci.BusId[:])
	}
	if serial, ret := h.GetSerial(); ret == nvml.SUCCESS {
		id.SerialNumber = serial
	}
	if vbios, ret := h.GetVbiosVersion(); ret == nvml.SUCCESS {
		id.FirmwareVersion = vbios
	}
	return id, nvml.SUCCESS
}

func cString(b []int8) string {
	var sb strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		sb.WriteByte(byte(c))
	}
	return sb.String()
}

// registerXIDEvents subscribes every GPU to XID events, which Read drains to
// count them; GPUs that do not support events simply report no XID count.
func (s *source) registerXIDEvents() {
	set, ret := s.lib.EventSetCreate()
	if ret != nvml.SUCCESS {
		return
	}
	s.events = set
	for _, d := range s.devices {
		if d.handle.RegisterEvents(nvml.EventTypeXidCriticalError, set) == nvml.SUCCESS {
			d.xidRegistered = true
		}
	}
}

func (s *source) Close() error {
	if !s.open {
		return nil
	}
	s.open = false
	if s.events != nil {
		_ = s.events.Free()
		s.events = nil
	}
	s.devices = nil
	s.unopened = nil
	s.byHandle = nil
	if ret := s.lib.Shutdown(); ret != nvml.SUCCESS {
		return nvmlError{"nvmlShutdown", ret}
	}
	return nil
}

// reader collects one Read's results and the errors of each query.
type reader struct {
	res  *Result
	d    *device
	lost bool
}

// ok reports whether a query succeeded, recording why not. NOT_SUPPORTED is
// remembered so that the query is not repeated; GPU_IS_LOST ends the read of
// the device (every other query would fail the same way).
func (r *reader) ok(field string, ret nvml.Return) bool {
	switch ret {
	case nvml.SUCCESS:
		return true
	case nvml.ERROR_NOT_SUPPORTED, nvml.ERROR_FUNCTION_NOT_FOUND:
		if !r.d.unsupported[field] {
			r.d.unsupported[field] = true
			r.res.Unsupported = append(r.res.Unsupported, FieldError{Device: r.d.id.UUID, Field: field, Err: nvmlError{field, ret}})
		}
		return false
	case nvml.ERROR_GPU_IS_LOST:
		r.lost = true
		r.res.Errors = append(r.res.Errors, FieldError{Device: r.d.id.UUID, Field: "device", Err: nvmlError{field, ret}})
		return false
	default:
		r.res.Errors = append(r.res.Errors, FieldError{Device: r.d.id.UUID, Field: field, Err: nvmlError{field, ret}})
		return false
	}
}

// want reports whether a query should be made.
func (r *reader) want(field string) bool { return !r.lost && !r.d.unsupported[field] }

func (s *source) Read() Result {
	res := Result{Devices: make([]gs.Device, 0, len(s.devices))}
	if !s.open {
		return res
	}
	s.drainXIDEvents()
	res.Errors = append(res.Errors, s.unopened...)
	for _, d := range s.devices {
		r := &reader{res: &res, d: d}
		sample := gs.Device{Identity: d.id}
		s.readGPU(r, &sample)
		if r.lost {
			continue // the GPU fell off the bus: no partial sample
		}
		res.Devices = append(res.Devices, sample)
		if sample.MIGMode.OK && sample.MIGMode.V == nvml.DEVICE_MIG_ENABLE {
			s.readMIG(r, &res)
		}
	}
	return res
}

func (s *source) readGPU(r *reader, out *gs.Device) {
	h := r.d.handle
	if r.want("utilization") {
		if u, ret := h.GetUtilizationRates(); r.ok("utilization", ret) {
			out.Utilization[gs.TaskGeneral] = gs.F(gs.PercentToRatio(float64(u.Gpu)))
			out.Utilization[gs.TaskMemoryCopy] = gs.F(gs.PercentToRatio(float64(u.Memory)))
		}
	}
	if r.want("encoder_utilization") {
		if u, _, ret := h.GetEncoderUtilization(); r.ok("encoder_utilization", ret) {
			out.Utilization[gs.TaskEncoder] = gs.F(gs.PercentToRatio(float64(u)))
		}
	}
	if r.want("decoder_utilization") {
		if u, _, ret := h.GetDecoderUtilization(); r.ok("decoder_utilization", ret) {
			out.Utilization[gs.TaskDecoder] = gs.F(gs.PercentToRatio(float64(u)))
		}
	}
	readMemory(r, out)
	if r.want("power") {
		if mw, ret := h.GetPowerUsage(); r.ok("power", ret) {
			out.Power = gs.F(gs.MilliToUnit(float64(mw)))
		}
	}
	if r.want("power_limit_enforced") {
		if mw, ret := h.GetEnforcedPowerLimit(); r.ok("power_limit_enforced", ret) {
			out.PowerLimit[gs.PowerLimitEnforced] = gs.F(gs.MilliToUnit(float64(mw)))
		}
	}
	if r.want("power_limit_management") {
		if mw, ret := h.GetPowerManagementLimit(); r.ok("power_limit_management", ret) {
			out.PowerLimit[gs.PowerLimitManagement] = gs.F(gs.MilliToUnit(float64(mw)))
		}
	}
	if r.want("energy") {
		if mj, ret := h.GetTotalEnergyConsumption(); r.ok("energy", ret) {
			out.Energy = gs.F(gs.MilliToUnit(float64(mj)))
		}
	}
	if r.want("temperature") {
		if c, ret := h.GetTemperature(nvml.TEMPERATURE_GPU); r.ok("temperature", ret) {
			out.Temperature[gs.SensorGPU] = gs.F(float64(c))
		}
	}
	readThresholds(r)
	out.TemperatureLimit = r.d.thresholds
	for c := range gs.NumClocks {
		if r.want(clockFields[c]) {
			if mhz, ret := h.GetClockInfo(clockTypes[c]); r.ok(clockFields[c], ret) {
				out.Clock[c] = gs.I(gs.MHzToHz(float64(mhz)))
			}
		}
	}
	if r.want("throttle_reasons") {
		if mask, ret := h.GetCurrentClocksEventReasons(); r.ok("throttle_reasons", ret) {
			out.ThrottleReasons = gs.I(int64(mask))
		}
	}
	if s.opts.ThrottleTime {
		for t := range gs.NumThrottleTimes {
			field := "violation_" + t.String()
			if r.want(field) {
				if v, ret := h.GetViolationStatus(violationPolicies[t]); r.ok(field, ret) {
					out.ThrottleTime[t] = gs.F(gs.NanosToSeconds(float64(v.ViolationTime)))
				}
			}
		}
	}
	if r.want("ecc_corrected") {
		if n, ret := h.GetTotalEccErrors(nvml.MEMORY_ERROR_TYPE_CORRECTED, nvml.VOLATILE_ECC); r.ok("ecc_corrected", ret) {
			out.Errors[gs.ErrorECCCorrected] = gs.I(int64(n))
		}
	}
	if r.want("ecc_uncorrected") {
		if n, ret := h.GetTotalEccErrors(nvml.MEMORY_ERROR_TYPE_UNCORRECTED, nvml.VOLATILE_ECC); r.ok("ecc_uncorrected", ret) {
			out.Errors[gs.ErrorECCUncorrected] = gs.I(int64(n))
		}
	}
	if r.want("pcie_replay") {
		if n, ret := h.GetPcieReplayCounter(); r.ok("pcie_replay", ret) {
			out.Errors[gs.ErrorPCIeReplay] = gs.I(int64(n))
		}
	}
	if r.d.xidRegistered {
		out.Errors[gs.ErrorXID] = gs.I(r.d.xidCount)
		out.XIDLast = gs.I(r.d.xidLast)
	}
	if s.opts.PCIeThroughput {
		for _, q := range []struct {
			field string
			ctr   nvml.PcieUtilCounter
			dir   gs.Direction
		}{{"pcie_throughput_tx", nvml.PCIE_UTIL_TX_BYTES, gs.DirectionTransmit}, {"pcie_throughput_rx", nvml.PCIE_UTIL_RX_BYTES, gs.DirectionReceive}} {
			if r.want(q.field) {
				if kib, ret := h.GetPcieThroughput(q.ctr); r.ok(q.field, ret) {
					out.IOThroughput[gs.LinkPCIe][q.dir] = gs.F(gs.KiBToBytes(float64(kib)))
				}
			}
		}
	}
	readFieldValues(r, out)
	if r.want("remapped_rows") {
		if corr, unc, pending, failed, ret := h.GetRemappedRows(); r.ok("remapped_rows", ret) {
			out.RemappedRowsCorrected = gs.I(int64(corr))
			out.RemappedRowsUncorrected = gs.I(int64(unc))
			out.RowRemapPending = gs.I(boolInt(pending))
			out.RowRemapFailed = gs.I(boolInt(failed))
		}
	}
	if r.want("fan_speed") {
		if pct, ret := h.GetFanSpeed(); r.ok("fan_speed", ret) {
			out.FanSpeed = gs.F(gs.PercentToRatio(float64(pct)))
		}
	}
	if r.want("performance_state") {
		if p, ret := h.GetPerformanceState(); r.ok("performance_state", ret) && p != nvml.PSTATE_UNKNOWN {
			out.PerformanceState = gs.I(int64(p))
		}
	}
	if r.want("mig_mode") {
		if current, _, ret := h.GetMigMode(); r.ok("mig_mode", ret) {
			out.MIGMode = gs.I(int64(current))
		}
	}
	if out.MIGMode.V != nvml.DEVICE_MIG_ENABLE {
		// With MIG on, processes belong to the MIG instances.
		s.readProcesses(r, out)
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// readMemory prefers the v2 query, which separates reserved memory, and
// falls back to v1 (MIG devices, older drivers).
func readMemory(r *reader, out *gs.Device) {
	if r.want("memory_v2") {
		if m, ret := r.d.handle.GetMemoryInfo_v2(); r.ok("memory_v2", ret) {
			out.MemoryUsed, out.MemoryFree = gs.I(int64(m.Used)), gs.I(int64(m.Free))
			out.MemoryReserved, out.MemoryLimit = gs.I(int64(m.Reserved)), gs.I(int64(m.Total))
			return
		}
	}
	if r.want("memory") && r.d.unsupported["memory_v2"] {
		if m, ret := r.d.handle.GetMemoryInfo(); r.ok("memory", ret) {
			out.MemoryUsed, out.MemoryFree, out.MemoryLimit = gs.I(int64(m.Used)), gs.I(int64(m.Free)), gs.I(int64(m.Total))
		}
	}
}

var thresholdQueries = []struct {
	field  string
	th     nvml.TemperatureThresholds
	sensor gs.Sensor
	limit  gs.TempLimit
}{
	{"temperature_threshold_slowdown", nvml.TEMPERATURE_THRESHOLD_SLOWDOWN, gs.SensorGPU, gs.TempLimitThrottled},
	{"temperature_threshold_shutdown", nvml.TEMPERATURE_THRESHOLD_SHUTDOWN, gs.SensorGPU, gs.TempLimitCritical},
	{"temperature_threshold_gpu_max", nvml.TEMPERATURE_THRESHOLD_GPU_MAX, gs.SensorGPU, gs.TempLimitMax},
	{"temperature_threshold_memory_max", nvml.TEMPERATURE_THRESHOLD_MEM_MAX, gs.SensorMemory, gs.TempLimitMax},
}

func readThresholds(r *reader) {
	if r.d.thresholdsRead {
		return
	}
	failed := false
	for _, q := range thresholdQueries {
		if !r.want(q.field) {
			continue
		}
		c, ret := r.d.handle.GetTemperatureThreshold(q.th)
		if r.ok(q.field, ret) {
			r.d.thresholds[q.sensor][q.limit] = gs.F(float64(c))
		} else if ret != nvml.ERROR_NOT_SUPPORTED {
			failed = true
		}
	}
	r.d.thresholdsRead = !failed && !r.lost
}

// readFieldValues asks every still-supported field value in one call.
func readFieldValues(r *reader, out *gs.Device) {
	if r.lost || len(r.d.fieldValues) == 0 {
		return
	}
	req := make([]nvml.FieldValue, len(r.d.fieldValues))
	for i, q := range r.d.fieldValues {
		req[i] = nvml.FieldValue{FieldId: q.id, ScopeId: q.scope}
	}
	if !r.ok("field_values", r.d.handle.GetFieldValues(req)) {
		return
	}
	kept := r.d.fieldValues[:0:0]
	for i, q := range r.d.fieldValues {
		fv := req[i]
		if r.ok(q.name, nvml.Return(fv.NvmlReturn)) {
			if v, ok := fieldValueFloat(fv); ok {
				q.set(out, v)
			}
		}
		if !r.d.unsupported[q.name] {
			kept = append(kept, q)
		}
	}
	r.d.fieldValues = kept
}

func fieldValueFloat(fv nvml.FieldValue) (float64, bool) {
	b := fv.Value[:]
	switch nvml.ValueType(fv.ValueType) {
	case nvml.VALUE_TYPE_DOUBLE:
		return math.Float64frombits(binary.LittleEndian.Uint64(b)), true
	case nvml.VALUE_TYPE_UNSIGNED_INT:
		return float64(binary.LittleEndian.Uint32(b)), true
	case nvml.VALUE_TYPE_UNSIGNED_LONG, nvml.VALUE_TYPE_UNSIGNED_LONG_LONG:
		return float64(binary.LittleEndian.Uint64(b)), true
	case nvml.VALUE_TYPE_SIGNED_LONG_LONG:
		return float64(int64(binary.LittleEndian.Uint64(b))), true
	case nvml.VALUE_TYPE_SIGNED_INT:
		return float64(int32(binary.LittleEndian.Uint32(b))), true
	case nvml.VALUE_TYPE_UNSIGNED_SHORT:
		return float64(binary.LittleEndian.Uint16(b)), true
	default:
		return 0, false
	}
}

// notAvailable is NVML_VALUE_NOT_AVAILABLE for 64-bit values.
const notAvailable = math.MaxUint64

func (s *source) readProcesses(r *reader, out *gs.Device) {
	if !s.opts.Processes && !s.opts.ProcessUtilization {
		return
	}
	byPID := map[uint32]int{}
	if s.opts.Processes && r.want("processes") {
		if procs, ret := r.d.handle.GetComputeRunningProcesses(); r.ok("processes", ret) {
			for _, p := range procs {
				proc := gs.Process{PID: int64(p.Pid)}
				if p.UsedGpuMemory != notAvailable {
					proc.MemoryUsed = gs.I(int64(p.UsedGpuMemory))
				}
				byPID[p.Pid] = len(out.Processes)
				out.Processes = append(out.Processes, proc)
			}
		}
	}
	if s.opts.ProcessUtilization && r.want("process_utilization") {
		samples, ret := r.d.handle.GetProcessUtilization(r.d.lastProcSample)
		if ret == nvml.ERROR_NOT_FOUND {
			return // no process ran since the last sample
		}
		if !r.ok("process_utilization", ret) {
			return
		}
		latest := map[uint32]nvml.ProcessUtilizationSample{}
		for _, smp := range samples {
			if prev, seen := latest[smp.Pid]; !seen || smp.TimeStamp > prev.TimeStamp {
				latest[smp.Pid] = smp
			}
			r.d.lastProcSample = max(r.d.lastProcSample, smp.TimeStamp)
		}
		for pid, smp := range latest {
			i, ok := byPID[pid]
			if !ok {
				i = len(out.Processes)
				byPID[pid] = i
				out.Processes = append(out.Processes, gs.Process{PID: int64(pid)})
			}
			u := &out.Processes[i].Utilization
			u[gs.TaskGeneral] = gs.F(gs.PercentToRatio(float64(smp.SmUtil)))
			u[gs.TaskMemoryCopy] = gs.F(gs.PercentToRatio(float64(smp.MemUtil)))
			u[gs.TaskEncoder] = gs.F(gs.PercentToRatio(float64(smp.EncUtil)))
			u[gs.TaskDecoder] = gs.F(gs.PercentToRatio(float64(smp.DecUtil)))
		}
	}
}

// readMIG reads the MIG devices of a GPU in MIG mode: identity, memory and
// processes (utilization and power are per physical GPU).
func (s *source) readMIG(parent *reader, res *Result) {
	h := parent.d.handle
	n, ret := h.GetMaxMigDeviceCount()
	if !parent.ok("mig_devices", ret) {
		return
	}
	for i := range n {
		mh, ret := h.GetMigDeviceHandleByIndex(i)
		if ret == nvml.ERROR_NOT_FOUND || ret == nvml.ERROR_INVALID_ARGUMENT {
			continue // no MIG device in this slot
		}
		if !parent.ok("mig_devices", ret) {
			continue
		}
		uuid, ret := mh.GetUUID()
		if !parent.ok("mig_devices", ret) {
			continue
		}
		md, known := parent.d.mig[uuid]
		if !known {
			md = &device{handle: mh, id: parent.d.id, unsupported: map[string]bool{}}
			md.id.MIG = gs.MIG{UUID: uuid}
			if gi, ret := mh.GetGpuInstanceId(); ret == nvml.SUCCESS {
				md.id.MIG.InstanceID = gs.I(int64(gi))
			}
			if name, ret := mh.GetName(); ret == nvml.SUCCESS {
				md.id.MIG.Profile = migProfile(name)
			}
			parent.d.mig[uuid] = md
		}
		md.handle = mh
		r := &reader{res: res, d: md}
		sample := gs.Device{Identity: md.id}
		if r.want("memory") {
			if m, ret := mh.GetMemoryInfo(); r.ok("memory", ret) {
				sample.MemoryUsed, sample.MemoryFree, sample.MemoryLimit = gs.I(int64(m.Used)), gs.I(int64(m.Free)), gs.I(int64(m.Total))
			}
		}
		s.readProcesses(r, &sample)
		if !r.lost {
			res.Devices = append(res.Devices, sample)
		}
	}
}

// migProfile extracts "1g.10gb" from a MIG device name such as
// "NVIDIA H100 80GB HBM3 MIG 1g.10gb".
func migProfile(name string) string {
	if i := strings.LastIndex(name, "MIG "); i >= 0 {
		return strings.TrimSpace(name[i+len("MIG "):])
	}
	return ""
}

// drainXIDEvents counts the XID events that arrived since the last read,
// without waiting.
func (s *source) drainXIDEvents() {
	if s.events == nil {
		return
	}
	for range 1024 { // bounded: a storm of events must not stall the scrape
		ev, ret := s.events.Wait(0)
		if ret != nvml.SUCCESS {
			return // ERROR_TIMEOUT: no more events
		}
		if ev.EventType&nvml.EventTypeXidCriticalError == 0 {
			continue
		}
		d := s.byHandle[ev.Device]
		if d == nil {
			continue
		}
		d.xidCount++
		d.xidLast = int64(ev.EventData)
	}
}
