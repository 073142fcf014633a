package kedascalerexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	custom := createDefaultConfig()
	custom.NetAddr.Endpoint = "0.0.0.0:6000"
	custom.TLS = configoptional.Some(configtls.ServerConfig{Config: configtls.Config{
		CertFile: "/etc/otelcol/tls/tls.crt", KeyFile: "/etc/otelcol/tls/tls.key",
	}})
	custom.StaleAfter = 45 * time.Second
	custom.DefaultWindow = 2 * time.Minute
	custom.MaxWindow = 15 * time.Minute
	custom.MaxSeries = 5000
	custom.MaxSamplesPerSeries = 32
	custom.StreamInterval = 2 * time.Second

	tests := []struct {
		id      component.ID
		want    *Config
		wantErr []string // substrings of the Validate error
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: custom},
		{id: component.NewIDWithName(metadata.Type, "empty_endpoint"), wantErr: []string{"endpoint: must not be empty"}},
		{id: component.NewIDWithName(metadata.Type, "negative_stale_after"), wantErr: []string{"stale_after: must be positive, got -1s"}},
		{id: component.NewIDWithName(metadata.Type, "window_beyond_max"), wantErr: []string{"default_window: 20m0s is longer than max_window (10m0s)"}},
		{id: component.NewIDWithName(metadata.Type, "no_max_window"), wantErr: []string{"max_window: must be positive"}},
		{id: component.NewIDWithName(metadata.Type, "too_few_samples"), wantErr: []string{"max_samples_per_series: must be at least 2"}},
		{id: component.NewIDWithName(metadata.Type, "no_series"), wantErr: []string{"max_series: must be at least 1, got 0"}},
		{id: component.NewIDWithName(metadata.Type, "zero_stream_interval"), wantErr: []string{"stream_interval: must be positive"}},
		{id: component.NewIDWithName(metadata.Type, "several_errors"), wantErr: []string{"stale_after:", "max_series:"}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))

			err = confmap.Validate(cfg)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, w := range tt.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestDefaultConfigListensOnLocalhost(t *testing.T) {
	cfg := createDefaultConfig()
	assert.Equal(t, "localhost:4050", cfg.NetAddr.Endpoint)
	assert.False(t, cfg.TLS.HasValue())
	require.NoError(t, confmap.Validate(cfg))
}
