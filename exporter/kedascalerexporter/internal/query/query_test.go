package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var defaults = Defaults{Window: time.Minute, StaleAfter: 2 * time.Minute, MaxWindow: 5 * time.Minute}

func TestParseValid(t *testing.T) {
	fallback := 3.0
	tests := []struct {
		name string
		md   map[string]string
		want Query
	}{
		{
			name: "only the required keys take the defaults",
			md:   map[string]string{"metricName": "vllm:num_requests_waiting", "targetValue": "5"},
			want: Query{MetricName: "vllm:num_requests_waiting", Target: 5, Window: time.Minute, StaleAfter: 2 * time.Minute},
		},
		{
			name: "every key",
			md: map[string]string{
				"metricName": "vllm:generation_tokens_total", "targetValue": "1500.5", "activationThreshold": "10",
				"aggregation": "avg", "function": "rate", "window": "90s", "staleAfter": "45", "fallbackValue": "3",
				"attr.k8s.deployment.name": "vllm-llama", "attr.gen_ai.request.model": "llama-3.1-8b",
			},
			want: Query{
				MetricName: "vllm:generation_tokens_total", Target: 1500.5, ActivationThreshold: 10,
				Aggregation: Avg, Function: Rate, Window: 90 * time.Second, StaleAfter: 45 * time.Second, Fallback: &fallback,
				Selectors: []Selector{{Key: "gen_ai.request.model", Value: "llama-3.1-8b"}, {Key: "k8s.deployment.name", Value: "vllm-llama"}},
			},
		},
		{
			name: "KEDA's own trigger keys are passed along and ignored",
			md: map[string]string{
				"metricName": "m", "targetValue": "1", "scalerAddress": "otelcol-ai-gateway:4050",
				"enableTLS": "true", "unsafeSsl": "false", "caCertFromEnv": "x",
			},
			want: Query{MetricName: "m", Target: 1, Window: time.Minute, StaleAfter: 2 * time.Minute},
		},
		{
			name: "FromEnv keys stand for their key",
			md:   map[string]string{"metricNameFromEnv": "m", "targetValueFromEnv": "2", "attr.k8s.namespace.nameFromEnv": "prod"},
			want: Query{MetricName: "m", Target: 2, Window: time.Minute, StaleAfter: 2 * time.Minute, Selectors: []Selector{{Key: "k8s.namespace.name", Value: "prod"}}},
		},
		{
			name: "max, last and an empty selector value",
			md:   map[string]string{"metricName": "m", "targetValue": "1", "aggregation": "MAX", "function": "last", "attr.gen_ai.request.model": ""},
			want: Query{MetricName: "m", Target: 1, Aggregation: Max, Function: Last, Window: time.Minute, StaleAfter: 2 * time.Minute, Selectors: []Selector{{Key: "gen_ai.request.model", Value: ""}}},
		},
		{
			name: "window functions",
			md:   map[string]string{"metricName": "m", "targetValue": "1", "function": "max_over_window", "window": "5m"},
			want: Query{MetricName: "m", Target: 1, Function: MaxOverWindow, Window: 5 * time.Minute, StaleAfter: 2 * time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.md, defaults)
			require.NoError(t, err)
			assert.Equal(t, tt.want, *q)
		})
	}
}

func TestParseInvalidNamesTheKey(t *testing.T) {
	base := func(kv ...string) map[string]string {
		md := map[string]string{"metricName": "m", "targetValue": "1"}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "<delete>" {
				delete(md, kv[i])
				continue
			}
			md[kv[i]] = kv[i+1]
		}
		return md
	}
	tests := []struct {
		name string
		md   map[string]string
		want []string // substrings of the error
	}{
		{"missing metric name", base("metricName", "<delete>"), []string{`"metricName": required`}},
		{"blank metric name", base("metricName", "  "), []string{`"metricName": required`}},
		{"missing target", base("targetValue", "<delete>"), []string{`"targetValue": required`}},
		{"zero target", base("targetValue", "0"), []string{`"targetValue": must be greater than 0`}},
		{"target not a number", base("targetValue", "five"), []string{`"targetValue": "five" is not a finite number`}},
		{"target NaN", base("targetValue", "NaN"), []string{`"targetValue": "NaN" is not a finite number`}},
		{"negative activation", base("activationThreshold", "-1"), []string{`"activationThreshold": must not be negative`}},
		{"bad aggregation", base("aggregation", "median"), []string{`"aggregation": "median" is not an aggregation: want sum, avg or max`}},
		{"bad function", base("function", "irate"), []string{`"function": "irate" is not a function`}},
		{"bad window", base("window", "a minute"), []string{`"window": "a minute" is not a duration`}},
		{"negative window", base("window", "-5s"), []string{`"window": must be positive`}},
		{"window beyond retention", base("window", "10m"), []string{`"window": 10m0s is longer than the 5m0s of data the exporter keeps`}},
		{"zero stale age", base("staleAfter", "0s"), []string{`"staleAfter": must be positive`}},
		{"bad fallback", base("fallbackValue", "-"), []string{`"fallbackValue": "-" is not a finite number`}},
		{"negative fallback", base("fallbackValue", "-2"), []string{`"fallbackValue": must not be negative`}},
		{"typo", base("aggregaton", "max"), []string{`"aggregaton": unknown key`}},
		{"empty attribute name", base("attr.", "x"), []string{`"attr.": names no attribute`}},
		{"key given twice", base("window", "60s", "windowFromEnv", "30s"), []string{`"windowFromEnv": given twice (also as "window")`}},
		{"FromEnv error names the key as written", base("targetValue", "<delete>", "targetValueFromEnv", "x"), []string{`"targetValueFromEnv": "x" is not a finite number`}},
		{
			"every error at once",
			map[string]string{"aggregation": "median", "window": "x"},
			[]string{`"metricName": required`, `"targetValue": required`, `"aggregation"`, `"window"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.md, defaults)
			require.Error(t, err)
			assert.Nil(t, q)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			var me *MetadataError
			assert.True(t, errors.As(err, &me), "errors are *MetadataError")
		})
	}
}

func TestParseErrorsAreStable(t *testing.T) {
	md := map[string]string{"aggregation": "median", "window": "x", "function": "y", "zzz": "1"}
	_, first := Parse(md, defaults)
	for i := 0; i < 20; i++ {
		_, err := Parse(md, defaults)
		require.Equal(t, first.Error(), err.Error())
	}
}

func TestScalerMetricName(t *testing.T) {
	for in, want := range map[string]string{
		"vllm:num_requests_waiting":    "vllm-num-requests-waiting",
		"gen_ai.server.request.queued": "gen-ai-server-request-queued",
		"Vllm::GPU_cache_usage_perc__": "vllm-gpu-cache-usage-perc",
		"::":                           "metric",
	} {
		q := Query{MetricName: in}
		assert.Equal(t, want, q.ScalerMetricName(), in)
	}
}

func TestQueryString(t *testing.T) {
	q, err := Parse(map[string]string{"metricName": "m", "targetValue": "1", "attr.b": "2", "attr.a": "x y"}, defaults)
	require.NoError(t, err)
	assert.Equal(t, `m{a="x y",b="2"}`, q.String())
}

func FuzzParse(f *testing.F) {
	f.Add("metricName", "vllm:num_requests_waiting", "window", "60s", "targetValue", "5")
	f.Add("metricNameFromEnv", "m", "attr.k8s.deployment.name", "x", "fallbackValue", "1e300")
	f.Add("aggregation", "avg", "staleAfter", "9223372036.854775807", "targetValue", "-0")
	f.Add("attr.", "", "windowFromEnv", "1h", "function", "rate")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		md := map[string]string{k1: v1, k2: v2, k3: v3}
		q, err := Parse(md, defaults)
		if err != nil {
			if q != nil {
				t.Fatal("a query with an error")
			}
			if !strings.Contains(err.Error(), "scalerMetadata") {
				t.Fatalf("error does not say it is about scalerMetadata: %v", err)
			}
			return
		}
		if q.MetricName == "" || q.Target <= 0 || q.Window <= 0 || q.Window > defaults.MaxWindow || q.StaleAfter <= 0 || q.ActivationThreshold < 0 {
			t.Fatalf("accepted an invalid query: %+v", q)
		}
		if q.Fallback != nil && *q.Fallback < 0 {
			t.Fatalf("negative fallback accepted: %v", *q.Fallback)
		}
		_ = q.ScalerMetricName()
		_ = q.String()
	})
}
