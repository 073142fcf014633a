package sloburnrateprocessor

import (
	"context"
	"maps"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/sloburnrateprocessor/internal/metadatatest"
)

// memStorage is a storage extension that keeps its values in memory, shared
// by every client, so that a "restarted" processor finds what the previous
// one wrote.
type memStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	data map[string][]byte
}

func (m *memStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return memClient{m}, nil
}

type memClient struct{ m *memStorage }

func (c memClient) Get(_ context.Context, key string) ([]byte, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	return c.m.data[key], nil
}

func (c memClient) Set(_ context.Context, key string, value []byte) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	c.m.data[key] = append([]byte(nil), value...)
	return nil
}

func (c memClient) Delete(_ context.Context, key string) error {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	delete(c.m.data, key)
	return nil
}

func (c memClient) Batch(ctx context.Context, ops ...*storage.Operation) error {
	for _, op := range ops {
		var err error
		switch op.Type {
		case storage.Get:
			op.Value, err = c.Get(ctx, op.Key)
		case storage.Set:
			err = c.Set(ctx, op.Key, op.Value)
		case storage.Delete:
			err = c.Delete(ctx, op.Key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (memClient) Close(context.Context) error { return nil }

type hostWithStorage struct {
	component.Host
	exts map[component.ID]component.Component
}

func (h hostWithStorage) GetExtensions() map[component.ID]component.Component { return h.exts }

var storageID = component.MustNewID("mem_storage")

func newHost(m *memStorage) component.Host {
	return hostWithStorage{Host: componenttest.NewNopHost(), exts: map[component.ID]component.Component{storageID: m}}
}

func startWithStorage(t *testing.T, cfg *Config, set processor.Settings, host component.Host) (processor.Metrics, *consumertest.MetricsSink) {
	t.Helper()
	sink := new(consumertest.MetricsSink)
	p, err := NewFactory().CreateMetrics(context.Background(), set, cfg, sink)
	require.NoError(t, err)
	require.NoError(t, p.Start(context.Background(), host))
	return p, sink
}

func checkpointConfig(t *testing.T) *Config {
	cfg := loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"))
	cfg.Storage = &storageID
	cfg.CheckpointInterval = 0
	return cfg
}

func TestARestartFromTheCheckpointContinuesTheWindows(t *testing.T) {
	ctx := context.Background()
	batches := splitByTimestamp(goldenInputs["ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"]())
	half := len(batches) / 2

	ref, refSink := newTestProcessor(t, loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model")), processortest.NewNopSettings(metadata.Type))
	for _, b := range batches {
		require.NoError(t, ref.ConsumeMetrics(ctx, cloneMetrics(b)))
	}

	store := &memStorage{data: map[string][]byte{}}
	before, beforeSink := startWithStorage(t, checkpointConfig(t), processortest.NewNopSettings(metadata.Type), newHost(store))
	for _, b := range batches[:half] {
		require.NoError(t, before.ConsumeMetrics(ctx, cloneMetrics(b)))
	}
	require.NoError(t, before.Shutdown(ctx))
	require.NotEmpty(t, store.data, "shutdown writes the checkpoint")

	after, afterSink := startWithStorage(t, checkpointConfig(t), processortest.NewNopSettings(metadata.Type), newHost(store))
	for _, b := range batches[half:] {
		require.NoError(t, after.ConsumeMetrics(ctx, cloneMetrics(b)))
	}
	require.NoError(t, after.Shutdown(ctx))

	got := sloPoints(beforeSink.AllMetrics())
	maps.Copy(got, sloPoints(afterSink.AllMetrics()))
	want := sloPoints(refSink.AllMetrics())
	require.NotEmpty(t, want)
	assert.Equal(t, want, got, "the restarted processor emits what an uninterrupted one does")

	// Without the checkpoint, the long windows start blank after the restart.
	blank, blankSink := newTestProcessor(t, loadCaseConfig(t, filepath.Join("testdata", "ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model")), processortest.NewNopSettings(metadata.Type))
	for _, b := range batches[half:] {
		require.NoError(t, blank.ConsumeMetrics(ctx, cloneMetrics(b)))
	}
	assert.NotEqual(t, sloPoints(afterSink.AllMetrics()), sloPoints(blankSink.AllMetrics()))
}

func TestAChangedSLOStartsEmptyAndACorruptCheckpointIsCounted(t *testing.T) {
	ctx := context.Background()
	batches := splitByTimestamp(goldenInputs["ratio_sli_emits_error_ratio_burn_rate_budget_and_alert_per_model"]())
	store := &memStorage{data: map[string][]byte{}}
	p, _ := startWithStorage(t, checkpointConfig(t), processortest.NewNopSettings(metadata.Type), newHost(store))
	for _, b := range batches {
		require.NoError(t, p.ConsumeMetrics(ctx, cloneMetrics(b)))
	}
	require.NoError(t, p.Shutdown(ctx))

	changed := checkpointConfig(t)
	changed.SLOs[0].GroupBy = nil
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(ctx)) })
	p, _ = startWithStorage(t, changed, metadatatest.NewSettings(tel), newHost(store))
	metadatatest.AssertEqualSloBurnRateSeries(t, tel, []metricdata.DataPoint[int64]{{Value: 0}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(ctx))

	for k := range store.data {
		store.data[k] = []byte("SLOBURN1 not really")
	}
	p, _ = startWithStorage(t, checkpointConfig(t), metadatatest.NewSettings(tel), newHost(store))
	require.NoError(t, p.ConsumeMetrics(ctx, cloneMetrics(batches[0])))
	metadatatest.AssertEqualSloBurnRateCheckpointFailures(t, tel, []metricdata.DataPoint[int64]{{Value: 1}}, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(ctx))
}

func TestAMissingStorageExtensionFailsTheStart(t *testing.T) {
	cfg := checkpointConfig(t)
	p, err := NewFactory().CreateMetrics(context.Background(), processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop())
	require.NoError(t, err)
	err = p.Start(context.Background(), componenttest.NewNopHost())
	assert.ErrorContains(t, err, `storage extension "mem_storage" not found`)
	require.NoError(t, p.Shutdown(context.Background()))
}
