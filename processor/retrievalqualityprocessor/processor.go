package retrievalqualityprocessor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/labels"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/scoring"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/tracebuffer"
)

// reasonNoWait: wait is 0 and the answer was not in the same request.
const reasonNoWait = "no_wait"

type retrievalProcessor struct {
	cfg    *Config
	logger *zap.Logger
	next   consumer.Traces
	scorer *scoring.Scorer
	labels *labels.Index
	buf    *tracebuffer.Buffer[ptrace.Traces]
	tel    *metadata.TelemetryBuilder
	now    func() time.Time
	sizer  ptrace.ProtoMarshaler

	// The expiry loop, running while wait > 0.
	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

func newRetrievalProcessor(set processor.Settings, cfg *Config, next consumer.Traces) (*retrievalProcessor, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &retrievalProcessor{
		cfg:    cfg,
		logger: set.Logger,
		next:   next,
		scorer: scoring.NewScorer(cfg.scoringOptions()),
		tel:    tel,
		now:    time.Now,
	}
	if cfg.Labels.File != "" {
		if p.labels, err = labels.LoadFile(cfg.Labels.File); err != nil {
			return nil, fmt.Errorf("labels.file: %w", err)
		}
	}
	if cfg.Wait > 0 {
		p.buf = tracebuffer.New[ptrace.Traces](tracebuffer.Config{Wait: cfg.Wait, MaxTraces: cfg.MaxTraces, MaxBytes: cfg.MaxBytes})
	}
	return p, nil
}

func (p *retrievalProcessor) start(context.Context, component.Host) error {
	if p.buf == nil {
		return nil
	}
	if err := p.tel.RegisterRetrievalQualityBufferTracesCallback(func(_ context.Context, o metric.Int64Observer) error {
		s := p.buf.Stats()
		o.Observe(int64(s.PendingTraces + s.AnswerTraces))
		return nil
	}); err != nil {
		return err
	}
	if err := p.tel.RegisterRetrievalQualityBufferSizeCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(p.buf.Stats().Bytes)
		return nil
	}); err != nil {
		return err
	}
	p.stop = make(chan struct{})
	p.done = make(chan struct{})
	go p.expireLoop(tickInterval(p.cfg.Wait))
	return nil
}

// tickInterval checks for expired traces ten times per wait, within
// [10ms, 1s]: a span waits at most wait plus one tick.
func tickInterval(wait time.Duration) time.Duration {
	return min(max(wait/10, 10*time.Millisecond), time.Second)
}

func (p *retrievalProcessor) expireLoop(every time.Duration) {
	defer close(p.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.release(context.Background(), p.buf.Expire(p.now()))
		}
	}
}

func (p *retrievalProcessor) shutdown(ctx context.Context) error {
	defer p.tel.Shutdown()
	if p.buf == nil {
		return nil
	}
	p.stopOnce.Do(func() {
		if p.stop != nil {
			close(p.stop)
			<-p.done
		}
	})
	// Held spans go on, scored without an answer, rather than being lost.
	return p.release(ctx, p.buf.Flush())
}

// release scores the spans that left the buffer outside a request and
// sends them on.
func (p *retrievalProcessor) release(ctx context.Context, out tracebuffer.Outcome[ptrace.Traces]) error {
	p.countEvictions(ctx, out)
	if len(out.Released) == 0 {
		return nil
	}
	td := ptrace.NewTraces()
	p.scoreReleased(ctx, out.Released, td)
	if err := p.next.ConsumeTraces(ctx, td); err != nil {
		n := td.SpanCount()
		p.tel.RetrievalQualitySpansReleaseFailures.Add(ctx, int64(n))
		p.logger.Error("Next component refused released retrieval spans", zap.Int("spans", n), zap.Error(err))
		return err
	}
	return nil
}

func (p *retrievalProcessor) countEvictions(ctx context.Context, out tracebuffer.Outcome[ptrace.Traces]) {
	if out.EvictedTraces > 0 {
		p.tel.RetrievalQualityTracesEvicted.Add(ctx, int64(out.EvictedTraces))
	}
}

// scoreReleased scores each released span and moves it into td.
func (p *retrievalProcessor) scoreReleased(ctx context.Context, released []tracebuffer.Release[ptrace.Traces], td ptrace.Traces) {
	for _, r := range released {
		span := r.Value.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		p.score(ctx, span, r.Answer, r.HasAnswer, r.Reason.String())
		r.Value.ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
}

func (p *retrievalProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	now := p.now()
	var out tracebuffer.Outcome[ptrace.Traces]
	collect := func(o tracebuffer.Outcome[ptrace.Traces]) {
		out.Released = append(out.Released, o.Released...)
		out.EvictedTraces += o.EvictedTraces
	}

	// Answers first, so that a retrieval and its answer in the same request
	// meet here.
	var local map[pcommon.TraceID][]tracebuffer.Answer
	if p.buf != nil || hasRetrieval(td) {
		rss := td.ResourceSpans()
		for i := range rss.Len() {
			sss := rss.At(i).ScopeSpans()
			for j := range sss.Len() {
				spans := sss.At(j).Spans()
				for k := range spans.Len() {
					span := spans.At(k)
					if genai.IsRetrievalSpan(span) {
						continue
					}
					text := genai.MessagesText(genai.AnswerMessages(span))
					if text == "" {
						continue
					}
					a := tracebuffer.Answer{Start: span.StartTimestamp(), Text: text}
					if p.buf != nil {
						collect(p.buf.AddAnswer(now, span.TraceID(), a))
						continue
					}
					if local == nil {
						local = map[pcommon.TraceID][]tracebuffer.Answer{}
					}
					local[span.TraceID()] = append(local[span.TraceID()], a)
				}
			}
		}
	}

	// Then retrievals: scored now when their answer is known, else held.
	emptied := false
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		sss := rs.ScopeSpans()
		heldFromResource := false
		for j := range sss.Len() {
			ss := sss.At(j)
			heldFromScope := false
			ss.Spans().RemoveIf(func(span ptrace.Span) bool {
				if !genai.IsRetrievalSpan(span) || scoring.Scored(span) {
					return false
				}
				if p.buf == nil {
					a, ok := tracebuffer.Match(local[span.TraceID()], span.StartTimestamp())
					p.score(ctx, span, a.Text, ok, reasonNoWait)
					return false
				}
				answer, ok, o := p.buf.Hold(now, span.TraceID(), span.StartTimestamp(), func() (ptrace.Traces, int) {
					return p.detach(rs, ss, span)
				})
				collect(o)
				if ok {
					p.score(ctx, span, answer, true, "")
					return false
				}
				heldFromScope = true
				return true
			})
			heldFromResource = heldFromResource || heldFromScope
		}
		// Scopes and resources left empty by holding their spans go too.
		if heldFromResource {
			sss.RemoveIf(func(ss ptrace.ScopeSpans) bool { return ss.Spans().Len() == 0 })
			emptied = emptied || sss.Len() == 0
		}
	}
	if emptied {
		td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool { return rs.ScopeSpans().Len() == 0 })
	}

	p.countEvictions(ctx, out)
	p.scoreReleased(ctx, out.Released, td)
	if td.ResourceSpans().Len() == 0 {
		return td, processorhelper.ErrSkipProcessingData
	}
	return td, nil
}

func hasRetrieval(td ptrace.Traces) bool {
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				if genai.IsRetrievalSpan(spans.At(k)) {
					return true
				}
			}
		}
	}
	return false
}

// detach copies a span with its resource and scope into traces of its own,
// to be held, and says its size.
func (p *retrievalProcessor) detach(rs ptrace.ResourceSpans, ss ptrace.ScopeSpans, span ptrace.Span) (ptrace.Traces, int) {
	td := ptrace.NewTraces()
	nrs := td.ResourceSpans().AppendEmpty()
	rs.Resource().CopyTo(nrs.Resource())
	nrs.SetSchemaUrl(rs.SchemaUrl())
	nss := nrs.ScopeSpans().AppendEmpty()
	ss.Scope().CopyTo(nss.Scope())
	nss.SetSchemaUrl(ss.SchemaUrl())
	span.CopyTo(nss.Spans().AppendEmpty())
	return td, p.sizer.TracesSize(td)
}

// score reads the retrieval span, finds its labels, and writes its scores.
func (p *retrievalProcessor) score(ctx context.Context, span ptrace.Span, answer string, hasAnswer bool, noAnswerReason string) {
	r, err := genai.ReadRetrieval(span)
	if errors.Is(err, genai.ErrNotRetrieval) {
		return
	}
	var problems []string
	if err != nil {
		p.tel.RetrievalQualityDocumentsParseFailures.Add(ctx, 1)
		p.logger.Debug("Retrieval documents could not be read in full", zap.String("span", span.Name()), zap.Error(err))
		if len(r.Documents) == 0 {
			// Nothing could be read: any score would describe the parse
			// failure, not the retrieval. Say why and leave it unscored.
			span.Attributes().PutStr(scoring.AttrError, err.Error())
			return
		}
		problems = append(problems, err.Error())
	}
	in := scoring.Input{Retrieval: r, Answer: answer, HasAnswer: hasAnswer}
	if key := p.cfg.Labels.Attribute; key != "" {
		if v, ok := span.Attributes().Get(key); ok {
			g, err := labels.FromValue(v)
			if err != nil {
				p.tel.RetrievalQualityLabelsParseFailures.Add(ctx, 1)
				p.logger.Debug("Relevance labels could not be read", zap.String("span", span.Name()), zap.Error(err))
				problems = append(problems, key+": "+err.Error())
			} else if len(g) > 0 {
				in.Labels, in.LabelsSource = g, "span"
			}
		}
	}
	if in.Labels == nil {
		if g, ok := p.labels.Lookup(r.Query); ok {
			in.Labels, in.LabelsSource = g, "file"
		}
	}
	scoring.Write(span, p.scorer.Score(in))
	if len(problems) > 0 {
		span.Attributes().PutStr(scoring.AttrError, strings.Join(problems, "; "))
	}
	p.tel.RetrievalQualitySpansScored.Add(ctx, 1, metric.WithAttributes(attribute.String("shape", r.Shape.String())))
	if !hasAnswer {
		p.tel.RetrievalQualitySpansScoredWithoutAnswer.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", noAnswerReason)))
	}
}
