package store

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

func BenchmarkSeriesValue(b *testing.B) {
	st := New(Limits{MaxSeries: 10, MaxSamplesPerSeries: 64, Retention: 10 * time.Minute})
	for i := 0; i < 40; i++ { // 40 scrapes, 15 s apart: the ring has wrapped? no: 40 < 64
		st.Consume(sum("c", true, pmetric.AggregationTemporalityCumulative, nil, pts(float64(i*15), float64(i*1000), nil)), at(float64(i*15)))
	}
	var s *Series
	st.Each("c", func(x *Series) { s = x })
	for _, c := range []struct {
		name string
		fn   Function
		w    time.Duration
	}{{"rate_60s", Rate, time.Minute}, {"rate_5m", Rate, 5 * time.Minute}, {"max_60s", MaxOverWindow, time.Minute}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, ok := s.Value(c.fn, c.w); !ok {
					b.Fatal("no value")
				}
			}
		})
	}
}
