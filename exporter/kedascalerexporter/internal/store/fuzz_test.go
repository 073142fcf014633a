package store

import (
	"encoding/binary"
	"math"
	"testing"
	"time"
)

// FuzzSeries feeds a series arbitrary points (times may go backwards, values
// jump, start times change) and checks that it stays bounded and that every
// function either answers a finite number or says it cannot.
func FuzzSeries(f *testing.F) {
	f.Add(uint8(0), uint8(4), []byte{1, 0, 0, 0, 10, 2, 0, 0, 0, 20, 3, 0, 0, 0, 5})
	f.Add(uint8(1), uint8(2), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add(uint8(2), uint8(9), []byte{255, 255, 255, 255, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Fuzz(func(t *testing.T, kind, maxSamples uint8, data []byte) {
		k := Kind(kind % 3)
		ms := int(maxSamples%16) + 2
		s := &Series{kind: k}
		resolution := int64(time.Second)
		var ts int64
		for len(data) >= 5 {
			step := int64(int8(data[0])) * int64(time.Second) // may be negative: out of order
			v := float64(binary.BigEndian.Uint32(data[1:5])) - 1e9
			data = data[5:]
			ts += step
			s.add(sample{ts: ts, start: ts - int64(data0(data))*int64(time.Second), v: v}, ms, resolution)
			if s.Len() > ms {
				t.Fatalf("%d samples held, max %d", s.Len(), ms)
			}
			checkWithin(t, s)
			for _, fn := range []Function{Last, Rate, AvgOverWindow, MaxOverWindow} {
				for _, w := range []time.Duration{0, time.Second, time.Minute, time.Hour} {
					got, ok := s.Value(fn, w)
					if ok && (math.IsNaN(got) || math.IsInf(got, 0)) {
						t.Fatalf("%v over %s: %v", fn, w, got)
					}
					if ok && fn == Rate && k == Gauge {
						t.Fatal("a rate of a gauge")
					}
				}
			}
		}
	})
}

func data0(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0] % 4
}

// checkWithin compares the ring's window with a plain filter of its samples
// in time order.
func checkWithin(t *testing.T, s *Series) {
	n := s.Len()
	ordered := make([]sample, n)
	for i := 0; i < n; i++ {
		ordered[n-1-i] = s.at(i)
	}
	for i := 1; i < n; i++ {
		if ordered[i].ts < ordered[i-1].ts {
			t.Fatalf("ring out of time order: %v", ordered)
		}
	}
	newest := ordered[n-1].ts
	for _, w := range []int64{0, int64(time.Second), int64(5 * time.Second), int64(time.Hour)} {
		var want []sample
		for i, p := range ordered {
			if p.ts >= newest-w || i == n-1 {
				want = append(want, p)
			}
		}
		got := s.within(newest - w)
		if got.len() != len(want) {
			t.Fatalf("window %d: %d samples, want %d (%v)", w, got.len(), len(want), ordered)
		}
		for i := range want {
			if got.at(i) != want[i] {
				t.Fatalf("window %d: sample %d is %v, want %v", w, i, got.at(i), want[i])
			}
		}
	}
}
