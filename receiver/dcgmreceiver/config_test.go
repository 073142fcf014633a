package dcgmreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	podResources := component.MustNewID("pod_resources")
	custom := createDefaultConfig().(*Config)
	custom.ClientConfig.Endpoint = "https://dcgm-exporter.gpu-operator.svc:9400/metrics"
	custom.CollectionInterval = 30 * time.Second
	custom.ControllerConfig.Timeout = 3 * time.Second
	custom.ClientConfig.Timeout = 3 * time.Second
	custom.MaxBodySize = 1 << 20
	custom.PassThroughUnknownFields = false
	custom.PodResources = &podResources
	// Unmarshalled, like the file, so that "set by user" matches too.
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"metrics": map[string]any{
			"hw.gpu.clock.throttle.time": map[string]any{"enabled": true},
			"hw.gpu.io.throughput":       map[string]any{"enabled": false},
		},
		"resource_attributes": map[string]any{"hw.serial_number": map[string]any{"enabled": true}},
	}).Unmarshal(&custom.MetricsBuilderConfig))
	assert.True(t, custom.Metrics.HwGpuClockThrottleTime.Enabled)

	tests := []struct {
		id      component.ID
		want    component.Config
		wantErr string
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: custom},
		{id: component.NewIDWithName(metadata.Type, "no_endpoint"), wantErr: "endpoint: must be set"},
		{id: component.NewIDWithName(metadata.Type, "bad_scheme"), wantErr: "endpoint: scheme must be http or https"},
		{id: component.NewIDWithName(metadata.Type, "no_host"), wantErr: "endpoint: no host"},
		{id: component.NewIDWithName(metadata.Type, "zero_max_body_size"), wantErr: "max_body_size: must be positive"},
		{id: component.NewIDWithName(metadata.Type, "negative_timeout"), wantErr: "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(&cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, "http://localhost:9400/metrics", cfg.ClientConfig.Endpoint)
	assert.Equal(t, 10*time.Second, cfg.CollectionInterval)
	assert.True(t, cfg.PassThroughUnknownFields)
	assert.Nil(t, cfg.PodResources)
	require.NoError(t, confmap.Validate(cfg))
}
