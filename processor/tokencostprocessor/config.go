package tokencostprocessor

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/pricing"
)

// Config configures the token_cost processor.
type Config struct {
	// Prices is the token price table: the embedded one, an external file and
	// inline entries, merged in that order.
	Prices PricesConfig `mapstructure:"prices"`
	// SelfHostedProviders are gen_ai.provider.name values of self-hosted
	// inference servers: their requests get no per-token price (their cost
	// comes from GPU time, see gpu) and are marked unpriced with reason
	// self_hosted.
	SelfHostedProviders []string `mapstructure:"self_hosted_providers"`
	// Breakdown adds the cost of each part (input, cache read, cache
	// creation, output, reasoning) and the price entry used.
	Breakdown bool `mapstructure:"breakdown"`
	// Overwrite prices items that already carry gen_ai.usage.cost.amount
	// (by default a cost reported upstream, e.g. by the provider, is kept).
	Overwrite bool `mapstructure:"overwrite"`
	// GPU prices self-hosted GPUs from GPU metrics (metrics pipelines).
	GPU GPUConfig `mapstructure:"gpu"`

	_ struct{}
}

// PricesConfig selects and extends the price table.
type PricesConfig struct {
	// Embedded uses the table compiled into the collector (default true).
	Embedded bool `mapstructure:"embedded"`
	// File is an external table in the embedded table's format, layered over
	// it and reloaded when it changes.
	File string `mapstructure:"file"`
	// ReloadInterval is how often File is checked for changes; 0 loads it
	// once at start.
	ReloadInterval time.Duration `mapstructure:"reload_interval"`
	// Providers, Shapes and Models are inline table entries, layered over the
	// file (same format as the table file).
	Providers map[string]pricing.ProviderSpec  `mapstructure:"providers"`
	Shapes    map[string]pricing.SemanticsSpec `mapstructure:"shapes"`
	Models    []pricing.ModelSpec              `mapstructure:"models"`

	_ struct{}
}

// GPUConfig configures GPU-hour pricing of self-hosted inference.
type GPUConfig struct {
	// Prices per GPU-hour; GPU accounting is on when at least one is set.
	Prices []GPUPrice `mapstructure:"prices"`
	// NodePoolAttribute is the resource attribute that names a GPU's node
	// pool, for prices by node pool.
	NodePoolAttribute string `mapstructure:"node_pool_attribute"`
	// Interval is how often cost metrics are emitted.
	Interval time.Duration `mapstructure:"interval"`
	// MaxGap is the longest gap between two samples of one GPU that is still
	// billed as continuous; longer gaps are not billed.
	MaxGap time.Duration `mapstructure:"max_gap"`
	// DeploymentAttributes identify who holds a GPU and who processed tokens,
	// looked up on the data point, then on the resource.
	DeploymentAttributes []string `mapstructure:"deployment_attributes"`
	// DeploymentFromPodName derives k8s.deployment.name from k8s.pod.name
	// (<deployment>-<replicaset hash>-<suffix>) when it is missing; other
	// pods are identified by k8s.pod.name.
	DeploymentFromPodName bool `mapstructure:"deployment_from_pod_name"`
	// Tokens are the metrics that count the tokens each deployment processed.
	Tokens []TokenMetric `mapstructure:"tokens"`

	_ struct{}
}

// GPUPrice is the price of one GPU model or of the GPUs of one node pool.
type GPUPrice struct {
	GPUModel   string  `mapstructure:"gpu_model"`
	NodePool   string  `mapstructure:"node_pool"`
	USDPerHour float64 `mapstructure:"usd_per_hour"`
	// MIGSlices is the number of MIG compute slices of the whole GPU
	// (default 7: A100, H100, H200).
	MIGSlices int `mapstructure:"mig_slices"`
	_         struct{}
}

// TokenMetric names a metric that counts tokens: a sum (delta or cumulative),
// a histogram (its sum is used) or a gauge of tokens per second (integrated
// over time).
type TokenMetric struct {
	Metric string `mapstructure:"metric"`
	// Attributes keeps only points with these attribute values (e.g.
	// gen_ai.token.type: output).
	Attributes map[string]string `mapstructure:"attributes"`
	_          struct{}
}

// The deployment attribute derived from pod names.
const (
	attrK8sDeploymentName = "k8s.deployment.name"
	attrK8sNamespaceName  = "k8s.namespace.name"
	attrK8sPodName        = "k8s.pod.name"
)

func createDefaultConfig() *Config {
	return &Config{
		Prices: PricesConfig{Embedded: true, ReloadInterval: 30 * time.Second},
		SelfHostedProviders: []string{
			"vllm", "tgi", "llamacpp", "llama.cpp", "sglang", "ollama", "triton", "lmdeploy", "localai",
		},
		GPU: GPUConfig{
			Interval:              time.Minute,
			MaxGap:                5 * time.Minute,
			DeploymentAttributes:  []string{attrK8sNamespaceName, attrK8sDeploymentName},
			DeploymentFromPodName: true,
			Tokens: []TokenMetric{
				{Metric: "inference.engine.prompt_throughput"},
				{Metric: "inference.engine.generation_throughput"},
			},
		},
	}
}

// inlineTable is the config's own layer of the price table.
func (c *Config) inlineTable() *pricing.File {
	return &pricing.File{Providers: c.Prices.Providers, Shapes: c.Prices.Shapes, Models: c.Prices.Models}
}

// Validate checks the configuration; errors name the key path.
func (c *Config) Validate() error {
	var errs []error
	p := c.Prices
	if !p.Embedded && p.File == "" && len(p.Models) == 0 {
		errs = append(errs, errors.New("prices: no price table: embedded is false and neither file nor models is set"))
	}
	if p.ReloadInterval < 0 {
		errs = append(errs, fmt.Errorf("prices.reload_interval: must not be negative, got %v", p.ReloadInterval))
	} else if p.File != "" && p.ReloadInterval > 0 && p.ReloadInterval < time.Second {
		errs = append(errs, fmt.Errorf("prices.reload_interval: must be at least 1s (or 0 to load the file once), got %v", p.ReloadInterval))
	}
	inline := c.inlineTable()
	if err := inline.Validate("prices."); err != nil {
		errs = append(errs, err)
	} else if p.File == "" {
		// With a file, these checks wait for the file to be read at start.
		// Cross-layer checks: inline models name declared providers, every
		// provider says how it counts.
		if _, err := c.buildTable(nil); err != nil {
			errs = append(errs, err)
		}
	}
	for i, s := range c.SelfHostedProviders {
		if strings.TrimSpace(s) == "" {
			errs = append(errs, fmt.Errorf("self_hosted_providers[%d]: must not be empty", i))
		}
	}
	errs = append(errs, c.GPU.validate()...)
	return errors.Join(errs...)
}

func (g *GPUConfig) validate() []error {
	var errs []error
	if g.Interval <= 0 {
		errs = append(errs, fmt.Errorf("gpu.interval: must be positive, got %v", g.Interval))
	}
	if g.MaxGap <= 0 {
		errs = append(errs, fmt.Errorf("gpu.max_gap: must be positive, got %v", g.MaxGap))
	}
	for i, p := range g.Prices {
		path := fmt.Sprintf("gpu.prices[%d]", i)
		switch {
		case p.GPUModel != "" && p.NodePool != "":
			errs = append(errs, fmt.Errorf("%s: set gpu_model or node_pool, not both", path))
		case p.GPUModel == "" && p.NodePool == "":
			errs = append(errs, fmt.Errorf("%s: set gpu_model (the hw.model value) or node_pool", path))
		case p.NodePool != "" && g.NodePoolAttribute == "":
			errs = append(errs, fmt.Errorf("%s.node_pool: needs gpu.node_pool_attribute (the resource attribute that names the node pool)", path))
		}
		if !(p.USDPerHour > 0) || math.IsInf(p.USDPerHour, 0) {
			errs = append(errs, fmt.Errorf("%s.usd_per_hour: must be a positive number, got %v", path, p.USDPerHour))
		}
		if p.MIGSlices < 0 {
			errs = append(errs, fmt.Errorf("%s.mig_slices: must not be negative, got %d", path, p.MIGSlices))
		}
	}
	seen := map[string]int{}
	for i, a := range g.DeploymentAttributes {
		path := fmt.Sprintf("gpu.deployment_attributes[%d]", i)
		if strings.TrimSpace(a) == "" {
			errs = append(errs, fmt.Errorf("%s: must not be empty", path))
			continue
		}
		if j, dup := seen[a]; dup {
			errs = append(errs, fmt.Errorf("%s: %q repeats gpu.deployment_attributes[%d]", path, a, j))
		}
		seen[a] = i
	}
	if len(g.Prices) > 0 && len(g.DeploymentAttributes) == 0 {
		errs = append(errs, errors.New("gpu.deployment_attributes: at least one attribute is needed to attribute GPU cost"))
	}
	for i, t := range g.Tokens {
		if strings.TrimSpace(t.Metric) == "" {
			errs = append(errs, fmt.Errorf("gpu.tokens[%d].metric: required", i))
		}
	}
	return errs
}

// buildTable merges the embedded table (when enabled), the external file's
// layer (nil when not loaded) and the inline entries.
func (c *Config) buildTable(file *pricing.File) (*pricing.Table, error) {
	var layers []pricing.Layer
	if c.Prices.Embedded {
		f, err := pricing.Embedded()
		if err != nil {
			return nil, err
		}
		layers = append(layers, pricing.Layer{Name: "embedded price table: ", File: f})
	}
	if file != nil {
		layers = append(layers, pricing.Layer{Name: "prices.file " + c.Prices.File + ": ", File: file})
	}
	layers = append(layers, pricing.Layer{Name: "prices.", File: c.inlineTable()})
	return pricing.Build(layers...)
}
