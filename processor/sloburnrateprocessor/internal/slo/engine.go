package slo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/window"
)

// Reason says why an input point was not counted into an SLO. The point
// still passes through the pipeline; it is only left out of the SLO.
type Reason uint8

const (
	ReasonLate Reason = iota
	ReasonDuplicate
	ReasonSeriesLimit
	ReasonNoBucketAtThreshold
	ReasonUnitMismatch
	ReasonNotACounter
	ReasonInvalidValue
	ReasonNoRecordedValue
	NumReasons
)

var reasonNames = [NumReasons]string{
	"late", "duplicate", "series_limit", "no_bucket_at_threshold",
	"unit_mismatch", "not_a_counter", "invalid_value", "no_recorded_value",
}

func (r Reason) String() string { return reasonNames[r] }

// Stats counts what the engine did since the last TakeStats.
type Stats struct {
	Refused [NumReasons]int64
	Evicted int64
}

// Options shape the engine.
type Options struct {
	// Interval is the evaluation interval: alert states are evaluated at its
	// multiples (Unix time), windows at multiples of their bucket width.
	Interval         time.Duration
	BucketsPerWindow int
	// MaxSeries caps the counter series held over all SLOs.
	MaxSeries    int
	ScopeName    string
	ScopeVersion string
}

// Roles of a counter series in an SLI.
const (
	roleBad uint8 = 1 << iota
	roleTotal
	roleGood // latency: requests at or under the threshold
	roleAll  // latency: all requests
)

// Salts keep the two counters read from one histogram point apart.
const (
	saltGood = 0x9e3779b97f4a7c15
	saltAll  = 0xc2b2ae3d27d4eb4f
)

type winSpec struct {
	dur      time.Duration
	label    string
	durMs    int64
	widthMs  int64
	isPeriod bool
}

type alertPair struct {
	long, short int
	threshold   float64
}

type severity struct {
	name  string
	pairs []alertPair
}

type sloState struct {
	spec        *Spec
	fingerprint uint64
	budget      float64
	layout      *window.Layout
	wins        []winSpec
	maxMs       int64
	maxAlertMs  int64
	severities  []severity
	groups      map[string]*group
	baseAttrs   pcommon.Map
}

type winVal struct {
	tick  int64
	ratio float64
	ok    bool
}

type group struct {
	slo     *sloState
	id      uint64
	key     string
	attrs   pcommon.Map
	tracks  []*track
	index   map[uint64]int
	wm      int64
	started bool
	vals    []winVal
}

type track struct {
	window.Counter
	key   uint64
	roles uint8
}

type metricMatch struct {
	slo  *sloState
	sels []roleSel
}

type roleSel struct {
	sel  *Selector
	role uint8
}

type pending struct {
	g     *group
	key   uint64
	roles uint8
	t     int64
	v     float64
	start int64
	delta bool
}

// Engine turns input points into SLO series. It is not safe for concurrent
// use: the processor serialises calls.
type Engine struct {
	opts       Options
	intervalMs int64
	slos       []*sloState
	byMetric   map[string][]*metricMatch
	series     int
	maxT       int64
	nextSweep  int64
	nextID     uint64
	pend       []pending
	keyBuf     []byte
	stats      Stats
}

// NewEngine compiles the SLOs. Specs must have passed validation.
func NewEngine(specs []*Spec, opts Options) (*Engine, error) {
	if opts.Interval <= 0 || opts.Interval%time.Millisecond != 0 {
		return nil, errors.New("evaluation interval must be a positive whole number of milliseconds")
	}
	e := &Engine{opts: opts, intervalMs: opts.Interval.Milliseconds(), byMetric: map[string][]*metricMatch{}}
	for _, spec := range specs {
		s, err := newSLOState(spec, opts)
		if err != nil {
			return nil, fmt.Errorf("slo %q: %w", spec.Name, err)
		}
		e.slos = append(e.slos, s)
		add := func(sel *Selector, role uint8) {
			for _, mm := range e.byMetric[sel.Metric] {
				if mm.slo == s {
					mm.sels = append(mm.sels, roleSel{sel, role})
					return
				}
			}
			e.byMetric[sel.Metric] = append(e.byMetric[sel.Metric], &metricMatch{slo: s, sels: []roleSel{{sel, role}}})
		}
		if spec.Kind == KindLatency {
			add(&spec.Events, roleGood|roleAll)
		} else {
			add(&spec.Bad, roleBad)
			add(&spec.Total, roleTotal)
		}
	}
	return e, nil
}

func newSLOState(spec *Spec, opts Options) (*sloState, error) {
	for _, sel := range spec.Selectors() {
		if err := sel.Compile(); err != nil {
			return nil, err
		}
	}
	s := &sloState{spec: spec, budget: spec.Budget(), groups: map[string]*group{}}
	durs := spec.Durations()
	ms := make([]int64, len(durs))
	for i, d := range durs {
		ms[i] = d.Milliseconds()
	}
	layout, err := window.NewLayout(opts.Interval.Milliseconds(), ms, opts.BucketsPerWindow)
	if err != nil {
		return nil, err
	}
	s.layout = layout
	idx := map[time.Duration]int{}
	for i, d := range durs {
		idx[d] = i
		s.wins = append(s.wins, winSpec{
			dur: d, label: FormatDuration(d), durMs: ms[i], widthMs: layout.WidthMs(i), isPeriod: d == spec.Period,
		})
		s.maxMs = max(s.maxMs, ms[i])
	}
	for _, sev := range spec.Severities() {
		sv := severity{name: sev}
		for _, w := range spec.Windows {
			if w.Severity != sev {
				continue
			}
			sv.pairs = append(sv.pairs, alertPair{long: idx[w.Long], short: idx[w.Short], threshold: w.BurnRate * s.budget})
			s.maxAlertMs = max(s.maxAlertMs, w.Long.Milliseconds(), w.Short.Milliseconds())
		}
		s.severities = append(s.severities, sv)
	}
	s.baseAttrs = pcommon.NewMap()
	s.baseAttrs.PutStr(AttrSLOName, spec.Name)
	if spec.Service != "" {
		s.baseAttrs.PutStr(AttrSLOService, spec.Service)
	}
	s.baseAttrs.PutDouble(AttrSLOObjective, spec.Objective)
	s.fingerprint = fingerprint(spec, opts)
	return s, nil
}

// TakeStats returns the counts since the previous call and resets them.
func (e *Engine) TakeStats() Stats {
	s := e.stats
	e.stats = Stats{}
	return s
}

// Series is the number of counter series held.
func (e *Engine) Series() int { return e.series }

// Process reads md (which it does not change) and returns the SLO points that
// became due, or an empty Metrics.
func (e *Engine) Process(md pmetric.Metrics) pmetric.Metrics {
	e.pend = e.pend[:0]
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		res := rm.Resource().Attributes()
		var resHash uint64
		resHashed := false
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			sm := sms.At(j)
			ms := sm.Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				matches := e.byMetric[m.Name()]
				if len(matches) == 0 {
					continue
				}
				if !resHashed {
					resHash = hashMap(res)
					resHashed = true
				}
				base := resHash*31 + hashString(sm.Scope().Name())*17 + hashString(sm.Scope().Version()) + hashString(m.Name())*7
				for _, mm := range matches {
					e.collect(mm, m, res, base)
				}
			}
		}
	}
	out := newEmitter(e.opts.ScopeName, e.opts.ScopeVersion)
	if len(e.pend) > 0 {
		e.ingest(out)
	}
	if e.maxT >= e.nextSweep {
		e.sweep()
		e.nextSweep = e.maxT + max(e.intervalMs, int64(time.Minute/time.Millisecond))
	}
	return out.md
}

func (e *Engine) refuse(r Reason, n int) { e.stats.Refused[r] += int64(n) }

// collect turns the points of metric m that SLO mm.slo selects into pending
// samples.
func (e *Engine) collect(mm *metricMatch, m pmetric.Metric, res pcommon.Map, base uint64) {
	s := mm.slo
	for _, rs := range mm.sels {
		if rs.sel.Unit != "" && m.Unit() != "" && m.Unit() != rs.sel.Unit {
			e.refuse(ReasonUnitMismatch, pointCount(m))
			return
		}
	}
	switch m.Type() {
	case pmetric.MetricTypeSum:
		sum := m.Sum()
		if !sum.IsMonotonic() || s.spec.Kind == KindLatency {
			e.refuse(ReasonNotACounter, sum.DataPoints().Len())
			return
		}
		delta, ok := temporality(sum.AggregationTemporality())
		if !ok {
			e.refuse(ReasonNotACounter, sum.DataPoints().Len())
			return
		}
		dps := sum.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			roles := selectRoles(mm.sels, dp.Attributes(), res)
			if roles == 0 {
				continue
			}
			if dp.Flags().NoRecordedValue() {
				e.refuse(ReasonNoRecordedValue, 1)
				continue
			}
			v := dp.DoubleValue()
			if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
				v = float64(dp.IntValue())
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || (delta && v < 0) {
				e.refuse(ReasonInvalidValue, 1)
				continue
			}
			g := e.groupFor(s, dp.Attributes(), res)
			e.pend = append(e.pend, pending{g: g, key: base + hashMap(dp.Attributes()), roles: roles, t: ms(dp.Timestamp()), v: v, start: ms(dp.StartTimestamp()), delta: delta})
		}
	case pmetric.MetricTypeHistogram:
		hist := m.Histogram()
		delta, ok := temporality(hist.AggregationTemporality())
		if !ok {
			e.refuse(ReasonNotACounter, hist.DataPoints().Len())
			return
		}
		dps := hist.DataPoints()
		for i := 0; i < dps.Len(); i++ {
			dp := dps.At(i)
			roles := selectRoles(mm.sels, dp.Attributes(), res)
			if roles == 0 {
				continue
			}
			if dp.Flags().NoRecordedValue() {
				e.refuse(ReasonNoRecordedValue, 1)
				continue
			}
			key := base + hashMap(dp.Attributes())
			t, start := ms(dp.Timestamp()), ms(dp.StartTimestamp())
			all := float64(dp.Count())
			if s.spec.Kind == KindLatency {
				good, ok := countUpTo(dp, s.spec.Threshold)
				if !ok {
					e.refuse(ReasonNoBucketAtThreshold, 1)
					continue
				}
				g := e.groupFor(s, dp.Attributes(), res)
				e.pend = append(e.pend,
					pending{g: g, key: key ^ saltGood, roles: roleGood, t: t, v: good, start: start, delta: delta},
					pending{g: g, key: key ^ saltAll, roles: roleAll, t: t, v: all, start: start, delta: delta})
				continue
			}
			// A ratio SLI counts a histogram's events (its _count).
			g := e.groupFor(s, dp.Attributes(), res)
			e.pend = append(e.pend, pending{g: g, key: key, roles: roles, t: t, v: all, start: start, delta: delta})
		}
	default:
		e.refuse(ReasonNotACounter, pointCount(m))
	}
}

// countUpTo is the number of observations at or below threshold, which must
// be one of the bucket boundaries (Prometheus's le="threshold" bucket).
func countUpTo(dp pmetric.HistogramDataPoint, threshold float64) (float64, bool) {
	bounds := dp.ExplicitBounds()
	counts := dp.BucketCounts()
	for i := 0; i < bounds.Len(); i++ {
		if bounds.At(i) != threshold {
			continue
		}
		if counts.Len() <= i {
			return 0, false
		}
		var n uint64
		for j := 0; j <= i; j++ {
			n += counts.At(j)
		}
		return float64(n), true
	}
	return 0, false
}

func temporality(t pmetric.AggregationTemporality) (delta, ok bool) {
	switch t {
	case pmetric.AggregationTemporalityCumulative:
		return false, true
	case pmetric.AggregationTemporalityDelta:
		return true, true
	default:
		return false, false
	}
}

func pointCount(m pmetric.Metric) int {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return m.Gauge().DataPoints().Len()
	case pmetric.MetricTypeSum:
		return m.Sum().DataPoints().Len()
	case pmetric.MetricTypeHistogram:
		return m.Histogram().DataPoints().Len()
	case pmetric.MetricTypeExponentialHistogram:
		return m.ExponentialHistogram().DataPoints().Len()
	case pmetric.MetricTypeSummary:
		return m.Summary().DataPoints().Len()
	}
	return 0
}

func ms(ts pcommon.Timestamp) int64 { return int64(ts) / int64(time.Millisecond) }

// lookup reads an attribute from the point, then from its resource.
func lookup(attrs, res pcommon.Map, key string) (pcommon.Value, bool) {
	if v, ok := attrs.Get(key); ok {
		return v, true
	}
	return res.Get(key)
}

func selectRoles(sels []roleSel, attrs, res pcommon.Map) uint8 {
	var roles uint8
	for _, rs := range sels {
		if rs.sel.matches(attrs, res) {
			roles |= rs.role
		}
	}
	return roles
}

func (s *Selector) matches(attrs, res pcommon.Map) bool {
	for k, want := range s.Match {
		v, ok := lookup(attrs, res, k)
		got := ""
		if ok {
			got = v.AsString()
		}
		if got != want {
			return false
		}
	}
	for k, re := range s.regex {
		v, ok := lookup(attrs, res, k)
		got := ""
		if ok {
			got = v.AsString()
		}
		if !re.MatchString(got) {
			return false
		}
	}
	return true
}

// groupFor finds or creates the SLO series of a point.
func (e *Engine) groupFor(s *sloState, attrs, res pcommon.Map) *group {
	buf := e.keyBuf[:0]
	for _, k := range s.spec.GroupBy {
		if v, ok := lookup(attrs, res, k); ok {
			buf = append(buf, v.AsString()...)
		}
		buf = append(buf, 0xff)
	}
	e.keyBuf = buf
	if g, ok := s.groups[string(buf)]; ok {
		return g
	}
	g := e.newGroup(s, string(buf))
	for _, k := range s.spec.GroupBy {
		// A missing or empty attribute is no label in Prometheus either.
		if v, ok := lookup(attrs, res, k); ok && v.AsString() != "" {
			v.CopyTo(g.attrs.PutEmpty(k))
		}
	}
	return g
}

func (e *Engine) newGroup(s *sloState, key string) *group {
	e.nextID++
	g := &group{slo: s, id: e.nextID, key: key, attrs: pcommon.NewMap(), index: map[uint64]int{}, vals: make([]winVal, len(s.wins))}
	s.baseAttrs.CopyTo(g.attrs)
	s.groups[key] = g
	return g
}

// ingest evaluates and adds the pending samples group by group in time
// order: before a sample newer than everything the group has seen is added,
// every evaluation time it passes is evaluated.
func (e *Engine) ingest(out *emitter) {
	slices.SortStableFunc(e.pend, func(a, b pending) int {
		if c := cmp.Compare(a.g.id, b.g.id); c != 0 {
			return c
		}
		return cmp.Compare(a.t, b.t)
	})
	for i := range e.pend {
		p := &e.pend[i]
		g := p.g
		s := g.slo
		if g.started && p.t > g.wm {
			s.evaluateUntil(g, p.t, e.intervalMs, out)
		}
		// The group's clock moves on even when the cap refuses the point:
		// the times just evaluated must not be evaluated again.
		if !g.started || p.t > g.wm {
			g.wm = p.t
			g.started = true
		}
		e.maxT = max(e.maxT, p.t)
		tr := e.trackFor(s, g, p)
		if tr == nil {
			continue
		}
		var outcome window.Outcome
		if p.delta {
			outcome = tr.AddDelta(s.layout, p.t, p.v, p.start)
		} else {
			outcome = tr.Add(s.layout, p.t, p.v, p.start)
		}
		switch outcome {
		case window.Duplicate:
			e.refuse(ReasonDuplicate, 1)
			continue
		case window.Late:
			e.refuse(ReasonLate, 1)
			continue
		}
	}
	for i := range e.pend {
		// A series the cap refused leaves no empty SLO series behind.
		if g := e.pend[i].g; len(g.tracks) == 0 && g.slo.groups[g.key] == g {
			delete(g.slo.groups, g.key)
		}
		e.pend[i].g = nil
	}
}

func (e *Engine) trackFor(s *sloState, g *group, p *pending) *track {
	if i, ok := g.index[p.key]; ok {
		tr := g.tracks[i]
		tr.roles |= p.roles
		return tr
	}
	if e.opts.MaxSeries > 0 && e.series >= e.opts.MaxSeries {
		e.refuse(ReasonSeriesLimit, 1)
		return nil
	}
	tr := &track{key: p.key, roles: p.roles}
	tr.Init(s.layout)
	g.index[p.key] = len(g.tracks)
	g.tracks = append(g.tracks, tr)
	e.series++
	return tr
}

// sweep forgets series and SLO series that no window can see any more.
func (e *Engine) sweep() {
	for _, s := range e.slos {
		for key, g := range s.groups {
			if !g.started || g.wm <= e.maxT-s.maxMs {
				e.series -= len(g.tracks)
				e.stats.Evicted += int64(len(g.tracks))
				delete(s.groups, key)
				continue
			}
			kept := g.tracks[:0]
			for _, tr := range g.tracks {
				if last, _ := tr.LastT(); last <= g.wm-s.maxMs {
					e.series--
					e.stats.Evicted++
					continue
				}
				kept = append(kept, tr)
			}
			if len(kept) != len(g.tracks) {
				clear(g.tracks[len(kept):])
				g.tracks = kept
				clear(g.index)
				for i, tr := range g.tracks {
					g.index[tr.key] = i
				}
			}
		}
	}
}
