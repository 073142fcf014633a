package sloburnrateprocessor // import "github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"

import (
	"fmt"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/rules"
)

// RulesOptions shape the rules written for Prometheus users.
type RulesOptions struct {
	// MetricSuffixes: the input reaches Prometheus with type and unit
	// suffixes (_total, _seconds), as the prometheusremotewrite exporter
	// writes it by default.
	MetricSuffixes bool
}

// GeneratePrometheusRules writes the Prometheus recording and alerting rules
// that compute, from the raw series, what the processor emits for cfg:
// slo:sli_error:ratio_rate<window>, slo:burn_rate:ratio_rate<window>,
// slo:period_error_budget_remaining:ratio and one alert per severity.
func GeneratePrometheusRules(cfg *Config, opts RulesOptions) ([]byte, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid slo_burn_rate configuration: %w", err)
	}
	return rules.PrometheusYAML(cfg.Specs(), rules.Options{MetricSuffixes: opts.MetricSuffixes, Interval: cfg.EvaluationInterval})
}

// GenerateSlothSpec writes the equivalent Sloth prometheus/v1 specification,
// one document per service.
func GenerateSlothSpec(cfg *Config, opts RulesOptions) ([]byte, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid slo_burn_rate configuration: %w", err)
	}
	return rules.SlothYAML(cfg.Specs(), rules.Options{MetricSuffixes: opts.MetricSuffixes, Interval: cfg.EvaluationInterval})
}
