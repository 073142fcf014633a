// Package window keeps, per input counter series, the little it needs to answer
// "what would Prometheus's rate(x[W]) return at time T" for a fixed set of
// windows, in fixed memory: one ring of buckets per window resolution.
//
// All times are Unix milliseconds, the resolution Prometheus stores.
package window

import (
	"errors"
	"fmt"
	"math"
)

// Ring is one bucket resolution shared by every window that uses it.
type Ring struct {
	// WidthMs is the bucket width; bucket k covers ((k-1)*WidthMs, k*WidthMs].
	WidthMs int64
	// Len is the number of buckets kept: the longest window on this ring.
	Len int
	// offset of the ring's first bucket in a Counter's bucket slab.
	offset int
}

// Window is one rate window, evaluated at every multiple of its ring's width.
type Window struct {
	DurMs   int64
	Ring    int
	Buckets int
}

// Layout maps a set of window durations onto rings. It is shared by every
// counter of one SLO.
type Layout struct {
	IntervalMs int64
	Rings      []Ring
	Windows    []Window
	slab       int
}

// MaxBucketWidthMs bounds a bucket width so that an offset inside a bucket fits
// in 32 bits (about 49 days).
const MaxBucketWidthMs = math.MaxUint32 - 1

// NewLayout gives every window the finest resolution that is a multiple of the
// evaluation interval, divides the window, and needs at most bucketsPerWindow
// buckets. Windows with the same resolution share one ring.
func NewLayout(intervalMs int64, windowsMs []int64, bucketsPerWindow int) (*Layout, error) {
	if intervalMs <= 0 {
		return nil, errors.New("evaluation interval must be positive")
	}
	if bucketsPerWindow < 1 {
		return nil, errors.New("buckets per window must be at least 1")
	}
	l := &Layout{IntervalMs: intervalMs}
	ringOf := map[int64]int{}
	for _, w := range windowsMs {
		if w <= 0 || w%intervalMs != 0 {
			return nil, fmt.Errorf("window %dms is not a positive multiple of the evaluation interval %dms", w, intervalMs)
		}
		steps := w / intervalMs
		width := intervalMs * smallestDivisorAtLeast(steps, ceilDiv(steps, int64(bucketsPerWindow)))
		if width > MaxBucketWidthMs {
			return nil, fmt.Errorf("window %dms would need buckets of %dms, more than %dms: raise buckets_per_window", w, width, int64(MaxBucketWidthMs))
		}
		n := int(w / width)
		r, ok := ringOf[width]
		if !ok {
			r = len(l.Rings)
			ringOf[width] = r
			l.Rings = append(l.Rings, Ring{WidthMs: width})
		}
		l.Rings[r].Len = max(l.Rings[r].Len, n)
		l.Windows = append(l.Windows, Window{DurMs: w, Ring: r, Buckets: n})
	}
	for i := range l.Rings {
		l.Rings[i].offset = l.slab
		l.slab += l.Rings[i].Len
	}
	return l, nil
}

// Buckets is the number of buckets one counter holds.
func (l *Layout) Buckets() int { return l.slab }

// WidthMs is the resolution (and evaluation cadence) of window w.
func (l *Layout) WidthMs(w int) int64 { return l.Rings[l.Windows[w].Ring].WidthMs }

// smallestDivisorAtLeast returns the smallest divisor of n that is >= lo.
func smallestDivisorAtLeast(n, lo int64) int64 {
	lo = max(lo, 1)
	for d := lo; d < n; d++ {
		if n%d == 0 {
			return d
		}
	}
	return n
}

func ceilDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a > 0) == (b > 0) {
		q++
	}
	return q
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
