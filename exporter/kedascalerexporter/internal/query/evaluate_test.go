package query

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/store"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func at(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }

func newStore() *store.Store {
	return store.New(store.Limits{MaxSeries: 1000, MaxSamplesPerSeries: 64, Retention: 5 * time.Minute})
}

// waiting stores one vllm:num_requests_waiting point per pod.
func waiting(st *store.Store, sec float64, deployment, model string, perPod ...float64) {
	md := pmetric.NewMetrics()
	for i, v := range perPod {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("k8s.deployment.name", deployment)
		rm.Resource().Attributes().PutStr("k8s.pod.name", deployment+"-"+string(rune('a'+i)))
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("vllm:num_requests_waiting")
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(at(sec)))
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr("model_name", model)
	}
	st.Consume(md, at(sec))
}

// tokens stores one cumulative vllm:generation_tokens_total point.
func tokens(st *store.Store, sec float64, pod string, total float64) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("k8s.deployment.name", "vllm")
	rm.Resource().Attributes().PutStr("k8s.pod.name", pod)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("vllm:generation_tokens_total")
	s := m.SetEmptySum()
	s.SetIsMonotonic(true)
	s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := s.DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(at(sec)))
	dp.SetDoubleValue(total)
	st.Consume(md, at(sec))
}

func mustParse(t *testing.T, kv ...string) *Query {
	t.Helper()
	md := map[string]string{"targetValue": "10"}
	for i := 0; i+1 < len(kv); i += 2 {
		md[kv[i]] = kv[i+1]
	}
	q, err := Parse(md, defaults)
	require.NoError(t, err)
	return q
}

func TestAggregationsOverMatchingSeries(t *testing.T) {
	st := newStore()
	waiting(st, 0, "vllm-llama", "llama", 4, 10, 1)
	waiting(st, 0, "vllm-mistral", "mistral", 100)

	for agg, want := range map[string]float64{"sum": 15, "avg": 5, "max": 10} {
		q := mustParse(t, "metricName", "vllm:num_requests_waiting", "aggregation", agg, "attr.k8s.deployment.name", "vllm-llama")
		r, err := q.Evaluate(st, at(1))
		require.NoError(t, err, agg)
		assert.Equal(t, want, r.Value, agg)
		assert.Equal(t, 3, r.Series, agg)
		assert.False(t, r.Fallback)
	}

	q := mustParse(t, "metricName", "vllm:num_requests_waiting")
	r, err := q.Evaluate(st, at(1))
	require.NoError(t, err)
	assert.Equal(t, 115.0, r.Value, "no selector: every series")

	q = mustParse(t, "metricName", "vllm:num_requests_waiting", "attr.model_name", "mistral", "attr.k8s.deployment.name", "vllm-mistral")
	r, err = q.Evaluate(st, at(1))
	require.NoError(t, err)
	assert.Equal(t, 100.0, r.Value, "a point attribute and a resource attribute together")
}

func TestAutoFunctionIsRateForCountersAndLastForGauges(t *testing.T) {
	st := newStore()
	for i, total := range []float64{0, 600, 1200, 1800, 2400} {
		tokens(st, float64(i*15), "vllm-a", total)     // 40 tokens/s
		tokens(st, float64(i*15), "vllm-b", total/2)   // 20 tokens/s
		waiting(st, float64(i*15), "vllm", "llama", 7) // the last value: 7
	}
	r, err := mustParse(t, "metricName", "vllm:generation_tokens_total").Evaluate(st, at(61))
	require.NoError(t, err)
	assert.InDelta(t, 60.0, r.Value, 1e-9)

	r, err = mustParse(t, "metricName", "vllm:generation_tokens_total", "window", "30s", "aggregation", "max").Evaluate(st, at(61))
	require.NoError(t, err)
	assert.InDelta(t, 40.0, r.Value, 1e-9)

	r, err = mustParse(t, "metricName", "vllm:num_requests_waiting").Evaluate(st, at(61))
	require.NoError(t, err)
	assert.Equal(t, 7.0, r.Value)
}

func TestStaleSeriesAreLeftOut(t *testing.T) {
	st := newStore()
	waiting(st, 0, "vllm", "llama", 50)  // a pod that went away
	waiting(st, 100, "vllm", "llama", 3) // pod a again, fresh: replaces the old value of the same series
	waiting(st, 100, "other", "llama", 9)
	st.Consume(pmetric.NewMetrics(), at(100))

	// Pod vllm-b only ever reported at 0 s.
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("k8s.deployment.name", "vllm")
	rm.Resource().Attributes().PutStr("k8s.pod.name", "vllm-b")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("vllm:num_requests_waiting")
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(at(0)))
	dp.SetDoubleValue(40)
	dp.Attributes().PutStr("model_name", "llama")
	st.Consume(md, at(0))

	q := mustParse(t, "metricName", "vllm:num_requests_waiting", "attr.k8s.deployment.name", "vllm", "staleAfter", "60s")
	r, err := q.Evaluate(st, at(130))
	require.NoError(t, err)
	assert.Equal(t, 3.0, r.Value, "the pod silent for 130 s is not summed")
	assert.Equal(t, 1, r.Series)
}

func TestNoFreshDataIsAnErrorNeverAZero(t *testing.T) {
	st := newStore()
	waiting(st, 0, "vllm", "llama", 8, 9)
	tokens(st, 0, "vllm-a", 100)

	tests := []struct {
		name    string
		q       *Query
		now     time.Time
		message string
	}{
		{
			"all matching series stale",
			mustParse(t, "metricName", "vllm:num_requests_waiting", "staleAfter", "30s"), at(45),
			`no data for vllm:num_requests_waiting{}: the 2 matching series are stale, newest point received 45s ago (staleAfter 30s)`,
		},
		{
			"no series of the metric",
			mustParse(t, "metricName", "vllm:num_requests_running"), at(1),
			`no data for vllm:num_requests_running{}: the exporter holds no series of this metric`,
		},
		{
			"selector matches nothing",
			mustParse(t, "metricName", "vllm:num_requests_waiting", "attr.k8s.deployment.name", "tgi"), at(1),
			`no data for vllm:num_requests_waiting{k8s.deployment.name="tgi"}: none of the 2 series of the metric match the attr.* selectors`,
		},
		{
			"a counter with one point has no rate yet",
			mustParse(t, "metricName", "vllm:generation_tokens_total"), at(1),
			`no data for vllm:generation_tokens_total{}: 1 matching series are fresh but none has the two points within the 1m0s window that rate needs`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.q.Evaluate(st, tt.now)
			var nd *NoDataError
			require.True(t, errors.As(err, &nd), "got %v, %+v", err, r)
			assert.Equal(t, tt.message, err.Error()[:min(len(err.Error()), len(tt.message))])

			fb := *tt.q
			f := 4.0
			fb.Fallback = &f
			r, err = fb.Evaluate(st, tt.now)
			require.NoError(t, err)
			assert.True(t, r.Fallback)
			assert.Equal(t, 4.0, r.Value)
			require.NotNil(t, r.NoData)
			assert.Equal(t, tt.message, r.NoData.Error()[:min(len(r.NoData.Error()), len(tt.message))])
		})
	}
}

func TestRateOfAGaugeIsAKindError(t *testing.T) {
	st := newStore()
	waiting(st, 0, "vllm", "llama", 1)
	q := mustParse(t, "metricName", "vllm:num_requests_waiting", "function", "rate", "fallbackValue", "2")
	_, err := q.Evaluate(st, at(1))
	var ke *KindError
	require.True(t, errors.As(err, &ke), "a configuration mistake is not hidden by the fallback: %v", err)
	assert.Contains(t, err.Error(), "vllm:num_requests_waiting{} is a gauge: function rate needs a monotonic sum")
}

func TestActive(t *testing.T) {
	q := mustParse(t, "metricName", "m", "activationThreshold", "2")
	assert.False(t, q.Active(2))
	assert.True(t, q.Active(2.5))
	assert.False(t, mustParse(t, "metricName", "m").Active(0))
	assert.True(t, mustParse(t, "metricName", "m").Active(0.1))
}
