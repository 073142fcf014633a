// Package nvmlsource reads GPUs through NVML. The cgo-dependent code (go-nvml)
// is in nvml_cgo.go; without cgo New returns a Source whose Open always fails
// with ErrNoCgo, so the receiver builds, starts and degrades everywhere.
package nvmlsource // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource"

import (
	"errors"

	"github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
)

// ErrNoCgo is returned by Open in a collector built without cgo.
var ErrNoCgo = errors.New("this collector was built without cgo (CGO_ENABLED=0), which NVML needs; rebuild with dist.cgo_enabled: true")

// ErrNoDevices is returned by Open when NVML works but sees no GPU.
var ErrNoDevices = errors.New("NVML found no GPU on this host")

// Options select the queries that cost more than the others; the receiver
// turns them off when the metrics they feed are disabled.
type Options struct {
	// PCIeThroughput samples PCIe throughput, 20 ms per direction per GPU.
	PCIeThroughput bool
	// ThrottleTime reads the eight violation counters.
	ThrottleTime bool
	// Processes lists running compute processes and their memory.
	Processes bool
	// ProcessUtilization reads per-process utilization samples.
	ProcessUtilization bool
}

// Info describes the host once Open succeeded.
type Info struct {
	DriverVersion string
	Devices       int
}

// FieldError is a query that failed for one device.
type FieldError struct {
	Device string // UUID, or the index when the UUID is unknown
	Field  string // the query, e.g. "power", "temperature", "device"
	Err    error
}

// Result is one read of every GPU.
type Result struct {
	// Devices holds one sample per GPU and per MIG instance.
	Devices []gpuschema.Device
	// Errors are queries that failed this time; their fields are missing.
	Errors []FieldError
	// Unsupported are queries a device answered with NOT_SUPPORTED for the
	// first time; they are not asked again.
	Unsupported []FieldError
}

// Source is NVML as the scraper uses it.
type Source interface {
	// Open loads and initialises NVML. After an error nothing else but a
	// later Open may be called: go-nvml aborts the process when a function
	// is called without a successful init.
	Open(Options) (Info, error)
	// Read queries every GPU. Only after a successful Open.
	Read() Result
	// Close shuts NVML down. Only after a successful Open.
	Close() error
}
