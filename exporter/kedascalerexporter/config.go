package kedascalerexporter // import "github.com/otelcol-ai/otelcol-ai/exporter/kedascalerexporter"

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/configgrpc"
	"go.opentelemetry.io/collector/config/confignet"
)

// Config of the keda_scaler exporter.
type Config struct {
	// The gRPC server KEDA calls (endpoint, tls, keepalive, auth, ...).
	// Defaults to localhost:4050.
	configgrpc.ServerConfig `mapstructure:",squash"`

	// StaleAfter is how long a series may go without a point before queries
	// leave it out; a ScaledObject may override it with staleAfter. When no
	// matching series is fresh the answer is the trigger's fallbackValue,
	// else an error (GetMetrics) or inactive (IsActive), never a zero.
	StaleAfter time.Duration `mapstructure:"stale_after"`
	// DefaultWindow is the window of rates and *_over_window functions when
	// a ScaledObject gives no window.
	DefaultWindow time.Duration `mapstructure:"default_window"`
	// MaxWindow is how much history each series keeps: the longest window a
	// ScaledObject may ask for. A series that received nothing for this long
	// is removed.
	MaxWindow time.Duration `mapstructure:"max_window"`
	// MaxSeries bounds memory: points that would start a series beyond it are
	// dropped and counted.
	MaxSeries int `mapstructure:"max_series"`
	// MaxSamplesPerSeries is the size of each series' ring of samples.
	// Samples are kept at least max_window / (max_samples_per_series - 1)
	// apart; points arriving faster update the newest sample.
	MaxSamplesPerSeries int `mapstructure:"max_samples_per_series"`
	// StreamInterval is how often StreamIsActive re-evaluates its query; it
	// sends a message when the activity changes.
	StreamInterval time.Duration `mapstructure:"stream_interval"`

	// prevent unkeyed literal initialization
	_ struct{}
}

const defaultEndpoint = "localhost:4050"

func createDefaultConfig() *Config {
	server := configgrpc.NewDefaultServerConfig()
	server.NetAddr = confignet.AddrConfig{Endpoint: defaultEndpoint, Transport: confignet.TransportTypeTCP}
	return &Config{
		ServerConfig:        server,
		StaleAfter:          2 * time.Minute,
		DefaultWindow:       time.Minute,
		MaxWindow:           10 * time.Minute,
		MaxSeries:           20000,
		MaxSamplesPerSeries: 64,
		StreamInterval:      5 * time.Second,
	}
}

// Validate checks the configuration; each error names its key.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.NetAddr.Endpoint == "" {
		errs = append(errs, errors.New("endpoint: must not be empty (KEDA needs an address to call, e.g. 0.0.0.0:4050)"))
	}
	if cfg.StaleAfter <= 0 {
		errs = append(errs, fmt.Errorf("stale_after: must be positive, got %s", cfg.StaleAfter))
	}
	if cfg.MaxWindow <= 0 {
		errs = append(errs, fmt.Errorf("max_window: must be positive, got %s", cfg.MaxWindow))
	}
	if cfg.DefaultWindow <= 0 {
		errs = append(errs, fmt.Errorf("default_window: must be positive, got %s", cfg.DefaultWindow))
	} else if cfg.MaxWindow > 0 && cfg.DefaultWindow > cfg.MaxWindow {
		errs = append(errs, fmt.Errorf("default_window: %s is longer than max_window (%s)", cfg.DefaultWindow, cfg.MaxWindow))
	}
	if cfg.MaxSeries < 1 {
		errs = append(errs, fmt.Errorf("max_series: must be at least 1, got %d", cfg.MaxSeries))
	}
	if cfg.MaxSamplesPerSeries < 2 {
		errs = append(errs, fmt.Errorf("max_samples_per_series: must be at least 2 (a rate needs two points), got %d", cfg.MaxSamplesPerSeries))
	}
	if cfg.StreamInterval <= 0 {
		errs = append(errs, fmt.Errorf("stream_interval: must be positive, got %s", cfg.StreamInterval))
	}
	return errors.Join(errs...)
}
