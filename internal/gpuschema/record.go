package gpuschema

import "go.opentelemetry.io/collector/pdata/pcommon"

// Recorder is the part of an mdatagen MetricsBuilder generated from
// metrics.yaml. Both GPU receivers' builders satisfy it; their tests assert it.
type Recorder interface {
	RecordHwEnergyDataPoint(ts pcommon.Timestamp, val float64)
	RecordHwErrorsDataPoint(ts pcommon.Timestamp, val int64, errorType string)
	RecordHwGpuActivityDataPoint(ts pcommon.Timestamp, val float64, engine string)
	RecordHwGpuClockFrequencyDataPoint(ts pcommon.Timestamp, val int64, clock string)
	RecordHwGpuClockThrottleDataPoint(ts pcommon.Timestamp, val int64, reason string)
	RecordHwGpuClockThrottleTimeDataPoint(ts pcommon.Timestamp, val float64, reason string)
	RecordHwGpuFanSpeedRatioDataPoint(ts pcommon.Timestamp, val float64)
	RecordHwGpuIoDataPoint(ts pcommon.Timestamp, val int64, link, direction string)
	RecordHwGpuIoThroughputDataPoint(ts pcommon.Timestamp, val float64, link, direction string)
	RecordHwGpuMemoryFreeDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuMemoryLimitDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuMemoryRemappedRowsDataPoint(ts pcommon.Timestamp, val int64, errorType string)
	RecordHwGpuMemoryReservedDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuMemoryRowRemapFailedDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuMemoryRowRemapPendingDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuMemoryUsageDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuMemoryUtilizationDataPoint(ts pcommon.Timestamp, val float64)
	RecordHwGpuMigModeDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuPerformanceStateDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwGpuPowerLimitDataPoint(ts pcommon.Timestamp, val float64, limitType string)
	RecordHwGpuProcessMemoryUsageDataPoint(ts pcommon.Timestamp, val int64, pid int64)
	RecordHwGpuProcessUtilizationDataPoint(ts pcommon.Timestamp, val float64, pid int64, task string)
	RecordHwGpuUtilizationDataPoint(ts pcommon.Timestamp, val float64, task string)
	RecordHwGpuXidLastDataPoint(ts pcommon.Timestamp, val int64)
	RecordHwPowerDataPoint(ts pcommon.Timestamp, val float64)
	RecordHwTemperatureDataPoint(ts pcommon.Timestamp, val float64, sensor string)
	RecordHwTemperatureLimitDataPoint(ts pcommon.Timestamp, val float64, sensor, limitType string)
}

// ResourceBuilder is the mdatagen ResourceBuilder generated from the
// resource_attributes of metrics.yaml.
type ResourceBuilder interface {
	SetHostName(string)
	SetHwDriverVersion(string)
	SetHwFirmwareVersion(string)
	SetHwGpuIndex(int64)
	SetHwGpuMigInstanceID(int64)
	SetHwGpuMigProfile(string)
	SetHwGpuMigUUID(string)
	SetHwGpuPciBusID(string)
	SetHwID(string)
	SetHwModel(string)
	SetHwName(string)
	SetHwSerialNumber(string)
	SetHwType(string)
	SetHwVendor(string)
	SetK8sContainerName(string)
	SetK8sNamespaceName(string)
	SetK8sPodName(string)
	Emit() pcommon.Resource
}

// Record records every reading of d into rec at ts and returns the resource
// the data points belong to, built with rb (which Emit resets, so one builder
// serves every device). The caller emits the recorded points for that
// resource (MetricsBuilder.EmitForResource(WithResource(res))).
func Record(rec Recorder, rb ResourceBuilder, ts pcommon.Timestamp, d *Device) pcommon.Resource {
	d.complete()
	res := buildResource(rb, &d.Identity)

	for t := range NumTasks {
		if v := d.Utilization[t]; v.OK {
			rec.RecordHwGpuUtilizationDataPoint(ts, v.V, t.String())
		}
	}
	if d.MemoryUsed.OK {
		rec.RecordHwGpuMemoryUsageDataPoint(ts, d.MemoryUsed.V)
	}
	if d.MemoryLimit.OK {
		rec.RecordHwGpuMemoryLimitDataPoint(ts, d.MemoryLimit.V)
	}
	if d.MemoryFree.OK {
		rec.RecordHwGpuMemoryFreeDataPoint(ts, d.MemoryFree.V)
	}
	if d.MemoryReserved.OK {
		rec.RecordHwGpuMemoryReservedDataPoint(ts, d.MemoryReserved.V)
	}
	if d.MemoryUtilization.OK {
		rec.RecordHwGpuMemoryUtilizationDataPoint(ts, d.MemoryUtilization.V)
	}
	if d.Power.OK {
		rec.RecordHwPowerDataPoint(ts, d.Power.V)
	}
	for l := range NumPowerLimits {
		if v := d.PowerLimit[l]; v.OK {
			rec.RecordHwGpuPowerLimitDataPoint(ts, v.V, l.String())
		}
	}
	if d.Energy.OK {
		rec.RecordHwEnergyDataPoint(ts, d.Energy.V)
	}
	for s := range NumSensors {
		if v := d.Temperature[s]; v.OK {
			rec.RecordHwTemperatureDataPoint(ts, v.V, s.String())
		}
		for l := range NumTempLimits {
			if v := d.TemperatureLimit[s][l]; v.OK {
				rec.RecordHwTemperatureLimitDataPoint(ts, v.V, s.String(), l.String())
			}
		}
	}
	for c := range NumClocks {
		if v := d.Clock[c]; v.OK {
			rec.RecordHwGpuClockFrequencyDataPoint(ts, v.V, c.String())
		}
	}
	if d.ThrottleReasons.OK {
		mask := uint64(d.ThrottleReasons.V)
		for _, r := range ThrottleReasons {
			var active int64
			if mask&r.Bit != 0 {
				active = 1
			}
			rec.RecordHwGpuClockThrottleDataPoint(ts, active, r.Name)
		}
	}
	for t := range NumThrottleTimes {
		if v := d.ThrottleTime[t]; v.OK {
			rec.RecordHwGpuClockThrottleTimeDataPoint(ts, v.V, t.String())
		}
	}
	for e := range NumErrorTypes {
		if v := d.Errors[e]; v.OK {
			rec.RecordHwErrorsDataPoint(ts, v.V, e.String())
		}
	}
	if d.XIDLast.OK {
		rec.RecordHwGpuXidLastDataPoint(ts, d.XIDLast.V)
	}
	if d.RemappedRowsCorrected.OK {
		rec.RecordHwGpuMemoryRemappedRowsDataPoint(ts, d.RemappedRowsCorrected.V, ErrorECCCorrected.String())
	}
	if d.RemappedRowsUncorrected.OK {
		rec.RecordHwGpuMemoryRemappedRowsDataPoint(ts, d.RemappedRowsUncorrected.V, ErrorECCUncorrected.String())
	}
	if d.RowRemapPending.OK {
		rec.RecordHwGpuMemoryRowRemapPendingDataPoint(ts, d.RowRemapPending.V)
	}
	if d.RowRemapFailed.OK {
		rec.RecordHwGpuMemoryRowRemapFailedDataPoint(ts, d.RowRemapFailed.V)
	}
	for l := range NumLinks {
		for dir := DirectionReceive; dir <= DirectionTransmit; dir++ {
			if v := d.IO[l][dir]; v.OK {
				rec.RecordHwGpuIoDataPoint(ts, v.V, l.String(), dir.String())
			}
		}
		for dir := range NumDirections {
			if v := d.IOThroughput[l][dir]; v.OK {
				rec.RecordHwGpuIoThroughputDataPoint(ts, v.V, l.String(), dir.String())
			}
		}
	}
	for e := range NumEngines {
		if v := d.Activity[e]; v.OK {
			rec.RecordHwGpuActivityDataPoint(ts, v.V, e.String())
		}
	}
	if d.FanSpeed.OK {
		rec.RecordHwGpuFanSpeedRatioDataPoint(ts, d.FanSpeed.V)
	}
	if d.PerformanceState.OK {
		rec.RecordHwGpuPerformanceStateDataPoint(ts, d.PerformanceState.V)
	}
	if d.MIGMode.OK {
		rec.RecordHwGpuMigModeDataPoint(ts, d.MIGMode.V)
	}
	for i := range d.Processes {
		p := &d.Processes[i]
		if p.MemoryUsed.OK {
			rec.RecordHwGpuProcessMemoryUsageDataPoint(ts, p.MemoryUsed.V, p.PID)
		}
		for t := range NumTasks {
			if v := p.Utilization[t]; v.OK {
				rec.RecordHwGpuProcessUtilizationDataPoint(ts, v.V, p.PID, t.String())
			}
		}
	}
	return res
}

// complete derives what the schema defines in terms of other readings when
// the source did not report it directly.
func (d *Device) complete() {
	if !d.MemoryLimit.OK && d.MemoryUsed.OK && d.MemoryFree.OK {
		d.MemoryLimit = I(d.MemoryUsed.V + d.MemoryFree.V + d.MemoryReserved.V)
	}
	if !d.MemoryUtilization.OK && d.MemoryUsed.OK && d.MemoryLimit.OK && d.MemoryLimit.V > 0 {
		d.MemoryUtilization = F(float64(d.MemoryUsed.V) / float64(d.MemoryLimit.V))
	}
}

func buildResource(rb ResourceBuilder, id *Identity) pcommon.Resource {
	rb.SetHwType("gpu")
	setStr(rb.SetHwID, id.UUID)
	if id.Index.OK {
		rb.SetHwGpuIndex(id.Index.V)
	}
	setStr(rb.SetHwName, id.Name)
	setStr(rb.SetHwModel, id.Model)
	setStr(rb.SetHwVendor, id.Vendor)
	setStr(rb.SetHwDriverVersion, id.DriverVersion)
	setStr(rb.SetHwFirmwareVersion, id.FirmwareVersion)
	setStr(rb.SetHwSerialNumber, id.SerialNumber)
	setStr(rb.SetHwGpuPciBusID, id.PCIBusID)
	setStr(rb.SetHostName, id.HostName)
	if id.MIG.InstanceID.OK {
		rb.SetHwGpuMigInstanceID(id.MIG.InstanceID.V)
	}
	setStr(rb.SetHwGpuMigProfile, id.MIG.Profile)
	setStr(rb.SetHwGpuMigUUID, id.MIG.UUID)
	setStr(rb.SetK8sPodName, id.Pod.Name)
	setStr(rb.SetK8sNamespaceName, id.Pod.Namespace)
	setStr(rb.SetK8sContainerName, id.Pod.Container)
	res := rb.Emit()
	if len(id.Extra) > 0 {
		attrs := res.Attributes()
		for _, a := range id.Extra {
			attrs.PutStr(a.Key, a.Value)
		}
	}
	return res
}

func setStr(set func(string), v string) {
	if v != "" {
		set(v)
	}
}
