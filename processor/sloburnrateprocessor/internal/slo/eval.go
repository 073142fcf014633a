package slo

import "math"

// evaluateUntil evaluates group g at every evaluation time T with
// g.wm <= T < t: those the group's clock has now passed. Stretches where no
// window can hold a sample are skipped.
func (s *sloState) evaluateUntil(g *group, t, intervalMs int64, out *emitter) {
	T := ceilDiv(g.wm, intervalMs) * intervalMs
	for T < t {
		if g.wm <= T-s.maxMs {
			return
		}
		s.evalTick(g, T, intervalMs, out)
		T = s.nextTick(g, T, intervalMs)
	}
}

// nextTick is the next time after T at which something can be emitted: an
// alert state while an alert window can still hold samples, or a window at its
// own cadence while it can.
func (s *sloState) nextTick(g *group, T, intervalMs int64) int64 {
	next := int64(math.MaxInt64)
	if c := T + intervalMs; g.wm > c-s.maxAlertMs {
		next = c
	}
	for _, w := range s.wins {
		c := (floorDiv(T, w.widthMs) + 1) * w.widthMs
		if c < next && g.wm > c-w.durMs {
			next = c
		}
	}
	return next
}

// evalTick computes, at time T, every window whose cadence T is on, then the
// alert state of every severity.
func (s *sloState) evalTick(g *group, T, intervalMs int64, out *emitter) {
	for wi := range s.wins {
		w := &s.wins[wi]
		if T%w.widthMs != 0 {
			continue
		}
		ratio, ok := s.errorRatio(g, wi, T)
		g.vals[wi] = winVal{tick: T, ratio: ratio, ok: ok}
		if !ok {
			continue
		}
		burn := ratio / s.budget
		out.window(g, T, w.label, ratio, burn)
		if w.isPeriod {
			out.budget(g, T, 1-burn)
		}
	}
	if T%intervalMs != 0 {
		return
	}
	for _, sv := range s.severities {
		seen, firing := false, false
		for _, p := range sv.pairs {
			long, lok := s.latest(g, p.long, T)
			short, sok := s.latest(g, p.short, T)
			seen = seen || lok || sok
			if lok && sok && long > p.threshold && short > p.threshold {
				firing = true
			}
		}
		if seen {
			out.alert(g, T, sv.name, firing)
		}
	}
}

// latest is window wi's value at its most recent cadence time at or before T.
func (s *sloState) latest(g *group, wi int, T int64) (float64, bool) {
	v := g.vals[wi]
	w := s.wins[wi]
	if !v.ok || v.tick != floorDiv(T, w.widthMs)*w.widthMs {
		return 0, false
	}
	return v.ratio, true
}

// errorRatio is the SLI error ratio of window wi at T, computed as the
// generated Prometheus rules do:
//
//	ratio:   (sum(rate(bad[W])) or 0*sum(rate(total[W]))) / sum(rate(total[W]))
//	latency: (sum(rate(x_count[W])) - sum(rate(x_bucket{le="T"}[W]))) / sum(rate(x_count[W]))
//
// ok is false where Prometheus has no value or NaN: no samples, or no events.
func (s *sloState) errorRatio(g *group, wi int, T int64) (float64, bool) {
	var bad, total, good, all float64
	var badOK, totalOK, goodOK, allOK bool
	for _, tr := range g.tracks {
		r, ok := tr.Rate(s.layout, wi, T)
		if !ok {
			continue
		}
		if tr.roles&roleBad != 0 {
			bad += r
			badOK = true
		}
		if tr.roles&roleTotal != 0 {
			total += r
			totalOK = true
		}
		if tr.roles&roleGood != 0 {
			good += r
			goodOK = true
		}
		if tr.roles&roleAll != 0 {
			all += r
			allOK = true
		}
	}
	if s.spec.Kind == KindLatency {
		if !allOK || !goodOK || all == 0 {
			return 0, false
		}
		return (all - good) / all, true
	}
	if !totalOK || total == 0 {
		return 0, false
	}
	if !badOK {
		bad = 0
	}
	return bad / total, true
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
