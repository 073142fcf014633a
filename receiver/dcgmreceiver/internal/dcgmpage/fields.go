package dcgmpage

import (
	"maps"
	"slices"

	gs "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
)

// setter stores one sample value, already in the source's unit, into a device.
type setter func(d *gs.Device, v float64)

// fields maps the DCGM field names dcgm-exporter uses as metric names to the
// schema. Both name sets are listed: the long-standing ones (DCGM_FI_DEV_*,
// DCGM_FI_PROF_*, in MHz, MiB, mJ, percent) and the DCGM 4.7 names with SI
// units that dcgm-exporter 4.9 switched to (…_HERTZ, …_BYTES, …_CELSIUS,
// …_WATTS, …_JOULES_TOTAL, …_RATIO). A field not listed here is passed
// through as dcgm.<lower-case name without DCGM_FI_>.
var fields = map[string]setter{
	// Clocks.
	"DCGM_FI_DEV_SM_CLOCK":           clockMHz(gs.ClockSM),
	"DCGM_FI_DEV_SM_CLOCK_HERTZ":     clockHz(gs.ClockSM),
	"DCGM_FI_DEV_MEM_CLOCK":          clockMHz(gs.ClockMemory),
	"DCGM_FI_DEV_MEMORY_CLOCK_HERTZ": clockHz(gs.ClockMemory),
	"DCGM_FI_DEV_VIDEO_CLOCK":        clockMHz(gs.ClockVideo),
	"DCGM_FI_DEV_VIDEO_CLOCK_HERTZ":  clockHz(gs.ClockVideo),

	// Temperatures and their limits, degrees Celsius in both name sets.
	"DCGM_FI_DEV_GPU_TEMP":            temperature(gs.SensorGPU),
	"DCGM_FI_DEV_GPU_TEMP_CELSIUS":    temperature(gs.SensorGPU),
	"DCGM_FI_DEV_MEMORY_TEMP":         temperature(gs.SensorMemory),
	"DCGM_FI_DEV_MEMORY_TEMP_CELSIUS": temperature(gs.SensorMemory),
	"DCGM_FI_DEV_SLOWDOWN_TEMP":       tempLimit(gs.SensorGPU, gs.TempLimitThrottled),
	"DCGM_FI_DEV_SHUTDOWN_TEMP":       tempLimit(gs.SensorGPU, gs.TempLimitCritical),
	"DCGM_FI_DEV_GPU_MAX_OP_TEMP":     tempLimit(gs.SensorGPU, gs.TempLimitMax),
	"DCGM_FI_DEV_MEM_MAX_OP_TEMP":     tempLimit(gs.SensorMemory, gs.TempLimitMax),

	// Power and energy.
	"DCGM_FI_DEV_POWER_USAGE":              func(d *gs.Device, v float64) { d.Power = gs.F(v) },
	"DCGM_FI_DEV_BOARD_POWER_WATTS":        func(d *gs.Device, v float64) { d.Power = gs.F(v) },
	"DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": func(d *gs.Device, v float64) { d.Energy = gs.F(gs.MilliToUnit(v)) },
	"DCGM_FI_DEV_GPU_ENERGY_JOULES_TOTAL":  func(d *gs.Device, v float64) { d.Energy = gs.F(v) },
	"DCGM_FI_DEV_POWER_MGMT_LIMIT":         powerLimit(gs.PowerLimitManagement),
	"DCGM_FI_DEV_ENFORCED_POWER_LIMIT":     powerLimit(gs.PowerLimitEnforced),

	// Utilization: percent in the old names, ratio in the new ones.
	"DCGM_FI_DEV_GPU_UTIL":          utilPercent(gs.TaskGeneral),
	"DCGM_FI_DEV_GPU_UTIL_RATIO":    utilRatio(gs.TaskGeneral),
	"DCGM_FI_DEV_MEM_COPY_UTIL":     utilPercent(gs.TaskMemoryCopy),
	"DCGM_FI_DEV_MEMORY_UTIL_RATIO": utilRatio(gs.TaskMemoryCopy),
	"DCGM_FI_DEV_ENC_UTIL":          utilPercent(gs.TaskEncoder),
	"DCGM_FI_DEV_ENC_UTIL_RATIO":    utilRatio(gs.TaskEncoder),
	"DCGM_FI_DEV_DEC_UTIL":          utilPercent(gs.TaskDecoder),
	"DCGM_FI_DEV_DEC_UTIL_RATIO":    utilRatio(gs.TaskDecoder),

	// Framebuffer: MiB in the old names, bytes in the new ones.
	"DCGM_FI_DEV_FB_TOTAL":          func(d *gs.Device, v float64) { d.MemoryLimit = gs.I(gs.MiBToBytes(v)) },
	"DCGM_FI_DEV_FB_CAPACITY_BYTES": func(d *gs.Device, v float64) { d.MemoryLimit = gs.I(int64(v)) },
	"DCGM_FI_DEV_FB_FREE":           func(d *gs.Device, v float64) { d.MemoryFree = gs.I(gs.MiBToBytes(v)) },
	"DCGM_FI_DEV_FB_FREE_BYTES":     func(d *gs.Device, v float64) { d.MemoryFree = gs.I(int64(v)) },
	"DCGM_FI_DEV_FB_USED":           func(d *gs.Device, v float64) { d.MemoryUsed = gs.I(gs.MiBToBytes(v)) },
	"DCGM_FI_DEV_FB_USED_BYTES":     func(d *gs.Device, v float64) { d.MemoryUsed = gs.I(int64(v)) },
	"DCGM_FI_DEV_FB_RESERVED":       func(d *gs.Device, v float64) { d.MemoryReserved = gs.I(gs.MiBToBytes(v)) },
	"DCGM_FI_DEV_FB_RESERVED_BYTES": func(d *gs.Device, v float64) { d.MemoryReserved = gs.I(int64(v)) },
	// DCGM documents this field as Used/(Total-Reserved) in the range 0.0-1.0
	// despite its name.
	"DCGM_FI_DEV_FB_USED_PERCENT": func(d *gs.Device, v float64) { d.MemoryUtilization = gs.F(v) },

	// Errors.
	"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL":   errorCount(gs.ErrorECCCorrected),
	"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL":   errorCount(gs.ErrorECCUncorrected),
	"DCGM_FI_DEV_PCIE_REPLAY_COUNTER": errorCount(gs.ErrorPCIeReplay),
	"DCGM_FI_DEV_PCIE_REPLAY_TOTAL":   errorCount(gs.ErrorPCIeReplay),
	"DCGM_FI_DEV_XID_ERRORS":          func(d *gs.Device, v float64) { d.XIDLast = gs.I(int64(v)) },
	"DCGM_FI_DEV_XID_ERROR":           func(d *gs.Device, v float64) { d.XIDLast = gs.I(int64(v)) },

	// Row remapping.
	"DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS":     func(d *gs.Device, v float64) { d.RemappedRowsCorrected = gs.I(int64(v)) },
	"DCGM_FI_DEV_ROW_REMAP_CORRECTABLE_TOTAL":   func(d *gs.Device, v float64) { d.RemappedRowsCorrected = gs.I(int64(v)) },
	"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS":   func(d *gs.Device, v float64) { d.RemappedRowsUncorrected = gs.I(int64(v)) },
	"DCGM_FI_DEV_ROW_REMAP_UNCORRECTABLE_TOTAL": func(d *gs.Device, v float64) { d.RemappedRowsUncorrected = gs.I(int64(v)) },
	"DCGM_FI_DEV_ROW_REMAP_FAILURE":             func(d *gs.Device, v float64) { d.RowRemapFailed = gs.I(int64(v)) },
	"DCGM_FI_DEV_ROW_REMAP_FAILED":              func(d *gs.Device, v float64) { d.RowRemapFailed = gs.I(int64(v)) },
	"DCGM_FI_DEV_ROW_REMAP_PENDING":             func(d *gs.Device, v float64) { d.RowRemapPending = gs.I(int64(v)) },

	// PCIe and NVLink. PROF_*_BYTES and DEV_PCIE_*_THROUGHPUT are rates;
	// PROF_PCIE_*_BYTES_TOTAL (DCGM 4.6+) are byte counters.
	"DCGM_FI_PROF_PCIE_RX_BYTES":                     throughput(gs.LinkPCIe, gs.DirectionReceive, 1),
	"DCGM_FI_PROF_PCIE_TX_BYTES":                     throughput(gs.LinkPCIe, gs.DirectionTransmit, 1),
	"DCGM_FI_DEV_PCIE_RX_THROUGHPUT":                 throughput(gs.LinkPCIe, gs.DirectionReceive, 1<<10),
	"DCGM_FI_DEV_PCIE_TX_THROUGHPUT":                 throughput(gs.LinkPCIe, gs.DirectionTransmit, 1<<10),
	"DCGM_FI_PROF_PCIE_RX_BYTES_TOTAL":               ioCounter(gs.LinkPCIe, gs.DirectionReceive),
	"DCGM_FI_PROF_PCIE_TX_BYTES_TOTAL":               ioCounter(gs.LinkPCIe, gs.DirectionTransmit),
	"DCGM_FI_PROF_NVLINK_RX_BYTES":                   throughput(gs.LinkNVLink, gs.DirectionReceive, 1),
	"DCGM_FI_PROF_NVLINK_TX_BYTES":                   throughput(gs.LinkNVLink, gs.DirectionTransmit, 1),
	"DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL":             throughput(gs.LinkNVLink, gs.DirectionTotal, 1e6),
	"DCGM_FI_DEV_NVLINK_THROUGHPUT_TOTAL":            throughput(gs.LinkNVLink, gs.DirectionTotal, 1e6),
	"DCGM_FI_DEV_NVLINK_THROUGHPUT_BYTES_PER_SECOND": throughput(gs.LinkNVLink, gs.DirectionTotal, 1),

	// Profiling (DCP) activity ratios.
	"DCGM_FI_PROF_GR_ENGINE_ACTIVE":        activity(gs.EngineGraphics),
	"DCGM_FI_PROF_GR_ENGINE_UTIL_RATIO":    activity(gs.EngineGraphics),
	"DCGM_FI_PROF_SM_ACTIVE":               activity(gs.EngineSM),
	"DCGM_FI_PROF_SM_UTIL_RATIO":           activity(gs.EngineSM),
	"DCGM_FI_PROF_SM_OCCUPANCY":            activity(gs.EngineSMOccupancy),
	"DCGM_FI_PROF_SM_OCCUPANCY_RATIO":      activity(gs.EngineSMOccupancy),
	"DCGM_FI_PROF_PIPE_TENSOR_ACTIVE":      activity(gs.EngineTensor),
	"DCGM_FI_PROF_TENSOR_UTIL_RATIO":       activity(gs.EngineTensor),
	"DCGM_FI_PROF_PIPE_TENSOR_HMMA_ACTIVE": activity(gs.EngineTensorHMMA),
	"DCGM_FI_PROF_PIPE_TENSOR_IMMA_ACTIVE": activity(gs.EngineTensorIMMA),
	"DCGM_FI_PROF_PIPE_TENSOR_DFMA_ACTIVE": activity(gs.EngineTensorDFMA),
	"DCGM_FI_PROF_DRAM_ACTIVE":             activity(gs.EngineDRAM),
	"DCGM_FI_PROF_DRAM_UTIL_RATIO":         activity(gs.EngineDRAM),
	"DCGM_FI_PROF_PIPE_FP64_ACTIVE":        activity(gs.EngineFP64),
	"DCGM_FI_PROF_FP64_UTIL_RATIO":         activity(gs.EngineFP64),
	"DCGM_FI_PROF_PIPE_FP32_ACTIVE":        activity(gs.EngineFP32),
	"DCGM_FI_PROF_FP32_UTIL_RATIO":         activity(gs.EngineFP32),
	"DCGM_FI_PROF_PIPE_FP16_ACTIVE":        activity(gs.EngineFP16),

	// Clock throttling: the reason bit mask and the violation counters
	// (nanoseconds in the old names, seconds in the DCGM 4.7 names).
	"DCGM_FI_DEV_CLOCK_THROTTLE_REASONS":             func(d *gs.Device, v float64) { d.ThrottleReasons = gs.I(int64(v)) },
	"DCGM_FI_DEV_CLOCKS_EVENT_REASONS":               func(d *gs.Device, v float64) { d.ThrottleReasons = gs.I(int64(v)) },
	"DCGM_FI_DEV_POWER_VIOLATION":                    throttleNanos(gs.ThrottleTimePower),
	"DCGM_FI_DEV_THERMAL_VIOLATION":                  throttleNanos(gs.ThrottleTimeThermal),
	"DCGM_FI_DEV_SYNC_BOOST_VIOLATION":               throttleNanos(gs.ThrottleTimeSyncBoost),
	"DCGM_FI_DEV_BOARD_LIMIT_VIOLATION":              throttleNanos(gs.ThrottleTimeBoardLimit),
	"DCGM_FI_DEV_LOW_UTIL_VIOLATION":                 throttleNanos(gs.ThrottleTimeLowUtilization),
	"DCGM_FI_DEV_RELIABILITY_VIOLATION":              throttleNanos(gs.ThrottleTimeReliability),
	"DCGM_FI_DEV_TOTAL_APP_CLOCKS_VIOLATION":         throttleNanos(gs.ThrottleTimeApplicationsClocks),
	"DCGM_FI_DEV_TOTAL_BASE_CLOCKS_VIOLATION":        throttleNanos(gs.ThrottleTimeBaseClocks),
	"DCGM_FI_DEV_GPU_POWER_THROTTLE_SECONDS_TOTAL":   throttleSeconds(gs.ThrottleTimePower),
	"DCGM_FI_DEV_GPU_THERMAL_THROTTLE_SECONDS_TOTAL": throttleSeconds(gs.ThrottleTimeThermal),

	// Miscellaneous.
	"DCGM_FI_DEV_FAN_SPEED":       func(d *gs.Device, v float64) { d.FanSpeed = gs.F(gs.PercentToRatio(v)) },
	"DCGM_FI_DEV_FAN_SPEED_RATIO": func(d *gs.Device, v float64) { d.FanSpeed = gs.F(v) },
	"DCGM_FI_DEV_PSTATE":          func(d *gs.Device, v float64) { d.PerformanceState = gs.I(int64(v)) },
	"DCGM_FI_DEV_MIG_MODE":        func(d *gs.Device, v float64) { d.MIGMode = gs.I(int64(v)) },
}

func clockMHz(c gs.Clock) setter {
	return func(d *gs.Device, v float64) { d.Clock[c] = gs.I(gs.MHzToHz(v)) }
}

func clockHz(c gs.Clock) setter {
	return func(d *gs.Device, v float64) { d.Clock[c] = gs.I(int64(v)) }
}

func temperature(s gs.Sensor) setter {
	return func(d *gs.Device, v float64) { d.Temperature[s] = gs.F(v) }
}

func tempLimit(s gs.Sensor, l gs.TempLimit) setter {
	return func(d *gs.Device, v float64) { d.TemperatureLimit[s][l] = gs.F(v) }
}

func powerLimit(l gs.PowerLimit) setter {
	return func(d *gs.Device, v float64) { d.PowerLimit[l] = gs.F(v) }
}

func utilPercent(t gs.Task) setter {
	return func(d *gs.Device, v float64) { d.Utilization[t] = gs.F(gs.PercentToRatio(v)) }
}

func utilRatio(t gs.Task) setter {
	return func(d *gs.Device, v float64) { d.Utilization[t] = gs.F(v) }
}

func errorCount(e gs.ErrorType) setter {
	return func(d *gs.Device, v float64) { d.Errors[e] = gs.I(int64(v)) }
}

func throughput(l gs.Link, dir gs.Direction, bytesPerUnit float64) setter {
	return func(d *gs.Device, v float64) { d.IOThroughput[l][dir] = gs.F(v * bytesPerUnit) }
}

func ioCounter(l gs.Link, dir gs.Direction) setter {
	return func(d *gs.Device, v float64) { d.IO[l][dir] = gs.I(int64(v)) }
}

func activity(e gs.Engine) setter {
	return func(d *gs.Device, v float64) { d.Activity[e] = gs.F(v) }
}

func throttleNanos(t gs.ThrottleTime) setter {
	return func(d *gs.Device, v float64) { d.ThrottleTime[t] = gs.F(gs.NanosToSeconds(v)) }
}

func throttleSeconds(t gs.ThrottleTime) setter {
	return func(d *gs.Device, v float64) { d.ThrottleTime[t] = gs.F(v) }
}

// FieldNames returns every DCGM field name the schema maps, sorted.
func FieldNames() []string { return slices.Sorted(maps.Keys(fields)) }
