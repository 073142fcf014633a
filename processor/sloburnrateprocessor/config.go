package sloburnrateprocessor // import "github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/window"
)

// Config is the processor's configuration.
type Config struct {
	// SLOs to compute.
	SLOs []SLOConfig `mapstructure:"slos"`
	// Windows are the multiwindow burn-rate conditions of every SLO that does
	// not set its own; the default is the Google SRE workbook's set (page:
	// 1h/5m at 14.4 and 6h/30m at 6; ticket: 1d/2h at 3 and 3d/6h at 1).
	Windows []WindowConfig `mapstructure:"windows"`
	// EvaluationInterval: alert states are evaluated at every multiple of it
	// (on the data's clock), like a Prometheus rule group's interval. Every
	// window and period must be a multiple of it.
	EvaluationInterval time.Duration `mapstructure:"evaluation_interval"`
	// BucketsPerWindow bounds the buckets a window is kept in: a window of
	// length W is refreshed every max(evaluation_interval, W/buckets) and
	// each counter series holds about 24 bytes per bucket.
	BucketsPerWindow int `mapstructure:"buckets_per_window"`
	// MaxSeries caps the counter series held over all SLOs; points of new
	// series beyond it are counted as refused (reason series_limit).
	MaxSeries int `mapstructure:"max_series"`
	// Storage is the ID of a storage extension (e.g. file_storage) to
	// checkpoint the windows in, so that a restart keeps the long windows.
	Storage *component.ID `mapstructure:"storage"`
	// CheckpointInterval is how often (wall clock) the state is written to
	// the storage extension; it is also written at shutdown. 0: shutdown only.
	CheckpointInterval time.Duration `mapstructure:"checkpoint_interval"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// SLOConfig is one SLO.
type SLOConfig struct {
	// Name identifies the SLO (slo.name attribute, rule names).
	Name string `mapstructure:"name"`
	// Service the SLO belongs to (slo.service attribute, Sloth's service).
	Service     string `mapstructure:"service"`
	Description string `mapstructure:"description"`
	// Objective in percent, e.g. 99.5.
	Objective float64 `mapstructure:"objective"`
	// Period over which the error budget is counted (default 30d).
	Period Duration  `mapstructure:"period"`
	SLI    SLIConfig `mapstructure:"sli"`
	// GroupBy: one SLO series per distinct value set of these attributes
	// (read from the point, then its resource).
	GroupBy []string `mapstructure:"group_by"`
	// Windows replace the processor-level windows for this SLO.
	Windows []WindowConfig `mapstructure:"windows"`
	// AlertName names the generated Prometheus alert (default: the SLO name
	// in CamelCase followed by ErrorBudgetBurn).
	AlertName string `mapstructure:"alert_name"`
}

// SLIConfig sets exactly one of Latency and Ratio.
type SLIConfig struct {
	Latency *LatencySLIConfig `mapstructure:"latency"`
	Ratio   *RatioSLIConfig   `mapstructure:"ratio"`
}

// MetricSelector picks the points of one metric.
type MetricSelector struct {
	Metric string `mapstructure:"metric"`
	// Unit, when set, must equal the metric's unit where it has one.
	Unit string `mapstructure:"unit"`
	// Match: attribute equals value.
	Match map[string]string `mapstructure:"match"`
	// MatchRegex: attribute matches the (fully anchored) regular expression.
	MatchRegex map[string]string `mapstructure:"match_regex"`
	// PrometheusMetric overrides the Prometheus metric name used by the
	// generated rules (for a histogram: the name before _bucket/_count).
	PrometheusMetric string `mapstructure:"prometheus_metric"`
}

// LatencySLIConfig: events slower than Threshold are bad. The metric is a
// histogram with explicit buckets, one of whose boundaries is Threshold.
type LatencySLIConfig struct {
	MetricSelector `mapstructure:",squash"`
	Threshold      float64 `mapstructure:"threshold"`
}

// RatioSLIConfig: the bad counter over the total counter. Either may be a
// monotonic sum or a histogram (whose count is used).
type RatioSLIConfig struct {
	Bad   MetricSelector `mapstructure:"bad"`
	Total MetricSelector `mapstructure:"total"`
}

// WindowConfig is one multiwindow burn-rate condition.
type WindowConfig struct {
	Severity string   `mapstructure:"severity"`
	Long     Duration `mapstructure:"long"`
	Short    Duration `mapstructure:"short"`
	// BurnRate is the factor both windows must exceed: the error ratio is
	// above burn_rate × (1 - objective).
	BurnRate float64 `mapstructure:"burn_rate"`
}

// Duration is a time.Duration written in Prometheus notation ("30d", "1h",
// "5m") or Go notation ("90s").
type Duration time.Duration

// UnmarshalText reads Prometheus or Go duration notation.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := slo.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes Prometheus notation.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(slo.FormatDuration(time.Duration(d))), nil
}

const defaultPeriod = 30 * 24 * time.Hour

var sloNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Validate finds configuration errors at start; every message names the key.
func (c *Config) Validate() error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	iv := c.EvaluationInterval
	switch {
	case iv <= 0:
		add("evaluation_interval", "must be positive, got %s", iv)
		iv = 0
	case iv%time.Millisecond != 0:
		add("evaluation_interval", "must be a whole number of milliseconds, got %s", iv)
		iv = 0
	}
	if c.BucketsPerWindow < 1 || c.BucketsPerWindow > 10000 {
		add("buckets_per_window", "must be between 1 and 10000, got %d", c.BucketsPerWindow)
	}
	if c.MaxSeries < 1 {
		add("max_series", "must be at least 1, got %d", c.MaxSeries)
	}
	if c.CheckpointInterval < 0 {
		add("checkpoint_interval", "must not be negative, got %s", c.CheckpointInterval)
	}
	errs = append(errs, validateWindows("windows", c.Windows, iv)...)
	if len(c.SLOs) == 0 {
		add("slos", "at least one SLO is required")
	}
	names := map[string]int{}
	for i := range c.SLOs {
		s := &c.SLOs[i]
		path := fmt.Sprintf("slos[%d]", i)
		switch {
		case s.Name == "":
			add(path+".name", "is required")
		case !sloNamePattern.MatchString(s.Name):
			add(path+".name", "%q: use letters, digits, '_', '.' and '-', starting with a letter or digit", s.Name)
		default:
			if j, dup := names[s.Name]; dup {
				add(path+".name", "%q is already the name of slos[%d]", s.Name, j)
			}
			names[s.Name] = i
		}
		if math.IsNaN(s.Objective) || s.Objective <= 1 || s.Objective >= 100 {
			add(path+".objective", "must be a percentage above 1 and below 100 (e.g. 99.5), got %v", s.Objective)
		}
		errs = append(errs, validateSLI(path+".sli", &s.SLI)...)
		seen := map[string]bool{}
		for j, k := range s.GroupBy {
			if k == "" {
				add(fmt.Sprintf("%s.group_by[%d]", path, j), "must not be empty")
			} else if seen[k] {
				add(fmt.Sprintf("%s.group_by[%d]", path, j), "%q is listed twice", k)
			}
			seen[k] = true
		}
		windows := c.Windows
		if len(s.Windows) > 0 {
			windows = s.Windows
			errs = append(errs, validateWindows(path+".windows", s.Windows, iv)...)
		}
		period := time.Duration(s.Period)
		if period == 0 {
			period = defaultPeriod
		}
		if period < 0 || (iv > 0 && period%iv != 0) {
			add(path+".period", "must be a positive multiple of evaluation_interval (%s), got %s", iv, slo.FormatDuration(period))
		}
		for j, w := range windows {
			if time.Duration(w.Long) > period {
				add(path+".period", "%s is shorter than the window %s of windows[%d]", slo.FormatDuration(period), slo.FormatDuration(time.Duration(w.Long)), j)
			}
		}
		if iv > 0 && c.BucketsPerWindow >= 1 && len(errs) == 0 {
			spec := c.spec(i)
			ms := []int64{}
			for _, d := range spec.Durations() {
				ms = append(ms, d.Milliseconds())
			}
			if _, err := window.NewLayout(iv.Milliseconds(), ms, c.BucketsPerWindow); err != nil {
				add(path, "%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

func validateWindows(path string, ws []WindowConfig, iv time.Duration) []error {
	var errs []error
	add := func(p, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", p, fmt.Sprintf(format, args...)))
	}
	if len(ws) == 0 {
		add(path, "at least one window is required")
	}
	for i, w := range ws {
		p := fmt.Sprintf("%s[%d]", path, i)
		if w.Severity == "" {
			add(p+".severity", "is required (e.g. page or ticket)")
		}
		long, short := time.Duration(w.Long), time.Duration(w.Short)
		if short <= 0 {
			add(p+".short", "must be positive, got %s", short)
		}
		if long <= short {
			add(p+".long", "must be longer than short (%s), got %s", short, long)
		}
		for _, d := range []struct {
			key string
			v   time.Duration
		}{{"long", long}, {"short", short}} {
			if iv > 0 && d.v > 0 && d.v%iv != 0 {
				add(p+"."+d.key, "%s is not a multiple of evaluation_interval (%s)", slo.FormatDuration(d.v), iv)
			}
		}
		if math.IsNaN(w.BurnRate) || w.BurnRate <= 0 || math.IsInf(w.BurnRate, 0) {
			add(p+".burn_rate", "must be positive, got %v", w.BurnRate)
		}
	}
	return errs
}

func validateSLI(path string, sli *SLIConfig) []error {
	var errs []error
	add := func(p, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", p, fmt.Sprintf(format, args...)))
	}
	switch {
	case sli.Latency == nil && sli.Ratio == nil:
		add(path, "set one of latency or ratio")
	case sli.Latency != nil && sli.Ratio != nil:
		add(path, "set only one of latency or ratio")
	case sli.Latency != nil:
		errs = append(errs, validateSelector(path+".latency", &sli.Latency.MetricSelector)...)
		th := sli.Latency.Threshold
		if math.IsNaN(th) || math.IsInf(th, 0) || th <= 0 {
			add(path+".latency.threshold", "must be a positive bucket boundary of the histogram, got %v", th)
		}
	default:
		errs = append(errs, validateSelector(path+".ratio.bad", &sli.Ratio.Bad)...)
		errs = append(errs, validateSelector(path+".ratio.total", &sli.Ratio.Total)...)
	}
	return errs
}

func validateSelector(path string, s *MetricSelector) []error {
	var errs []error
	if s.Metric == "" {
		errs = append(errs, fmt.Errorf("%s.metric: is required", path))
	}
	for k, expr := range s.MatchRegex {
		if _, err := regexp.Compile("^(?:" + expr + ")$"); err != nil {
			errs = append(errs, fmt.Errorf("%s.match_regex[%s]: %w", path, k, err))
		}
	}
	return errs
}

// Specs turns the configuration into the SLO model. Call it on a validated
// configuration.
func (c *Config) Specs() []*slo.Spec {
	out := make([]*slo.Spec, len(c.SLOs))
	for i := range c.SLOs {
		out[i] = c.spec(i)
	}
	return out
}

func (c *Config) spec(i int) *slo.Spec {
	s := &c.SLOs[i]
	spec := &slo.Spec{
		Name:        s.Name,
		Service:     s.Service,
		Description: s.Description,
		Objective:   s.Objective,
		Period:      time.Duration(s.Period),
		GroupBy:     append([]string(nil), s.GroupBy...),
		AlertName:   s.AlertName,
	}
	if spec.Period == 0 {
		spec.Period = defaultPeriod
	}
	windows := c.Windows
	if len(s.Windows) > 0 {
		windows = s.Windows
	}
	for _, w := range windows {
		spec.Windows = append(spec.Windows, slo.AlertWindow{
			Severity: w.Severity, Long: time.Duration(w.Long), Short: time.Duration(w.Short), BurnRate: w.BurnRate,
		})
	}
	if l := s.SLI.Latency; l != nil {
		spec.Kind = slo.KindLatency
		spec.Events = selector(l.MetricSelector)
		if spec.Events.Unit == "" {
			spec.Events.Unit = "s"
		}
		spec.Threshold = l.Threshold
	} else if r := s.SLI.Ratio; r != nil {
		spec.Kind = slo.KindRatio
		spec.Bad = selector(r.Bad)
		spec.Total = selector(r.Total)
	}
	return spec
}

func selector(m MetricSelector) slo.Selector {
	return slo.Selector{
		Metric:           m.Metric,
		Unit:             m.Unit,
		Match:            m.Match,
		MatchRegex:       m.MatchRegex,
		PrometheusMetric: m.PrometheusMetric,
	}
}

func defaultWindows() []WindowConfig {
	var out []WindowConfig
	for _, w := range slo.DefaultAlertWindows() {
		out = append(out, WindowConfig{Severity: w.Severity, Long: Duration(w.Long), Short: Duration(w.Short), BurnRate: w.BurnRate})
	}
	return out
}
