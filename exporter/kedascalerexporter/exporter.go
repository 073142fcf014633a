package kedascalerexporter // import "github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter"

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"google.golang.org/grpc"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/externalscaler"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/query"
	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/store"
)

type scalerExporter struct {
	cfg       *Config
	set       exporter.Settings
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	store     *store.Store
	defaults  query.Defaults
	now       func() time.Time

	server   *grpc.Server
	addr     net.Addr      // where the server listens, once started
	stopping chan struct{} // closed by shutdown: ends streams and the expiry loop
	stopOnce sync.Once
	wg       sync.WaitGroup

	// warned holds the drop reasons already logged: the first drop of each
	// kind is logged, later ones only counted.
	warnMu sync.Mutex
	warned map[store.DropReason]bool
}

func newScalerExporter(cfg *Config, set exporter.Settings) (*scalerExporter, error) {
	limits := store.Limits{MaxSeries: cfg.MaxSeries, MaxSamplesPerSeries: cfg.MaxSamplesPerSeries, Retention: cfg.MaxWindow}
	if err := limits.Validate(); err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &scalerExporter{
		cfg:       cfg,
		set:       set,
		logger:    set.Logger,
		telemetry: tb,
		store:     store.New(limits),
		defaults:  query.Defaults{Window: cfg.DefaultWindow, StaleAfter: cfg.StaleAfter, MaxWindow: cfg.MaxWindow},
		now:       time.Now,
		stopping:  make(chan struct{}),
		warned:    map[store.DropReason]bool{},
	}, nil
}

func (e *scalerExporter) start(ctx context.Context, host component.Host) error {
	ln, err := e.cfg.NetAddr.Listen(ctx)
	if err != nil {
		return fmt.Errorf("keda_scaler: listening on %s: %w", e.cfg.NetAddr.Endpoint, err)
	}
	srv, err := e.cfg.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings)
	if err != nil {
		_ = ln.Close()
		return err
	}
	externalscaler.RegisterExternalScalerServer(srv, &scalerService{e: e})
	e.server = srv
	e.addr = ln.Addr()
	e.logger.Info("KEDA external scaler listening", zap.String("endpoint", ln.Addr().String()))

	e.wg.Add(2)
	go func() {
		defer e.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			componentstatus.ReportStatus(host, componentstatus.NewFatalErrorEvent(err))
		}
	}()
	go func() {
		defer e.wg.Done()
		e.expireLoop()
	}()
	return nil
}

// expireLoop removes idle series often enough that memory follows the
// workload, rarely enough to cost nothing.
func (e *scalerExporter) expireLoop() {
	interval := min(max(e.cfg.MaxWindow/10, time.Second), 30*time.Second)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-e.stopping:
			return
		case <-t.C:
			if n := e.store.Expire(e.now()); n > 0 {
				ctx := context.Background()
				e.telemetry.KedaScalerSeriesRemoved.Add(ctx, int64(n), metric.WithAttributes(attribute.String("reason", "idle")))
				e.telemetry.KedaScalerSeries.Record(ctx, int64(e.store.SeriesCount()))
			}
		}
	}
}

func (e *scalerExporter) shutdown(ctx context.Context) error {
	e.stopOnce.Do(func() { close(e.stopping) })
	if e.server != nil {
		done := make(chan struct{})
		go func() {
			e.server.GracefulStop()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			e.server.Stop()
			<-done
		}
	}
	e.wg.Wait()
	e.telemetry.Shutdown()
	return nil
}

func (e *scalerExporter) consume(ctx context.Context, md pmetric.Metrics) error {
	stats := e.store.Consume(md, e.now())
	if stats.Stored > 0 {
		e.telemetry.KedaScalerPointsStored.Add(ctx, int64(stats.Stored))
	}
	for reason, n := range stats.Dropped {
		if n == 0 {
			continue
		}
		r := store.DropReason(reason)
		e.telemetry.KedaScalerPointsDropped.Add(ctx, int64(n), metric.WithAttributes(attribute.String("reason", r.String())))
		e.warnOnce(r, n)
	}
	if stats.Ended > 0 {
		e.telemetry.KedaScalerSeriesRemoved.Add(ctx, int64(stats.Ended), metric.WithAttributes(attribute.String("reason", "ended")))
	}
	e.telemetry.KedaScalerSeries.Record(ctx, int64(e.store.SeriesCount()))
	// Dropped points are counted, not returned as an error: a retry would
	// drop them again.
	return nil
}

var dropHints = map[store.DropReason]string{
	store.DroppedUnsupportedType: "only gauges and sums can be scaled on; histograms, summaries and non-monotonic delta sums are dropped (filter them out before this exporter)",
	store.DroppedSeriesLimit:     "max_series is reached: points of new series are dropped until idle series expire (raise max_series, or filter the metrics this exporter gets)",
	store.DroppedInvalidValue:    "points with NaN, infinite or no value are dropped",
	store.DroppedOutOfOrder:      "points older than the newest one of their series are dropped (two senders for one series?)",
}

func (e *scalerExporter) warnOnce(r store.DropReason, n int) {
	e.warnMu.Lock()
	seen := e.warned[r]
	e.warned[r] = true
	e.warnMu.Unlock()
	if !seen {
		e.logger.Warn("points dropped; further drops are only counted in otelcol.keda_scaler.points.dropped",
			zap.String("reason", r.String()), zap.Int("points", n), zap.String("hint", dropHints[r]))
	}
}
