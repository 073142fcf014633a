package slo

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

func testSpecs() []*Spec {
	return []*Spec{{
		Name: "availability", Service: "svc", Objective: 99, Period: time.Hour, Kind: KindRatio,
		Bad:     Selector{Metric: "requests", Match: map[string]string{"outcome": "error"}},
		Total:   Selector{Metric: "requests"},
		GroupBy: []string{"model", "shard"},
		Windows: []AlertWindow{{Severity: "page", Long: 10 * time.Minute, Short: 2 * time.Minute, BurnRate: 5}},
	}}
}

func testOptions() Options {
	return Options{Interval: time.Minute, BucketsPerWindow: 60, MaxSeries: 100, ScopeName: "test"}
}

// counters builds cumulative request counters for minutes of data.
func counters(start time.Time, minutes int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	sum := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	sum.SetName("requests")
	s := sum.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i := 1; i <= minutes*4; i++ {
		for _, o := range []struct {
			outcome string
			v       int64
		}{{"ok", int64(100 * i)}, {"error", int64(3 * i)}} {
			dp := s.DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * 15 * time.Second)))
			dp.Attributes().PutStr("outcome", o.outcome)
			dp.Attributes().PutStr("model", "m1")
			dp.Attributes().PutInt("shard", 3)
			dp.SetIntValue(o.v)
		}
	}
	return md
}

func TestSnapshotRestoresEverything(t *testing.T) {
	a, err := NewEngine(testSpecs(), testOptions())
	require.NoError(t, err)
	start := time.Date(2026, 1, 1, 0, 0, 7, 0, time.UTC)
	a.Process(counters(start, 20))
	require.Equal(t, 2, a.Series())
	snap := a.Snapshot()

	b, err := NewEngine(testSpecs(), testOptions())
	require.NoError(t, err)
	skipped, err := b.Restore(snap)
	require.NoError(t, err)
	assert.Empty(t, skipped)
	assert.Equal(t, 2, b.Series())
	assert.Equal(t, snap, b.Snapshot(), "a restored engine snapshots to the same bytes")

	// The group-by values keep their types (shard is an int).
	for _, g := range b.slos[0].groups {
		v, ok := g.attrs.Get("shard")
		require.True(t, ok)
		assert.Equal(t, pcommon.ValueTypeInt, v.Type())
	}
}

func TestRestoreSkipsChangedSLOs(t *testing.T) {
	a, err := NewEngine(testSpecs(), testOptions())
	require.NoError(t, err)
	a.Process(counters(time.Date(2026, 1, 1, 0, 0, 7, 0, time.UTC), 5))
	changed := testSpecs()
	changed[0].Bad.Match = map[string]string{"outcome": "failure"}
	b, err := NewEngine(changed, testOptions())
	require.NoError(t, err)
	skipped, err := b.Restore(a.Snapshot())
	require.NoError(t, err)
	assert.Equal(t, []string{"availability"}, skipped)
	assert.Zero(t, b.Series())

	// The objective is not part of what the windows hold.
	retuned := testSpecs()
	retuned[0].Objective = 99.9
	c, err := NewEngine(retuned, testOptions())
	require.NoError(t, err)
	skipped, err = c.Restore(a.Snapshot())
	require.NoError(t, err)
	assert.Empty(t, skipped)
	assert.Equal(t, 2, c.Series())
}

func TestRestoreRespectsTheSeriesCap(t *testing.T) {
	a, err := NewEngine(testSpecs(), testOptions())
	require.NoError(t, err)
	a.Process(counters(time.Date(2026, 1, 1, 0, 0, 7, 0, time.UTC), 5))
	opts := testOptions()
	opts.MaxSeries = 1
	b, err := NewEngine(testSpecs(), opts)
	require.NoError(t, err)
	_, err = b.Restore(a.Snapshot())
	require.NoError(t, err)
	assert.Zero(t, b.Series(), "a group is restored whole or not at all")
	assert.Equal(t, int64(2), b.TakeStats().Refused[ReasonSeriesLimit])
}

func FuzzRestore(f *testing.F) {
	a, err := NewEngine(testSpecs(), testOptions())
	require.NoError(f, err)
	a.Process(counters(time.Date(2026, 1, 1, 0, 0, 7, 0, time.UTC), 3))
	f.Add(a.Snapshot())
	f.Add([]byte(stateMagic))
	f.Add([]byte("SLOBURN1\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := NewEngine(testSpecs(), testOptions())
		require.NoError(t, err)
		if _, err := e.Restore(data); err != nil {
			return
		}
		// Whatever was restored must keep working.
		e.Process(counters(time.Date(2026, 1, 1, 0, 30, 7, 0, time.UTC), 2))
		_ = e.Snapshot()
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30d", "1h30m", "90s", "1.5h", "2w", "", "-1h", "99999999999999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		if d >= 0 && d%time.Millisecond == 0 {
			back, err := ParseDuration(FormatDuration(d))
			require.NoError(t, err)
			assert.Equal(t, d, back)
		}
	})
}

// FuzzProcess feeds arbitrary OTLP metrics (as protobuf) to an engine: bad
// points are refused and counted, never a panic or a hang.
func FuzzProcess(f *testing.F) {
	marshaler := &pmetric.ProtoMarshaler{}
	seed, err := marshaler.MarshalMetrics(counters(time.Date(2026, 1, 1, 0, 0, 7, 0, time.UTC), 3))
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		md, err := (&pmetric.ProtoUnmarshaler{}).UnmarshalMetrics(data)
		if err != nil {
			return
		}
		e, err := NewEngine(testSpecs(), testOptions())
		require.NoError(t, err)
		e.Process(md)
		e.Process(md) // the same again: duplicates
		_ = e.Snapshot()
	})
}
