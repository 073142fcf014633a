package window

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	sec  = int64(1000)
	min_ = 60 * sec
	hour = 60 * min_
)

type sample struct {
	t int64
	v float64
}

// referenceRate is rate(x[W]) at T computed from every raw sample, following
// Prometheus v3: samples in (T-W, T], resets when the value drops.
func referenceRate(all []sample, T, W int64) (float64, bool) {
	var in []sample
	for _, s := range all {
		if s.t > T-W && s.t <= T {
			in = append(in, s)
		}
	}
	if len(in) < 2 {
		return 0, false
	}
	inc := in[len(in)-1].v - in[0].v
	for i := 1; i < len(in); i++ {
		if in[i].v < in[i-1].v {
			inc += in[i-1].v
		}
	}
	return extrapolatedRate(inc, in[0].v, in[0].t, in[len(in)-1].t, T-W, T, len(in), W), true
}

func TestLayoutPicksTheFinestResolutionWithinTheBucketBudget(t *testing.T) {
	l, err := NewLayout(min_, []int64{5 * min_, 30 * min_, hour, 6 * hour, 24 * hour, 3 * 24 * hour, 30 * 24 * hour}, 60)
	require.NoError(t, err)
	widths := map[int64]int64{}
	for i, w := range l.Windows {
		widths[w.DurMs] = l.WidthMs(i)
		assert.Zero(t, w.DurMs%l.WidthMs(i), "window %d is a whole number of buckets", w.DurMs)
		assert.LessOrEqual(t, w.Buckets, 60)
	}
	assert.Equal(t, min_, widths[5*min_])
	assert.Equal(t, min_, widths[hour])
	assert.Equal(t, 6*min_, widths[6*hour])
	assert.Equal(t, 24*min_, widths[24*hour])
	assert.Equal(t, 72*min_, widths[3*24*hour])
	assert.Equal(t, 12*hour, widths[30*24*hour])
	// 5m, 30m and 1h share the one-minute ring.
	assert.Len(t, l.Rings, 5)
	assert.Equal(t, 60*5, l.Buckets())
}

func TestLayoutRejectsWindowsOffTheEvaluationGrid(t *testing.T) {
	_, err := NewLayout(min_, []int64{90 * sec}, 60)
	assert.ErrorContains(t, err, "multiple of the evaluation interval")
	_, err = NewLayout(0, []int64{hour}, 60)
	assert.Error(t, err)
	_, err = NewLayout(min_, []int64{hour}, 0)
	assert.Error(t, err)
}

func TestRateEqualsPrometheusOnIrregularSeriesWithResetsAndGaps(t *testing.T) {
	windows := []int64{5 * min_, 30 * min_, hour, 2 * hour, 6 * hour}
	l, err := NewLayout(min_, windows, 60)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 20; trial++ {
		c := NewCounter(l)
		var all []sample
		tm := int64(1_700_000_000_000) + rng.Int64N(hour)
		v := float64(rng.IntN(1000))
		next := (tm/min_ + 1) * min_
		for step := 0; step < 1500; step++ {
			// Evaluate every tick the new sample passes, before adding it.
			for next < tm {
				for wi, w := range l.Windows {
					if next%l.WidthMs(wi) != 0 {
						continue
					}
					got, gotOK := c.Rate(l, wi, next)
					want, wantOK := referenceRate(all, next, w.DurMs)
					require.Equal(t, wantOK, gotOK, "trial %d window %d at %d", trial, w.DurMs, next)
					if wantOK {
						require.InDelta(t, want, got, 1e-9*math.Max(1, math.Abs(want)), "trial %d window %d at %d", trial, w.DurMs, next)
					}
				}
				next += min_
			}
			require.Equal(t, Accepted, c.Add(l, tm, v, 0))
			all = append(all, sample{tm, v})
			switch r := rng.IntN(100); {
			case r < 2: // counter reset
				v = float64(rng.IntN(5))
			case r < 4: // gap of up to 40 minutes
				tm += rng.Int64N(40 * min_)
			default:
				v += float64(rng.IntN(20))
			}
			tm += 10*sec + rng.Int64N(10*sec)
		}
	}
}

func TestDuplicateAndLateSamplesAreRefusedAndChangeNothing(t *testing.T) {
	l, err := NewLayout(min_, []int64{5 * min_}, 60)
	require.NoError(t, err)
	c := NewCounter(l)
	base := int64(1_700_000_000_000)
	require.Equal(t, Accepted, c.Add(l, base+10*sec, 10, 0))
	require.Equal(t, Accepted, c.Add(l, base+40*sec, 20, 0))
	before, ok := c.Rate(l, 0, base+min_)
	require.True(t, ok)
	assert.Equal(t, Duplicate, c.Add(l, base+40*sec, 25, 0))
	assert.Equal(t, Late, c.Add(l, base+20*sec, 1, 0))
	after, ok := c.Rate(l, 0, base+min_)
	require.True(t, ok)
	assert.Equal(t, before, after)
}

func TestStartTimeMovingForwardIsAReset(t *testing.T) {
	l, err := NewLayout(min_, []int64{5 * min_}, 60)
	require.NoError(t, err)
	c := NewCounter(l)
	base := int64(1_700_000_000_000)
	c.Add(l, base+10*sec, 100, base)
	c.Add(l, base+40*sec, 110, base)
	// The process restarted at +50s and counted 120 since: the increase is
	// 120, not 10.
	c.Add(l, base+70*sec, 120, base+50*sec)
	c.Add(l, base+100*sec, 130, base+50*sec)
	r, ok := c.Rate(l, 0, base+2*min_)
	require.True(t, ok)
	want := extrapolatedRate(10+120+10, 100, base+10*sec, base+100*sec, base+2*min_-5*min_, base+2*min_, 4, 5*min_)
	assert.InDelta(t, want, r, 1e-12)
}

func TestDeltaSamplesAccumulateLikeACumulativeCounter(t *testing.T) {
	l, err := NewLayout(min_, []int64{5 * min_}, 60)
	require.NoError(t, err)
	d, c := NewCounter(l), NewCounter(l)
	base := int64(1_700_000_000_000)
	sum := 0.0
	for i, delta := range []float64{3, 0, 5, 2, 7, 1} {
		ts := base + int64(i+1)*15*sec
		sum += delta
		require.Equal(t, Accepted, d.AddDelta(l, ts, delta, ts-15*sec))
		require.Equal(t, Accepted, c.Add(l, ts, sum, base))
	}
	rd, okd := d.Rate(l, 0, base+2*min_)
	rc, okc := c.Rate(l, 0, base+2*min_)
	require.True(t, okd)
	require.True(t, okc)
	assert.InDelta(t, rc, rd, 1e-12)
}

func TestAWindowWithOneSampleHasNoRate(t *testing.T) {
	l, err := NewLayout(min_, []int64{5 * min_}, 60)
	require.NoError(t, err)
	c := NewCounter(l)
	base := int64(1_700_000_000_000)
	_, ok := c.Rate(l, 0, base)
	assert.False(t, ok, "no samples")
	c.Add(l, base-10*sec, 5, 0)
	_, ok = c.Rate(l, 0, base)
	assert.False(t, ok, "one sample")
	c.Add(l, base-5*sec, 6, 0)
	_, ok = c.Rate(l, 0, base+10*min_)
	assert.False(t, ok, "samples older than the window")
}
