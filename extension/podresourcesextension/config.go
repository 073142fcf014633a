package podresourcesextension // import "github.com/otelcol-ai/otelcol-ai/extension/podresourcesextension"

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// maxSocketPathBytes is the longest path a unix socket address can hold
// (sun_path is 108 bytes on Linux, one of them the terminating NUL).
const maxSocketPathBytes = 107

// Config configures the pod_resources extension.
type Config struct {
	// Endpoint is the kubelet pod-resources socket: a path, or a path after
	// `unix://`.
	Endpoint string `mapstructure:"endpoint"`
	// RefreshInterval is how often the mapping is read again from the kubelet.
	RefreshInterval time.Duration `mapstructure:"refresh_interval"`
	// Timeout bounds each List call.
	Timeout time.Duration `mapstructure:"timeout"`
	// MaxStaleness is how long the last good mapping keeps answering while
	// refreshes fail. Older, it is dropped: a GPU may have moved to another
	// pod since. Zero drops it at the first failed refresh.
	MaxStaleness time.Duration `mapstructure:"max_staleness"`
	// ResourceNames are the kubelet extended resources whose devices are
	// GPUs. A name ending in `*` matches every resource with that prefix.
	ResourceNames []string `mapstructure:"resource_names"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// socketPath is the endpoint without its optional `unix://` scheme.
func (c *Config) socketPath() string {
	return strings.TrimPrefix(c.Endpoint, "unix://")
}

// Validate checks the configuration; each error names its key.
func (c *Config) Validate() error {
	var errs []error
	path := c.socketPath()
	switch {
	case path == "":
		errs = append(errs, errors.New("endpoint: must be the path of the kubelet pod-resources socket, e.g. /var/lib/kubelet/pod-resources/kubelet.sock"))
	case strings.Contains(c.Endpoint, "://") && !strings.HasPrefix(c.Endpoint, "unix://"):
		errs = append(errs, fmt.Errorf("endpoint: %q: only unix sockets are supported (a path or unix:///path)", c.Endpoint))
	case !filepath.IsAbs(path):
		errs = append(errs, fmt.Errorf("endpoint: %q: must be an absolute path", path))
	case len(path) > maxSocketPathBytes:
		errs = append(errs, fmt.Errorf("endpoint: %q: a unix socket path holds at most %d bytes, this one has %d", path, maxSocketPathBytes, len(path)))
	}
	if c.RefreshInterval <= 0 {
		errs = append(errs, fmt.Errorf("refresh_interval: must be positive, got %s", c.RefreshInterval))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: must be positive, got %s", c.Timeout))
	}
	if c.MaxStaleness < 0 {
		errs = append(errs, fmt.Errorf("max_staleness: must not be negative, got %s", c.MaxStaleness))
	}
	if len(c.ResourceNames) == 0 {
		errs = append(errs, errors.New("resource_names: must name at least one resource, e.g. nvidia.com/gpu"))
	}
	seen := make(map[string]int, len(c.ResourceNames))
	for i, name := range c.ResourceNames {
		key := fmt.Sprintf("resource_names[%d]", i)
		switch {
		case strings.TrimSpace(name) == "":
			errs = append(errs, fmt.Errorf("%s: must not be empty", key))
		case name == "*":
			errs = append(errs, fmt.Errorf("%s: %q would treat every device (CPUs, NICs, FPGAs) as a GPU; name the GPU resources", key, name))
		case strings.Contains(strings.TrimSuffix(name, "*"), "*"):
			errs = append(errs, fmt.Errorf("%s: %q: `*` is allowed only at the end, as a prefix match", key, name))
		case strings.TrimSpace(name) != name:
			errs = append(errs, fmt.Errorf("%s: %q: has leading or trailing spaces", key, name))
		}
		if j, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("%s: %q repeats resource_names[%d]", key, name, j))
		} else {
			seen[name] = i
		}
	}
	return errors.Join(errs...)
}
