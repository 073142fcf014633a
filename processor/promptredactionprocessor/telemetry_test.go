package promptredactionprocessor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/metadatatest"
)

const hmacKey = "0123456789abcdef0123456789abcdef-never-logged"

func chatTraces(prompts ...string) ptrace.Traces {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, p := range prompts {
		spans.AppendEmpty().Attributes().PutStr("gen_ai.prompt", p)
	}
	return td
}

func TestComponentTelemetryCountsWhatWasRedacted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := createDefaultConfig()
	cfg.MaxValueBytes = 100
	cfg.Detectors = map[string]DetectorConfig{"iban": {Action: "drop"}}
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tel), cfg, consumertest.NewNop())
	require.NoError(t, err)

	prompts := []string{
		"mail maria@example.com or kenji@example.org",
		"card 4111 1111 1111 1111",
		"IBAN DE89 3704 0044 0532 0130 00",
		`[{"truncated":"json`,
		strings.Repeat("x", 101),
	}
	var bytes int64
	for _, s := range prompts {
		bytes += int64(len(s))
	}
	require.NoError(t, p.ConsumeTraces(context.Background(), chatTraces(prompts...)))

	opts := []metricdatatest.Option{metricdatatest.IgnoreTimestamp()}
	metadatatest.AssertEqualPromptRedactionValuesScanned(t, tel, []metricdata.DataPoint[int64]{{Value: int64(len(prompts))}}, opts...)
	metadatatest.AssertEqualPromptRedactionBytesScanned(t, tel, []metricdata.DataPoint[int64]{{Value: bytes}}, opts...)
	metadatatest.AssertEqualPromptRedactionMatches(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String("detector", "email"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("detector", "payment_card"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("detector", "iban"))},
	}, opts...)
	metadatatest.AssertEqualPromptRedactionFailClosed(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "too_large"))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "parse_error"))},
	}, opts...)
	metadatatest.AssertEqualPromptRedactionAttributesDropped(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, opts...)
}

func TestInternalErrorsFailClosedAndAreCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	rp, err := newRedactionProcessor(metadatatest.NewSettings(tel), createDefaultConfig())
	require.NoError(t, err)
	rp.redactor.SetFailHook(func(s string) {
		if strings.Contains(s, "boom") {
			panic("scanner bug")
		}
	})
	td := chatTraces("boom maria@example.com", "fine maria@example.com")
	out, err := rp.processTraces(context.Background(), td)
	require.NoError(t, err)
	spans := out.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	v, _ := spans.At(0).Attributes().Get("gen_ai.prompt")
	assert.Equal(t, "<REDACTED>", v.Str())
	fc, _ := spans.At(0).Attributes().Get("prompt_redaction.fail_closed")
	assert.EqualValues(t, 1, fc.Int())
	v, _ = spans.At(1).Attributes().Get("gen_ai.prompt")
	assert.Equal(t, "fine <EMAIL>", v.Str())
	metadatatest.AssertEqualPromptRedactionFailClosed(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "internal_error"))},
	}, metricdatatest.IgnoreTimestamp())
}

// TestNothingLogsContentOrTheKey runs every signal at debug level and checks
// that no log line or field holds a value, a pseudonym input or the HMAC key.
func TestNothingLogsContentOrTheKey(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	set := metadatatest.NewSettings(componenttest.NewTelemetry())
	set.Logger = zap.New(core)
	cfg := createDefaultConfig()
	cfg.Action = "pseudonymize"
	cfg.HMACKey = hmacKey
	f := NewFactory()
	tp, err := f.CreateTraces(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	lp, err := f.CreateLogs(context.Background(), set, cfg, consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, tp.ConsumeTraces(context.Background(), chatTraces("maria@example.com", `[{"bad json`)))
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("kenji@example.org")
	require.NoError(t, lp.ConsumeLogs(context.Background(), ld))
	require.NoError(t, tp.Shutdown(context.Background()))
	require.NoError(t, lp.Shutdown(context.Background()))

	require.NotZero(t, logs.Len(), "the processor logs its configuration")
	for _, e := range logs.All() {
		line := fmt.Sprintf("%s %v", e.Message, e.ContextMap())
		for _, secret := range []string{"maria", "kenji", "bad json", hmacKey, hmacKey[:16]} {
			assert.NotContains(t, line, secret)
		}
	}
}

// TestConcurrentBatchesShareNothing runs batches in parallel through one
// processor (pooled scratch state must not leak between them).
func TestConcurrentBatchesShareNothing(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), createDefaultConfig(), sink)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				email := fmt.Sprintf("user%d_%d@example.com", g, i)
				doc := fmt.Sprintf(`[{"role":"user","parts":[{"type":"text","content":"I am %s, card 4111 1111 1111 1111"}]}]`, email)
				td := ptrace.NewTraces()
				td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes().PutStr("gen_ai.input.messages", doc)
				assert.NoError(t, p.ConsumeTraces(context.Background(), td))
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 400, sink.SpanCount())
	for _, td := range sink.AllTraces() {
		v, _ := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Get("gen_ai.input.messages")
		assert.Equal(t, `[{"role":"user","parts":[{"type":"text","content":"I am <EMAIL>, card <PAYMENT_CARD>"}]}]`, v.Str())
	}
}
