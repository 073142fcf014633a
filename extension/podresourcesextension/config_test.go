package podresourcesextension

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "", want: createDefaultConfig().(*Config)},
		{name: "custom", want: &Config{
			Endpoint:        "unix:///host/var/lib/kubelet/pod-resources/kubelet.sock",
			RefreshInterval: 30 * time.Second,
			Timeout:         2 * time.Second,
			MaxStaleness:    0,
			ResourceNames:   []string{"nvidia.com/gpu", "nvidia.com/mig-*", "example.com/gpu"},
		}},
		{name: "empty_endpoint", wantErr: []string{"endpoint: must be the path of the kubelet pod-resources socket"}},
		{name: "relative_endpoint", wantErr: []string{`endpoint: "pod-resources/kubelet.sock": must be an absolute path`}},
		{name: "tcp_endpoint", wantErr: []string{`endpoint: "tcp://127.0.0.1:10250": only unix sockets are supported`}},
		{name: "long_endpoint", wantErr: []string{"endpoint: ", "a unix socket path holds at most 107 bytes, this one has 108"}},
		{name: "zero_refresh", wantErr: []string{"refresh_interval: must be positive, got 0s"}},
		{name: "negative_timeout", wantErr: []string{"timeout: must be positive, got -1s"}},
		{name: "negative_staleness", wantErr: []string{"max_staleness: must not be negative, got -1s"}},
		{name: "no_resources", wantErr: []string{"resource_names: must name at least one resource"}},
		{name: "bad_resources", wantErr: []string{
			"resource_names[1]: must not be empty",
			`resource_names[2]: "*" would treat every device`,
			"resource_names[3]: \"nvidia.com/*-gpu\": `*` is allowed only at the end",
			`resource_names[4]: " amd.com/gpu": has leading or trailing spaces`,
			`resource_names[5]: "nvidia.com/gpu" repeats resource_names[0]`,
		}},
		{name: "two_errors", wantErr: []string{`endpoint: "relative.sock": must be an absolute path`, "timeout: must be positive, got 0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := component.NewIDWithName(metadata.Type, tt.name)
			sub, err := cm.Sub(id.String())
			require.NoError(t, err)
			cfg := createDefaultConfig()
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

func TestSocketPathStripsScheme(t *testing.T) {
	cfg := &Config{Endpoint: "unix:///run/pr.sock"}
	assert.Equal(t, "/run/pr.sock", cfg.socketPath())
	cfg.Endpoint = "/run/pr.sock"
	assert.Equal(t, "/run/pr.sock", cfg.socketPath())
}

func TestEndpointAtTheSocketPathLimitIsAccepted(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = "/" + strings.Repeat("a", maxSocketPathBytes-1)
	require.NoError(t, cfg.Validate())
	cfg.Endpoint = "unix://" + cfg.Endpoint
	require.NoError(t, cfg.Validate(), "the scheme does not count")
	cfg.Endpoint += "a"
	require.ErrorContains(t, cfg.Validate(), "at most 107 bytes")
}
