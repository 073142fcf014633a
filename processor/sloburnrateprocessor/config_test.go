package sloburnrateprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestValidConfigsLoadWithDefaultsFilledIn(t *testing.T) {
	ratio := loadConfig(t, "ratio")
	require.NoError(t, confmap.Validate(ratio))
	assert.Equal(t, time.Minute, ratio.EvaluationInterval)
	assert.Equal(t, 60, ratio.BucketsPerWindow)
	assert.Equal(t, 10000, ratio.MaxSeries)
	assert.Nil(t, ratio.Storage)
	assert.Equal(t, defaultWindows(), ratio.Windows, "the SRE workbook windows by default")
	specs := ratio.Specs()
	require.Len(t, specs, 1)
	s := specs[0]
	assert.Equal(t, slo.KindRatio, s.Kind)
	assert.Equal(t, 30*24*time.Hour, s.Period)
	assert.Equal(t, map[string]string{"outcome": "error"}, s.Bad.Match)
	assert.Equal(t, "gen_ai.server.requests", s.Total.Metric)
	assert.Equal(t, []string{"gen_ai.request.model"}, s.GroupBy)
	assert.InDelta(t, 0.005, s.Budget(), 1e-15)
	assert.Equal(t, slo.DefaultAlertWindows(), s.Windows)

	latency := loadConfig(t, "latency")
	require.NoError(t, confmap.Validate(latency))
	assert.Equal(t, 30*time.Second, latency.EvaluationInterval)
	assert.Equal(t, 120, latency.BucketsPerWindow)
	assert.Equal(t, 500, latency.MaxSeries)
	assert.Equal(t, component.MustNewIDWithName("file_storage", "slo"), *latency.Storage)
	assert.Equal(t, 5*time.Minute, latency.CheckpointInterval)
	l := latency.Specs()[0]
	assert.Equal(t, slo.KindLatency, l.Kind)
	assert.Equal(t, 28*24*time.Hour, l.Period)
	assert.Equal(t, 2.56, l.Threshold)
	assert.Equal(t, "s", l.Events.Unit)
	assert.Equal(t, map[string]string{"gen_ai.request.model": "gpt-.*|claude-.*"}, l.Events.MatchRegex)
	assert.Equal(t, "ChatLatencyBudgetBurn", l.AlertName)

	custom := loadConfig(t, "custom_windows")
	require.NoError(t, confmap.Validate(custom))
	c := custom.Specs()[0]
	assert.Equal(t, []slo.AlertWindow{{Severity: "page", Long: 30 * time.Minute, Short: 5 * time.Minute, BurnRate: 10}}, c.Windows,
		"an SLO's own windows replace the processor's")
	assert.Equal(t, "s", c.Events.Unit, "a latency SLI is in seconds unless told otherwise")
}

func TestInvalidConfigsNameTheKey(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"no_slos", []string{"slos: at least one SLO is required"}},
		{"objective_as_ratio", []string{"slos[0].objective: must be a percentage above 1 and below 100 (e.g. 99.5), got 0.995"}},
		{"both_slis", []string{"slos[0].sli: set only one of latency or ratio"}},
		{"missing_metric", []string{"slos[0].sli.ratio.total.metric: is required"}},
		{"bad_regex", []string{"slos[0].sli.latency.match_regex[model]:"}},
		{"zero_threshold", []string{"slos[0].sli.latency.threshold: must be a positive bucket boundary"}},
		{"duplicate_name", []string{`slos[1].name: "a" is already the name of slos[0]`}},
		{"bad_name", []string{`slos[0].name: "chat latency!"`}},
		{"window_off_grid", []string{"windows[0].short: 1m30s is not a multiple of evaluation_interval (1m0s)"}},
		{"short_not_shorter", []string{"windows[0].long: must be longer than short"}},
		{"no_burn_rate", []string{"windows[0].burn_rate: must be positive"}},
		{"period_shorter_than_window", []string{"slos[0].period: 1d is shorter than the window 3d of windows[3]"}},
		{"duplicate_group_by", []string{`slos[0].group_by[1]: "model" is listed twice`}},
		{"bad_interval", []string{"evaluation_interval: must be positive"}},
		{"too_few_buckets", []string{"buckets_per_window: must be between 1 and 10000, got 0", "max_series: must be at least 1, got 0"}},
		{"bucket_too_wide", []string{"slos[0]: window 5184000000ms would need buckets of 5184000000ms", "raise buckets_per_window"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, tt.name))
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestDurationsReadPrometheusAndGoNotation(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"30d": 30 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "1h30m": 90 * time.Minute, "90s": 90 * time.Second, "1.5h": 90 * time.Minute,
	} {
		var d Duration
		require.NoError(t, d.UnmarshalText([]byte(in)), in)
		assert.Equal(t, want, time.Duration(d), in)
	}
	var d Duration
	assert.ErrorContains(t, d.UnmarshalText([]byte("a month")), "not a duration")
	b, err := Duration(28 * 24 * time.Hour).MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "4w", string(b))
}
