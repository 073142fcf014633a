// Package dcgmreceiver scrapes an NVIDIA dcgm-exporter endpoint and maps the
// DCGM fields it exports, in both the classic and the DCGM 4.7 SI name sets,
// to the otelcol-ai GPU schema (internal/gpuschema).
package dcgmreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver"
