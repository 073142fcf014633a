package sloburnrateprocessor // import "github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor"

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/checkpoint"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/slo"
)

type sloProcessor struct {
	cfg    *Config
	id     component.ID
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder

	// mu serialises the engine: ConsumeMetrics may be called concurrently.
	mu     sync.Mutex
	engine *slo.Engine
	series atomic.Int64

	reasonAttrs [slo.NumReasons]metric.AddOption

	store *checkpoint.Store
	stop  chan struct{}
	done  chan struct{}
}

func newProcessor(set processor.Settings, cfg *Config) (*sloProcessor, error) {
	engine, err := slo.NewEngine(cfg.Specs(), slo.Options{
		Interval:         cfg.EvaluationInterval,
		BucketsPerWindow: cfg.BucketsPerWindow,
		MaxSeries:        cfg.MaxSeries,
		ScopeName:        metadata.ScopeName,
		ScopeVersion:     set.BuildInfo.Version,
	})
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &sloProcessor{cfg: cfg, id: set.ID, logger: set.Logger, tb: tb, engine: engine}
	for r := slo.Reason(0); r < slo.NumReasons; r++ {
		p.reasonAttrs[r] = metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", r.String())))
	}
	err = tb.RegisterSloBurnRateSeriesCallback(func(_ context.Context, o metric.Int64Observer) error {
		o.Observe(p.series.Load())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// processMetrics passes md on unchanged, with the SLO points that became due
// appended as one more resource.
func (p *sloProcessor) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	p.mu.Lock()
	out := p.engine.Process(md)
	stats := p.engine.TakeStats()
	p.series.Store(int64(p.engine.Series()))
	p.mu.Unlock()
	p.record(ctx, stats)
	out.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	return md, nil
}

func (p *sloProcessor) record(ctx context.Context, s slo.Stats) {
	for r, n := range s.Refused {
		if n > 0 {
			p.tb.SloBurnRatePointsRefused.Add(ctx, n, p.reasonAttrs[r])
		}
	}
	if s.Evicted > 0 {
		p.tb.SloBurnRateSeriesEvicted.Add(ctx, s.Evicted)
	}
}

func (p *sloProcessor) start(ctx context.Context, host component.Host) error {
	if p.cfg.Storage == nil {
		return nil
	}
	store, err := checkpoint.Open(ctx, host, *p.cfg.Storage, p.id)
	if err != nil {
		return err
	}
	p.store = store
	p.restore(ctx)
	if p.cfg.CheckpointInterval > 0 {
		p.stop = make(chan struct{})
		p.done = make(chan struct{})
		go p.checkpointLoop(p.cfg.CheckpointInterval)
	}
	return nil
}

// restore loads the last checkpoint. A checkpoint that cannot be read is
// reported and counted; the processor then starts with empty windows.
func (p *sloProcessor) restore(ctx context.Context) {
	data, err := p.store.Load(ctx)
	if err != nil {
		p.logger.Warn("Cannot read the SLO window checkpoint; starting with empty windows", zap.Error(err))
		p.tb.SloBurnRateCheckpointFailures.Add(ctx, 1)
		return
	}
	if data == nil {
		return
	}
	p.mu.Lock()
	skipped, err := p.engine.Restore(data)
	series := p.engine.Series()
	stats := p.engine.TakeStats()
	p.series.Store(int64(series))
	p.mu.Unlock()
	p.record(ctx, stats)
	if err != nil {
		p.logger.Warn("The SLO window checkpoint is corrupt; starting with empty windows", zap.Error(err))
		p.tb.SloBurnRateCheckpointFailures.Add(ctx, 1)
		return
	}
	if len(skipped) > 0 {
		p.logger.Info("SLOs changed since the checkpoint start with empty windows", zap.Strings("slos", skipped))
	}
	p.logger.Info("Restored SLO windows from the checkpoint", zap.Int("series", series))
}

func (p *sloProcessor) checkpointLoop(every time.Duration) {
	defer close(p.done)
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-ticker.C:
			p.checkpoint(context.Background())
		}
	}
}

func (p *sloProcessor) checkpoint(ctx context.Context) {
	p.mu.Lock()
	data := p.engine.Snapshot()
	p.mu.Unlock()
	if err := p.store.Save(ctx, data); err != nil {
		p.logger.Warn("Cannot write the SLO window checkpoint", zap.Error(err))
		p.tb.SloBurnRateCheckpointFailures.Add(ctx, 1)
	}
}

func (p *sloProcessor) shutdown(ctx context.Context) error {
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	if p.store != nil {
		p.checkpoint(ctx)
		err := p.store.Close(ctx)
		p.store = nil
		if err != nil {
			return err
		}
	}
	p.tb.Shutdown()
	return nil
}
