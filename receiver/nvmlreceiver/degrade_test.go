package nvmlreceiver

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componentstatus"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	gs "github.com/otelcol-ai/otelcol-ai/internal/gpuschema"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/nvmlsource"
)

// stubSource fails to open until openAfter attempts, then reports one GPU.
type stubSource struct {
	err       error
	openAfter int
	opens     int
	reads     int
	closes    int
}

func (s *stubSource) Open(nvmlsource.Options) (nvmlsource.Info, error) {
	s.opens++
	if s.openAfter == 0 || s.opens < s.openAfter {
		return nvmlsource.Info{}, s.err
	}
	return nvmlsource.Info{Devices: 1}, nil
}

func (s *stubSource) Read() nvmlsource.Result {
	s.reads++
	return nvmlsource.Result{Devices: []gs.Device{{Identity: gs.Identity{UUID: "GPU-1"}, Power: gs.F(100)}}}
}

func (s *stubSource) Close() error { s.closes++; return nil }

// statusHost records the component status the receiver reports.
type statusHost struct {
	events []*componentstatus.Event
}

func (h *statusHost) GetExtensions() map[component.ID]component.Component { return nil }
func (h *statusHost) Report(e *componentstatus.Event)                     { h.events = append(h.events, e) }

func (h *statusHost) statuses() []componentstatus.Status {
	var out []componentstatus.Status
	for _, e := range h.events {
		out = append(out, e.Status())
	}
	return out
}

func newStubScraper(t *testing.T, src nvmlsource.Source) (*nvmlScraper, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	set := receivertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	s, err := newScraper(createDefaultConfig().(*Config), set, src)
	require.NoError(t, err)
	return s, logs
}

func warnings(logs *observer.ObservedLogs) int {
	return logs.FilterLevelExact(zap.WarnLevel).Len()
}

func TestWithoutNVMLTheReceiverStartsDegradedAndRetries(t *testing.T) {
	src := &stubSource{err: errors.New("libnvidia-ml.so.1 not found: nvmlInit: ERROR_LIBRARY_NOT_FOUND")}
	s, logs := newStubScraper(t, src)
	host := &statusHost{}
	require.NoError(t, s.start(context.Background(), host), "a missing library must not stop the collector")

	for range 3 {
		md, err := s.scrape(context.Background())
		require.NoError(t, err, "no error per scrape: the failure is logged once")
		assert.Zero(t, md.MetricCount())
	}
	assert.Equal(t, 4, src.opens, "opening is retried at every scrape")
	assert.Zero(t, src.reads, "nothing is read without a successful open")
	assert.Equal(t, 1, warnings(logs), "one log line")
	assert.Contains(t, logs.FilterLevelExact(zap.WarnLevel).All()[0].ContextMap()["error"], "libnvidia-ml.so.1 not found")
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError}, host.statuses())

	require.NoError(t, s.shutdown(context.Background()))
	assert.Zero(t, src.closes, "NVML is not shut down when it never initialised")
}

func TestWithoutCgoTheReceiverReportsAPermanentError(t *testing.T) {
	src := &stubSource{err: nvmlsource.ErrNoCgo}
	s, logs := newStubScraper(t, src)
	host := &statusHost{}
	require.NoError(t, s.start(context.Background(), host))
	for range 3 {
		md, err := s.scrape(context.Background())
		require.NoError(t, err)
		assert.Zero(t, md.MetricCount())
	}
	assert.Equal(t, 1, src.opens, "no retry: it cannot change")
	assert.Equal(t, 1, warnings(logs))
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusPermanentError}, host.statuses())
	require.NoError(t, s.shutdown(context.Background()))
}

func TestTheReceiverRecoversWhenTheDriverAppears(t *testing.T) {
	src := &stubSource{err: errors.New("the NVIDIA kernel driver is not loaded"), openAfter: 3}
	s, logs := newStubScraper(t, src)
	host := &statusHost{}
	require.NoError(t, s.start(context.Background(), host))
	md, err := s.scrape(context.Background())
	require.NoError(t, err)
	assert.Zero(t, md.MetricCount())
	md, err = s.scrape(context.Background())
	require.NoError(t, err)
	assert.Positive(t, md.MetricCount(), "metrics flow once NVML opens")
	assert.Equal(t, []componentstatus.Status{componentstatus.StatusRecoverableError, componentstatus.StatusOK}, host.statuses())
	assert.Equal(t, 1, logs.FilterMessage("nvml receiver reads GPUs").Len())
	require.NoError(t, s.shutdown(context.Background()))
	assert.Equal(t, 1, src.closes)
}
