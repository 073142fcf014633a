package gpucost

import (
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Names of the metrics a report becomes (documented in the README).
const (
	MetricGPUCost        = "inference.gpu.cost"
	MetricGPUTime        = "inference.gpu.time"
	MetricTokens         = "inference.tokens"
	MetricCostPer1K      = "inference.cost.per_1k_tokens"
	AttrGPUModel         = "hw.model"
	AttrGPUState         = "inference.gpu.state"
	AttrCollectorService = "token_cost.service.instance.id"
)

// Scope is the instrumentation scope of the emitted metrics.
type Scope struct {
	Name, Version string
	// InstanceID, when set, becomes a resource attribute so that collectors
	// accounting different nodes never write the same stream.
	InstanceID string
}

// ToMetrics turns a report into delta sums and gauges, one resource per
// deployment; nothing when the report is empty.
func ToMetrics(r Report, scope Scope) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for _, d := range r.Deployments {
		rm := md.ResourceMetrics().AppendEmpty()
		res := rm.Resource().Attributes()
		for _, a := range d.Owner.Attrs {
			res.PutStr(a.Name, a.Value)
		}
		if scope.InstanceID != "" {
			res.PutStr(AttrCollectorService, scope.InstanceID)
		}
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName(scope.Name)
		sm.Scope().SetVersion(scope.Version)
		ms := sm.Metrics()

		var cost, gpuTime pmetric.NumberDataPointSlice
		haveCost, haveTime := false, false
		for _, sh := range d.Shares {
			if sh.Priced {
				if !haveCost {
					cost = deltaSum(ms, MetricGPUCost, "{USD}",
						"Cost of GPU time in US dollars over the interval, per deployment and state.")
					haveCost = true
				}
				point(cost, r, sh.USD, sh)
			}
		}
		for _, sh := range d.Shares {
			if !haveTime {
				gpuTime = deltaSum(ms, MetricGPUTime, "s", "GPU time over the interval, per deployment and state.")
				haveTime = true
			}
			point(gpuTime, r, sh.Seconds, sh)
		}
		if d.Tokens > 0 {
			dps := deltaSum(ms, MetricTokens, "{token}", "Tokens the deployment processed over the interval.")
			dp := dps.AppendEmpty()
			dp.SetStartTimestamp(r.Start)
			dp.SetTimestamp(r.End)
			dp.SetDoubleValue(d.Tokens)
		}
		if v, ok := d.CostPer1KTokens(); ok {
			m := ms.AppendEmpty()
			m.SetName(MetricCostPer1K)
			m.SetUnit("{USD}")
			m.SetDescription("GPU cost of the deployment over the interval per 1000 tokens it processed.")
			dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
			dp.SetStartTimestamp(r.Start)
			dp.SetTimestamp(r.End)
			dp.SetDoubleValue(v)
		}
	}
	md.ResourceMetrics().RemoveIf(func(x pmetric.ResourceMetrics) bool { return x.ScopeMetrics().At(0).Metrics().Len() == 0 })
	return md
}

func deltaSum(ms pmetric.MetricSlice, name, unit, desc string) pmetric.NumberDataPointSlice {
	m := ms.AppendEmpty()
	m.SetName(name)
	m.SetUnit(unit)
	m.SetDescription(desc)
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	return sum.DataPoints()
}

func point(dps pmetric.NumberDataPointSlice, r Report, v float64, s Share) {
	dp := dps.AppendEmpty()
	dp.SetStartTimestamp(r.Start)
	dp.SetTimestamp(r.End)
	dp.SetDoubleValue(v)
	dp.Attributes().PutStr(AttrGPUModel, s.Model)
	dp.Attributes().PutStr(AttrGPUState, s.State.String())
}
