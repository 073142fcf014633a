package gpuschema

// Unit conversions from what NVML and DCGM report to the SI units of the
// schema. Each takes the source value as float64 (Prometheus samples are
// float64; NVML integers convert exactly within 2^53).

// MHzToHz converts megahertz to hertz.
func MHzToHz(mhz float64) int64 { return int64(mhz*1e6 + 0.5) }

// MilliToUnit converts milli-units (mJ, mW) to joules or watts.
func MilliToUnit(milli float64) float64 { return milli / 1e3 }

// PercentToRatio converts a percentage (0-100) to a ratio (0-1).
func PercentToRatio(pct float64) float64 { return pct / 100 }

// MiBToBytes converts mebibytes to bytes (DCGM framebuffer fields).
func MiBToBytes(mib float64) int64 { return int64(mib * (1 << 20)) }

// KiBToBytes converts kibibytes to bytes (NVML NVLink counters and PCIe
// throughput, which NVML documents as KB but counts in units of 1024).
func KiBToBytes(kib float64) float64 { return kib * (1 << 10) }

// MBToBytes converts decimal megabytes to bytes (DCGM's aggregate NVLink
// bandwidth field, which reports MB/s derived by dividing KiB/s by 1000).
func MBToBytes(mb float64) float64 { return mb * 1e6 }

// NanosToSeconds converts nanoseconds to seconds (NVML and DCGM violation
// counters).
func NanosToSeconds(ns float64) float64 { return ns / 1e9 }
