package slo

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Names of the emitted metrics and attributes. No OpenTelemetry semantic
// convention covers SLOs; these follow the dotted style of the conventions and
// turn into the usual Prometheus names (slo_sli_error_ratio,
// slo_burn_rate_ratio, slo_error_budget_remaining_ratio, slo_alert_firing).
const (
	MetricErrorRatio      = "slo.sli.error_ratio"
	MetricBurnRate        = "slo.burn_rate"
	MetricBudgetRemaining = "slo.error_budget.remaining"
	MetricAlertFiring     = "slo.alert.firing"

	AttrSLOName      = "slo.name"
	AttrSLOService   = "slo.service"
	AttrSLOObjective = "slo.objective"
	AttrSLOWindow    = "slo.window"
	AttrSLOSeverity  = "slo.severity"
)

// MetricInfo describes one emitted metric.
type MetricInfo struct {
	Name, Unit, Description string
}

// Metrics lists the emitted metrics (the processor's README documents them).
var Metrics = []MetricInfo{
	{MetricErrorRatio, "1", "SLI error ratio over the window: the share of events that were bad."},
	{MetricBurnRate, "1", "Error budget burn rate over the window: the error ratio divided by the error budget (1 - objective). 1 spends the budget exactly over the period."},
	{MetricBudgetRemaining, "1", "Share of the error budget left over the SLO period: 1 - error ratio over the period / error budget. Negative once overspent."},
	{MetricAlertFiring, "{alert}", "1 while the multiwindow burn-rate alert of the severity fires (long and short window both above the burn-rate factor), else 0."},
}

// emitter collects the SLO points of one batch under one resource and scope.
type emitter struct {
	md      pmetric.Metrics
	sm      pmetric.ScopeMetrics
	metrics [4]pmetric.Metric
	made    [4]bool
	scope   [2]string
}

func newEmitter(scopeName, scopeVersion string) *emitter {
	return &emitter{md: pmetric.NewMetrics(), scope: [2]string{scopeName, scopeVersion}}
}

func (e *emitter) gauge(i int) pmetric.NumberDataPointSlice {
	if !e.made[i] {
		if e.md.ResourceMetrics().Len() == 0 {
			e.sm = e.md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
			e.sm.Scope().SetName(e.scope[0])
			e.sm.Scope().SetVersion(e.scope[1])
		}
		m := e.sm.Metrics().AppendEmpty()
		m.SetName(Metrics[i].Name)
		m.SetUnit(Metrics[i].Unit)
		m.SetDescription(Metrics[i].Description)
		m.SetEmptyGauge()
		e.metrics[i] = m
		e.made[i] = true
	}
	return e.metrics[i].Gauge().DataPoints()
}

func (e *emitter) point(i int, g *group, tMs int64, v float64) pmetric.NumberDataPoint {
	dp := e.gauge(i).AppendEmpty()
	dp.SetTimestamp(pcommon.Timestamp(tMs * 1_000_000))
	// Room for the window or severity attribute added after the copy.
	dp.Attributes().EnsureCapacity(g.attrs.Len() + 1)
	g.attrs.CopyTo(dp.Attributes())
	dp.SetDoubleValue(v)
	return dp
}

func (e *emitter) window(g *group, tMs int64, label string, ratio, burn float64) {
	e.point(0, g, tMs, ratio).Attributes().PutStr(AttrSLOWindow, label)
	e.point(1, g, tMs, burn).Attributes().PutStr(AttrSLOWindow, label)
}

func (e *emitter) budget(g *group, tMs int64, remaining float64) {
	e.point(2, g, tMs, remaining)
}

func (e *emitter) alert(g *group, tMs int64, severity string, firing bool) {
	v := 0.0
	if firing {
		v = 1
	}
	e.point(3, g, tMs, v).Attributes().PutStr(AttrSLOSeverity, severity)
}
