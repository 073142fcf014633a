// Package nvmlreceiver reads every NVIDIA GPU on the host through NVML
// (github.com/NVIDIA/go-nvml) and emits the otelcol-ai GPU schema
// (internal/gpuschema). Without cgo or libnvidia-ml it degrades, never crashes.
package nvmlreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver"
