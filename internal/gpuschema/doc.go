// Package gpuschema is the one GPU metric set of otelcol-ai, shared by the nvml
// and dcgm receivers so that the same fact has the same name, unit and
// attributes whichever source reports it.
//
// The schema exists once, in three forms kept in step by tests:
//
//   - metrics.yaml declares the resource attributes, attributes and metrics.
//     `go generate` (internal/compose) writes each receiver's metadata.yaml from
//     its metadata.header.yaml plus these sections, and mdatagen then generates
//     a MetricsBuilder per receiver. TestReceiverMetadataMatchesSharedSchema
//     fails when a metadata.yaml drifts from this source.
//   - Recorder and ResourceBuilder are the method sets both generated builders
//     share. Attributes are plain strings and ints (no mdatagen enums) so that
//     the signatures are identical; each receiver asserts at compile time that
//     its builder satisfies them.
//   - Device is the canonical sample of one GPU or MIG instance at one scrape,
//     in SI units. Receivers fill a Device from their source (converting with
//     the functions in units.go) and call Record, the only code that turns a
//     sample into data points.
//
// See README.md for the metric table and the naming decisions.
package gpuschema // import "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
