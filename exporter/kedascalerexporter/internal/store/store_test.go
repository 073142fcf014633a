package store

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

func testLimits() Limits {
	return Limits{MaxSeries: 1000, MaxSamplesPerSeries: 64, Retention: 5 * time.Minute}
}

// point describes one number point for the builders below.
type point struct {
	sec   float64 // time after t0
	start float64 // start time after t0; negative means unset
	v     float64
	attrs map[string]string
}

func pts(sec float64, v float64, attrs map[string]string) point {
	return point{sec: sec, start: -1, v: v, attrs: attrs}
}

func fill(dps pmetric.NumberDataPointSlice, points []point) {
	for _, p := range points {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(at(p.sec)))
		if p.start >= 0 {
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(at(p.start)))
		}
		dp.SetDoubleValue(p.v)
		for k, v := range p.attrs {
			dp.Attributes().PutStr(k, v)
		}
	}
}

func newMetric(res map[string]string) (pmetric.Metrics, pmetric.MetricSlice) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	for k, v := range res {
		rm.Resource().Attributes().PutStr(k, v)
	}
	return md, rm.ScopeMetrics().AppendEmpty().Metrics()
}

func gauge(name string, res map[string]string, points ...point) pmetric.Metrics {
	md, ms := newMetric(res)
	m := ms.AppendEmpty()
	m.SetName(name)
	fill(m.SetEmptyGauge().DataPoints(), points)
	return md
}

func sum(name string, monotonic bool, temporality pmetric.AggregationTemporality, res map[string]string, points ...point) pmetric.Metrics {
	md, ms := newMetric(res)
	m := ms.AppendEmpty()
	m.SetName(name)
	s := m.SetEmptySum()
	s.SetIsMonotonic(monotonic)
	s.SetAggregationTemporality(temporality)
	fill(s.DataPoints(), points)
	return md
}

// only returns the single series of metric, failing otherwise.
func only(t *testing.T, st *Store, metric string) *Series {
	t.Helper()
	var got []*Series
	st.Each(metric, func(s *Series) { got = append(got, s) })
	require.Len(t, got, 1, "series of %s", metric)
	return got[0]
}

func value(t *testing.T, st *Store, metric string, fn Function, window time.Duration) (float64, bool) {
	t.Helper()
	var v float64
	var ok bool
	st.Each(metric, func(s *Series) { v, ok = s.Value(fn, window) })
	return v, ok
}

func TestGaugeLastValueAndWindowFunctions(t *testing.T) {
	st := New(testLimits())
	stats := st.Consume(gauge("vllm:num_requests_waiting", nil,
		pts(0, 4, nil), pts(15, 10, nil), pts(30, 6, nil), pts(45, 2, nil)), at(45))
	assert.Equal(t, 4, stats.Stored)

	v, ok := value(t, st, "vllm:num_requests_waiting", Last, time.Minute)
	require.True(t, ok)
	assert.Equal(t, 2.0, v)

	// The window is anchored at the newest point: 30 s back from 45 s keeps 15, 30, 45.
	v, ok = value(t, st, "vllm:num_requests_waiting", AvgOverWindow, 30*time.Second)
	require.True(t, ok)
	assert.InDelta(t, 6.0, v, 1e-9)
	v, ok = value(t, st, "vllm:num_requests_waiting", MaxOverWindow, 30*time.Second)
	require.True(t, ok)
	assert.Equal(t, 10.0, v)
	v, ok = value(t, st, "vllm:num_requests_waiting", MaxOverWindow, 10*time.Second)
	require.True(t, ok)
	assert.Equal(t, 2.0, v, "only the newest point lies within 10 s")

	_, ok = value(t, st, "vllm:num_requests_waiting", Rate, time.Minute)
	assert.False(t, ok, "a gauge has no rate")
	assert.Equal(t, Gauge, only(t, st, "vllm:num_requests_waiting").Kind())
}

func TestCumulativeRateOverWindow(t *testing.T) {
	st := New(testLimits())
	st.Consume(sum("vllm:generation_tokens_total", true, pmetric.AggregationTemporalityCumulative, nil,
		pts(0, 1000, nil), pts(15, 1600, nil), pts(30, 2500, nil), pts(45, 3100, nil), pts(60, 4000, nil)), at(60))

	v, ok := value(t, st, "vllm:generation_tokens_total", Rate, time.Minute)
	require.True(t, ok)
	assert.InDelta(t, 50.0, v, 1e-9, "3000 tokens in 60 s")

	v, ok = value(t, st, "vllm:generation_tokens_total", Rate, 30*time.Second)
	require.True(t, ok)
	assert.InDelta(t, 50.0, v, 1e-9, "1500 tokens in 30 s")

	v, ok = value(t, st, "vllm:generation_tokens_total", Rate, 10*time.Second)
	assert.False(t, ok, "one point in the window is no rate (got %v)", v)

	v, ok = value(t, st, "vllm:generation_tokens_total", Last, time.Minute)
	require.True(t, ok)
	assert.Equal(t, 4000.0, v)
}

func TestCumulativeRateCountsAResetAsIncrease(t *testing.T) {
	st := New(testLimits())
	// The server restarts between 20 s and 30 s: the counter starts over.
	st.Consume(sum("tokens", true, pmetric.AggregationTemporalityCumulative, nil,
		pts(0, 500, nil), pts(10, 600, nil), pts(20, 700, nil), pts(30, 50, nil), pts(40, 150, nil)), at(40))
	v, ok := value(t, st, "tokens", Rate, time.Minute)
	require.True(t, ok)
	// 100 + 100 + 50 (after reset) + 100 over 40 s.
	assert.InDelta(t, 350.0/40, v, 1e-9)
}

func TestCumulativeRateSeesAResetByStartTime(t *testing.T) {
	st := New(testLimits())
	// The restarted process has counted past the old value by the next scrape;
	// only the new start time shows the reset.
	st.Consume(sum("tokens", true, pmetric.AggregationTemporalityCumulative, nil,
		point{sec: 100, start: 0, v: 100}, point{sec: 110, start: 0, v: 200}, point{sec: 120, start: 112, v: 300}), at(120))
	v, ok := value(t, st, "tokens", Rate, time.Minute)
	require.True(t, ok)
	assert.InDelta(t, (100.0+300.0)/20, v, 1e-9)
}

func TestDeltaRate(t *testing.T) {
	t.Run("with start times the first point counts", func(t *testing.T) {
		st := New(testLimits())
		st.Consume(sum("tokens", true, pmetric.AggregationTemporalityDelta, nil,
			point{sec: 10, start: 0, v: 100}, point{sec: 20, start: 10, v: 300}, point{sec: 30, start: 20, v: 200}), at(30))
		v, ok := value(t, st, "tokens", Rate, time.Minute)
		require.True(t, ok)
		assert.InDelta(t, 20.0, v, 1e-9, "600 tokens over 30 s")
	})
	t.Run("without start times the first point only marks the beginning", func(t *testing.T) {
		st := New(testLimits())
		st.Consume(sum("tokens", true, pmetric.AggregationTemporalityDelta, nil,
			pts(10, 100, nil), pts(20, 300, nil), pts(30, 200, nil)), at(30))
		v, ok := value(t, st, "tokens", Rate, time.Minute)
		require.True(t, ok)
		assert.InDelta(t, 25.0, v, 1e-9, "500 tokens over 20 s")
	})
	t.Run("one point with a start time is a rate", func(t *testing.T) {
		st := New(testLimits())
		st.Consume(sum("tokens", true, pmetric.AggregationTemporalityDelta, nil,
			point{sec: 10, start: 5, v: 50}), at(10))
		v, ok := value(t, st, "tokens", Rate, time.Minute)
		require.True(t, ok)
		assert.InDelta(t, 10.0, v, 1e-9)
	})
	t.Run("one point without a start time is not", func(t *testing.T) {
		st := New(testLimits())
		st.Consume(sum("tokens", true, pmetric.AggregationTemporalityDelta, nil, pts(10, 50, nil)), at(10))
		_, ok := value(t, st, "tokens", Rate, time.Minute)
		assert.False(t, ok)
	})
}

func TestNonMonotonicCumulativeSumIsAGauge(t *testing.T) {
	st := New(testLimits())
	st.Consume(sum("vllm:num_requests_running", false, pmetric.AggregationTemporalityCumulative, nil,
		pts(0, 3, nil), pts(10, 1, nil)), at(10))
	s := only(t, st, "vllm:num_requests_running")
	assert.Equal(t, Gauge, s.Kind())
	v, ok := s.Value(Last, time.Minute)
	require.True(t, ok)
	assert.Equal(t, 1.0, v)
}

func TestUnsupportedPointsAreCountedNotStored(t *testing.T) {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	h := ms.AppendEmpty()
	h.SetName("latency")
	h.SetEmptyHistogram().DataPoints().AppendEmpty()
	h.Histogram().DataPoints().AppendEmpty()
	e := ms.AppendEmpty()
	e.SetName("latency_exp")
	e.SetEmptyExponentialHistogram().DataPoints().AppendEmpty()
	s := ms.AppendEmpty()
	s.SetName("quantiles")
	s.SetEmptySummary().DataPoints().AppendEmpty()
	d := ms.AppendEmpty()
	d.SetName("updown_delta")
	ds := d.SetEmptySum()
	ds.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	ds.DataPoints().AppendEmpty().SetIntValue(1)

	st := New(testLimits())
	stats := st.Consume(md, t0)
	assert.Equal(t, 5, stats.Dropped[DroppedUnsupportedType])
	assert.Equal(t, 0, stats.Stored)
	assert.Equal(t, 0, st.SeriesCount())
}

func TestInvalidValuesAreDropped(t *testing.T) {
	md := gauge("g", nil, pts(0, math.NaN(), nil), pts(1, math.Inf(1), nil), pts(2, 1, nil))
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().AppendEmpty() // no value
	st := New(testLimits())
	stats := st.Consume(md, at(2))
	assert.Equal(t, 3, stats.Dropped[DroppedInvalidValue])
	assert.Equal(t, 1, stats.Stored)
}

func TestOutOfOrderPointsAreDroppedAndDuplicatesReplace(t *testing.T) {
	st := New(testLimits())
	st.Consume(gauge("g", nil, pts(10, 1, nil)), at(10))
	stats := st.Consume(gauge("g", nil, pts(5, 2, nil), pts(10, 3, nil)), at(11))
	assert.Equal(t, 1, stats.Dropped[DroppedOutOfOrder])
	assert.Equal(t, 1, stats.Stored)
	s := only(t, st, "g")
	assert.Equal(t, 1, s.Len())
	v, _ := s.Value(Last, time.Minute)
	assert.Equal(t, 3.0, v, "a second point with the same time replaces the first")
}

func TestPointWithoutTimestampTakesTheReceiveTime(t *testing.T) {
	md := gauge("g", nil, pts(0, 1, nil))
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).SetTimestamp(0)
	st := New(testLimits())
	require.Equal(t, 1, st.Consume(md, at(30)).Stored)
	st.Consume(gauge("g", nil, pts(20, 2, nil)), at(31))
	v, _ := only(t, st, "g").Value(Last, time.Minute)
	assert.Equal(t, 1.0, v, "the point stamped at receive time (30 s) is newer than one at 20 s")
}

func TestSeriesAreKeyedByMergedResourceAndPointAttributes(t *testing.T) {
	st := New(testLimits())
	res := map[string]string{"k8s.deployment.name": "vllm", "k8s.pod.name": "vllm-0"}
	st.Consume(gauge("q", res,
		pts(0, 1, map[string]string{"gen_ai.request.model": "llama"}),
		pts(0, 2, map[string]string{"gen_ai.request.model": "mistral"}),
		// The point's attribute wins over the resource's.
		pts(0, 3, map[string]string{"k8s.pod.name": "override"}),
	), t0)
	// The same attributes from another resource layout are the same series.
	st.Consume(gauge("q", map[string]string{"k8s.pod.name": "vllm-0"},
		pts(10, 4, map[string]string{"gen_ai.request.model": "llama", "k8s.deployment.name": "vllm"})), at(10))

	assert.Equal(t, 3, st.SeriesCount())
	var seen []map[string]string
	st.Each("q", func(s *Series) {
		seen = append(seen, s.Attrs())
		if m, _ := s.Attr("gen_ai.request.model"); m == "llama" {
			assert.Equal(t, 2, s.Len())
		}
	})
	assert.ElementsMatch(t, []map[string]string{
		{"k8s.deployment.name": "vllm", "k8s.pod.name": "vllm-0", "gen_ai.request.model": "llama"},
		{"k8s.deployment.name": "vllm", "k8s.pod.name": "vllm-0", "gen_ai.request.model": "mistral"},
		{"k8s.deployment.name": "vllm", "k8s.pod.name": "override"},
	}, seen)
}

func TestSeriesLimitDropsNewSeriesOnly(t *testing.T) {
	l := testLimits()
	l.MaxSeries = 2
	st := New(l)
	stats := st.Consume(gauge("g", nil,
		pts(0, 1, map[string]string{"pod": "a"}),
		pts(0, 1, map[string]string{"pod": "b"}),
		pts(0, 1, map[string]string{"pod": "c"}),
		pts(1, 2, map[string]string{"pod": "a"})), at(1))
	assert.Equal(t, 1, stats.Dropped[DroppedSeriesLimit])
	assert.Equal(t, 3, stats.Stored)
	assert.Equal(t, 2, st.SeriesCount())
}

func TestStalenessMarkerEndsTheSeries(t *testing.T) {
	st := New(testLimits())
	st.Consume(gauge("g", nil, pts(0, 5, map[string]string{"pod": "a"}), pts(0, 6, map[string]string{"pod": "b"})), t0)
	md := gauge("g", nil, pts(15, 0, map[string]string{"pod": "a"}))
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).
		SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	stats := st.Consume(md, at(15))
	assert.Equal(t, 1, stats.Ended)
	assert.Equal(t, 0, stats.Stored)
	assert.Equal(t, 1, st.SeriesCount())
	pod, _ := only(t, st, "g").Attr("pod")
	assert.Equal(t, "b", pod)
}

func TestTypeChangeStartsTheSeriesOver(t *testing.T) {
	st := New(testLimits())
	st.Consume(gauge("m", nil, pts(0, 100, nil), pts(10, 200, nil)), at(10))
	st.Consume(sum("m", true, pmetric.AggregationTemporalityCumulative, nil, pts(20, 5, nil)), at(20))
	s := only(t, st, "m")
	assert.Equal(t, Cumulative, s.Kind())
	assert.Equal(t, 1, s.Len())
	assert.Equal(t, 1, st.SeriesCount())
}

func TestRingKeepsTheNewestAndStaysBounded(t *testing.T) {
	l := Limits{MaxSeries: 10, MaxSamplesPerSeries: 4, Retention: 4 * time.Second}
	st := New(l) // resolution: 4 s / 3 ≈ 1.33 s
	for i := 0; i < 100; i++ {
		st.Consume(sum("c", true, pmetric.AggregationTemporalityCumulative, nil, pts(float64(i)*2, float64(i)*10, nil)), at(float64(i)*2))
	}
	s := only(t, st, "c")
	assert.Equal(t, 4, s.Len())
	v, _ := s.Value(Last, time.Second)
	assert.Equal(t, 990.0, v)
	r, ok := s.Value(Rate, 4*time.Second)
	require.True(t, ok)
	assert.InDelta(t, 5.0, r, 1e-9)
}

func TestFastPointsFoldIntoTheNewestSample(t *testing.T) {
	// Retention 60 s over 7 samples: samples at least 10 s apart.
	l := Limits{MaxSeries: 10, MaxSamplesPerSeries: 7, Retention: time.Minute}

	t.Run("cumulative keeps the newest total and the window start", func(t *testing.T) {
		st := New(l)
		for i := 0; i <= 120; i++ { // one point a second for two minutes, 10 tokens/s
			st.Consume(sum("c", true, pmetric.AggregationTemporalityCumulative, nil, pts(float64(i), float64(i)*10, nil)), at(float64(i)))
		}
		s := only(t, st, "c")
		assert.LessOrEqual(t, s.Len(), 7)
		r, ok := s.Value(Rate, time.Minute)
		require.True(t, ok)
		assert.InDelta(t, 10.0, r, 1e-9)
		v, _ := s.Value(Last, 0)
		assert.Equal(t, 1200.0, v)
	})
	t.Run("delta adds the folded increases", func(t *testing.T) {
		st := New(l)
		for i := 1; i <= 120; i++ {
			st.Consume(sum("d", true, pmetric.AggregationTemporalityDelta, nil,
				point{sec: float64(i), start: float64(i - 1), v: 10}), at(float64(i)))
		}
		s := only(t, st, "d")
		assert.LessOrEqual(t, s.Len(), 7)
		r, ok := s.Value(Rate, time.Minute)
		require.True(t, ok)
		assert.InDelta(t, 10.0, r, 1e-9)
	})
}

func TestExpireRemovesIdleSeries(t *testing.T) {
	st := New(testLimits()) // retention 5 min
	st.Consume(gauge("g", nil, pts(0, 1, map[string]string{"pod": "a"})), t0)
	st.Consume(gauge("g", nil, pts(200, 1, map[string]string{"pod": "b"})), at(200))
	st.Consume(gauge("h", nil, pts(0, 1, nil)), t0)
	assert.Equal(t, 0, st.Expire(at(299)))
	assert.Equal(t, 2, st.Expire(at(301)))
	assert.Equal(t, 1, st.SeriesCount())
	n := 0
	st.Each("h", func(*Series) { n++ })
	assert.Equal(t, 0, n)
	assert.Equal(t, 1, st.Consume(gauge("h", nil, pts(302, 1, nil)), at(302)).Stored, "an expired metric comes back")
}

func TestConcurrentConsumeQueryAndExpire(t *testing.T) {
	st := New(testLimits())
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				st.Consume(gauge("g", map[string]string{"pod": string(rune('a' + w))}, pts(float64(i), float64(i), nil)), at(float64(i)))
				st.Each("g", func(s *Series) { s.Value(MaxOverWindow, time.Minute) })
				if i%50 == 0 {
					st.Expire(at(float64(i)))
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 4, st.SeriesCount())
}

func TestLimitsValidate(t *testing.T) {
	assert.NoError(t, testLimits().Validate())
	err := Limits{MaxSeries: 0, MaxSamplesPerSeries: 1, Retention: 0}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max series")
	assert.Contains(t, err.Error(), "max samples per series")
	assert.Contains(t, err.Error(), "retention")
}

func selectAttrs(st *Store, metric string, sel ...Selector) (held int, got []string) {
	held = st.Select(metric, sel, func(s *Series) {
		pod, _ := s.Attr("pod")
		got = append(got, pod)
	})
	slices.Sort(got)
	return held, got
}

func TestSelectUsesTheIndexAndKeepsItCurrent(t *testing.T) {
	st := New(testLimits())
	st.Consume(gauge("q", nil,
		pts(0, 1, map[string]string{"pod": "a", "deployment": "x", "model": "llama"}),
		pts(0, 1, map[string]string{"pod": "b", "deployment": "x", "model": "mistral"}),
		pts(0, 1, map[string]string{"pod": "c", "deployment": "y", "model": "llama"}),
		pts(0, 1, map[string]string{"pod": "d", "deployment": "y"}),
	), t0)

	held, got := selectAttrs(st, "q", Selector{Key: "deployment", Value: "x"})
	assert.Equal(t, 4, held)
	assert.Equal(t, []string{"a", "b"}, got)
	_, got = selectAttrs(st, "q", Selector{Key: "deployment", Value: "y"}, Selector{Key: "model", Value: "llama"})
	assert.Equal(t, []string{"c"}, got)
	_, got = selectAttrs(st, "q", Selector{Key: "deployment", Value: "y"}, Selector{Key: "model", Value: ""})
	assert.Equal(t, []string{"d"}, got, "an empty value matches a missing attribute")
	_, got = selectAttrs(st, "q", Selector{Key: "model", Value: ""})
	assert.Equal(t, []string{"d"}, got, "without a valued selector every series is checked")
	_, got = selectAttrs(st, "q", Selector{Key: "deployment", Value: "z"})
	assert.Empty(t, got)
	held, got = selectAttrs(st, "nope", Selector{Key: "deployment", Value: "x"})
	assert.Equal(t, 0, held)
	assert.Empty(t, got)

	// A staleness marker, a type change and expiry all leave the index.
	md := gauge("q", nil, pts(10, 0, map[string]string{"pod": "a", "deployment": "x", "model": "llama"}))
	md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints().At(0).
		SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	st.Consume(md, at(10))
	_, got = selectAttrs(st, "q", Selector{Key: "deployment", Value: "x"})
	assert.Equal(t, []string{"b"}, got)

	st.Consume(sum("q", true, pmetric.AggregationTemporalityCumulative, nil,
		pts(20, 5, map[string]string{"pod": "b", "deployment": "x", "model": "mistral"})), at(200))
	n := 0
	st.Select("q", []Selector{{Key: "deployment", Value: "x"}}, func(s *Series) {
		n++
		assert.Equal(t, Cumulative, s.Kind())
	})
	assert.Equal(t, 1, n, "the replaced series is not listed twice")

	st.Expire(at(301)) // c and d idle since 0 s
	held, got = selectAttrs(st, "q", Selector{Key: "deployment", Value: "y"})
	assert.Equal(t, 1, held)
	assert.Empty(t, got)
	assert.Equal(t, 1, st.SeriesCount())
}

func TestSeriesKeysCannotCollide(t *testing.T) {
	st := New(testLimits())
	st.Consume(gauge("g", nil,
		pts(0, 1, map[string]string{"a\x00b": "c"}),
		pts(0, 2, map[string]string{"a": "b\x00c"}),
		pts(0, 3, map[string]string{"a": "b", "c": ""}),
		pts(0, 4, map[string]string{"a": "b\x00\x01c\x00"}),
	), t0)
	assert.Equal(t, 4, st.SeriesCount())
}
