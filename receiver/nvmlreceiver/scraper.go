package nvmlreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver"

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
	"github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource"
)

// Both generated builders implement the shared GPU schema.
var (
	_ gpuschema.Recorder        = (*metadata.MetricsBuilder)(nil)
	_ gpuschema.ResourceBuilder = (*metadata.ResourceBuilder)(nil)
)

type nvmlScraper struct {
	cfg       *Config
	set       receiver.Settings
	source    nvmlsource.Source
	mb        *metadata.MetricsBuilder
	rb        *metadata.ResourceBuilder
	telemetry *metadata.TelemetryBuilder
	resolver  gpupod.Resolver
	host      component.Host

	opened bool
	// permanent is set when NVML can never open in this process (no cgo).
	permanent bool
	// lastErr is the last reason NVML could not open, logged once.
	lastErr string
}

func newScraper(cfg *Config, set receiver.Settings, source nvmlsource.Source) (*nvmlScraper, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	mb := metadata.NewMetricsBuilder(cfg.MetricsBuilderConfig, set)
	return &nvmlScraper{cfg: cfg, set: set, source: source, mb: mb, rb: mb.NewResourceBuilder(), telemetry: tb}, nil
}

// options turns off the costly NVML queries whose metrics are disabled.
func (s *nvmlScraper) options() nvmlsource.Options {
	m := s.cfg.Metrics
	return nvmlsource.Options{
		PCIeThroughput:     m.HwGpuIoThroughput.Enabled,
		ThrottleTime:       m.HwGpuClockThrottleTime.Enabled,
		Processes:          m.HwGpuProcessMemoryUsage.Enabled,
		ProcessUtilization: m.HwGpuProcessUtilization.Enabled,
	}
}

// start never fails because of NVML: a host without GPU, driver or cgo keeps
// its collector running, with this receiver degraded.
func (s *nvmlScraper) start(_ context.Context, host component.Host) error {
	s.host = host
	if s.cfg.PodResources != nil {
		r, err := gpupod.FromHost(host, *s.cfg.PodResources)
		if err != nil {
			return err
		}
		s.resolver = r
	}
	s.open()
	return nil
}

// open initialises NVML, logging and reporting a failure once per distinct
// reason, and the recovery when a later attempt succeeds.
func (s *nvmlScraper) open() {
	info, err := s.source.Open(s.options())
	if err != nil {
		s.permanent = errors.Is(err, nvmlsource.ErrNoCgo)
		if msg := err.Error(); msg != s.lastErr {
			s.lastErr = msg
			s.set.Logger.Warn("nvml receiver emits no GPU metrics", zap.Error(err), zap.Bool("retrying_every_scrape", !s.permanent))
			if s.permanent {
				componentstatus.ReportStatus(s.host, componentstatus.NewPermanentErrorEvent(err))
			} else {
				componentstatus.ReportStatus(s.host, componentstatus.NewRecoverableErrorEvent(err))
			}
		}
		return
	}
	s.opened = true
	s.set.Logger.Info("nvml receiver reads GPUs", zap.Int("gpus", info.Devices), zap.String("driver_version", info.DriverVersion))
	if s.lastErr != "" {
		componentstatus.ReportStatus(s.host, componentstatus.NewEvent(componentstatus.StatusOK))
		s.lastErr = ""
	}
}

func (s *nvmlScraper) shutdown(context.Context) error {
	s.telemetry.Shutdown()
	if !s.opened {
		return nil // never call NVML after a failed init
	}
	s.opened = false
	return s.source.Close()
}

func (s *nvmlScraper) scrape(ctx context.Context) (pmetric.Metrics, error) {
	if !s.opened {
		if s.permanent {
			return pmetric.NewMetrics(), nil
		}
		s.open()
		if !s.opened {
			return pmetric.NewMetrics(), nil
		}
	}
	res := s.source.Read()
	for _, e := range res.Errors {
		s.telemetry.NvmlFieldErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("field", e.Field)))
		s.set.Logger.Debug("NVML query failed", zap.String("gpu", e.Device), zap.String("field", e.Field), zap.Error(e.Err))
	}
	for _, u := range res.Unsupported {
		s.telemetry.NvmlUnsupportedFields.Add(ctx, 1, metric.WithAttributes(attribute.String("field", u.Field)))
		s.set.Logger.Debug("NVML query not supported by this GPU", zap.String("gpu", u.Device), zap.String("field", u.Field))
	}
	now := pcommon.NewTimestampFromTime(time.Now())
	for i := range res.Devices {
		d := &res.Devices[i]
		d.ApplyPod(s.resolver)
		r := gpuschema.Record(s.mb, s.rb, now, d)
		s.mb.EmitForResource(metadata.WithResource(r))
	}
	return s.mb.Emit(), nil
}
