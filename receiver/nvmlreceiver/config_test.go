package nvmlreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	podResources := component.MustNewIDWithName("pod_resources", "kubelet")
	custom := createDefaultConfig().(*Config)
	custom.CollectionInterval = 30 * time.Second
	custom.PodResources = &podResources
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"metrics": map[string]any{
		"hw.gpu.io.throughput":       map[string]any{"enabled": false},
		"hw.gpu.process.utilization": map[string]any{"enabled": false},
	}}).Unmarshal(&custom.MetricsBuilderConfig))

	tests := []struct {
		id      component.ID
		want    component.Config
		wantErr string
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: custom},
		{id: component.NewIDWithName(metadata.Type, "zero_interval"), wantErr: "collection_interval"},
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
	assert.Equal(t, 10*time.Second, cfg.CollectionInterval)
	assert.Nil(t, cfg.PodResources)
	assert.True(t, cfg.Metrics.HwGpuUtilization.Enabled)
	assert.False(t, cfg.Metrics.HwGpuClockThrottleTime.Enabled)
}
