//go:build cgo

package nvmlsource

import (
	"slices"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gs "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource/nvmlfake"
)

var allOptions = Options{PCIeThroughput: true, ThrottleTime: true, Processes: true, ProcessUtilization: true}

func openNode(t *testing.T, node *nvmlfake.Node) Source {
	t.Helper()
	src := NewFromLibrary(node)
	info, err := src.Open(allOptions)
	require.NoError(t, err)
	assert.Equal(t, Info{DriverVersion: nvmlfake.DriverVersion, Devices: 8}, info)
	t.Cleanup(func() { require.NoError(t, src.Close()) })
	return src
}

func byUUID(res Result) map[string]gs.Device {
	out := map[string]gs.Device{}
	for _, d := range res.Devices {
		key := d.UUID
		if d.IsMIG() {
			key = d.MIG.UUID
		}
		out[key] = d
	}
	return out
}

func fields(errs []FieldError, device string) []string {
	var out []string
	for _, e := range errs {
		if e.Device == device {
			out = append(out, e.Field)
		}
	}
	slices.Sort(out)
	return out
}

func TestReadsEveryGPUAndMIGInstance(t *testing.T) {
	node := nvmlfake.NewH100Node()
	res := openNode(t, node).Read()
	require.Len(t, res.Devices, 8+5, "eight GPUs and five MIG instances")
	devs := byUUID(res)

	gpu0 := devs[node.GPUs[0].UUID]
	assert.Equal(t, gs.Identity{
		UUID: node.GPUs[0].UUID, Index: gs.I(0), Name: "nvidia0", Model: "NVIDIA H100 80GB HBM3", Vendor: "NVIDIA",
		DriverVersion: nvmlfake.DriverVersion, FirmwareVersion: "96.00.99.00.01", SerialNumber: "1652322000000",
		PCIBusID: "00000000:1A:00.0", HostName: gpu0.HostName,
	}, gpu0.Identity)
	assert.InDelta(t, 0.97, gpu0.Utilization[gs.TaskGeneral].V, 1e-12)
	assert.InDelta(t, 0.61, gpu0.Utilization[gs.TaskMemoryCopy].V, 1e-12)
	assert.Equal(t, gs.I(74<<30), gpu0.MemoryUsed)
	assert.Equal(t, gs.I(81559<<20), gpu0.MemoryLimit)
	assert.Equal(t, gs.I(544<<20), gpu0.MemoryReserved)
	assert.Equal(t, gs.F(612), gpu0.Power, "milliwatts to watts")
	assert.Equal(t, gs.F(700), gpu0.PowerLimit[gs.PowerLimitEnforced])
	assert.Equal(t, gs.F(1_000_000), gpu0.Energy, "millijoules to joules")
	assert.Equal(t, gs.F(71), gpu0.Temperature[gs.SensorGPU])
	assert.Equal(t, gs.F(60), gpu0.Temperature[gs.SensorMemory], "memory temperature from field values")
	assert.Equal(t, gs.F(89), gpu0.TemperatureLimit[gs.SensorGPU][gs.TempLimitThrottled])
	assert.Equal(t, gs.F(95), gpu0.TemperatureLimit[gs.SensorMemory][gs.TempLimitMax])
	assert.Equal(t, gs.I(1_980_000_000), gpu0.Clock[gs.ClockSM])
	assert.Equal(t, gs.I(0), gpu0.ThrottleReasons)
	assert.Equal(t, gs.F(1024*1000), gpu0.IOThroughput[gs.LinkPCIe][gs.DirectionTransmit])
	assert.False(t, gpu0.IO[gs.LinkPCIe][gs.DirectionTransmit].OK, "PCIe byte counters are not supported on H100")
	assert.Equal(t, gs.I(0), gpu0.Errors[gs.ErrorXID], "registered for XID events, none yet")
	assert.False(t, gpu0.FanSpeed.OK)
	assert.Equal(t, gs.I(0), gpu0.MIGMode)
	require.Len(t, gpu0.Processes, 2)
	assert.Equal(t, int64(4101), gpu0.Processes[0].PID)
	assert.Equal(t, gs.I(70<<30), gpu0.Processes[0].MemoryUsed)
	assert.Equal(t, gs.F(0.6), gpu0.Processes[0].Utilization[gs.TaskMemoryCopy])
	assert.Equal(t, gs.F(0.95), gpu0.Processes[0].Utilization[gs.TaskGeneral], "the latest sample of a process wins")
	assert.Equal(t, gs.F(0), gpu0.Processes[0].Utilization[gs.TaskEncoder])

	gpu1 := devs[node.GPUs[1].UUID]
	assert.Equal(t, gs.I(1_000_000*1024), gpu1.IO[gs.LinkNVLink][gs.DirectionTransmit], "NVLink KiB to bytes")
	assert.Equal(t, gs.F(0.07), gpu1.Utilization[gs.TaskDecoder])

	assert.Equal(t, gs.I(0x1), devs[node.GPUs[2].UUID].ThrottleReasons)
	assert.Equal(t, gs.I(8), devs[node.GPUs[2].UUID].PerformanceState)
	gpu3 := devs[node.GPUs[3].UUID]
	assert.Equal(t, gs.I(2), gpu3.Errors[gs.ErrorECCCorrected])
	assert.Equal(t, gs.I(5), gpu3.Errors[gs.ErrorPCIeReplay])
	assert.Equal(t, gs.I(2), gpu3.RemappedRowsCorrected)
	assert.Equal(t, gs.F(42.5), gpu3.ThrottleTime[gs.ThrottleTimePower])

	// GPU 4: one failing query, everything else present.
	gpu4 := devs[node.GPUs[4].UUID]
	assert.False(t, gpu4.Temperature[gs.SensorGPU].OK)
	assert.True(t, gpu4.Power.OK && gpu4.Utilization[gs.TaskGeneral].OK && gpu4.MemoryUsed.OK)
	assert.Equal(t, []string{"temperature"}, fields(res.Errors, node.GPUs[4].UUID))
	assert.Len(t, res.Errors, 1, "no other GPU failed a query")

	// GPU 5: NOT_SUPPORTED fields are absent and reported once.
	gpu5 := devs[node.GPUs[5].UUID]
	assert.False(t, gpu5.Energy.OK || gpu5.PowerLimit[gs.PowerLimitEnforced].OK || gpu5.Errors[gs.ErrorECCCorrected].OK || gpu5.RemappedRowsCorrected.OK)
	assert.False(t, gpu5.Errors[gs.ErrorXID].OK, "not registered for XID events")
	assert.True(t, gpu5.Power.OK && gpu5.Temperature[gs.SensorGPU].OK)
	assert.Equal(t, []string{
		"decoder_utilization", "ecc_corrected", "ecc_uncorrected", "encoder_utilization", "energy", "fan_speed",
		"memory_temperature", "pcie_rx_bytes", "pcie_tx_bytes", "power_limit_enforced",
		"power_limit_management", "process_utilization", "remapped_rows",
	}, fields(res.Unsupported, node.GPUs[5].UUID))

	// MIG: the GPU reports MIG mode and no processes; its instances carry
	// identity, memory and their processes.
	gpu6 := devs[node.GPUs[6].UUID]
	assert.Equal(t, gs.I(1), gpu6.MIGMode)
	assert.Empty(t, gpu6.Processes)
	assert.False(t, gpu6.Utilization[gs.TaskGeneral].OK, "utilization is not supported in MIG mode")
	mig := devs[node.MIGs[6][0].UUID]
	assert.Equal(t, gs.MIG{InstanceID: gs.I(9), Profile: "1g.10gb", UUID: node.MIGs[6][0].UUID}, mig.MIG)
	assert.Equal(t, node.GPUs[6].UUID, mig.UUID, "hw.id is the parent GPU")
	assert.Equal(t, gs.I(9856<<20), mig.MemoryLimit)
	assert.Equal(t, gs.I(8<<30+13<<20), mig.MemoryUsed)
	require.Len(t, mig.Processes, 1)
	assert.Equal(t, int64(8101), mig.Processes[0].PID)
	assert.Equal(t, "4g.40gb", devs[node.MIGs[7][1].UUID].MIG.Profile)
}

func TestUnsupportedQueriesAreNotRepeated(t *testing.T) {
	node := nvmlfake.NewH100Node()
	src := openNode(t, node)
	first := src.Read()
	second := src.Read()
	assert.NotEmpty(t, first.Unsupported)
	assert.Empty(t, second.Unsupported, "reported once")
	assert.Len(t, node.GPUs[5].GetFanSpeedCalls(), 1, "NOT_SUPPORTED queries are asked once")
	assert.Len(t, node.GPUs[5].GetTotalEnergyConsumptionCalls(), 1)
	assert.Len(t, node.GPUs[0].GetPowerUsageCalls(), 2)
	assert.Len(t, node.GPUs[0].GetTemperatureThresholdCalls(), 4, "thresholds are read once")
	assert.Len(t, second.Errors, 1, "the failing query keeps being asked and counted")
}

func TestProcessUtilizationOnlyReportsNewSamples(t *testing.T) {
	node := nvmlfake.NewH100Node()
	src := openNode(t, node)
	src.Read()
	gpu0 := byUUID(src.Read())[node.GPUs[0].UUID]
	require.Len(t, gpu0.Processes, 2, "processes still listed")
	assert.False(t, gpu0.Processes[0].Utilization[gs.TaskGeneral].OK, "no sample since the last read")
	assert.True(t, gpu0.Processes[0].MemoryUsed.OK)
}

func TestXIDEventsAreCounted(t *testing.T) {
	node := nvmlfake.NewH100Node()
	src := openNode(t, node)
	node.InjectXID(0, 79)
	node.InjectXID(0, 48)
	node.InjectXID(3, 13)
	devs := byUUID(src.Read())
	assert.Equal(t, gs.I(2), devs[node.GPUs[0].UUID].Errors[gs.ErrorXID])
	assert.Equal(t, gs.I(48), devs[node.GPUs[0].UUID].XIDLast)
	assert.Equal(t, gs.I(1), devs[node.GPUs[3].UUID].Errors[gs.ErrorXID])
	assert.Equal(t, gs.I(0), devs[node.GPUs[1].UUID].XIDLast)
	devs = byUUID(src.Read())
	assert.Equal(t, gs.I(2), devs[node.GPUs[0].UUID].Errors[gs.ErrorXID], "a cumulative count")
}

func TestALostGPUIsDroppedAndCounted(t *testing.T) {
	node := nvmlfake.NewH100Node()
	src := openNode(t, node)
	node.Lose(3)
	res := src.Read()
	assert.Len(t, res.Devices, 12)
	_, found := byUUID(res)[node.GPUs[3].UUID]
	assert.False(t, found)
	assert.Equal(t, []string{"device"}, fields(res.Errors, node.GPUs[3].UUID), "one error, not one per query")
	assert.Len(t, node.GPUs[3].GetEncoderUtilizationCalls(), 0, "querying stops at the first GPU_IS_LOST")
}

// A GPU NVML lists but cannot open is left out, and every read reports it,
// so that otelcol_nvml_field_errors{field="device"} shows it is missing.
func TestAGPUThatCannotBeOpenedIsReportedAtEveryRead(t *testing.T) {
	node := nvmlfake.NewH100Node()
	node.DeviceGetHandleByIndexFunc = func(i int) (nvml.Device, nvml.Return) {
		if i == 2 {
			return nil, nvml.ERROR_UNKNOWN
		}
		return node.GPUs[i], nvml.SUCCESS
	}
	node.GPUs[3].GetUUIDFunc = func() (string, nvml.Return) { return "", nvml.ERROR_UNKNOWN }
	src := NewFromLibrary(node)
	info, err := src.Open(allOptions)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, src.Close()) })
	assert.Equal(t, 6, info.Devices)
	for range 2 {
		res := src.Read()
		assert.Len(t, res.Devices, 6+5, "six GPUs and the five MIG instances")
		assert.Equal(t, []string{"device"}, fields(res.Errors, "2"))
		assert.Equal(t, []string{"device"}, fields(res.Errors, "3"))
		assert.Len(t, res.Errors, 3, "the two GPUs and GPU 4's temperature")
	}
}

// The real library aborts the process when called after a failed init; the
// mock panics (every function but Init is unset), so this test fails if any
// call slips through.
func TestMissingLibraryIsNeverCalledAfterInit(t *testing.T) {
	lib := nvmlfake.NewMissingLibrary()
	src := NewFromLibrary(lib)
	_, err := src.Open(allOptions)
	require.Error(t, err)
	assert.ErrorContains(t, err, "libnvidia-ml.so.1 not found")
	assert.ErrorContains(t, err, "ERROR_LIBRARY_NOT_FOUND")
	assert.Empty(t, src.Read().Devices)
	require.NoError(t, src.Close())
	_, err = src.Open(allOptions)
	require.Error(t, err, "a later Open tries again")
	assert.Len(t, lib.InitCalls(), 2)
}

func TestNoGPUShutsNVMLDown(t *testing.T) {
	node := nvmlfake.NewH100Node()
	node.DeviceGetCountFunc = func() (int, nvml.Return) { return 0, nvml.SUCCESS }
	src := NewFromLibrary(node)
	_, err := src.Open(allOptions)
	assert.ErrorIs(t, err, ErrNoDevices)
	assert.Len(t, node.ShutdownCalls(), 1)
	require.NoError(t, src.Close())
	assert.Len(t, node.ShutdownCalls(), 1, "not shut down twice")
}

func TestOptionsSkipCostlyQueries(t *testing.T) {
	node := nvmlfake.NewH100Node()
	src := NewFromLibrary(node)
	_, err := src.Open(Options{})
	require.NoError(t, err)
	defer src.Close()
	gpu0 := byUUID(src.Read())[node.GPUs[0].UUID]
	assert.Empty(t, gpu0.Processes)
	assert.False(t, gpu0.IOThroughput[gs.LinkPCIe][gs.DirectionTransmit].OK)
	assert.Empty(t, node.GPUs[0].GetPcieThroughputCalls())
	assert.Empty(t, node.GPUs[0].GetViolationStatusCalls())
	assert.Empty(t, node.GPUs[0].GetComputeRunningProcessesCalls())
}

func TestMIGProfileFromName(t *testing.T) {
	assert.Equal(t, "1g.10gb", migProfile("NVIDIA H100 80GB HBM3 MIG 1g.10gb"))
	assert.Equal(t, "3g.40gb", migProfile("NVIDIA A100-SXM4-80GB MIG 3g.40gb"))
	assert.Empty(t, migProfile("NVIDIA H100 80GB HBM3"))
}
