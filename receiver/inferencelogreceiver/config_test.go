package inferencelogreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	storageID := component.MustNewID("file_storage")
	allSettings := createDefaultConfig().(*Config)
	allSettings.Include = []string{"/var/log/pods/*/*/*.log", "/var/log/ollama/*.log"}
	allSettings.Exclude = []string{"/var/log/pods/kube-system_*/*/*.log"}
	allSettings.ExcludeOlderThan = 24 * time.Hour
	allSettings.StartAt = "beginning"
	allSettings.PollInterval = time.Second
	allSettings.FingerprintSize = 2048
	allSettings.MaxLogSize = 4 << 20
	allSettings.MaxConcurrentFiles = 64
	allSettings.OnTruncate = "read_whole_file"
	allSettings.IncludeFileName = false
	allSettings.IncludeFilePath = true
	allSettings.Storage = &storageID
	allSettings.Formats = []FormatRule{
		{Include: []string{"/var/log/pods/*_vllm-*/*/*.log"}, Format: "vllm"},
		{Include: []string{"/var/log/ollama/*.log"}, Format: "ollama"},
	}
	allSettings.Container = "cri"
	allSettings.Timezone = "Europe/Berlin"
	allSettings.Multiline = MultilineConfig{MaxLines: 200, FlushTimeout: 2 * time.Second}
	// Unmarshal records that the user set the switch.
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"enabled": false}).Unmarshal(&allSettings.Metrics.InferenceEnginePromptThroughput))
	allSettings.Metrics.GenAIServerTimePerOutputToken.Enabled = false

	minimal := createDefaultConfig().(*Config)
	minimal.Include = []string{"/var/log/pods/*/*/*.log"}

	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "", want: minimal},
		{name: "all_settings", want: allSettings},
		{name: "no_include", wantErr: []string{"include: must name at least one file glob"}},
		{name: "bad_values", wantErr: []string{
			`include[0]: "/var/log/[" is not a valid glob`,
			"include[1]: must not be empty",
			`exclude[0]: "/x/[[" is not a valid glob`,
			`start_at: "middle": must be beginning or end`,
			"poll_interval: must be positive",
			"fingerprint_size: must be at least 16 bytes, got 8",
			"max_log_size: must be positive",
			"max_concurrent_files: must be at least 2",
			`on_truncate: "reread"`,
			`format: "vLLM" is not a known format`,
			`container: "containerd" is not a container log format`,
			`timezone: "Mars/Olympus"`,
			"multiline.max_lines: must be at least 1",
			"multiline.flush_timeout: must be positive",
		}},
		{name: "bad_rules", wantErr: []string{
			"formats[0].include: must name at least one file glob",
			"formats[1].format: must name a server",
			`formats[2].format: "mistral" is not a known format`,
		}},
		{name: "bad_encoding", wantErr: []string{"encoding: unsupported encoding 'klingon'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.name).String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, want := range tt.wantErr {
					assert.ErrorContains(t, err, want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestUnknownMetricIsRefused(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, "unknown_metric").String())
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	err = sub.Unmarshal(cfg)
	require.Error(t, err)
	assert.ErrorContains(t, err, "inference.no_such_metric")
}

func TestDefaultConfigNeedsOnlyInclude(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.ErrorContains(t, confmap.Validate(cfg), "include")
	cfg.Include = []string{"/tmp/*.log"}
	assert.NoError(t, confmap.Validate(cfg))
}
