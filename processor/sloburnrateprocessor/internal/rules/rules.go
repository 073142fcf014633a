// Package rules writes, from the same SLOs the processor evaluates, the
// Prometheus recording and alerting rules that compute the same numbers from
// the raw series, and the equivalent Sloth prometheus/v1 specification.
//
// The Prometheus names of the input series are those the collector's
// prometheusremotewrite exporter gives them (contrib's otlptranslator naming,
// with type and unit suffixes unless told otherwise).
package rules

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/prometheus/otlptranslator"
	"gopkg.in/yaml.v3"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
)

// Options shape the generated rules.
type Options struct {
	// MetricSuffixes: the exporter appends type and unit suffixes to names
	// (_total, _seconds; the prometheusremotewrite default).
	MetricSuffixes bool
	// Interval is the rule groups' evaluation interval (the processor's
	// evaluation_interval).
	Interval time.Duration
}

// Label names of the generated series; the processor's attributes slo.name,
// slo.service, slo.objective, slo.window and slo.severity become the same
// labels on export.
const (
	LabelName      = "slo_name"
	LabelService   = "slo_service"
	LabelObjective = "slo_objective"
	LabelWindow    = "slo_window"
	LabelSeverity  = "severity"
)

// RecordErrorRatio is the recording rule name of the error ratio over window w
// (Sloth's naming).
func RecordErrorRatio(w time.Duration) string {
	return "slo:sli_error:ratio_rate" + slo.FormatDuration(w)
}

// RecordBurnRate is the recording rule name of the burn rate over window w.
func RecordBurnRate(w time.Duration) string {
	return "slo:burn_rate:ratio_rate" + slo.FormatDuration(w)
}

// Recording rule names of the per-SLO constants and the budget left.
const (
	RecordObjective       = "slo:objective:ratio"
	RecordErrorBudget     = "slo:error_budget:ratio"
	RecordBudgetRemaining = "slo:period_error_budget_remaining:ratio"
)

// Names turns OpenTelemetry names into Prometheus names.
type Names struct {
	metric otlptranslator.MetricNamer
	label  otlptranslator.LabelNamer
}

// NewNames follows the exporter's default naming.
func NewNames(suffixes bool) Names {
	return Names{
		metric: otlptranslator.MetricNamer{WithMetricSuffixes: suffixes},
		//nolint:staticcheck // the exporter's default sanitisation at v0.160.0
		label: otlptranslator.LabelNamer{UnderscoreLabelSanitization: true},
	}
}

// Label is the Prometheus label name of an attribute.
func (n Names) Label(attr string) string {
	l, err := n.label.Build(attr)
	if err != nil {
		return attr
	}
	return l
}

func (n Names) name(m string, unit string, typ otlptranslator.MetricType) string {
	out, err := n.metric.Build(otlptranslator.Metric{Name: m, Unit: unit, Type: typ})
	if err != nil {
		return m
	}
	return out
}

// HistogramBase is the Prometheus name of a histogram before _bucket/_count.
func (n Names) HistogramBase(sel *slo.Selector) string {
	if sel.PrometheusMetric != "" {
		return sel.PrometheusMetric
	}
	return n.name(sel.Metric, sel.Unit, otlptranslator.MetricTypeHistogram)
}

// Counter is the Prometheus name of a monotonic sum.
func (n Names) Counter(sel *slo.Selector) string {
	if sel.PrometheusMetric != "" {
		return sel.PrometheusMetric
	}
	return n.name(sel.Metric, sel.Unit, otlptranslator.MetricTypeMonotonicCounter)
}

// matchers writes a selector's attribute conditions as label matchers,
// sorted by label, plus any extra matchers.
func (n Names) matchers(sel *slo.Selector, extra ...string) string {
	var ms []string
	for k, v := range sel.Match {
		ms = append(ms, n.Label(k)+"="+strconv.Quote(v))
	}
	for k, v := range sel.MatchRegex {
		ms = append(ms, n.Label(k)+"=~"+strconv.Quote(v))
	}
	slices.Sort(ms)
	ms = append(ms, extra...)
	if len(ms) == 0 {
		return ""
	}
	return "{" + strings.Join(ms, ", ") + "}"
}

func (n Names) by(spec *slo.Spec) string {
	if len(spec.GroupBy) == 0 {
		return ""
	}
	ls := make([]string, len(spec.GroupBy))
	for i, k := range spec.GroupBy {
		ls[i] = n.Label(k)
	}
	return " by (" + strings.Join(ls, ", ") + ")"
}

// sliQueries returns the bad-events and all-events rate queries of an SLO with
// the window left as a placeholder.
func (n Names) sliQueries(spec *slo.Spec, window string) (bad, total string) {
	by := n.by(spec)
	if spec.Kind == slo.KindLatency {
		base := n.HistogramBase(&spec.Events)
		le := `le="` + strconv.FormatFloat(spec.Threshold, 'f', -1, 64) + `"`
		all := fmt.Sprintf("sum%s (rate(%s_count%s[%s]))", by, base, n.matchers(&spec.Events), window)
		good := fmt.Sprintf("sum%s (rate(%s_bucket%s[%s]))", by, base, n.matchers(&spec.Events, le), window)
		return all + " - " + good, all
	}
	bad = fmt.Sprintf("sum%s (rate(%s%s[%s]))", by, n.Counter(&spec.Bad), n.matchers(&spec.Bad), window)
	total = fmt.Sprintf("sum%s (rate(%s%s[%s]))", by, n.Counter(&spec.Total), n.matchers(&spec.Total), window)
	return bad, total
}

// ErrorRatioExpr is the PromQL error ratio of spec over window w. Where no
// bad events were recorded at all (no bad series) it is 0 rather than
// absent, as in the processor.
func (n Names) ErrorRatioExpr(spec *slo.Spec, w time.Duration) string {
	bad, total := n.sliQueries(spec, slo.FormatDuration(w))
	if spec.Kind == slo.KindLatency {
		return fmt.Sprintf("(\n  %s\n)\n/\n%s", bad, total)
	}
	return fmt.Sprintf("(\n  %s\n  or\n  0 * %s\n)\n/\n%s", bad, total, total)
}

// RuleFile is a Prometheus rule file.
type RuleFile struct {
	Groups []RuleGroup `yaml:"groups"`
}

// RuleGroup is one Prometheus rule group.
type RuleGroup struct {
	Name     string `yaml:"name"`
	Interval string `yaml:"interval,omitempty"`
	Rules    []Rule `yaml:"rules"`
}

// Rule is a recording or alerting rule.
type Rule struct {
	Record      string            `yaml:"record,omitempty"`
	Alert       string            `yaml:"alert,omitempty"`
	Expr        string            `yaml:"expr"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

// sloLabels are the labels every series of an SLO carries.
func sloLabels(spec *slo.Spec) map[string]string {
	l := map[string]string{
		LabelName:      spec.Name,
		LabelObjective: strconv.FormatFloat(spec.Objective, 'f', -1, 64),
	}
	if spec.Service != "" {
		l[LabelService] = spec.Service
	}
	return l
}

func with(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}

// selectSLO selects an SLO's recorded series.
func selectSLO(record string, spec *slo.Spec) string {
	return fmt.Sprintf("%s{%s=%s}", record, LabelName, strconv.Quote(spec.Name))
}

// Prometheus builds the rule groups of every SLO: the error ratio and burn
// rate of every window (the period included), the budget left over the
// period, and one multiwindow burn-rate alert per severity.
func Prometheus(specs []*slo.Spec, opts Options) RuleFile {
	n := NewNames(opts.MetricSuffixes)
	interval := ""
	if opts.Interval > 0 {
		interval = slo.FormatDuration(opts.Interval)
	}
	var f RuleFile
	for _, spec := range specs {
		labels := sloLabels(spec)
		budget := slo.FormatFloat(spec.Budget())
		sli := RuleGroup{Name: "slo:" + spec.Name + ":sli", Interval: interval}
		for _, w := range spec.Durations() {
			wl := with(labels, LabelWindow, slo.FormatDuration(w))
			sli.Rules = append(sli.Rules, Rule{Record: RecordErrorRatio(w), Expr: n.ErrorRatioExpr(spec, w), Labels: wl})
		}
		for _, w := range spec.Durations() {
			sli.Rules = append(sli.Rules, Rule{
				Record: RecordBurnRate(w),
				Expr:   fmt.Sprintf("%s / %s", selectSLO(RecordErrorRatio(w), spec), budget),
				Labels: with(labels, LabelWindow, slo.FormatDuration(w)),
			})
		}
		sli.Rules = append(sli.Rules,
			Rule{
				Record: RecordBudgetRemaining,
				Expr:   fmt.Sprintf("1 - sum without (%s) (%s) / %s", LabelWindow, selectSLO(RecordErrorRatio(spec.Period), spec), budget),
				Labels: labels,
			},
			Rule{Record: RecordObjective, Expr: fmt.Sprintf("vector(%s)", slo.FormatFloat(spec.Objective/100)), Labels: labels},
			Rule{Record: RecordErrorBudget, Expr: fmt.Sprintf("vector(%s)", budget), Labels: labels},
		)
		f.Groups = append(f.Groups, sli)

		alerts := RuleGroup{Name: "slo:" + spec.Name + ":alerts", Interval: interval}
		for _, sev := range spec.Severities() {
			alerts.Rules = append(alerts.Rules, Rule{
				Alert:  AlertName(spec),
				Expr:   AlertExpr(spec, sev),
				Labels: with(labels, LabelSeverity, sev),
				Annotations: map[string]string{
					"summary": fmt.Sprintf("%s is burning its error budget too fast (%s)", spec.Name, sev),
					"description": fmt.Sprintf("SLO %s (objective %s%%) of %s: error ratio {{ $value | humanizePercentage }} over the long window, "+
						"above the %s burn-rate threshold on both its long and short windows.", spec.Name, labels[LabelObjective], orDash(spec.Service), sev),
				},
			})
		}
		if len(alerts.Rules) > 0 {
			f.Groups = append(f.Groups, alerts)
		}
	}
	return f
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// AlertExpr fires for every SLO series whose error ratio is above
// burn_rate × budget on both windows of any condition of the severity. The
// thresholds are the very float64 values the processor compares with.
func AlertExpr(spec *slo.Spec, severity string) string {
	var conds []string
	for _, w := range spec.Windows {
		if w.Severity != severity {
			continue
		}
		th := slo.FormatFloat(w.BurnRate * spec.Budget())
		conds = append(conds, fmt.Sprintf("(\n    %s > %s\n    and ignoring (%s)\n    %s > %s\n  )",
			selectSLO(RecordErrorRatio(w.Long), spec), th, LabelWindow, selectSLO(RecordErrorRatio(w.Short), spec), th))
	}
	return fmt.Sprintf("max without (%s) (\n  %s\n)", LabelWindow, strings.Join(conds, "\n  or ignoring ("+LabelWindow+")\n  "))
}

// AlertName is the configured alert name or <SLO name in CamelCase>ErrorBudgetBurn.
func AlertName(spec *slo.Spec) string {
	if spec.AlertName != "" {
		return spec.AlertName
	}
	var b strings.Builder
	up := true
	for _, r := range spec.Name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	name := b.String()
	if name == "" || unicode.IsDigit(rune(name[0])) {
		name = "SLO" + name
	}
	return name + "ErrorBudgetBurn"
}

// PrometheusYAML renders the rule file.
func PrometheusYAML(specs []*slo.Spec, opts Options) ([]byte, error) {
	return marshal(Prometheus(specs, opts))
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
