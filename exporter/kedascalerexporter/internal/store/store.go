// Package store keeps, per metric series, a short bounded window of recent
// values in memory, for the external scaler to answer from.
package store

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Limits bound the memory the store may use.
type Limits struct {
	// MaxSeries is the most series held at once; points of further new
	// series are dropped (DroppedSeriesLimit) until old ones expire.
	MaxSeries int
	// MaxSamplesPerSeries is the ring size of each series (at least 2).
	MaxSamplesPerSeries int
	// Retention is the longest window a query may ask for; a series that has
	// received nothing for that long is removed.
	Retention time.Duration
}

// Validate checks the limits.
func (l Limits) Validate() error {
	var errs []error
	if l.MaxSeries < 1 {
		errs = append(errs, errors.New("max series must be at least 1"))
	}
	if l.MaxSamplesPerSeries < 2 {
		errs = append(errs, errors.New("max samples per series must be at least 2 (a rate needs two)"))
	}
	if l.Retention <= 0 {
		errs = append(errs, errors.New("retention must be positive"))
	}
	return errors.Join(errs...)
}

// DropReason says why points were not stored.
type DropReason int

const (
	// DroppedUnsupportedType: histograms, exponential histograms, summaries,
	// non-monotonic delta sums and metrics without a type.
	DroppedUnsupportedType DropReason = iota
	// DroppedSeriesLimit: the point would start a new series beyond MaxSeries.
	DroppedSeriesLimit
	// DroppedInvalidValue: NaN, ±Inf or a point without a value.
	DroppedInvalidValue
	// DroppedOutOfOrder: older than the newest point already held for its series.
	DroppedOutOfOrder
	numDropReasons
)

func (r DropReason) String() string {
	switch r {
	case DroppedUnsupportedType:
		return "unsupported_type"
	case DroppedSeriesLimit:
		return "series_limit"
	case DroppedInvalidValue:
		return "invalid_value"
	case DroppedOutOfOrder:
		return "out_of_order"
	}
	return "unknown"
}

// Stats counts what one Consume did.
type Stats struct {
	Stored  int
	Dropped [numDropReasons]int
	// Ended counts series removed because a point flagged "no recorded value"
	// (a Prometheus staleness marker: the target or series went away).
	Ended int
}

// DroppedTotal is the number of points dropped for any reason.
func (s Stats) DroppedTotal() int {
	t := 0
	for _, n := range s.Dropped {
		t += n
	}
	return t
}

type metricSeries struct {
	mu     sync.RWMutex
	series map[string]*Series
	// index lists the series of each attribute key=value, so that a query
	// with selectors visits only the series that can match.
	index map[attr]map[*Series]struct{}
}

func newMetricSeries() *metricSeries {
	return &metricSeries{series: map[string]*Series{}, index: map[attr]map[*Series]struct{}{}}
}

func (ms *metricSeries) add(key string, s *Series) {
	ms.series[key] = s
	for k, v := range s.attrs {
		set := ms.index[attr{k, v}]
		if set == nil {
			set = map[*Series]struct{}{}
			ms.index[attr{k, v}] = set
		}
		set[s] = struct{}{}
	}
}

func (ms *metricSeries) remove(key string, s *Series) {
	delete(ms.series, key)
	for k, v := range s.attrs {
		set := ms.index[attr{k, v}]
		delete(set, s)
		if len(set) == 0 {
			delete(ms.index, attr{k, v})
		}
	}
}

// Store holds the series. It is safe for concurrent use.
type Store struct {
	limits     Limits
	resolution int64

	mu      sync.RWMutex
	metrics map[string]*metricSeries
	nSeries atomic.Int64
}

// New returns an empty store. The limits must be valid.
func New(l Limits) *Store {
	return &Store{
		limits:     l,
		resolution: int64(l.Retention) / int64(max(l.MaxSamplesPerSeries-1, 1)),
		metrics:    map[string]*metricSeries{},
	}
}

// SeriesCount is the number of series held.
func (st *Store) SeriesCount() int { return int(st.nSeries.Load()) }

type attr struct{ k, v string }

// consumeState is reused across the points of one Consume call.
type consumeState struct {
	now   int64
	attrs []attr
	key   []byte
	stats Stats
}

// Consume stores the number points of md, received at now.
func (st *Store) Consume(md pmetric.Metrics, now time.Time) Stats {
	cs := &consumeState{now: now.UnixNano()}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		rm := rms.At(i)
		res := rm.Resource().Attributes()
		sms := rm.ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				st.consumeMetric(cs, res, ms.At(k))
			}
		}
	}
	return cs.stats
}

func (st *Store) consumeMetric(cs *consumeState, res pcommon.Map, m pmetric.Metric) {
	var points pmetric.NumberDataPointSlice
	var kind Kind
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		points, kind = m.Gauge().DataPoints(), Gauge
	case pmetric.MetricTypeSum:
		sum := m.Sum()
		points = sum.DataPoints()
		switch {
		case !sum.IsMonotonic() && sum.AggregationTemporality() == pmetric.AggregationTemporalityCumulative:
			kind = Gauge
		case sum.IsMonotonic() && sum.AggregationTemporality() == pmetric.AggregationTemporalityCumulative:
			kind = Cumulative
		case sum.IsMonotonic() && sum.AggregationTemporality() == pmetric.AggregationTemporalityDelta:
			kind = Delta
		default:
			cs.stats.Dropped[DroppedUnsupportedType] += points.Len()
			return
		}
	case pmetric.MetricTypeHistogram:
		cs.stats.Dropped[DroppedUnsupportedType] += m.Histogram().DataPoints().Len()
		return
	case pmetric.MetricTypeExponentialHistogram:
		cs.stats.Dropped[DroppedUnsupportedType] += m.ExponentialHistogram().DataPoints().Len()
		return
	case pmetric.MetricTypeSummary:
		cs.stats.Dropped[DroppedUnsupportedType] += m.Summary().DataPoints().Len()
		return
	default:
		return
	}
	if points.Len() == 0 {
		return
	}

	// The store's read lock is held while points go in, so that Expire cannot
	// drop the metric's entry from under them.
	ms := st.lockMetric(m.Name())
	defer st.mu.RUnlock()
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for i := 0; i < points.Len(); i++ {
		st.consumePoint(cs, ms, res, kind, points.At(i))
	}
}

// lockMetric returns the entry of a metric, creating it if needed, with
// st.mu read-locked.
func (st *Store) lockMetric(name string) *metricSeries {
	for {
		st.mu.RLock()
		if ms := st.metrics[name]; ms != nil {
			return ms
		}
		st.mu.RUnlock()
		st.mu.Lock()
		if st.metrics[name] == nil {
			st.metrics[name] = newMetricSeries()
		}
		st.mu.Unlock()
	}
}

// consumePoint runs with ms.mu held.
func (st *Store) consumePoint(cs *consumeState, ms *metricSeries, res pcommon.Map, kind Kind, dp pmetric.NumberDataPoint) {
	key := cs.seriesKey(res, dp.Attributes())

	if dp.Flags().NoRecordedValue() {
		if s, ok := ms.series[string(key)]; ok {
			ms.remove(string(key), s)
			st.nSeries.Add(-1)
			cs.stats.Ended++
		}
		return
	}

	var v float64
	switch dp.ValueType() {
	case pmetric.NumberDataPointValueTypeInt:
		v = float64(dp.IntValue())
	case pmetric.NumberDataPointValueTypeDouble:
		v = dp.DoubleValue()
	default:
		cs.stats.Dropped[DroppedInvalidValue]++
		return
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		cs.stats.Dropped[DroppedInvalidValue]++
		return
	}
	ts := int64(dp.Timestamp())
	if ts == 0 {
		ts = cs.now
	}

	s := ms.series[string(key)] // no allocation for the lookup
	if s == nil || s.kind != kind {
		if s == nil {
			if int(st.nSeries.Load()) >= st.limits.MaxSeries {
				cs.stats.Dropped[DroppedSeriesLimit]++
				return
			}
			st.nSeries.Add(1)
		} else {
			ms.remove(string(key), s)
		}
		// A series whose type changed starts over: its old samples mean something else.
		s = &Series{attrs: cs.attrMap(), kind: kind, buf: make([]sample, 0, min(st.limits.MaxSamplesPerSeries, 8))}
		ms.add(string(key), s)
	}
	if !s.add(sample{ts: ts, start: int64(dp.StartTimestamp()), v: v}, st.limits.MaxSamplesPerSeries, st.resolution) {
		cs.stats.Dropped[DroppedOutOfOrder]++
		return
	}
	s.lastRecv = cs.now
	cs.stats.Stored++
}

// seriesKey merges resource and point attributes (the point's win), sorts
// them in cs.attrs and returns bytes that identify the set, valid until the
// next call.
func (cs *consumeState) seriesKey(res, pt pcommon.Map) []byte {
	cs.attrs = cs.attrs[:0]
	pt.Range(func(k string, v pcommon.Value) bool {
		cs.attrs = append(cs.attrs, attr{k, v.AsString()})
		return true
	})
	res.Range(func(k string, v pcommon.Value) bool {
		if _, shadowed := pt.Get(k); !shadowed {
			cs.attrs = append(cs.attrs, attr{k, v.AsString()})
		}
		return true
	})
	slices.SortFunc(cs.attrs, func(a, b attr) int { return strings.Compare(a.k, b.k) })
	// Length-prefixed, so that no choice of bytes in keys or values can make
	// two different sets encode alike.
	cs.key = cs.key[:0]
	for _, a := range cs.attrs {
		cs.key = binary.AppendUvarint(cs.key, uint64(len(a.k)))
		cs.key = append(cs.key, a.k...)
		cs.key = binary.AppendUvarint(cs.key, uint64(len(a.v)))
		cs.key = append(cs.key, a.v...)
	}
	return cs.key
}

func (cs *consumeState) attrMap() map[string]string {
	m := make(map[string]string, len(cs.attrs))
	for _, a := range cs.attrs {
		m[a.k] = a.v
	}
	return m
}

// Selector requires an attribute of a series to equal a value; an empty
// value also matches a series without the attribute.
type Selector struct{ Key, Value string }

// Each calls fn for every series of the metric, under a read lock: fn must
// not keep the *Series or call back into the store.
func (st *Store) Each(metric string, fn func(*Series)) {
	st.Select(metric, nil, fn)
}

// Select calls match for each series of the metric that matches every
// selector, under a read lock: match must not keep the *Series or call back
// into the store. It returns the number of series of the metric, so that a
// caller can tell "no series" from "none matching". Selectors with a value
// are answered from the index: a query for one deployment among thousands
// visits that deployment's series only.
func (st *Store) Select(metric string, sel []Selector, match func(*Series)) (held int) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	ms := st.metrics[metric]
	if ms == nil {
		return 0
	}
	ms.mu.RLock()
	defer ms.mu.RUnlock()

	var smallest map[*Series]struct{}
	indexed := false
	for _, s := range sel {
		if s.Value == "" {
			continue
		}
		set := ms.index[attr{s.Key, s.Value}]
		if !indexed || len(set) < len(smallest) {
			smallest, indexed = set, true
		}
	}
	if !indexed {
		for _, s := range ms.series {
			if matches(s, sel) {
				match(s)
			}
		}
		return len(ms.series)
	}
	for s := range smallest {
		if matches(s, sel) {
			match(s)
		}
	}
	return len(ms.series)
}

func matches(s *Series, sel []Selector) bool {
	for _, m := range sel {
		if s.attrs[m.Key] != m.Value {
			return false
		}
	}
	return true
}

// Expire removes the series that received nothing during the retention
// before now, and metrics left without series. It returns how many series
// it removed.
func (st *Store) Expire(now time.Time) int {
	cutoff := now.UnixNano() - int64(st.limits.Retention)
	st.mu.Lock()
	defer st.mu.Unlock()
	removed := 0
	for name, ms := range st.metrics {
		ms.mu.Lock()
		for key, s := range ms.series {
			if s.lastRecv < cutoff {
				ms.remove(key, s)
				removed++
			}
		}
		empty := len(ms.series) == 0
		ms.mu.Unlock()
		if empty {
			delete(st.metrics, name)
		}
	}
	st.nSeries.Add(int64(-removed))
	return removed
}
