//go:build cgo

// Package nvmlfake builds fake NVML libraries from go-nvml's mock for tests
// and benchmarks: a node of eight H100s with MIG, processes, unsupported and
// failing fields, and a host whose libnvidia-ml is missing.
package nvmlfake // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource/nvmlfake"

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
)

const (
	mib        = 1 << 20
	gib        = 1 << 30
	totalBytes = 81559 * mib
	reserved   = 544 * mib
	// DriverVersion is the fake node's driver.
	DriverVersion = "550.54.15"
)

// GPU is one fake H100.
type GPU struct {
	*mock.Device
	Index int
	UUID  string
	lost  bool
}

// MIG is one fake MIG device.
type MIG struct {
	*mock.Device
	UUID       string
	InstanceID int
	Profile    string
}

// Node is a fake NVML with eight H100s:
//   - 0, 1: busy inference GPUs with processes
//   - 2: idle (clocks throttled because idle)
//   - 3: power capped, two corrected ECC errors, remapped rows, PCIe replays
//   - 4: its temperature query fails (ERROR_UNKNOWN): a counted field error
//   - 5: answers NOT_SUPPORTED for encoder/decoder utilization, power
//     limits, energy, ECC, remapped rows, memory temperature, process
//     utilization and XID events
//   - 6: MIG with 1g.10gb, 1g.10gb and 2g.20gb instances
//   - 7: MIG with 3g.40gb and 4g.40gb instances
//
// No GPU has a fan, and none counts PCIe bytes (both NOT_SUPPORTED), as on
// real H100 SXM boards.
type Node struct {
	*mock.Interface
	GPUs []*GPU
	MIGs map[int][]*MIG

	mu     sync.Mutex
	events []nvml.EventData
}

var busIDs = []int{0x1A, 0x40, 0x53, 0x66, 0x9C, 0xC0, 0xD2, 0xE4}

// NewH100Node returns the fake node.
func NewH100Node() *Node {
	n := &Node{Interface: &mock.Interface{}, MIGs: map[int][]*MIG{}}
	for i := range 8 {
		n.GPUs = append(n.GPUs, newGPU(n, i))
	}
	n.InitFunc = func() nvml.Return { return nvml.SUCCESS }
	n.ShutdownFunc = func() nvml.Return { return nvml.SUCCESS }
	n.SystemGetDriverVersionFunc = func() (string, nvml.Return) { return DriverVersion, nvml.SUCCESS }
	n.DeviceGetCountFunc = func() (int, nvml.Return) { return len(n.GPUs), nvml.SUCCESS }
	n.DeviceGetHandleByIndexFunc = func(i int) (nvml.Device, nvml.Return) {
		if i < 0 || i >= len(n.GPUs) {
			return nil, nvml.ERROR_INVALID_ARGUMENT
		}
		return n.GPUs[i], nvml.SUCCESS
	}
	n.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) {
		return &mock.EventSet{
			WaitFunc: func(uint32) (nvml.EventData, nvml.Return) {
				n.mu.Lock()
				defer n.mu.Unlock()
				if len(n.events) == 0 {
					return nvml.EventData{}, nvml.ERROR_TIMEOUT
				}
				ev := n.events[0]
				n.events = n.events[1:]
				return ev, nvml.SUCCESS
			},
			FreeFunc: func() nvml.Return { return nvml.SUCCESS },
		}, nvml.SUCCESS
	}
	return n
}

// InjectXID queues an XID event for a GPU.
func (n *Node) InjectXID(gpu int, code uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.events = append(n.events, nvml.EventData{Device: n.GPUs[gpu], EventType: nvml.EventTypeXidCriticalError, EventData: code})
}

// Lose makes a GPU fall off the bus: every query returns ERROR_GPU_IS_LOST.
func (n *Node) Lose(gpu int) { n.GPUs[gpu].lost = true }

// NewMissingLibrary is a host without libnvidia-ml.so.1: Init fails and
// every other function is unset, so calling one panics (the real library
// would abort the process).
func NewMissingLibrary() *mock.Interface {
	return &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
}

var (
	gpuUtil    = []uint32{97, 88, 0, 45, 63, 12, 0, 0}
	memUtil    = []uint32{61, 40, 0, 20, 33, 5, 0, 0}
	powerMW    = []uint32{612_000, 580_000, 71_000, 699_500, 455_000, 210_000, 300_000, 250_000}
	tempC      = []uint32{71, 68, 33, 75, 0, 45, 50, 48}
	smClockMHz = []uint32{1980, 1980, 345, 1755, 1980, 1410, 1980, 1980}
	usedBytes  = []uint64{74 * gib, 61 * gib, 0, 31 * gib, 21 * gib, 2 * gib, 0, 0}
	throttle   = []uint64{0, 0, 0x1, 0x4, 0, 0, 0, 0}
	processes  = map[int][]nvml.ProcessInfo{
		0: {{Pid: 4101, UsedGpuMemory: 70 * gib}, {Pid: 4188, UsedGpuMemory: 512 * mib}},
		1: {{Pid: 5120, UsedGpuMemory: 60 * gib}},
		3: {{Pid: 6001, UsedGpuMemory: 30 * gib}},
		4: {{Pid: 7001, UsedGpuMemory: 20 * gib}},
	}
	procUtil = map[int][]nvml.ProcessUtilizationSample{
		0: {{Pid: 4101, TimeStamp: 1_000, SmUtil: 95, MemUtil: 60}, {Pid: 4101, TimeStamp: 900, SmUtil: 10}, {Pid: 4188, TimeStamp: 1_000, SmUtil: 2, MemUtil: 1}},
		1: {{Pid: 5120, TimeStamp: 1_000, SmUtil: 88, MemUtil: 40, DecUtil: 7}},
	}
	migLayout = map[int][]struct {
		profile string
		gi      int
	}{
		6: {{"1g.10gb", 9}, {"1g.10gb", 10}, {"2g.20gb", 5}},
		7: {{"3g.40gb", 1}, {"4g.40gb", 2}},
	}
	migProcesses = map[string][]nvml.ProcessInfo{
		"6/0": {{Pid: 8101, UsedGpuMemory: 8 * gib}},
		"7/0": {{Pid: 8201, UsedGpuMemory: 30 * gib}, {Pid: 8202, UsedGpuMemory: 1 * gib}},
	}
)

func busID(i int) [32]int8 {
	var b [32]int8
	for j, c := range fmt.Sprintf("00000000:%02X:00.0", busIDs[i]) {
		b[j] = int8(c)
	}
	return b
}

func newGPU(n *Node, i int) *GPU {
	g := &GPU{Device: &mock.Device{}, Index: i, UUID: fmt.Sprintf("GPU-%08x-51a2-4c3d-8e4f-%012x", 0x6b3f0000+i, 0xd1e5+i)}
	d := g.Device
	// ret returns code unless the GPU fell off the bus.
	ret := func(code nvml.Return) nvml.Return {
		if g.lost {
			return nvml.ERROR_GPU_IS_LOST
		}
		return code
	}
	ok := func() nvml.Return { return ret(nvml.SUCCESS) }
	// quirky is the GPU answering NOT_SUPPORTED for optional fields.
	quirky := i == 5
	unsupportedOn5 := func() nvml.Return {
		if quirky {
			return ret(nvml.ERROR_NOT_SUPPORTED)
		}
		return ok()
	}
	mig := migLayout[i] != nil

	d.GetUUIDFunc = func() (string, nvml.Return) { return g.UUID, ok() }
	d.GetNameFunc = func() (string, nvml.Return) { return "NVIDIA H100 80GB HBM3", ok() }
	d.GetMinorNumberFunc = func() (int, nvml.Return) { return i, ok() }
	d.GetPciInfoFunc = func() (nvml.PciInfo, nvml.Return) { return nvml.PciInfo{BusId: busID(i)}, ok() }
	d.GetSerialFunc = func() (string, nvml.Return) { return fmt.Sprintf("165232200%04d", i), ok() }
	d.GetVbiosVersionFunc = func() (string, nvml.Return) { return "96.00.99.00.01", ok() }

	d.GetUtilizationRatesFunc = func() (nvml.Utilization, nvml.Return) {
		if mig {
			return nvml.Utilization{}, ret(nvml.ERROR_NOT_SUPPORTED) // as on real MIG-mode GPUs
		}
		return nvml.Utilization{Gpu: gpuUtil[i], Memory: memUtil[i]}, ok()
	}
	d.GetEncoderUtilizationFunc = func() (uint32, uint32, nvml.Return) { return 0, 167_000, unsupportedOn5() }
	d.GetDecoderUtilizationFunc = func() (uint32, uint32, nvml.Return) {
		if i == 1 {
			return 7, 167_000, ok()
		}
		return 0, 167_000, unsupportedOn5()
	}
	d.GetMemoryInfo_v2Func = func() (nvml.Memory_v2, nvml.Return) {
		used := usedBytes[i]
		if mig {
			used = 39 * gib
		}
		return nvml.Memory_v2{Total: totalBytes, Reserved: reserved, Used: used, Free: totalBytes - reserved - used}, ok()
	}
	d.GetPowerUsageFunc = func() (uint32, nvml.Return) { return powerMW[i], ok() }
	d.GetEnforcedPowerLimitFunc = func() (uint32, nvml.Return) { return 700_000, unsupportedOn5() }
	d.GetPowerManagementLimitFunc = func() (uint32, nvml.Return) { return 700_000, unsupportedOn5() }
	d.GetTotalEnergyConsumptionFunc = func() (uint64, nvml.Return) {
		return 1_000_000_000 + uint64(i)*12_345_678, unsupportedOn5()
	}
	d.GetTemperatureFunc = func(nvml.TemperatureSensors) (uint32, nvml.Return) {
		if i == 4 {
			return 0, ret(nvml.ERROR_UNKNOWN)
		}
		return tempC[i], ok()
	}
	d.GetTemperatureThresholdFunc = func(th nvml.TemperatureThresholds) (uint32, nvml.Return) {
		switch th {
		case nvml.TEMPERATURE_THRESHOLD_SHUTDOWN:
			return 92, ok()
		case nvml.TEMPERATURE_THRESHOLD_SLOWDOWN:
			return 89, ok()
		case nvml.TEMPERATURE_THRESHOLD_GPU_MAX:
			return 87, ok()
		case nvml.TEMPERATURE_THRESHOLD_MEM_MAX:
			return 95, ok()
		}
		return 0, ret(nvml.ERROR_INVALID_ARGUMENT)
	}
	d.GetClockInfoFunc = func(c nvml.ClockType) (uint32, nvml.Return) {
		switch c {
		case nvml.CLOCK_SM, nvml.CLOCK_GRAPHICS:
			return smClockMHz[i], ok()
		case nvml.CLOCK_MEM:
			return 2619, ok()
		case nvml.CLOCK_VIDEO:
			return 1755, ok()
		}
		return 0, ret(nvml.ERROR_INVALID_ARGUMENT)
	}
	d.GetCurrentClocksEventReasonsFunc = func() (uint64, nvml.Return) { return throttle[i], ok() }
	d.GetViolationStatusFunc = func(p nvml.PerfPolicyType) (nvml.ViolationTime, nvml.Return) {
		if p == nvml.PERF_POLICY_POWER && i == 3 {
			return nvml.ViolationTime{ReferenceTime: 1, ViolationTime: 42_500_000_000}, ok()
		}
		return nvml.ViolationTime{ReferenceTime: 1}, ok()
	}
	d.GetTotalEccErrorsFunc = func(t nvml.MemoryErrorType, _ nvml.EccCounterType) (uint64, nvml.Return) {
		if i == 3 && t == nvml.MEMORY_ERROR_TYPE_CORRECTED {
			return 2, ok()
		}
		return 0, unsupportedOn5()
	}
	d.GetPcieReplayCounterFunc = func() (int, nvml.Return) {
		if i == 3 {
			return 5, ok()
		}
		return 0, ok()
	}
	d.GetPcieThroughputFunc = func(c nvml.PcieUtilCounter) (uint32, nvml.Return) {
		if c == nvml.PCIE_UTIL_TX_BYTES {
			return uint32(1000 * (i + 1)), ok()
		}
		return uint32(2000 * (i + 1)), ok()
	}
	d.GetFieldValuesFunc = func(values []nvml.FieldValue) nvml.Return {
		if g.lost {
			return nvml.ERROR_GPU_IS_LOST
		}
		for k := range values {
			fv := &values[k]
			fv.NvmlReturn = uint32(nvml.SUCCESS)
			fv.ValueType = uint32(nvml.VALUE_TYPE_UNSIGNED_LONG_LONG)
			switch fv.FieldId {
			case nvml.FI_DEV_MEMORY_TEMP:
				if quirky {
					fv.NvmlReturn = uint32(nvml.ERROR_NOT_SUPPORTED)
					continue
				}
				fv.ValueType = uint32(nvml.VALUE_TYPE_UNSIGNED_INT)
				binary.LittleEndian.PutUint32(fv.Value[:], uint32(60+i))
			case nvml.FI_DEV_NVLINK_THROUGHPUT_DATA_TX:
				binary.LittleEndian.PutUint64(fv.Value[:], uint64(i)*1_000_000)
			case nvml.FI_DEV_NVLINK_THROUGHPUT_DATA_RX:
				binary.LittleEndian.PutUint64(fv.Value[:], uint64(i)*2_000_000)
			default: // PCIe byte counters and anything else
				fv.NvmlReturn = uint32(nvml.ERROR_NOT_SUPPORTED)
			}
		}
		return nvml.SUCCESS
	}
	d.GetRemappedRowsFunc = func() (int, int, bool, bool, nvml.Return) {
		if i == 3 {
			return 2, 0, false, false, ok()
		}
		return 0, 0, false, false, unsupportedOn5()
	}
	d.GetFanSpeedFunc = func() (uint32, nvml.Return) { return 0, ret(nvml.ERROR_NOT_SUPPORTED) }
	d.GetPerformanceStateFunc = func() (nvml.Pstates, nvml.Return) {
		if i == 2 {
			return nvml.PSTATE_8, ok()
		}
		return nvml.PSTATE_0, ok()
	}
	d.GetMigModeFunc = func() (int, int, nvml.Return) {
		if mig {
			return nvml.DEVICE_MIG_ENABLE, nvml.DEVICE_MIG_ENABLE, ok()
		}
		return nvml.DEVICE_MIG_DISABLE, nvml.DEVICE_MIG_DISABLE, ok()
	}
	d.GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) { return processes[i], ok() }
	d.GetProcessUtilizationFunc = func(last uint64) ([]nvml.ProcessUtilizationSample, nvml.Return) {
		if quirky {
			return nil, ret(nvml.ERROR_NOT_SUPPORTED)
		}
		var out []nvml.ProcessUtilizationSample
		for _, s := range procUtil[i] {
			if s.TimeStamp > last {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return nil, ret(nvml.ERROR_NOT_FOUND)
		}
		return out, ok()
	}
	d.RegisterEventsFunc = func(uint64, nvml.EventSet) nvml.Return { return unsupportedOn5() }

	// MIG devices.
	var migs []*MIG
	for j, l := range migLayout[i] {
		m := &MIG{Device: &mock.Device{}, UUID: fmt.Sprintf("MIG-%08x-9b1c-5d2e-8f3a-%012x", 0x7c400000+i*16+j, 0xbeef+j), InstanceID: l.gi, Profile: l.profile}
		key := fmt.Sprintf("%d/%d", i, j)
		memTotal := uint64(9_856) * mib
		if l.profile != "1g.10gb" {
			memTotal = uint64(19_968) * mib
			if l.profile != "2g.20gb" {
				memTotal = uint64(40_192) * mib
			}
		}
		m.GetUUIDFunc = func() (string, nvml.Return) { return m.UUID, ok() }
		m.GetGpuInstanceIdFunc = func() (int, nvml.Return) { return m.InstanceID, ok() }
		m.GetNameFunc = func() (string, nvml.Return) { return "NVIDIA H100 80GB HBM3 MIG " + m.Profile, ok() }
		m.GetMemoryInfoFunc = func() (nvml.Memory, nvml.Return) {
			var used uint64
			for _, p := range migProcesses[key] {
				used += p.UsedGpuMemory
			}
			used += 13 * mib // context overhead
			return nvml.Memory{Total: memTotal, Used: used, Free: memTotal - used}, ok()
		}
		m.GetComputeRunningProcessesFunc = func() ([]nvml.ProcessInfo, nvml.Return) { return migProcesses[key], ok() }
		m.GetProcessUtilizationFunc = func(uint64) ([]nvml.ProcessUtilizationSample, nvml.Return) {
			return nil, ret(nvml.ERROR_NOT_SUPPORTED)
		}
		migs = append(migs, m)
	}
	n.MIGs[i] = migs
	d.GetMaxMigDeviceCountFunc = func() (int, nvml.Return) {
		if mig {
			return 7, ok()
		}
		return 0, ok()
	}
	d.GetMigDeviceHandleByIndexFunc = func(j int) (nvml.Device, nvml.Return) {
		if j < len(migs) {
			return migs[j], ok()
		}
		return nil, ret(nvml.ERROR_NOT_FOUND)
	}
	return g
}
