package query

import (
	"fmt"
	"math"
	"time"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/store"
)

// Result of a query.
type Result struct {
	Value float64
	// Series is how many series went into Value.
	Series int
	// Fallback is true when no fresh data was left and Value is the
	// configured fallbackValue; NoData then says why.
	Fallback bool
	NoData   *NoDataError
}

// NoDataError says that no matching series could answer: none matched, all
// were stale, or none had enough points in the window for a rate. It is never
// answered with a zero: a zero would scale a busy service down.
type NoDataError struct {
	Query      string
	Function   Function
	Window     time.Duration
	StaleAfter time.Duration
	// Held is the number of series of the metric, Matched those matching the
	// selectors, Stale those of them without a point within StaleAfter,
	// TooFewPoints the fresh ones that had too few points in the window.
	Held, Matched, Stale, TooFewPoints int
	// NewestAge is the age of the newest point among the matching series.
	NewestAge time.Duration
}

func (e *NoDataError) Error() string {
	switch {
	case e.Held == 0:
		return fmt.Sprintf("no data for %s: the exporter holds no series of this metric (it has received none within its max_window, or the name differs)", e.Query)
	case e.Matched == 0:
		return fmt.Sprintf("no data for %s: none of the %d series of the metric match the attr.* selectors", e.Query, e.Held)
	case e.Stale == e.Matched:
		return fmt.Sprintf("no data for %s: the %d matching series are stale, newest point received %s ago (staleAfter %s)",
			e.Query, e.Matched, e.NewestAge.Round(time.Millisecond), e.StaleAfter)
	default:
		return fmt.Sprintf("no data for %s: %d matching series are fresh but none has the two points within the %s window that %s needs",
			e.Query, e.TooFewPoints, e.Window, e.Function)
	}
}

// KindError says the function does not apply to the metric's type.
type KindError struct {
	Query string
	Kind  store.Kind
}

func (e *KindError) Error() string {
	return fmt.Sprintf("%s is a %s: function rate needs a monotonic sum (a counter); use function last, avg_over_window or max_over_window", e.Query, e.Kind)
}

// Evaluate runs the query over the store as of now. With no fresh data it
// returns the fallback value when one is configured, else a *NoDataError;
// rate over a gauge is a *KindError.
func (q *Query) Evaluate(st *store.Store, now time.Time) (Result, error) {
	var (
		acc        float64
		n          int
		nd         = NoDataError{Function: q.Function, Window: q.Window, StaleAfter: q.StaleAfter, NewestAge: -1}
		rateOfKind = -1
	)
	if q.Aggregation == Max {
		acc = math.Inf(-1)
	}
	nd.Held = st.Select(q.MetricName, q.Selectors, func(s *store.Series) {
		nd.Matched++
		age := now.Sub(s.LastReceived())
		if nd.NewestAge < 0 || age < nd.NewestAge {
			nd.NewestAge = age
		}
		if age > q.StaleAfter {
			nd.Stale++
			return
		}
		fn := q.functionFor(s.Kind())
		if fn == store.Rate && s.Kind() == store.Gauge {
			rateOfKind = int(s.Kind())
			return
		}
		v, ok := s.Value(fn, q.Window)
		if !ok {
			nd.TooFewPoints++
			return
		}
		n++
		switch q.Aggregation {
		case Sum, Avg:
			acc += v
		case Max:
			acc = math.Max(acc, v)
		}
	})

	if n == 0 {
		// Described only here: an answer with data needs no description.
		nd.Query = q.String()
		if rateOfKind >= 0 {
			return Result{}, &KindError{Query: nd.Query, Kind: store.Kind(rateOfKind)}
		}
		if nd.Function == Auto {
			nd.Function = Rate // only a rate can be short of points
		}
		if q.Fallback != nil {
			return Result{Value: *q.Fallback, Fallback: true, NoData: &nd}, nil
		}
		return Result{}, &nd
	}
	if q.Aggregation == Avg {
		acc /= float64(n)
	}
	return Result{Value: acc, Series: n}, nil
}

func (q *Query) functionFor(k store.Kind) store.Function {
	switch q.Function {
	case Rate:
		return store.Rate
	case Last:
		return store.Last
	case AvgOverWindow:
		return store.AvgOverWindow
	case MaxOverWindow:
		return store.MaxOverWindow
	}
	if k == store.Gauge {
		return store.Last
	}
	return store.Rate
}
