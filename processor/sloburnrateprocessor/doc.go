// Package sloburnrateprocessor computes SLO error ratios, burn rates, the
// error budget left and multiwindow burn-rate alert states from the metrics
// that pass through it, equal to what Prometheus computes from the recording
// rules that GenerateRules writes for the same configuration.
package sloburnrateprocessor // import "github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"
