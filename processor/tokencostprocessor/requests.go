package tokencostprocessor

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/cost"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/pricing"
)

// unpricedReason values (the reason attribute of metadata.yaml).
const (
	reasonMissingUsage = "missing_usage"
	reasonMissingModel = "missing_model"
	reasonSelfHosted   = "self_hosted"
)

// requestPricer prices spans and log records. The price table is swapped
// atomically when the external file changes.
type requestPricer struct {
	cfg        *Config
	logger     *zap.Logger
	telemetry  *metadata.TelemetryBuilder
	table      atomic.Pointer[pricing.Table]
	selfHosted map[string]bool
	signal     attribute.KeyValue

	watcher *pricing.FileWatcher
	stop    chan struct{}
	done    sync.WaitGroup
}

func newRequestPricer(cfg *Config, set component.TelemetrySettings, tb *metadata.TelemetryBuilder, signal string) (*requestPricer, error) {
	p := &requestPricer{
		cfg:        cfg,
		logger:     set.Logger,
		telemetry:  tb,
		selfHosted: map[string]bool{},
		signal:     attribute.String("signal", signal),
	}
	for _, s := range cfg.SelfHostedProviders {
		p.selfHosted[strings.ToLower(strings.TrimSpace(s))] = true
	}
	if cfg.Prices.File == "" {
		t, err := cfg.buildTable(nil)
		if err != nil {
			return nil, err
		}
		p.table.Store(t)
	}
	return p, nil
}

// start loads the external price file (failing start when it is missing or
// invalid) and watches it.
func (p *requestPricer) start(_ context.Context, _ component.Host) error {
	if p.cfg.Prices.File == "" {
		return nil
	}
	p.watcher = &pricing.FileWatcher{Path: p.cfg.Prices.File}
	f, err := p.watcher.Poll()
	if err != nil {
		return err
	}
	t, err := p.cfg.buildTable(f)
	if err != nil {
		return err
	}
	p.table.Store(t)
	p.logger.Info("price table loaded", zap.String("file", p.cfg.Prices.File), zap.Int("entries", t.Len()))
	if p.cfg.Prices.ReloadInterval <= 0 {
		return nil
	}
	p.stop = make(chan struct{})
	p.done.Add(1)
	go p.watch()
	return nil
}

func (p *requestPricer) watch() {
	defer p.done.Done()
	tick := time.NewTicker(p.cfg.Prices.ReloadInterval)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
		}
		f, err := p.watcher.Poll()
		if err == nil && f == nil {
			continue
		}
		if err == nil {
			var t *pricing.Table
			if t, err = p.cfg.buildTable(f); err == nil {
				p.table.Store(t)
				p.telemetry.TokenCostPriceTableReloads.Add(context.Background(), 1,
					metric.WithAttributes(attribute.String("outcome", "success")))
				p.logger.Info("price table reloaded", zap.String("file", p.cfg.Prices.File), zap.Int("entries", t.Len()))
				continue
			}
		}
		p.telemetry.TokenCostPriceTableReloads.Add(context.Background(), 1,
			metric.WithAttributes(attribute.String("outcome", "failure")))
		p.logger.Error("price file not reloaded; the previous table stays in use", zap.Error(err))
	}
}

func (p *requestPricer) shutdown(context.Context) error {
	if p.stop != nil {
		close(p.stop)
		p.done.Wait()
		p.stop = nil
	}
	return nil
}

// tally is what one batch did, reported to telemetry once per batch.
type tally struct {
	priced       int64
	usd          float64
	unpriced     map[string]int64
	inconsistent [2]int64 // cache, reasoning
}

func (p *requestPricer) report(ctx context.Context, t *tally) {
	sig := metric.WithAttributes(p.signal)
	if t.priced > 0 {
		p.telemetry.TokenCostItemsPriced.Add(ctx, t.priced, sig)
		p.telemetry.TokenCostCost.Add(ctx, t.usd, sig)
	}
	for reason, n := range t.unpriced {
		p.telemetry.TokenCostItemsUnpriced.Add(ctx, n, metric.WithAttributes(p.signal, attribute.String("reason", reason)))
	}
	for i, field := range []string{"cache", "reasoning"} {
		if n := t.inconsistent[i]; n > 0 {
			p.telemetry.TokenCostUsageInconsistent.Add(ctx, n, metric.WithAttributes(attribute.String("field", field)))
		}
	}
}

// price prices one item's attributes in place.
func (p *requestPricer) price(table *pricing.Table, attrs pcommon.Map, t *tally) {
	if !p.cfg.Overwrite {
		if _, ok := attrs.Get(genai.AttrUsageCostAmount); ok {
			return
		}
	}
	m := genai.ReadModel(attrs)
	u := genai.ReadUsage(attrs)
	if m.Name() == "" && u.Empty() {
		return // not a GenAI request
	}
	var reason string
	var entry *pricing.Entry
	switch {
	case m.Name() == "":
		reason = reasonMissingModel
	case p.selfHosted[strings.ToLower(m.Provider)]:
		reason = reasonSelfHosted
	case !u.Has(genai.FieldInput) && !u.Has(genai.FieldOutput):
		reason = reasonMissingUsage
	default:
		var r pricing.Reason
		entry, r = table.Lookup(m.Provider, m.Name())
		if entry == nil && m.Response != "" && m.Request != "" && m.Request != m.Response {
			// A deployment alias in the response (Azure) may hide a model
			// the request names.
			if e, r2 := table.Lookup(m.Provider, m.Request); e != nil {
				entry, r = e, r2
			}
		}
		if entry == nil {
			reason = r.String()
		}
	}
	if entry == nil {
		attrs.PutStr(attrCostUnpriced, reason)
		if t.unpriced == nil {
			t.unpriced = map[string]int64{}
		}
		t.unpriced[reason]++
		return
	}

	res := cost.Compute(u, entry.Price, entry.Semantics(u.Shape))
	attrs.PutDouble(genai.AttrUsageCostAmount, res.Total)
	attrs.PutStr(genai.AttrUsageCostCurrency, currencyUSD)
	attrs.PutStr(genai.AttrUsageCostSource, sourceLocal)
	attrs.Remove(attrCostUnpriced)
	if p.cfg.Breakdown {
		putPart := func(key string, tokens int64, usd float64) {
			if tokens > 0 {
				attrs.PutDouble(key, usd)
			}
		}
		putPart(attrCostInput, res.Tokens.Input, res.Input)
		putPart(attrCostCacheRead, res.Tokens.CacheRead, res.CacheRead)
		putPart(attrCostCacheCreation, res.Tokens.CacheWrite, res.CacheWrite)
		putPart(attrCostOutput, res.Tokens.Output, res.Output)
		putPart(attrCostReasoning, res.Tokens.Reasoning, res.Reasoning)
		attrs.PutStr(attrCostPricingEntry, entry.Key())
		if entry.Date != "" {
			attrs.PutStr(attrCostPricingDate, entry.Date)
		}
		if res.Tier > 0 {
			attrs.PutInt(attrCostPricingTier, entry.Price.Tiers[res.Tier-1].AboveInputTokens)
		}
	}
	t.priced++
	t.usd += res.Total
	if res.Inconsistent&cost.CacheExceedsInput != 0 {
		t.inconsistent[0]++
	}
	if res.Inconsistent&cost.ReasoningExceedsOutput != 0 {
		t.inconsistent[1]++
	}
}

func (p *requestPricer) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	table := p.table.Load()
	var t tally
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				p.price(table, spans.At(k).Attributes(), &t)
			}
		}
	}
	p.report(ctx, &t)
	return td, nil
}

func (p *requestPricer) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	table := p.table.Load()
	var t tally
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			recs := sls.At(j).LogRecords()
			for k := 0; k < recs.Len(); k++ {
				p.price(table, recs.At(k).Attributes(), &t)
			}
		}
	}
	p.report(ctx, &t)
	return ld, nil
}
