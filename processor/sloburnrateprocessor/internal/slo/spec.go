// Package slo holds the SLO model (what an SLO measures and how it alerts),
// the burn-rate and error-budget arithmetic, and the engine that feeds input
// points into per-series windows and evaluates them on the data's own clock.
package slo

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/common/model"
)

// Kind is the kind of SLI.
type Kind uint8

const (
	// KindLatency: the share of requests slower than a threshold, read from a
	// histogram's bucket at that threshold.
	KindLatency Kind = iota + 1
	// KindRatio: bad events over all events, read from two counters.
	KindRatio
)

// Selector picks the points of one metric that an SLI counts.
type Selector struct {
	Metric string
	// Unit, when set, must equal the metric's unit (a histogram in ms does not
	// silently meet a threshold in s).
	Unit string
	// Match: attribute equals value. MatchRegex: attribute matches the fully
	// anchored regular expression. A missing attribute reads as "", as a
	// missing Prometheus label does.
	Match      map[string]string
	MatchRegex map[string]string
	// PrometheusMetric overrides the Prometheus name the rules use (without
	// _bucket, _count or _total suffixes added by the rules generator when
	// it is given).
	PrometheusMetric string

	regex map[string]*regexp.Regexp
}

// Compile prepares the regular expressions.
func (s *Selector) Compile() error {
	s.regex = make(map[string]*regexp.Regexp, len(s.MatchRegex))
	for k, expr := range s.MatchRegex {
		re, err := regexp.Compile("^(?:" + expr + ")$")
		if err != nil {
			return fmt.Errorf("match_regex[%s]: %w", k, err)
		}
		s.regex[k] = re
	}
	return nil
}

// AlertWindow is one multiwindow burn-rate condition: the SLO burns its budget
// BurnRate times too fast over both the long and the short window.
type AlertWindow struct {
	Severity string
	Long     time.Duration
	Short    time.Duration
	BurnRate float64
}

// DefaultAlertWindows is the multiwindow, multi-burn-rate set of the Google SRE
// workbook (chapter "Alerting on SLOs") for a 30-day period.
func DefaultAlertWindows() []AlertWindow {
	return []AlertWindow{
		{Severity: "page", Long: time.Hour, Short: 5 * time.Minute, BurnRate: 14.4},
		{Severity: "page", Long: 6 * time.Hour, Short: 30 * time.Minute, BurnRate: 6},
		{Severity: "ticket", Long: 24 * time.Hour, Short: 2 * time.Hour, BurnRate: 3},
		{Severity: "ticket", Long: 3 * 24 * time.Hour, Short: 6 * time.Hour, BurnRate: 1},
	}
}

// Spec is one SLO.
type Spec struct {
	Name        string
	Service     string
	Description string
	// Objective is the target in percent, e.g. 99.5.
	Objective float64
	Period    time.Duration
	Kind      Kind
	// Latency SLI: Events is the histogram, Threshold the bucket boundary
	// that separates good from bad.
	Events    Selector
	Threshold float64
	// Ratio SLI.
	Bad   Selector
	Total Selector
	// GroupBy: one SLO series per distinct value set of these attributes.
	GroupBy   []string
	Windows   []AlertWindow
	AlertName string
}

// Budget is the error budget as a ratio: the share of events allowed to be bad.
func (s *Spec) Budget() float64 { return (100 - s.Objective) / 100 }

// Selectors returns the selectors of the SLI.
func (s *Spec) Selectors() []*Selector {
	if s.Kind == KindLatency {
		return []*Selector{&s.Events}
	}
	return []*Selector{&s.Bad, &s.Total}
}

// Durations returns every window the SLO evaluates, shortest first: the
// alert windows and the period.
func (s *Spec) Durations() []time.Duration {
	var ds []time.Duration
	for _, w := range s.Windows {
		ds = append(ds, w.Long, w.Short)
	}
	ds = append(ds, s.Period)
	slices.Sort(ds)
	return slices.Compact(ds)
}

// Severities returns the alert severities in the order they first appear.
func (s *Spec) Severities() []string {
	var out []string
	for _, w := range s.Windows {
		if !slices.Contains(out, w.Severity) {
			out = append(out, w.Severity)
		}
	}
	return out
}

// FormatDuration writes d the way Prometheus does ("5m", "1h", "30d"), which
// is also the value of the window attribute and the suffix of rule names.
func FormatDuration(d time.Duration) string { return model.Duration(d).String() }

// ParseDuration reads Prometheus durations ("30d", "1h30m", "2w") as well
// as Go ones ("90s", "1.5h").
func ParseDuration(s string) (time.Duration, error) {
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("not a duration: %q (use e.g. 5m, 1h, 30d)", s)
	}
	return d, nil
}

// FormatFloat writes f as the shortest decimal that reads back as the same
// float64, so a number written into PromQL means exactly what the processor
// computes with.
func FormatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
