package gpuschema

import "github.com/otelcol-ai/otelcol-ai/internal/gpupod"

// Float is an optional reading: OK is false when the source did not report it
// (not exported, NOT_SUPPORTED, failed), and nothing is recorded then.
type Float struct {
	V  float64
	OK bool
}

// Int is an optional integer reading.
type Int struct {
	V  int64
	OK bool
}

// F returns a present Float.
func F(v float64) Float { return Float{V: v, OK: true} }

// I returns a present Int.
func I(v int64) Int { return Int{V: v, OK: true} }

// Task is the hw.gpu.task attribute.
type Task int

const (
	TaskGeneral Task = iota
	TaskEncoder
	TaskDecoder
	TaskMemoryCopy
	NumTasks
)

var taskNames = [NumTasks]string{"general", "encoder", "decoder", "memory_copy"}

func (t Task) String() string { return taskNames[t] }

// Clock is the hw.gpu.clock attribute.
type Clock int

const (
	ClockSM Clock = iota
	ClockMemory
	ClockGraphics
	ClockVideo
	NumClocks
)

var clockNames = [NumClocks]string{"sm", "memory", "graphics", "video"}

func (c Clock) String() string { return clockNames[c] }

// Sensor is the hw.sensor_location attribute.
type Sensor int

const (
	SensorGPU Sensor = iota
	SensorMemory
	NumSensors
)

var sensorNames = [NumSensors]string{"gpu", "memory"}

func (s Sensor) String() string { return sensorNames[s] }

// TempLimit is the hw.limit_type of a temperature limit.
type TempLimit int

const (
	TempLimitThrottled TempLimit = iota // slowdown threshold
	TempLimitCritical                   // shutdown threshold
	TempLimitMax                        // maximum operating temperature
	NumTempLimits
)

var tempLimitNames = [NumTempLimits]string{"throttled", "critical", "max"}

func (l TempLimit) String() string { return tempLimitNames[l] }

// PowerLimit is the hw.limit_type of a power limit.
type PowerLimit int

const (
	PowerLimitEnforced PowerLimit = iota
	PowerLimitManagement
	NumPowerLimits
)

var powerLimitNames = [NumPowerLimits]string{"enforced", "management"}

func (l PowerLimit) String() string { return powerLimitNames[l] }

// ErrorType is the error.type attribute of hw.errors.
type ErrorType int

const (
	ErrorECCCorrected ErrorType = iota
	ErrorECCUncorrected
	ErrorPCIeReplay
	ErrorXID
	NumErrorTypes
)

var errorNames = [NumErrorTypes]string{"ecc_corrected", "ecc_uncorrected", "pcie_replay", "xid"}

func (e ErrorType) String() string { return errorNames[e] }

// Link is the hw.gpu.link attribute.
type Link int

const (
	LinkPCIe Link = iota
	LinkNVLink
	NumLinks
)

var linkNames = [NumLinks]string{"pcie", "nvlink"}

func (l Link) String() string { return linkNames[l] }

// Direction is the network.io.direction attribute. DirectionTotal is only
// used by hw.gpu.io.throughput, for sources that report both directions
// together.
type Direction int

const (
	DirectionReceive Direction = iota
	DirectionTransmit
	DirectionTotal
	NumDirections
)

var directionNames = [NumDirections]string{"receive", "transmit", "total"}

func (d Direction) String() string { return directionNames[d] }

// Engine is the hw.gpu.engine attribute of hw.gpu.activity.
type Engine int

const (
	EngineGraphics Engine = iota
	EngineSM
	EngineSMOccupancy
	EngineTensor
	EngineTensorHMMA
	EngineTensorIMMA
	EngineTensorDFMA
	EngineDRAM
	EngineFP64
	EngineFP32
	EngineFP16
	NumEngines
)

var engineNames = [NumEngines]string{"graphics", "sm", "sm_occupancy", "tensor", "tensor_hmma", "tensor_imma", "tensor_dfma", "dram", "fp64", "fp32", "fp16"}

func (e Engine) String() string { return engineNames[e] }

// ThrottleTime is the hw.gpu.throttle_reason of hw.gpu.clock.throttle.time
// (NVML violation policies, DCGM *_VIOLATION fields).
type ThrottleTime int

const (
	ThrottleTimePower ThrottleTime = iota
	ThrottleTimeThermal
	ThrottleTimeSyncBoost
	ThrottleTimeBoardLimit
	ThrottleTimeLowUtilization
	ThrottleTimeReliability
	ThrottleTimeApplicationsClocks
	ThrottleTimeBaseClocks
	NumThrottleTimes
)

var throttleTimeNames = [NumThrottleTimes]string{"power", "thermal", "sync_boost", "board_limit", "low_utilization", "reliability", "applications_clocks", "base_clocks"}

func (t ThrottleTime) String() string { return throttleTimeNames[t] }

// ThrottleReasons are the bits of the clock event (throttle) reason mask,
// identical in NVML (nvmlClocksEventReason*) and DCGM
// (DCGM_CLOCKS_THROTTLE_REASON_*). Bits not listed are ignored.
var ThrottleReasons = []struct {
	Bit  uint64
	Name string
}{
	{0x1, "gpu_idle"},
	{0x2, "applications_clocks_setting"},
	{0x4, "sw_power_cap"},
	{0x8, "hw_slowdown"},
	{0x10, "sync_boost"},
	{0x20, "sw_thermal_slowdown"},
	{0x40, "hw_thermal_slowdown"},
	{0x80, "hw_power_brake_slowdown"},
	{0x100, "display_clock_setting"},
	{0x200, "board_limit"},
	{0x400, "reliability"},
}

// MIG identifies a MIG instance. The zero value means "not a MIG instance".
type MIG struct {
	InstanceID Int    // GPU instance ID (DCGM GPU_I_ID)
	Profile    string // e.g. 1g.10gb
	UUID       string // MIG-<uuid>, known to NVML only
}

// Attr is a resource attribute outside the schema (dcgm.* labels).
type Attr struct{ Key, Value string }

// Identity is what the resource of a Device says.
type Identity struct {
	UUID            string // hw.id: GPU-<uuid> of the physical GPU
	Index           Int    // hw.gpu.index
	Name            string // hw.name, e.g. nvidia0
	Model           string // hw.model
	Vendor          string // hw.vendor
	DriverVersion   string
	FirmwareVersion string
	SerialNumber    string
	PCIBusID        string
	HostName        string
	MIG             MIG
	Pod             gpupod.Pod
	// Extra resource attributes the source adds outside the schema, in order.
	Extra []Attr
}

// IsMIG reports whether the identity is a MIG instance.
func (id *Identity) IsMIG() bool { return id.MIG.InstanceID.OK || id.MIG.UUID != "" }

// DeviceID is the ID the kubelet's pod-resources API uses for this device:
// MIG-<uuid> for MIG instances (when known), GPU-<uuid> otherwise.
func (id *Identity) DeviceID() string {
	if id.IsMIG() {
		return id.MIG.UUID
	}
	return id.UUID
}

// Process is one process using a GPU.
type Process struct {
	PID         int64
	MemoryUsed  Int             // bytes
	Utilization [NumTasks]Float // ratio
}

// Device is one GPU or MIG instance at one scrape, in schema units (bytes,
// joules, watts, hertz, seconds, Celsius, ratios 0-1). Zero values are "not
// reported".
type Device struct {
	Identity

	Utilization       [NumTasks]Float
	MemoryUsed        Int
	MemoryLimit       Int
	MemoryFree        Int
	MemoryReserved    Int
	MemoryUtilization Float

	Power      Float
	PowerLimit [NumPowerLimits]Float
	Energy     Float

	Temperature      [NumSensors]Float
	TemperatureLimit [NumSensors][NumTempLimits]Float

	Clock           [NumClocks]Int
	ThrottleReasons Int // bit mask, see ThrottleReasons
	ThrottleTime    [NumThrottleTimes]Float

	Errors                  [NumErrorTypes]Int
	XIDLast                 Int
	RemappedRowsCorrected   Int
	RemappedRowsUncorrected Int
	RowRemapPending         Int
	RowRemapFailed          Int

	IO           [NumLinks][2]Int // receive, transmit
	IOThroughput [NumLinks][NumDirections]Float

	Activity         [NumEngines]Float
	FanSpeed         Float
	PerformanceState Int
	MIGMode          Int

	Processes []Process
}

// ApplyPod sets the pod of the device from resolver unless the source
// already named one.
func (d *Device) ApplyPod(resolver gpupod.Resolver) {
	if resolver == nil || d.Pod != (gpupod.Pod{}) {
		return
	}
	if id := d.DeviceID(); id != "" {
		if pod, ok := resolver.PodForDevice(id); ok {
			d.Pod = pod
		}
	}
}
