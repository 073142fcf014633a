package window

import (
	"encoding/binary"
	"errors"
	"math"
	"unsafe"
)

// Outcome says what Add did with a sample.
type Outcome uint8

const (
	// Accepted: the sample is part of the series now.
	Accepted Outcome = iota
	// Duplicate: a sample with the same timestamp was already taken; Prometheus
	// drops it too.
	Duplicate
	// Late: older than the newest sample of the series; Prometheus refuses it
	// as out of order.
	Late
)

// emptyBucket marks a bucket without samples.
const emptyBucket = math.MaxUint32

// bucket remembers the first sample that fell into it: that is all a rate over
// a window starting at this bucket needs. The last sample of any window is the
// counter's newest sample, because windows are evaluated before newer samples
// are added.
type bucket struct {
	// firstOff is the first sample's time after the bucket start, in ms.
	firstOff uint32
	// before is how many samples the series had before the first one here
	// (modulo 2^32: only differences are used).
	before uint32
	// firstRaw is the first sample's value as sent.
	firstRaw float64
	// firstAdj is the reset-adjusted running total at the first sample.
	firstAdj float64
}

// Counter is the state of one monotonic counter series.
type Counter struct {
	lastT   int64
	startT  int64
	lastRaw float64
	// adj grows by every increase between consecutive samples, counting a
	// reset as an increase from zero, exactly as Prometheus's rate does.
	adj     float64
	n       uint32
	started bool
	buckets []bucket
}

// NewCounter returns an empty counter for layout l.
func NewCounter(l *Layout) *Counter {
	c := &Counter{}
	c.Init(l)
	return c
}

// Init makes c an empty counter for layout l (for counters embedded by value).
func (c *Counter) Init(l *Layout) {
	*c = Counter{buckets: make([]bucket, l.Buckets())}
	for i := range c.buckets {
		c.buckets[i].firstOff = emptyBucket
	}
}

// SizeBytes is the memory the counter holds, its buckets included.
func (c *Counter) SizeBytes() int {
	return int(unsafe.Sizeof(*c)) + cap(c.buckets)*int(unsafe.Sizeof(bucket{}))
}

// LastT is the time of the newest sample (ms); ok is false before the first.
func (c *Counter) LastT() (int64, bool) { return c.lastT, c.started }

// Add takes a cumulative sample: time t (ms), value v, and the series' start
// time (ms, 0 when unknown). A value below the previous one, or a start time
// that moved forward, is a counter reset.
func (c *Counter) Add(l *Layout, t int64, v float64, startT int64) Outcome {
	if c.started {
		switch {
		case t == c.lastT:
			return Duplicate
		case t < c.lastT:
			return Late
		}
		restarted := startT != 0 && c.startT != 0 && startT > c.startT
		if v < c.lastRaw || restarted {
			c.adj += v
		} else {
			c.adj += v - c.lastRaw
		}
	} else {
		c.adj = v
	}
	c.place(l, t, v)
	c.startT = startT
	c.lastRaw = v
	return Accepted
}

// AddDelta takes a delta sample: the increase since the previous one. The
// counter keeps the running sum as its cumulative value, as the
// deltatocumulative processor would before Prometheus sees it.
func (c *Counter) AddDelta(l *Layout, t int64, delta float64, startT int64) Outcome {
	if c.started {
		switch {
		case t == c.lastT:
			return Duplicate
		case t < c.lastT:
			return Late
		}
	}
	v := delta
	if c.started {
		v = c.lastRaw + delta
		c.adj += delta
	} else {
		c.adj = v
	}
	c.place(l, t, v)
	c.startT = startT
	c.lastRaw = v
	return Accepted
}

// place files sample (t, v) into every ring, after c.adj has been updated.
func (c *Counter) place(l *Layout, t int64, v float64) {
	for ri := range l.Rings {
		r := &l.Rings[ri]
		slots := c.buckets[r.offset : r.offset+r.Len]
		k := ceilDiv(t, r.WidthMs)
		if c.started {
			head := ceilDiv(c.lastT, r.WidthMs)
			if k == head {
				// The previous sample is in this bucket already, so it has
				// its first sample: no need to touch (and miss the cache
				// on) the slot.
				continue
			}
			// Buckets between the old head and k have no samples: clear
			// what they overwrite.
			for j, n := head+1, 0; j <= k && n < r.Len; j, n = j+1, n+1 {
				slots[mod(j, r.Len)].firstOff = emptyBucket
			}
		}
		b := &slots[mod(k, r.Len)]
		if b.firstOff == emptyBucket {
			b.firstOff = uint32(t - (k-1)*r.WidthMs)
			b.before = c.n
			b.firstRaw = v
			b.firstAdj = c.adj
		}
	}
	c.lastT = t
	c.n++
	c.started = true
}

// Rate returns what Prometheus's rate(x[W]) returns at time T for window w of
// the layout, T being a multiple of the window's bucket width and no older than
// the counter's newest sample. ok is false where Prometheus returns nothing
// (fewer than two samples in the window).
func (c *Counter) Rate(l *Layout, w int, T int64) (rate float64, ok bool) {
	if !c.started {
		return 0, false
	}
	win := l.Windows[w]
	r := &l.Rings[win.Ring]
	rangeStart := T - win.DurMs
	if c.lastT <= rangeStart || c.lastT > T {
		return 0, false
	}
	slots := c.buckets[r.offset : r.offset+r.Len]
	head := ceilDiv(c.lastT, r.WidthMs)
	K := T / r.WidthMs
	from := K - int64(win.Buckets) + 1
	from = max(from, head-int64(r.Len)+1)
	for k := from; k <= head; k++ {
		b := &slots[mod(k, r.Len)]
		if b.firstOff == emptyBucket {
			continue
		}
		firstT := (k-1)*r.WidthMs + int64(b.firstOff)
		samples := c.n - b.before
		if samples < 2 {
			return 0, false
		}
		return extrapolatedRate(c.adj-b.firstAdj, b.firstRaw, firstT, c.lastT, rangeStart, T, int(samples), win.DurMs), true
	}
	return 0, false
}

// extrapolatedRate is Prometheus's rate() (promql/functions.go, v3) for a
// counter whose samples in (rangeStart, rangeEnd] run from firstT to lastT,
// numbering samples, with increase (resets accounted) and the first raw value.
func extrapolatedRate(increase, firstRaw float64, firstT, lastT, rangeStart, rangeEnd int64, samples int, rangeMs int64) float64 {
	durationToStart := float64(firstT-rangeStart) / 1000
	durationToEnd := float64(rangeEnd-lastT) / 1000
	sampledInterval := float64(lastT-firstT) / 1000
	averageDurationBetweenSamples := sampledInterval / float64(samples-1)
	extrapolationThreshold := averageDurationBetweenSamples * 1.1

	if durationToStart >= extrapolationThreshold {
		durationToStart = averageDurationBetweenSamples / 2
	}
	// A counter cannot go below zero: do not extrapolate past the point
	// where the series would have started from zero.
	durationToZero := durationToStart
	if increase > 0 && firstRaw >= 0 {
		durationToZero = sampledInterval * (firstRaw / increase)
	}
	if durationToZero < durationToStart {
		durationToStart = durationToZero
	}
	if durationToEnd >= extrapolationThreshold {
		durationToEnd = averageDurationBetweenSamples / 2
	}
	factor := 1.0
	if sampledInterval != 0 {
		factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
	}
	factor /= float64(rangeMs) / 1000
	return increase * factor
}

func mod(k int64, n int) int {
	m := int(k % int64(n))
	if m < 0 {
		m += n
	}
	return m
}

// AppendBinary appends the counter's state to b: the scalars, then only the
// buckets that hold a sample.
func (c *Counter) AppendBinary(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(c.lastT))
	b = binary.LittleEndian.AppendUint64(b, uint64(c.startT))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.lastRaw))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c.adj))
	b = binary.LittleEndian.AppendUint32(b, c.n)
	started := byte(0)
	if c.started {
		started = 1
	}
	b = append(b, started)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(c.buckets)))
	used := 0
	for i := range c.buckets {
		if c.buckets[i].firstOff != emptyBucket {
			used++
		}
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(used))
	for i := range c.buckets {
		bk := &c.buckets[i]
		if bk.firstOff == emptyBucket {
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(i))
		b = binary.LittleEndian.AppendUint32(b, bk.firstOff)
		b = binary.LittleEndian.AppendUint32(b, bk.before)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(bk.firstRaw))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(bk.firstAdj))
	}
	return b
}

// ErrCorrupt is returned for state that does not decode.
var ErrCorrupt = errors.New("window: corrupt counter state")

// DecodeBinary restores a counter written by AppendBinary for the same layout
// and returns the bytes after it.
func (c *Counter) DecodeBinary(l *Layout, b []byte) ([]byte, error) {
	const head = 8*4 + 4 + 1 + 4 + 4
	if len(b) < head {
		return nil, ErrCorrupt
	}
	c.Init(l)
	c.lastT = int64(binary.LittleEndian.Uint64(b))
	c.startT = int64(binary.LittleEndian.Uint64(b[8:]))
	c.lastRaw = math.Float64frombits(binary.LittleEndian.Uint64(b[16:]))
	c.adj = math.Float64frombits(binary.LittleEndian.Uint64(b[24:]))
	c.n = binary.LittleEndian.Uint32(b[32:])
	c.started = b[36] == 1
	n := binary.LittleEndian.Uint32(b[37:])
	used := binary.LittleEndian.Uint32(b[41:])
	b = b[head:]
	if int(n) != len(c.buckets) || used > n {
		return nil, ErrCorrupt
	}
	const rec = 4 + 4 + 4 + 8 + 8
	if uint64(len(b)) < uint64(used)*rec {
		return nil, ErrCorrupt
	}
	for range used {
		i := binary.LittleEndian.Uint32(b)
		if i >= n {
			return nil, ErrCorrupt
		}
		c.buckets[i] = bucket{
			firstOff: binary.LittleEndian.Uint32(b[4:]),
			before:   binary.LittleEndian.Uint32(b[8:]),
			firstRaw: math.Float64frombits(binary.LittleEndian.Uint64(b[12:])),
			firstAdj: math.Float64frombits(binary.LittleEndian.Uint64(b[20:])),
		}
		b = b[rec:]
	}
	return b, nil
}
