package podresourcesextension // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension/internal/metadata"
)

const (
	defaultEndpoint        = "/var/lib/kubelet/pod-resources/kubelet.sock"
	defaultRefreshInterval = 10 * time.Second
	defaultTimeout         = 5 * time.Second
	defaultMaxStaleness    = time.Minute
)

// defaultResourceNames: whole GPUs, time-sliced GPUs renamed by the device
// plugin (renameByDefault), and MIG instances of every profile
// (nvidia.com/mig-1g.10gb, nvidia.com/mig-3g.40gb.shared, ...).
func defaultResourceNames() []string {
	return []string{"nvidia.com/gpu", "nvidia.com/gpu.shared", "nvidia.com/mig-*"}
}

// NewFactory returns the factory of the pod_resources extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(metadata.Type, createDefaultConfig, create, metadata.ExtensionStability)
}

func createDefaultConfig() component.Config {
	return &Config{
		Endpoint:        defaultEndpoint,
		RefreshInterval: defaultRefreshInterval,
		Timeout:         defaultTimeout,
		MaxStaleness:    defaultMaxStaleness,
		ResourceNames:   defaultResourceNames(),
	}
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newExtension(cfg.(*Config), set)
}
