package store

import (
	"math"
	"time"
)

// Kind says how the values of a series combine over time.
type Kind uint8

const (
	// Gauge values stand alone: gauges and non-monotonic cumulative sums
	// (queue depth, KV-cache usage, running requests).
	Gauge Kind = iota
	// Cumulative values are running totals since the point's start time
	// (monotonic cumulative sums: tokens generated, requests served).
	Cumulative
	// Delta values are increases since the previous point (monotonic delta sums).
	Delta
)

func (k Kind) String() string {
	switch k {
	case Gauge:
		return "gauge"
	case Cumulative:
		return "cumulative sum"
	case Delta:
		return "delta sum"
	}
	return "unknown"
}

// Function turns a series' recent samples into one number.
type Function uint8

const (
	// Last is the newest value.
	Last Function = iota
	// Rate is the per-second increase over the window (Cumulative and Delta only).
	Rate
	// AvgOverWindow is the mean of the samples within the window.
	AvgOverWindow
	// MaxOverWindow is the largest sample within the window.
	MaxOverWindow
)

type sample struct {
	ts    int64 // point time, unix ns
	start int64 // point start time, unix ns; 0 when unknown
	v     float64
}

// Series is one metric stream: the metric name plus one set of attributes
// (resource attributes merged with the point's own, the point's winning).
// Its samples form a bounded ring: newest always exact, older ones at least
// the store's resolution apart.
type Series struct {
	attrs    map[string]string
	kind     Kind
	buf      []sample // grows to max, then wraps; oldest at buf[first]
	first    int
	lastRecv int64 // when the newest point arrived, unix ns
}

// Attr returns the value of an attribute of the series.
func (s *Series) Attr(key string) (string, bool) {
	v, ok := s.attrs[key]
	return v, ok
}

// Attrs returns a copy of the series' attributes.
func (s *Series) Attrs() map[string]string {
	out := make(map[string]string, len(s.attrs))
	for k, v := range s.attrs {
		out[k] = v
	}
	return out
}

// Kind of the series.
func (s *Series) Kind() Kind { return s.kind }

// LastReceived is the time the newest point of the series arrived.
func (s *Series) LastReceived() time.Time { return time.Unix(0, s.lastRecv) }

// Len is the number of samples held.
func (s *Series) Len() int { return len(s.buf) }

// at returns the i-th newest sample (0 = newest).
func (s *Series) at(i int) sample {
	n := len(s.buf)
	return s.buf[(s.first+n-1-i)%n]
}

// newest is at(0) without a division.
func (s *Series) newest() sample {
	if s.first > 0 {
		return s.buf[s.first-1]
	}
	return s.buf[len(s.buf)-1]
}

// add records a point. It reports false when the point is older than the
// newest one held (out of order).
func (s *Series) add(p sample, maxSamples int, resolution int64) bool {
	n := len(s.buf)
	if n > 0 {
		newest := s.at(0)
		switch {
		case p.ts < newest.ts:
			return false
		case p.ts == newest.ts:
			// The same point again (a retry or a duplicate pipeline): the later copy wins.
			s.set(0, p)
			return true
		case n >= 2 && p.ts-s.at(1).ts < resolution:
			// Too close to the sample before the newest: fold into the newest so
			// that a fast sender cannot push the window's start out of the ring.
			if s.kind == Delta {
				p.v += newest.v
				if newest.start != 0 && (p.start == 0 || newest.start < p.start) {
					p.start = newest.start
				}
			}
			s.set(0, p)
			return true
		}
	}
	if n < maxSamples {
		s.buf = append(s.buf, p)
		return true
	}
	s.buf[s.first] = p
	s.first = (s.first + 1) % n
	return true
}

func (s *Series) set(i int, p sample) {
	n := len(s.buf)
	s.buf[(s.first+n-1-i)%n] = p
}

// span is a run of samples in time order, held as up to two pieces of the
// ring (so that walking it needs no division).
type span struct{ a, b []sample }

func (w span) len() int { return len(w.a) + len(w.b) }

func (w span) at(i int) sample {
	if i < len(w.a) {
		return w.a[i]
	}
	return w.b[i-len(w.a)]
}

// within returns the samples whose time is at or after from, oldest first.
// Windows are short next to the ring, so it walks back from the newest.
func (s *Series) within(from int64) span {
	a, b := s.buf[s.first:], s.buf[:s.first]
	if len(b) == 0 { // not wrapped yet: a holds everything, the newest last
		return span{a: a[trimOlder(a, from, len(a)-1):]}
	}
	if lo := trimOlder(b, from, len(b)-1); lo > 0 {
		return span{b: b[lo:]}
	}
	// All of b is in the window (older samples are in a): continue into a.
	return span{a: a[trimOlder(a, from, len(a)):], b: b}
}

// trimOlder walks back from a[end] (exclusive of a[end] itself, which stays)
// and returns the index of the oldest sample at or after from.
func trimOlder(a []sample, from int64, end int) int {
	lo := end
	for lo > 0 && a[lo-1].ts >= from {
		lo--
	}
	return lo
}

// Value computes fn over the samples whose time lies within window of the
// newest one. ok is false when the samples cannot answer: no sample, or a
// rate with fewer than two samples in the window, or a rate of a gauge.
func (s *Series) Value(fn Function, window time.Duration) (v float64, ok bool) {
	if len(s.buf) == 0 {
		return 0, false
	}
	newest := s.newest()
	if fn == Last {
		return newest.v, true
	}
	w := s.within(newest.ts - int64(window))
	switch fn {
	case AvgOverWindow:
		sum := 0.0
		for i := 0; i < w.len(); i++ {
			sum += w.at(i).v
		}
		return sum / float64(w.len()), true
	case MaxOverWindow:
		mx := math.Inf(-1)
		for i := 0; i < w.len(); i++ {
			mx = math.Max(mx, w.at(i).v)
		}
		return mx, true
	case Rate:
		switch s.kind {
		case Cumulative:
			return cumulativeRate(w)
		case Delta:
			return deltaRate(w)
		}
	}
	return 0, false
}

// cumulativeRate is the increase between the oldest and newest samples per
// second, counting a drop in value or a new start time as a counter reset
// (the new value is then all increase).
func cumulativeRate(w span) (float64, bool) {
	m := w.len()
	if m < 2 {
		return 0, false
	}
	oldest, newest := w.at(0), w.at(m-1)
	elapsed := float64(newest.ts-oldest.ts) / 1e9
	if elapsed <= 0 {
		return 0, false
	}
	increase := 0.0
	prev := oldest
	for i := 1; i < m; i++ {
		cur := w.at(i)
		reset := cur.v < prev.v || (cur.start != 0 && prev.start != 0 && cur.start > prev.start)
		if reset {
			increase += cur.v
		} else {
			increase += cur.v - prev.v
		}
		prev = cur
	}
	return increase / elapsed, true
}

// deltaRate sums the increases of the samples per second of the time they
// cover. Without a start time the oldest sample only marks where the covered
// time begins.
func deltaRate(w span) (float64, bool) {
	m := w.len()
	oldest, newest := w.at(0), w.at(m-1)
	sum := 0.0
	for i := 0; i < m; i++ {
		sum += w.at(i).v
	}
	begin := oldest.start
	if begin == 0 || begin >= oldest.ts {
		if m < 2 {
			return 0, false
		}
		sum -= oldest.v
		begin = oldest.ts
	}
	elapsed := float64(newest.ts-begin) / 1e9
	if elapsed <= 0 {
		return 0, false
	}
	return sum / elapsed, true
}
