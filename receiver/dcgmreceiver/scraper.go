package dcgmreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-ai/otelcol-ai/internal/gpupod"
	"github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/dcgmpage"
	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/metadata"
)

// Both generated builders implement the shared GPU schema.
var (
	_ gpuschema.Recorder        = (*metadata.MetricsBuilder)(nil)
	_ gpuschema.ResourceBuilder = (*metadata.ResourceBuilder)(nil)
)

// Reasons a scrape fails, the `reason` attribute of dcgm_scrape_errors.
const (
	reasonHTTPStatus = "http_status"
	reasonTimeout    = "timeout"
	reasonTransport  = "transport"
	reasonTooLarge   = "too_large"
	reasonTruncated  = "truncated"
	reasonParse      = "parse"
	reasonEmpty      = "empty"
)

type dcgmScraper struct {
	cfg       *Config
	set       receiver.Settings
	client    *http.Client
	mb        *metadata.MetricsBuilder
	rb        *metadata.ResourceBuilder
	telemetry *metadata.TelemetryBuilder
	resolver  gpupod.Resolver
	parser    *dcgmpage.Parser
	startTime pcommon.Timestamp
	// body is reused across scrapes, which the scraper controller runs one
	// at a time.
	body bytes.Buffer
}

func newScraper(cfg *Config, set receiver.Settings) (*dcgmScraper, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	mb := metadata.NewMetricsBuilder(cfg.MetricsBuilderConfig, set)
	return &dcgmScraper{
		cfg: cfg, set: set, mb: mb, rb: mb.NewResourceBuilder(), telemetry: tb,
		parser: dcgmpage.NewParser(dcgmpage.Options{PassThrough: cfg.PassThroughUnknownFields}),
	}, nil
}

func (s *dcgmScraper) start(ctx context.Context, host component.Host) error {
	s.startTime = pcommon.NewTimestampFromTime(time.Now())
	client, err := s.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), s.set.TelemetrySettings)
	if err != nil {
		return fmt.Errorf("dcgm: http client: %w", err)
	}
	s.client = client
	if s.cfg.PodResources != nil {
		r, err := gpupod.FromHost(host, *s.cfg.PodResources)
		if err != nil {
			return err
		}
		s.resolver = r
	}
	return nil
}

func (s *dcgmScraper) shutdown(context.Context) error {
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
	s.telemetry.Shutdown()
	return nil
}

func (s *dcgmScraper) scrape(ctx context.Context) (pmetric.Metrics, error) {
	body, reason, err := s.fetch(ctx)
	if err == nil {
		var page *dcgmpage.Page
		page, err = s.parser.Parse(body)
		switch {
		case err == nil:
			if page.Unknown > 0 {
				s.telemetry.DcgmFieldsPassedThrough.Add(ctx, int64(page.Unknown))
			}
			return s.build(page), nil
		case errors.Is(err, dcgmpage.ErrEmpty):
			reason = reasonEmpty
		case errors.Is(err, dcgmpage.ErrTruncated):
			reason = reasonTruncated
		default:
			reason = reasonParse
		}
	}
	s.telemetry.DcgmScrapeErrors.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", reason)))
	return pmetric.NewMetrics(), fmt.Errorf("dcgm: scrape %s failed (%s): %w", s.cfg.ClientConfig.Endpoint, reason, err)
}

// fetch reads the page into s.body, or returns why it could not.
func (s *dcgmScraper) fetch(ctx context.Context) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.ClientConfig.Endpoint, http.NoBody)
	if err != nil {
		return nil, reasonTransport, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := s.client.Do(req)
	if err != nil {
		if isTimeout(err) {
			return nil, reasonTimeout, err
		}
		return nil, reasonTransport, err
	}
	defer func() {
		// Drain a little so the connection can be reused, then close.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return nil, reasonHTTPStatus, fmt.Errorf("HTTP status %s", resp.Status)
	}
	limit := s.cfg.MaxBodySize
	if resp.ContentLength > limit {
		return nil, reasonTooLarge, fmt.Errorf("page of %d bytes exceeds max_body_size %d", resp.ContentLength, limit)
	}
	s.body.Reset()
	n, err := s.body.ReadFrom(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil && isTimeout(err):
		return nil, reasonTimeout, err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return nil, reasonTruncated, err
	case err != nil:
		return nil, reasonTransport, err
	case n > limit:
		return nil, reasonTooLarge, fmt.Errorf("page exceeds max_body_size %d", limit)
	}
	return s.body.Bytes(), "", nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// build records every device of the page through the shared schema, one
// resource per device, and adds the passed-through fields to it.
func (s *dcgmScraper) build(page *dcgmpage.Page) pmetric.Metrics {
	now := pcommon.NewTimestampFromTime(time.Now())
	out := pmetric.NewMetrics()
	out.ResourceMetrics().EnsureCapacity(len(page.Devices))
	for _, d := range page.Devices {
		d.ApplyPod(s.resolver)
		res := gpuschema.Record(s.mb, s.rb, now, &d.Device)
		md := s.mb.Emit(metadata.WithResource(res))
		if len(d.Passthrough) > 0 {
			var sm pmetric.ScopeMetrics
			if md.ResourceMetrics().Len() > 0 {
				sm = md.ResourceMetrics().At(0).ScopeMetrics().At(0)
			} else {
				rm := md.ResourceMetrics().AppendEmpty()
				res.MoveTo(rm.Resource())
				sm = rm.ScopeMetrics().AppendEmpty()
				sm.Scope().SetName(metadata.ScopeName)
				sm.Scope().SetVersion(s.set.BuildInfo.Version)
			}
			appendPassthrough(sm.Metrics(), d.Passthrough, s.startTime, now)
		}
		md.ResourceMetrics().MoveAndAppendTo(out.ResourceMetrics())
	}
	return out
}

// appendPassthrough adds dcgm.* metrics; samples of one field become data
// points of one metric.
func appendPassthrough(ms pmetric.MetricSlice, samples []dcgmpage.Sample, start, now pcommon.Timestamp) {
	first := ms.Len()
	for _, smp := range samples {
		var m pmetric.Metric
		found := false
		for i := first; i < ms.Len(); i++ {
			if ms.At(i).Name() == smp.Name {
				m, found = ms.At(i), true
				break
			}
		}
		var dps pmetric.NumberDataPointSlice
		if found {
			if m.Type() == pmetric.MetricTypeSum {
				dps = m.Sum().DataPoints()
			} else {
				dps = m.Gauge().DataPoints()
			}
		} else {
			m = ms.AppendEmpty()
			m.SetName(smp.Name)
			m.SetDescription(smp.Description)
			if smp.Counter {
				sum := m.SetEmptySum()
				sum.SetIsMonotonic(true)
				sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
				dps = sum.DataPoints()
			} else {
				dps = m.SetEmptyGauge().DataPoints()
			}
		}
		dp := dps.AppendEmpty()
		if smp.Counter {
			dp.SetStartTimestamp(start)
		}
		dp.SetTimestamp(now)
		dp.SetDoubleValue(smp.Value)
		for _, a := range smp.Attributes {
			dp.Attributes().PutStr(a.Key, a.Value)
		}
	}
}
