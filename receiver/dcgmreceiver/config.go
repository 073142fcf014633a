package dcgmreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver"

import (
	"errors"
	"fmt"
	"net/url"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/otelcol-ai/otelcol-ai/receiver/dcgmreceiver/internal/metadata"
)

const (
	defaultEndpoint    = "http://localhost:9400/metrics"
	defaultMaxBodySize = 16 << 20 // an 8-GPU node with every field is about 1 MiB
)

// Config configures the dcgm receiver.
type Config struct {
	scraperhelper.ControllerConfig `mapstructure:",squash"`
	// ClientConfig's endpoint is the dcgm-exporter metrics URL; its timeout
	// and the scraper's are the same `timeout` key. A named field, so that
	// its Unmarshal method is not promoted to Config.
	ClientConfig                  confighttp.ClientConfig `mapstructure:",squash"`
	metadata.MetricsBuilderConfig `mapstructure:",squash"`

	// MaxBodySize is the largest page, in bytes, the receiver reads; a larger
	// page fails the scrape (reason too_large).
	MaxBodySize int64 `mapstructure:"max_body_size"`
	// PassThroughUnknownFields emits DCGM fields the GPU schema does not map
	// as dcgm.<field> metrics instead of dropping them.
	PassThroughUnknownFields bool `mapstructure:"pass_through_unknown_fields"`
	// PodResources names a pod_resources extension that attributes GPUs to
	// pods when the exporter's own pod labels are absent.
	PodResources *component.ID `mapstructure:"pod_resources"`

	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration; errors name the key.
func (cfg *Config) Validate() error {
	var errs []error
	endpoint := cfg.ClientConfig.Endpoint
	u, err := url.Parse(endpoint)
	switch {
	case endpoint == "":
		errs = append(errs, errors.New("endpoint: must be set to the dcgm-exporter metrics URL"))
	case err != nil:
		errs = append(errs, fmt.Errorf("endpoint: %w", err))
	case u.Scheme != "http" && u.Scheme != "https":
		errs = append(errs, fmt.Errorf("endpoint: scheme must be http or https, got %q", endpoint))
	case u.Host == "":
		errs = append(errs, fmt.Errorf("endpoint: no host in %q", endpoint))
	}
	if cfg.MaxBodySize <= 0 {
		errs = append(errs, fmt.Errorf("max_body_size: must be positive, got %d", cfg.MaxBodySize))
	}
	if cfg.ClientConfig.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout: must not be negative, got %s", cfg.ClientConfig.Timeout))
	}
	return errors.Join(errs...)
}
