package podresourcesextension // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension"

import (
	"context"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/kubelet"
	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/podindex"
	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
)

var (
	_ extension.Extension = (*podResources)(nil)
	_ gpupod.Resolver     = (*podResources)(nil)
)

const outcomeOK = "ok"

// podResources answers lookups from the last index read from the kubelet;
// a goroutine replaces it every refresh_interval.
type podResources struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	client    *kubelet.Client
	filter    podindex.ResourceFilter

	// index is nil while no mapping is known. Lookups read it without a lock.
	index atomic.Pointer[podindex.Index]

	// Refresh state: Start and then the refresh goroutine own it, one after
	// the other, never at the same time.
	host     component.Host
	lastGood time.Time
	// outcome of the last refresh: "" before the first, outcomeOK, or the
	// failure reason (kubelet.Reason...).
	outcome string

	stop context.CancelFunc
	done chan struct{}
}

func newExtension(cfg *Config, set extension.Settings) (*podResources, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &podResources{
		cfg:       cfg,
		logger:    set.Logger,
		telemetry: tb,
		client:    kubelet.New(cfg.socketPath(), cfg.Timeout),
		filter:    podindex.NewResourceFilter(cfg.ResourceNames),
	}, nil
}

// PodForDevice implements gpupod.Resolver.
func (e *podResources) PodForDevice(deviceID string) (gpupod.Pod, bool) {
	return e.index.Load().Lookup(deviceID)
}

// Start reads the mapping once, so that receivers started next see it on
// their first scrape, then refreshes it in the background. A kubelet that
// cannot be reached does not fail the start: the collector runs on without
// pod attributes and the refreshes keep trying.
func (e *podResources) Start(ctx context.Context, host component.Host) error {
	e.host = host
	e.refresh(ctx)

	loopCtx, stop := context.WithCancel(context.Background())
	e.stop = stop
	e.done = make(chan struct{})
	go e.refreshLoop(loopCtx)
	return nil
}

func (e *podResources) refreshLoop(ctx context.Context) {
	defer close(e.done)
	ticker := time.NewTicker(e.cfg.RefreshInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			e.refresh(ctx)
		}
	}
}

func (e *podResources) refresh(ctx context.Context) {
	resp, err := e.client.List(ctx)
	if ctx.Err() != nil {
		// Shutting down (or the start was cancelled): not the kubelet's fault.
		return
	}
	e.telemetry.PodResourcesRefreshes.Add(ctx, 1)
	if err != nil {
		e.refreshFailed(ctx, err)
		return
	}
	ix := podindex.Build(resp, e.filter)
	e.index.Store(ix)
	e.lastGood = time.Now()
	e.recordDevices(ctx, ix)
	if e.outcome != outcomeOK {
		e.logger.Info("Mapping GPU devices to pods",
			zap.String("endpoint", e.cfg.socketPath()),
			zap.Int("pods", len(resp.GetPodResources())),
			zap.Int("devices_mapped", ix.Mapped()),
			zap.Int("devices_shared", ix.Shared()))
		componentstatus.ReportStatus(e.host, componentstatus.NewEvent(componentstatus.StatusOK))
	}
	e.outcome = outcomeOK
}

func (e *podResources) refreshFailed(ctx context.Context, err error) {
	reason := kubelet.Reason(err)
	e.telemetry.PodResourcesRefreshErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("error.type", reason)))

	if e.index.Load() != nil && time.Since(e.lastGood) > e.cfg.MaxStaleness {
		e.index.Store(nil)
		e.recordDevices(ctx, nil)
		e.logger.Warn("Dropped the GPU-to-pod mapping: the kubelet has not answered for longer than max_staleness",
			zap.Time("last_refresh", e.lastGood), zap.Duration("max_staleness", e.cfg.MaxStaleness))
	}

	// One warning per outage, or when the cause changes (the socket appears
	// but the kubelet errors); the retries in between log at debug level.
	if reason == e.outcome {
		e.logger.Debug("Kubelet pod-resources refresh failed again", zap.Error(err))
		return
	}
	fields := []zap.Field{zap.Error(err), zap.String("endpoint", e.cfg.socketPath()), zap.Duration("retry_every", e.cfg.RefreshInterval)}
	if reason == kubelet.ReasonSocketNotFound {
		fields = append(fields, zap.String("hint", "mount the node's /var/lib/kubelet/pod-resources into the collector's pod with a hostPath volume"))
	}
	msg := "Kubelet pod-resources API unreachable: GPU metrics carry no pod attributes until it answers"
	if e.index.Load() != nil {
		msg = "Kubelet pod-resources API unreachable: keeping the last GPU-to-pod mapping for up to max_staleness"
	}
	e.logger.Warn(msg, fields...)
	componentstatus.ReportStatus(e.host, componentstatus.NewRecoverableErrorEvent(err))
	e.outcome = reason
}

func (e *podResources) recordDevices(ctx context.Context, ix *podindex.Index) {
	e.telemetry.PodResourcesDevicesMapped.Record(ctx, int64(ix.Mapped()))
	e.telemetry.PodResourcesDevicesShared.Record(ctx, int64(ix.Shared()))
}

// Shutdown stops the refreshes and closes the kubelet connection.
func (e *podResources) Shutdown(context.Context) error {
	if e.stop != nil {
		e.stop()
		<-e.done
	}
	err := e.client.Close()
	e.telemetry.Shutdown()
	return err
}
