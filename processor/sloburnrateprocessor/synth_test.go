package sloburnrateprocessor

import (
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Synthetic GenAI request telemetry for the agreement and benchmark tests:
// per model a cumulative request counter by outcome (ok/error) and a
// cumulative request-duration histogram, scraped every 30 s with jitter, as an
// OpenTelemetry SDK or the loadgen would send them.

var (
	synthStart  = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	synthBounds = []float64{0.25, 0.5, 1, 2.5, 5, 10}
	// synthThreshold is the latency SLI threshold: a bucket boundary.
	synthThreshold = 1.0
	synthModels    = []string{"gpt-4o", "claude-sonnet"}
)

type scenario struct {
	name string
	// Duration of the data.
	length time.Duration
	// badShare is the share of failed requests and slowShare the share of
	// requests slower than the threshold, for model m at offset d.
	badShare  func(m int, d time.Duration) float64
	slowShare func(m int, d time.Duration) float64
	// resets: the first model's process restarts at these offsets.
	resets []time.Duration
	// gaps: the first model sends nothing during these [from, to) offsets.
	gaps [][2]time.Duration
}

const day = 24 * time.Hour

func constant(v float64) func(int, time.Duration) float64 {
	return func(int, time.Duration) float64 { return v }
}

// scenarios are the shapes of the agreement proof.
func scenarios() []scenario {
	length := 3*day + 8*time.Hour
	return []scenario{
		{
			name: "steady", length: length,
			badShare:  func(m int, _ time.Duration) float64 { return []float64{0.002, 0.004}[m] },
			slowShare: func(m int, _ time.Duration) float64 { return []float64{0.005, 0.012}[m] },
		},
		{
			name: "burst", length: length,
			badShare: func(m int, d time.Duration) float64 {
				if m == 0 && d >= 3*day && d < 3*day+25*time.Minute {
					return 0.35
				}
				return 0.001
			},
			slowShare: func(m int, d time.Duration) float64 {
				if m == 1 && d >= 2*day+6*time.Hour && d < 2*day+7*time.Hour {
					return 0.5
				}
				return 0.003
			},
		},
		{
			name: "slow_burn", length: length,
			badShare:  func(m int, d time.Duration) float64 { return 0.0005 + 0.02*float64(d)/float64(length)*float64(m+1) },
			slowShare: func(m int, d time.Duration) float64 { return 0.002 + 0.03*float64(d)/float64(length) },
		},
		{
			name: "counter_reset", length: length,
			badShare:  constant(0.01),
			slowShare: constant(0.02),
			resets:    []time.Duration{36 * time.Hour, 3*day + 2*time.Hour + 7*time.Minute},
		},
		{
			name: "gap", length: length,
			badShare:  constant(0.006),
			slowShare: constant(0.015),
			gaps:      [][2]time.Duration{{30 * time.Hour, 31*time.Hour + 13*time.Minute}, {3*day + 3*time.Hour, 3*day + 3*time.Hour + 7*time.Minute}},
		},
	}
}

type synthSeries struct {
	ok, bad uint64
	buckets []uint64
	sum     float64
	start   time.Time
}

// batches returns one Metrics per scrape, oldest first.
func (sc scenario) batches(seed uint64) []pmetric.Metrics {
	rng := rand.New(rand.NewPCG(seed, 42))
	state := make([]synthSeries, len(synthModels))
	for i := range state {
		state[i] = synthSeries{buckets: make([]uint64, len(synthBounds)+1), start: synthStart}
		// Long-running processes: the counters do not start at zero.
		state[i].ok = 50_000 + uint64(rng.IntN(1000))
		state[i].bad = 100 + uint64(rng.IntN(50))
	}
	var out []pmetric.Metrics
	resetIdx := 0
	for d := 30 * time.Second; d < sc.length; d += 30 * time.Second {
		// Scrapes land a little off the 30 s grid, never on a minute
		// boundary (Prometheus 2 and 3 differ on samples exactly there).
		ts := synthStart.Add(d + time.Duration(rng.IntN(4000)-2000)*time.Millisecond + 137*time.Millisecond)
		if resetIdx < len(sc.resets) && d >= sc.resets[resetIdx] {
			s := &state[0]
			s.ok, s.bad, s.sum = 0, 0, 0
			clear(s.buckets)
			s.start = ts.Add(-time.Second)
			resetIdx++
		}
		for m := range synthModels {
			s := &state[m]
			n := 200 + rng.IntN(200)
			bad := binomial(rng, n, sc.badShare(m, d))
			slow := binomial(rng, n, sc.slowShare(m, d))
			s.ok += uint64(n - bad)
			s.bad += uint64(bad)
			for i := 0; i < n; i++ {
				var v float64
				if i < slow {
					v = synthThreshold * (1.2 + 6*rng.Float64())
				} else {
					v = synthThreshold * rng.Float64()
				}
				b := 0
				for b < len(synthBounds) && v > synthBounds[b] {
					b++
				}
				s.buckets[b]++
				s.sum += v
			}
		}
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "genai-gateway")
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("synth")
		reqs := sm.Metrics().AppendEmpty()
		reqs.SetName("gen_ai.server.requests")
		reqs.SetUnit("{request}")
		sum := reqs.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dur := sm.Metrics().AppendEmpty()
		dur.SetName("gen_ai.server.request.duration")
		dur.SetUnit("s")
		hist := dur.SetEmptyHistogram()
		hist.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		for m, model := range synthModels {
			if m == 0 && inGap(sc.gaps, d) {
				continue
			}
			s := &state[m]
			for _, o := range []struct {
				outcome string
				v       uint64
			}{{"ok", s.ok}, {"error", s.bad}} {
				dp := sum.DataPoints().AppendEmpty()
				dp.SetStartTimestamp(pcommon.NewTimestampFromTime(s.start))
				dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				dp.Attributes().PutStr("gen_ai.request.model", model)
				dp.Attributes().PutStr("outcome", o.outcome)
				dp.SetIntValue(int64(o.v))
			}
			hp := hist.DataPoints().AppendEmpty()
			hp.SetStartTimestamp(pcommon.NewTimestampFromTime(s.start))
			hp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			hp.Attributes().PutStr("gen_ai.request.model", model)
			hp.ExplicitBounds().FromRaw(synthBounds)
			hp.BucketCounts().FromRaw(s.buckets)
			var count uint64
			for _, c := range s.buckets {
				count += c
			}
			hp.SetCount(count)
			hp.SetSum(s.sum)
		}
		out = append(out, md)
	}
	return out
}

func inGap(gaps [][2]time.Duration, d time.Duration) bool {
	for _, g := range gaps {
		if d >= g[0] && d < g[1] {
			return true
		}
	}
	return false
}

// binomial draws from Binomial(n, p) by a normal approximation, which is
// plenty for test traffic.
func binomial(rng *rand.Rand, n int, p float64) int {
	mean := float64(n) * p
	sd := math.Sqrt(mean * (1 - p))
	k := int(math.Round(mean + sd*rng.NormFloat64()))
	return min(max(k, 0), n)
}

func newTestRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }
