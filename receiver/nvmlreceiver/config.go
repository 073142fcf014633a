package nvmlreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver"

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/otelcol-ai/otelcol-ai/receiver/nvmlreceiver/internal/metadata"
)

// Config configures the nvml receiver.
type Config struct {
	scraperhelper.ControllerConfig `mapstructure:",squash"`
	metadata.MetricsBuilderConfig  `mapstructure:",squash"`

	// PodResources names a pod_resources extension that attributes GPUs and
	// MIG instances to the pods holding them.
	PodResources *component.ID `mapstructure:"pod_resources"`

	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration. The controller settings validate
// themselves (collection_interval must be positive).
func (cfg *Config) Validate() error { return nil }
