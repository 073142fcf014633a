// Package query reads a KEDA ScaledObject trigger's scalerMetadata into a
// query over the store, and evaluates it: select the series, reduce each over
// its window, aggregate, and say what to do when no fresh data is left.
package query

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/store"
)

// The scalerMetadata keys this scaler reads.
const (
	KeyMetricName          = "metricName"
	KeyAttrPrefix          = "attr."
	KeyAggregation         = "aggregation"
	KeyFunction            = "function"
	KeyWindow              = "window"
	KeyTargetValue         = "targetValue"
	KeyActivationThreshold = "activationThreshold"
	KeyStaleAfter          = "staleAfter"
	KeyFallbackValue       = "fallbackValue"
)

// KEDA resolves `<key>FromEnv` entries from the workload's environment and
// passes them under their own name.
const fromEnvSuffix = "FromEnv"

// kedaOwnKeys are the external scaler trigger's keys that KEDA reads itself
// and passes along in scalerMetadata.
var kedaOwnKeys = map[string]bool{
	"scalerAddress": true, "enableTLS": true, "unsafeSsl": true,
	"caCert": true, "tlsClientCert": true, "tlsClientKey": true, "tlsCertFile": true,
}

var ownKeys = []string{
	KeyMetricName, KeyAggregation, KeyFunction, KeyWindow, KeyTargetValue,
	KeyActivationThreshold, KeyStaleAfter, KeyFallbackValue,
}

// Aggregation combines the values of the matching series.
type Aggregation uint8

const (
	Sum Aggregation = iota
	Avg
	Max
)

func (a Aggregation) String() string { return [...]string{"sum", "avg", "max"}[a] }

// Function reduces one series over the window. Auto picks Rate for monotonic
// sums and Last for gauges.
type Function uint8

const (
	Auto Function = iota
	Rate
	Last
	AvgOverWindow
	MaxOverWindow
)

func (f Function) String() string {
	return [...]string{"auto", "rate", "last", "avg_over_window", "max_over_window"}[f]
}

// Selector requires an attribute of the series to equal a value; an empty
// value also matches series without the attribute.
type Selector = store.Selector

// Defaults fill what the metadata leaves out, and bound what it may ask.
type Defaults struct {
	Window     time.Duration
	StaleAfter time.Duration
	// MaxWindow is the longest window the store keeps data for.
	MaxWindow time.Duration
}

// Query is one parsed scalerMetadata.
type Query struct {
	MetricName          string
	Selectors           []Selector // sorted by key
	Aggregation         Aggregation
	Function            Function
	Window              time.Duration
	Target              float64
	ActivationThreshold float64
	StaleAfter          time.Duration
	Fallback            *float64
}

// MetadataError says which scalerMetadata key is wrong and why.
type MetadataError struct {
	Key    string
	Reason string
}

func (e *MetadataError) Error() string {
	return fmt.Sprintf("scalerMetadata %q: %s", e.Key, e.Reason)
}

func keyErr(key, format string, args ...any) error {
	return &MetadataError{Key: key, Reason: fmt.Sprintf(format, args...)}
}

// Parse reads scalerMetadata. Errors are *MetadataError, joined when there
// are several, sorted by key so that the message is stable.
func Parse(md map[string]string, d Defaults) (*Query, error) {
	vals, errs := normalise(md)
	q := &Query{
		Window:     d.Window,
		StaleAfter: d.StaleAfter,
	}
	get := func(k string) (string, bool) {
		e, ok := vals[k]
		return e.value, ok
	}
	name := func(k string) string { return vals[k].key }

	if v, ok := get(KeyMetricName); !ok || strings.TrimSpace(v) == "" {
		errs = append(errs, keyErr(KeyMetricName, "required: the name of the metric to scale on, e.g. vllm:num_requests_waiting"))
	} else {
		q.MetricName = strings.TrimSpace(v)
	}

	if v, ok := get(KeyAggregation); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "sum":
			q.Aggregation = Sum
		case "avg", "average", "mean":
			q.Aggregation = Avg
		case "max":
			q.Aggregation = Max
		default:
			errs = append(errs, keyErr(name(KeyAggregation), "%q is not an aggregation: want sum, avg or max", v))
		}
	}

	if v, ok := get(KeyFunction); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "auto", "":
			q.Function = Auto
		case "rate":
			q.Function = Rate
		case "last":
			q.Function = Last
		case "avg_over_window":
			q.Function = AvgOverWindow
		case "max_over_window":
			q.Function = MaxOverWindow
		default:
			errs = append(errs, keyErr(name(KeyFunction), "%q is not a function: want auto, rate, last, avg_over_window or max_over_window", v))
		}
	}

	if v, ok := get(KeyWindow); ok {
		w, err := parseDuration(v)
		switch {
		case err != nil:
			errs = append(errs, keyErr(name(KeyWindow), "%v", err))
		case w <= 0:
			errs = append(errs, keyErr(name(KeyWindow), "must be positive, got %s", v))
		case d.MaxWindow > 0 && w > d.MaxWindow:
			errs = append(errs, keyErr(name(KeyWindow), "%s is longer than the %s of data the exporter keeps (its max_window)", w, d.MaxWindow))
		default:
			q.Window = w
		}
	}

	if v, ok := get(KeyStaleAfter); ok {
		s, err := parseDuration(v)
		switch {
		case err != nil:
			errs = append(errs, keyErr(name(KeyStaleAfter), "%v", err))
		case s <= 0:
			errs = append(errs, keyErr(name(KeyStaleAfter), "must be positive, got %s", v))
		default:
			q.StaleAfter = s
		}
	}

	if v, ok := get(KeyTargetValue); !ok {
		errs = append(errs, keyErr(KeyTargetValue, "required: the value one replica should carry (KEDA divides the metric by it)"))
	} else if f, err := parseNumber(v); err != nil {
		errs = append(errs, keyErr(name(KeyTargetValue), "%v", err))
	} else if f <= 0 {
		errs = append(errs, keyErr(name(KeyTargetValue), "must be greater than 0, got %s", v))
	} else {
		q.Target = f
	}

	if v, ok := get(KeyActivationThreshold); ok {
		if f, err := parseNumber(v); err != nil {
			errs = append(errs, keyErr(name(KeyActivationThreshold), "%v", err))
		} else if f < 0 {
			errs = append(errs, keyErr(name(KeyActivationThreshold), "must not be negative, got %s", v))
		} else {
			q.ActivationThreshold = f
		}
	}

	if v, ok := get(KeyFallbackValue); ok {
		if f, err := parseNumber(v); err != nil {
			errs = append(errs, keyErr(name(KeyFallbackValue), "%v", err))
		} else if f < 0 {
			errs = append(errs, keyErr(name(KeyFallbackValue), "must not be negative, got %s", v))
		} else {
			q.Fallback = &f
		}
	}

	for k, e := range vals {
		if !strings.HasPrefix(k, KeyAttrPrefix) {
			continue
		}
		attr := strings.TrimPrefix(k, KeyAttrPrefix)
		if attr == "" {
			errs = append(errs, keyErr(e.key, "names no attribute: write attr.<attribute name>, e.g. attr.k8s.deployment.name"))
			continue
		}
		q.Selectors = append(q.Selectors, Selector{Key: attr, Value: e.value})
	}
	slices.SortFunc(q.Selectors, func(a, b Selector) int { return strings.Compare(a.Key, b.Key) })

	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	return q, nil
}

type entry struct {
	key   string // as written, e.g. windowFromEnv
	value string
}

// normalise folds `<key>FromEnv` into `<key>` and rejects unknown keys, so
// that a typo fails loudly instead of silently using a default.
func normalise(md map[string]string) (map[string]entry, []error) {
	vals := make(map[string]entry, len(md))
	var errs []error
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if kedaOwnKeys[k] || kedaOwnKeys[strings.TrimSuffix(k, fromEnvSuffix)] {
			continue
		}
		base := k
		if b, ok := strings.CutSuffix(k, fromEnvSuffix); ok && b != "" {
			base = b
		}
		if !strings.HasPrefix(base, KeyAttrPrefix) && !slices.Contains(ownKeys, base) {
			errs = append(errs, keyErr(k, "unknown key: want %s, or attr.<attribute name>", strings.Join(ownKeys, ", ")))
			continue
		}
		if prev, dup := vals[base]; dup {
			errs = append(errs, keyErr(k, "given twice (also as %q)", prev.key))
			continue
		}
		vals[base] = entry{key: k, value: md[k]}
	}
	return vals, errs
}

// parseDuration accepts Go durations ("60s", "1m30s") and plain seconds ("60").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > float64(math.MaxInt64)/float64(time.Second) {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: want e.g. 60s, 2m or a number of seconds", s)
	}
	return d, nil
}

func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return f, nil
}

// ScalerMetricName is the name GetMetricSpec gives KEDA: the metric name in
// lower case with every run of other characters than [a-z0-9] turned into
// one '-', as Kubernetes external metric names allow.
func (q *Query) ScalerMetricName() string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(q.MetricName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimRight(b.String(), "-")
	if name == "" {
		return "metric"
	}
	return name
}

// Active says whether the value is above the activation threshold.
func (q *Query) Active(value float64) bool { return value > q.ActivationThreshold }

// String describes the query in log and error messages.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString(q.MetricName)
	b.WriteByte('{')
	for i, s := range q.Selectors {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", s.Key, s.Value)
	}
	b.WriteByte('}')
	return b.String()
}
