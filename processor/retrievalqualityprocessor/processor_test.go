package retrievalqualityprocessor

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/ptracetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/metadatatest"
)

var update = flag.Bool("update", false, "rewrite the golden output files")

func newProcessor(t *testing.T, cfg *Config, next consumer.Traces, set processor.Settings) processor.Traces {
	t.Helper()
	require.NoError(t, cfg.Validate())
	p, err := NewFactory().CreateTraces(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
	return p
}

// goldenConfig is the default configuration with wait 0 (the request is
// all there is), overridden by the folder's config.yaml when it has one.
func goldenConfig(t *testing.T, dir string) *Config {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.Wait = 0
	path := filepath.Join(dir, "config.yaml")
	if _, err := os.Stat(path); err == nil {
		cm, err := confmaptest.LoadConf(path)
		require.NoError(t, err)
		require.NoError(t, cm.Unmarshal(cfg))
	}
	return cfg
}

func readTraces(t *testing.T, path string) ptrace.Traces {
	t.Helper()
	td, err := golden.ReadTraces(path)
	require.NoError(t, err)
	return td
}

// Each folder of testdata/golden holds input.yaml, sent in one request, and
// output.yaml, what the processor passes on. Run with -update to rewrite the
// outputs after a deliberate change, and review the diff.
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "golden"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", "golden", d.Name())
			sink := new(consumertest.TracesSink)
			p := newProcessor(t, goldenConfig(t, dir), sink, processortest.NewNopSettings(metadata.Type))
			require.NoError(t, p.ConsumeTraces(context.Background(), readTraces(t, filepath.Join(dir, "input.yaml"))))
			require.NoError(t, p.Shutdown(context.Background()))
			require.Len(t, sink.AllTraces(), 1)
			got := sink.AllTraces()[0]
			if *update {
				require.NoError(t, golden.WriteTracesToFile(filepath.Join(dir, "output.yaml"), got))
			}
			want := readTraces(t, filepath.Join(dir, "output.yaml"))
			require.NoError(t, ptracetest.CompareTraces(want, got))
		})
	}
}

// Scored spans carry their scores; a second pass (another gateway tier, a
// replay) leaves them as they are.
func TestScoringTwiceChangesNothing(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "golden"))
	require.NoError(t, err)
	for _, d := range dirs {
		dir := filepath.Join("testdata", "golden", d.Name())
		out := filepath.Join(dir, "output.yaml")
		sink := new(consumertest.TracesSink)
		p := newProcessor(t, goldenConfig(t, dir), sink, processortest.NewNopSettings(metadata.Type))
		require.NoError(t, p.ConsumeTraces(context.Background(), readTraces(t, out)))
		require.NoError(t, p.Shutdown(context.Background()))
		require.NoError(t, ptracetest.CompareTraces(readTraces(t, out), sink.AllTraces()[0]), d.Name())
	}
}

func TestNonRetrievalTrafficPassesUnchanged(t *testing.T) {
	in := filepath.Join("testdata", "golden", "spans_that_are_not_retrievals_pass_unchanged", "input.yaml")
	out := filepath.Join("testdata", "golden", "spans_that_are_not_retrievals_pass_unchanged", "output.yaml")
	require.NoError(t, ptracetest.CompareTraces(readTraces(t, in), readTraces(t, out)))
}

// The spans of the first golden case, split into one request per span.
func ragSpans(t *testing.T) (retrieval, answer ptrace.Traces) {
	td := readTraces(t, filepath.Join("testdata", "golden", "a_retrieval_and_its_answer_in_one_request_are_scored_with_groundedness", "input.yaml"))
	retrieval, answer = ptrace.NewTraces(), ptrace.NewTraces()
	td.CopyTo(retrieval)
	td.CopyTo(answer)
	retrieval.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return s.Name() != "retrieval kb-index" })
	answer.ResourceSpans().At(0).ScopeSpans().At(0).Spans().RemoveIf(func(s ptrace.Span) bool { return s.Name() == "retrieval kb-index" })
	return retrieval, answer
}

func bufferedConfig(wait time.Duration) *Config {
	cfg := createDefaultConfig()
	cfg.Wait = wait
	return cfg
}

func findSpan(t *testing.T, sink *consumertest.TracesSink, name string) ptrace.Span {
	t.Helper()
	for _, td := range sink.AllTraces() {
		rss := td.ResourceSpans()
		for i := range rss.Len() {
			sss := rss.At(i).ScopeSpans()
			for j := range sss.Len() {
				spans := sss.At(j).Spans()
				for k := range spans.Len() {
					if spans.At(k).Name() == name {
						return spans.At(k)
					}
				}
			}
		}
	}
	t.Fatalf("span %q not found", name)
	return ptrace.Span{}
}

func attr(span ptrace.Span, key string) any {
	v, ok := span.Attributes().Get(key)
	if !ok {
		return nil
	}
	return v.AsRaw()
}

// The reference: what the processor writes when both spans come in one
// request.
func wantScored(t *testing.T) ptrace.Span {
	td := readTraces(t, filepath.Join("testdata", "golden", "a_retrieval_and_its_answer_in_one_request_are_scored_with_groundedness", "output.yaml"))
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := range spans.Len() {
		if spans.At(i).Name() == "retrieval kb-index" {
			return spans.At(i)
		}
	}
	t.Fatal("no retrieval span in the golden output")
	return ptrace.Span{}
}

func TestRetrievalThenAnswerInSeparateRequests(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	p := newProcessor(t, bufferedConfig(time.Minute), sink, metadatatest.NewSettings(tel))
	retrieval, answer := ragSpans(t)

	// The retrieval is held: nothing goes on yet.
	require.NoError(t, p.ConsumeTraces(context.Background(), retrieval))
	assert.Zero(t, sink.SpanCount())

	require.NoError(t, p.ConsumeTraces(context.Background(), answer))
	assert.Equal(t, 2, sink.SpanCount(), "the answer and the released retrieval")
	got := findSpan(t, sink, "retrieval kb-index")
	want := wantScored(t)
	assert.Equal(t, want.Attributes().AsRaw(), got.Attributes().AsRaw())
	assert.Equal(t, want.Events().Len(), got.Events().Len())
	assert.Equal(t, true, attr(got, "gen_ai.retrieval.evaluation.answer_found"))
	require.NoError(t, p.Shutdown(context.Background()))

	metadatatest.AssertEqualRetrievalQualitySpansScored(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("shape", "semconv"))},
	}, metricdatatest.IgnoreTimestamp())
	_, err := tel.GetMetric("otelcol.retrieval_quality.spans.scored_without_answer")
	assert.Error(t, err, "every span had its answer")
}

func TestAnswerThenRetrievalInSeparateRequests(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newProcessor(t, bufferedConfig(time.Minute), sink, processortest.NewNopSettings(metadata.Type))
	retrieval, answer := ragSpans(t)

	require.NoError(t, p.ConsumeTraces(context.Background(), answer))
	assert.Equal(t, 1, sink.SpanCount(), "answers are not held, only remembered")
	require.NoError(t, p.ConsumeTraces(context.Background(), retrieval))
	assert.Equal(t, 2, sink.SpanCount(), "scored at once")
	got := findSpan(t, sink, "retrieval kb-index")
	assert.Equal(t, wantScored(t).Attributes().AsRaw(), got.Attributes().AsRaw())
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestAnUnansweredRetrievalLeavesAfterTheWait(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	p := newProcessor(t, bufferedConfig(100*time.Millisecond), sink, metadatatest.NewSettings(tel))
	retrieval, _ := ragSpans(t)
	require.NoError(t, p.ConsumeTraces(context.Background(), retrieval))
	assert.Zero(t, sink.SpanCount())

	require.Eventually(t, func() bool { return sink.SpanCount() == 1 }, 5*time.Second, 10*time.Millisecond)
	got := findSpan(t, sink, "retrieval kb-index")
	assert.Equal(t, false, attr(got, "gen_ai.retrieval.evaluation.answer_found"))
	assert.Nil(t, attr(got, "gen_ai.retrieval.evaluation.groundedness.value"))
	assert.NotNil(t, attr(got, "gen_ai.retrieval.evaluation.query_coverage.value"))
	require.NoError(t, p.Shutdown(context.Background()))

	metadatatest.AssertEqualRetrievalQualitySpansScoredWithoutAnswer(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "wait_elapsed"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestShutdownReleasesHeldRetrievals(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	p := newProcessor(t, bufferedConfig(time.Hour), sink, metadatatest.NewSettings(tel))
	retrieval, _ := ragSpans(t)
	require.NoError(t, p.ConsumeTraces(context.Background(), retrieval))
	metadatatest.AssertEqualRetrievalQualityBufferTraces(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	assert.Zero(t, sink.SpanCount())
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 1, sink.SpanCount())
	metadatatest.AssertEqualRetrievalQualitySpansScoredWithoutAnswer(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "shutdown"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestEvictionReleasesTheOldestRetrievalAndCountsIt(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	cfg := bufferedConfig(time.Hour)
	cfg.MaxTraces = 1
	p := newProcessor(t, cfg, sink, metadatatest.NewSettings(tel))
	first, _ := ragSpans(t)
	second, _ := ragSpans(t)
	span := second.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	span.SetName("second retrieval")
	span.SetTraceID([16]byte{9})

	require.NoError(t, p.ConsumeTraces(context.Background(), first))
	require.NoError(t, p.ConsumeTraces(context.Background(), second))
	assert.Equal(t, 1, sink.SpanCount())
	findSpan(t, sink, "retrieval kb-index")
	metadatatest.AssertEqualRetrievalQualityTracesEvicted(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualRetrievalQualitySpansScoredWithoutAnswer(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("reason", "evicted"))},
	}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 2, sink.SpanCount())
}

func TestAHeldSpanRefusedDownstreamIsCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	p := newProcessor(t, bufferedConfig(time.Hour), consumertest.NewErr(errors.New("exporter queue full")), metadatatest.NewSettings(tel))
	retrieval, _ := ragSpans(t)
	require.NoError(t, p.ConsumeTraces(context.Background(), retrieval))
	require.ErrorContains(t, p.Shutdown(context.Background()), "exporter queue full")
	metadatatest.AssertEqualRetrievalQualitySpansReleaseFailures(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
}

func TestOnlyTheRetrievalIsHeldFromAMixedRequest(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newProcessor(t, bufferedConfig(time.Hour), sink, processortest.NewNopSettings(metadata.Type))
	retrieval, _ := ragSpans(t)
	// A second resource whose only span is a retrieval: it leaves entirely.
	other := retrieval.ResourceSpans().AppendEmpty()
	retrieval.ResourceSpans().At(0).CopyTo(other)
	other.ScopeSpans().At(0).Spans().At(0).SetTraceID([16]byte{7})
	// An unrelated span next to the first retrieval stays.
	plain := retrieval.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	plain.SetName("GET /health")

	require.NoError(t, p.ConsumeTraces(context.Background(), retrieval))
	require.Len(t, sink.AllTraces(), 1)
	got := sink.AllTraces()[0]
	require.Equal(t, 1, got.ResourceSpans().Len(), "the emptied resource is removed")
	require.Equal(t, 1, got.SpanCount())
	assert.Equal(t, "GET /health", got.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name())
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 3, sink.SpanCount())
}

func TestParseFailuresAreCounted(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	sink := new(consumertest.TracesSink)
	dir := filepath.Join("testdata", "golden", "malformed_documents_are_reported_and_what_could_be_read_is_scored")
	p := newProcessor(t, goldenConfig(t, dir), sink, metadatatest.NewSettings(tel))
	in := readTraces(t, filepath.Join(dir, "input.yaml"))
	require.NoError(t, p.ConsumeTraces(context.Background(), in))
	require.NoError(t, p.Shutdown(context.Background()))
	metadatatest.AssertEqualRetrievalQualityDocumentsParseFailures(t, tel, []metricdata.DataPoint[int64]{{Value: 2}}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualRetrievalQualityLabelsParseFailures(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	// Only the span with a readable document is scored.
	metadatatest.AssertEqualRetrievalQualitySpansScored(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("shape", "semconv"))},
	}, metricdatatest.IgnoreTimestamp())
}

func TestTickInterval(t *testing.T) {
	assert.Equal(t, 10*time.Millisecond, tickInterval(20*time.Millisecond))
	assert.Equal(t, 500*time.Millisecond, tickInterval(5*time.Second))
	assert.Equal(t, time.Second, tickInterval(time.Minute))
}

func TestCreateFailsOnAnUnreadableLabelsFile(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Labels.File = filepath.Join(t.TempDir(), "missing.yaml")
	_, err := NewFactory().CreateTraces(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.ErrorContains(t, err, "labels.file")
}

// Requests from many goroutines, each trace's retrieval and answer in either
// order: every retrieval leaves once, paired with its answer.
func TestConcurrentRequestsPairEveryRetrieval(t *testing.T) {
	sink := new(consumertest.TracesSink)
	p := newProcessor(t, bufferedConfig(time.Minute), sink, processortest.NewNopSettings(metadata.Type))
	const traces = 200
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < traces; i += 4 {
				retrieval, answer := ragSpans(t)
				id := [16]byte{byte(i), byte(i >> 8), 0xaa}
				for _, td := range []ptrace.Traces{retrieval, answer} {
					td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetTraceID(id)
				}
				first, second := retrieval, answer
				if i%2 == 1 {
					first, second = answer, retrieval
				}
				assert.NoError(t, p.ConsumeTraces(context.Background(), first))
				assert.NoError(t, p.ConsumeTraces(context.Background(), second))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, p.Shutdown(context.Background()))
	assert.Equal(t, 2*traces, sink.SpanCount())
	scored := 0
	for _, td := range sink.AllTraces() {
		rss := td.ResourceSpans()
		for i := range rss.Len() {
			spans := rss.At(i).ScopeSpans().At(0).Spans()
			for k := range spans.Len() {
				if spans.At(k).Name() == "retrieval kb-index" {
					scored++
					assert.Equal(t, true, attr(spans.At(k), "gen_ai.retrieval.evaluation.answer_found"))
				}
			}
		}
	}
	assert.Equal(t, traces, scored)
}
