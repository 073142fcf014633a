package gpucost

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

const h100 = "NVIDIA H100 80GB HBM3"

var t0 = time.Date(2025, 11, 24, 12, 0, 0, 0, time.UTC)

func at(sec float64) pcommon.Timestamp {
	return pcommon.NewTimestampFromTime(t0.Add(time.Duration(sec * float64(time.Second))))
}

func owner(ns, deploy string) Owner {
	return NewOwner([]Attr{{"k8s.namespace.name", ns}, {"k8s.deployment.name", deploy}})
}

// $3.60 per GPU-hour is $0.001 per GPU-second, which keeps the arithmetic
// below readable.
var cfg = Config{Prices: []PriceRule{{GPUModel: h100, USDPerHour: 3.60, MIGSlices: 7}}, MaxGap: time.Minute}

func find(t *testing.T, r Report, o Owner) Deployment {
	t.Helper()
	for _, d := range r.Deployments {
		if d.Owner.Key == o.Key {
			return d
		}
	}
	t.Fatalf("no deployment %q in %+v", o.Key, r.Deployments)
	return Deployment{}
}

func share(d Deployment, state State) Share {
	for _, s := range d.Shares {
		if s.State == state {
			return s
		}
	}
	return Share{}
}

// The README's worked example.
func TestWorkedExample(t *testing.T) {
	a := NewAccumulator(cfg, t0.Add(-time.Second))
	llama := owner("inference", "vllm-llama")
	for i := 0; i <= 6; i++ {
		ts := at(float64(10 * i))
		// GPU-A is held by vllm-llama at 75% utilisation; GPU-B by nobody.
		require.True(t, a.Observe(Sample{GPU: "GPU-A", Model: h100, Owner: llama, Time: ts, Utilization: 0.75, HasUtilization: true}))
		require.True(t, a.Observe(Sample{GPU: "GPU-B", Model: h100, Time: ts, Utilization: 0, HasUtilization: true}))
		// vLLM prints 1500 prompt and 500 generation tokens/s.
		a.ObserveTokens(TokenSample{Owner: llama, Series: "prompt", Kind: Rate, Value: 1500, Time: ts})
		a.ObserveTokens(TokenSample{Owner: llama, Series: "gen", Kind: Rate, Value: 500, Time: ts})
	}
	r := a.Flush(t0.Add(65 * time.Second))

	d := find(t, r, llama)
	// Six 10 s periods after the first sample: 60 GPU-seconds at $0.001.
	assert.InDelta(t, 45.0, share(d, Busy).Seconds, 1e-9) // 60 × 0.75
	assert.InDelta(t, 15.0, share(d, Idle).Seconds, 1e-9) // 60 × 0.25
	assert.InDelta(t, 0.045, share(d, Busy).USD, 1e-12)
	assert.InDelta(t, 0.015, share(d, Idle).USD, 1e-12)
	usd, priced := d.CostUSD()
	assert.True(t, priced)
	assert.InDelta(t, 0.060, usd, 1e-12)
	// (1500 + 500) tokens/s × 60 s = 120 000 tokens.
	assert.InDelta(t, 120000.0, d.Tokens, 1e-6)
	per1k, ok := d.CostPer1KTokens()
	require.True(t, ok)
	assert.InDelta(t, 0.0005, per1k, 1e-12) // $0.060 / 120

	nobody := find(t, r, Owner{})
	assert.InDelta(t, 0.060, share(nobody, Unallocated).USD, 1e-12)
	assert.InDelta(t, 60.0, share(nobody, Unallocated).Seconds, 1e-9)
	_, ok = nobody.CostPer1KTokens()
	assert.False(t, ok, "unallocated GPUs have no per-token cost")

	// The next interval starts empty.
	r = a.Flush(t0.Add(70 * time.Second))
	assert.Empty(t, r.Deployments)
}

func TestMIGInstancesPayTheirSlices(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	chat, embed := owner("ai", "chat"), owner("ai", "embed")
	for _, sec := range []float64{0, 7} {
		ts := at(sec)
		a.Observe(Sample{GPU: "GPU-M", Model: h100, Time: ts}) // whole-GPU row, no pod
		a.Observe(Sample{GPU: "GPU-M", Model: h100, MIGInstance: "1", MIGProfile: "3g.40gb", Owner: chat, Time: ts, Utilization: 0.5, HasUtilization: true})
		a.Observe(Sample{GPU: "GPU-M", Model: h100, MIGInstance: "2", MIGProfile: "1g.10gb", Owner: embed, Time: ts})
	}
	r := a.Flush(t0.Add(10 * time.Second))
	// 7 s period; 3 of 7 slices to chat = 3 s, half busy; 1 slice to embed =
	// 1 s unmeasured; the 3 free slices = 3 s unallocated. $0.001/s.
	c := find(t, r, chat)
	assert.InDelta(t, 1.5, share(c, Busy).Seconds, 1e-9)
	assert.InDelta(t, 0.0015, share(c, Idle).USD, 1e-12)
	e := find(t, r, embed)
	assert.InDelta(t, 1.0, share(e, Unmeasured).Seconds, 1e-9)
	assert.InDelta(t, 0.001, share(e, Unmeasured).USD, 1e-12)
	n := find(t, r, Owner{})
	assert.InDelta(t, 3.0, share(n, Unallocated).Seconds, 1e-9)
	total := 0.0
	for _, d := range r.Deployments {
		usd, _ := d.CostUSD()
		total += usd
	}
	assert.InDelta(t, 0.007, total, 1e-12, "the GPU is billed once")
}

func TestTimeSlicedGPUIsSharedEvenlyWithDeviceUtilisation(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	x, y := owner("ai", "x"), owner("ai", "y")
	for _, sec := range []float64{0, 20} {
		ts := at(sec)
		a.Observe(Sample{GPU: "GPU-S", Model: h100, Time: ts, Utilization: 0.4, HasUtilization: true})
		a.Observe(Sample{GPU: "GPU-S", Model: h100, Owner: x, Time: ts})
		a.Observe(Sample{GPU: "GPU-S", Model: h100, Owner: y, Time: ts})
	}
	r := a.Flush(t0.Add(30 * time.Second))
	// 20 s split in two: 10 s each, 40% busy → 4 s busy, 6 s idle.
	for _, o := range []Owner{x, y} {
		d := find(t, r, o)
		assert.InDelta(t, 4.0, share(d, Busy).Seconds, 1e-9)
		assert.InDelta(t, 6.0, share(d, Idle).Seconds, 1e-9)
	}
	for _, d := range r.Deployments {
		assert.NotEqual(t, "", d.Owner.Key, "the pod-less row of a held GPU is not billed")
	}
}

func TestGapsAreNotBilledAndLateSamplesAreRefused(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	o := owner("ai", "x")
	s := func(sec float64) bool {
		return a.Observe(Sample{GPU: "G", Model: h100, Owner: o, Time: at(sec), Utilization: 1, HasUtilization: true})
	}
	require.True(t, s(0))
	require.True(t, s(10))
	require.True(t, s(200)) // 190 s gap > MaxGap (60 s): not billed
	require.True(t, s(210))
	assert.False(t, s(205), "older than the latest sample")
	r := a.Flush(t0.Add(220 * time.Second))
	// (0,10] and (200,210]: 20 s.
	assert.InDelta(t, 20.0, share(find(t, r, o), Busy).Seconds, 1e-9)
}

func TestAttributionFollowsThePodAtTheEndOfEachPeriod(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	old, next := owner("ai", "old"), owner("ai", "new")
	a.Observe(Sample{GPU: "G", Model: h100, Owner: old, Time: at(0)})
	a.Observe(Sample{GPU: "G", Model: h100, Owner: old, Time: at(10)})
	a.Observe(Sample{GPU: "G", Model: h100, Owner: next, Time: at(20)})
	r := a.Flush(t0.Add(25 * time.Second))
	assert.InDelta(t, 10.0, share(find(t, r, old), Unmeasured).Seconds, 1e-9)
	assert.InDelta(t, 10.0, share(find(t, r, next), Unmeasured).Seconds, 1e-9)
}

func TestUnpricedGPUReportsTimeOnly(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	o := owner("ai", "x")
	a.Observe(Sample{GPU: "G", Model: "NVIDIA L4", Owner: o, Time: at(0)})
	a.Observe(Sample{GPU: "G", Model: "NVIDIA L4", Owner: o, Time: at(30)})
	a.ObserveTokens(TokenSample{Owner: o, Kind: DeltaCount, Value: 1000, Time: at(30)})
	r := a.Flush(t0.Add(31 * time.Second))
	d := find(t, r, o)
	sh := share(d, Unmeasured)
	assert.False(t, sh.Priced)
	assert.InDelta(t, 30.0, sh.Seconds, 1e-9)
	assert.InDelta(t, 30.0, r.UnpricedSeconds, 1e-9)
	_, ok := d.CostPer1KTokens()
	assert.False(t, ok)

	md := ToMetrics(r, Scope{Name: "s"})
	names := metricNames(md)
	assert.NotContains(t, names, MetricGPUCost)
	assert.Contains(t, names, MetricGPUTime)
	assert.Contains(t, names, MetricTokens)
}

func TestNodePoolRulesAndCaseInsensitiveModels(t *testing.T) {
	c := Config{Prices: []PriceRule{
		{NodePool: "spot-h100", USDPerHour: 1.80},
		{GPUModel: "nvidia h100 80gb hbm3", USDPerHour: 3.60},
	}}
	a := NewAccumulator(c, t0)
	spot, onDemand := owner("ai", "spot"), owner("ai", "od")
	for _, sec := range []float64{0, 10} {
		a.Observe(Sample{GPU: "S", Model: h100, NodePool: "spot-h100", Owner: spot, Time: at(sec)})
		a.Observe(Sample{GPU: "O", Model: h100, NodePool: "default", Owner: onDemand, Time: at(sec)})
	}
	r := a.Flush(t0.Add(11 * time.Second))
	assert.InDelta(t, 0.005, share(find(t, r, spot), Unmeasured).USD, 1e-12)     // 10 s × $1.80/3600
	assert.InDelta(t, 0.010, share(find(t, r, onDemand), Unmeasured).USD, 1e-12) // 10 s × $3.60/3600
}

func TestCumulativeTokenCounters(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	o := owner("ai", "x")
	old := at(-3600) // the series started before the accumulator
	obs := func(v float64, start pcommon.Timestamp, sec float64) {
		a.ObserveTokens(TokenSample{Owner: o, Series: "c", Kind: CumulativeCount, Value: v, Start: start, Time: at(sec)})
	}
	obs(5000, old, 0)  // baseline only
	obs(5600, old, 10) // +600
	assert.False(t, a.ObserveTokens(TokenSample{Owner: o, Series: "c", Kind: CumulativeCount, Value: 5600, Start: old, Time: at(10)}), "duplicate time is refused")
	obs(100, at(15), 20)
	// restarted at 15 s: +100
	obs(350, at(15), 30) // +250
	r := a.Flush(t0.Add(31 * time.Second))
	assert.InDelta(t, 950.0, find(t, r, o).Tokens, 1e-9)

	// A series that starts after the accumulator counts from zero.
	a.ObserveTokens(TokenSample{Owner: o, Series: "new", Kind: CumulativeCount, Value: 42, Start: at(40), Time: at(45)})
	r = a.Flush(t0.Add(50 * time.Second))
	assert.InDelta(t, 42.0, find(t, r, o).Tokens, 1e-9)
}

func TestBadTokenPointsAreRefusedNotCounted(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	o := owner("ai", "x")
	for _, v := range []float64{-1, math.NaN(), math.Inf(1)} {
		for _, kind := range []TokenKind{DeltaCount, CumulativeCount, Rate} {
			assert.False(t, a.ObserveTokens(TokenSample{Owner: o, Series: "s", Kind: kind, Value: v, Time: at(1)}), "value %v kind %v", v, kind)
		}
	}
	assert.True(t, a.ObserveTokens(TokenSample{Owner: o, Series: "r", Kind: Rate, Value: 10, Time: at(0)}))
	assert.False(t, a.ObserveTokens(TokenSample{Owner: o, Series: "r", Kind: Rate, Value: 10, Time: at(0)}), "a rate point not newer than the last")
	assert.True(t, a.ObserveTokens(TokenSample{Owner: o, Kind: DeltaCount, Value: 7, Time: at(2)}))
	r := a.Flush(t0.Add(3 * time.Second))
	assert.InDelta(t, 7.0, find(t, r, o).Tokens, 1e-9, "only the good delta is counted")
}

func TestToMetrics(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	o := owner("inference", "vllm-llama")
	a.Observe(Sample{GPU: "G", Model: h100, Owner: o, Time: at(0), Utilization: 0.5, HasUtilization: true})
	a.Observe(Sample{GPU: "G", Model: h100, Owner: o, Time: at(10), Utilization: 0.5, HasUtilization: true})
	a.ObserveTokens(TokenSample{Owner: o, Kind: DeltaCount, Value: 20000, Time: at(10)})
	r := a.Flush(t0.Add(15 * time.Second))
	md := ToMetrics(r, Scope{Name: "scope", Version: "v", InstanceID: "abc"})
	require.Equal(t, 1, md.ResourceMetrics().Len())
	rm := md.ResourceMetrics().At(0)
	ns, _ := rm.Resource().Attributes().Get("k8s.namespace.name")
	assert.Equal(t, "inference", ns.Str())
	id, _ := rm.Resource().Attributes().Get(AttrCollectorService)
	assert.Equal(t, "abc", id.Str())
	ms := rm.ScopeMetrics().At(0).Metrics()
	got := map[string]float64{}
	for i := 0; i < ms.Len(); i++ {
		m := ms.At(i)
		var dps pmetric.NumberDataPointSlice
		if m.Type() == pmetric.MetricTypeSum {
			assert.Equal(t, pmetric.AggregationTemporalityDelta, m.Sum().AggregationTemporality())
			dps = m.Sum().DataPoints()
		} else {
			dps = m.Gauge().DataPoints()
		}
		for j := 0; j < dps.Len(); j++ {
			dp := dps.At(j)
			assert.Equal(t, r.Start, dp.StartTimestamp())
			assert.Equal(t, r.End, dp.Timestamp())
			key := m.Name()
			if s, ok := dp.Attributes().Get(AttrGPUState); ok {
				key += "/" + s.Str()
			}
			got[key] = dp.DoubleValue()
		}
	}
	assert.InDeltaMapValues(t, map[string]float64{
		"inference.gpu.cost/busy": 0.005, "inference.gpu.cost/idle": 0.005,
		"inference.gpu.time/busy": 5, "inference.gpu.time/idle": 5,
		"inference.tokens":             20000,
		"inference.cost.per_1k_tokens": 0.0005, // $0.010 / 20
	}, got, 1e-12)
}

func TestMIGProfileSlices(t *testing.T) {
	for profile, want := range map[string]int{"1g.10gb": 1, "3g.40gb": 3, "7g.80gb": 7, "1g.10gb+me": 1, "2g.20gb": 2, "": 0, "g.1": 0, "weird": 0} {
		assert.Equal(t, want, migSlices(profile), profile)
	}
}

func TestStaleStateIsForgotten(t *testing.T) {
	a := NewAccumulator(cfg, t0)
	a.Observe(Sample{GPU: "G", Model: h100, Time: at(0)})
	a.ObserveTokens(TokenSample{Series: "r", Kind: Rate, Value: 1, Time: at(0)})
	a.Flush(t0.Add(10 * time.Second))
	assert.Len(t, a.gpus, 1)
	a.Flush(t0.Add(2 * time.Minute))
	assert.Empty(t, a.gpus)
	assert.Empty(t, a.series)
}

func metricNames(md pmetric.Metrics) []string {
	var out []string
	for i := 0; i < md.ResourceMetrics().Len(); i++ {
		ms := md.ResourceMetrics().At(i).ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			out = append(out, ms.At(j).Name())
		}
	}
	return out
}
