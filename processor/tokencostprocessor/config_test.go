package tokencostprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor/internal/pricing"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	cfg := createDefaultConfig()
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func f64(v float64) *float64 { return &v }
func yes() *bool             { v := true; return &v }

func TestLoadValidConfigs(t *testing.T) {
	def := loadConfig(t, "")
	require.NoError(t, confmap.Validate(def))
	assert.Equal(t, createDefaultConfig(), def)

	full := loadConfig(t, "full")
	require.NoError(t, confmap.Validate(full))
	assert.True(t, full.Breakdown)
	assert.True(t, full.Overwrite)
	assert.Equal(t, []string{"vllm", "tgi"}, full.SelfHostedProviders)
	assert.Equal(t, "/etc/otelcol-ai/prices.yaml", full.Prices.File)
	assert.Equal(t, time.Minute, full.Prices.ReloadInterval)
	assert.True(t, full.Prices.Embedded)
	assert.Equal(t, pricing.SemanticsSpec{InputIncludesCacheRead: yes(), InputIncludesCacheCreation: yes(), CacheWriteTTL: "1h"},
		full.Prices.Providers["anthropic"].Semantics)
	require.Len(t, full.Prices.Models, 2)
	assert.Equal(t, "ft:gpt-4o-mini-2024-07-18:acme::support", full.Prices.Models[0].Model)
	assert.Equal(t, f64(0.15), full.Prices.Models[0].CacheRead)
	assert.Equal(t, []pricing.TierSpec{{AboveInputTokens: 100000, RatesSpec: pricing.RatesSpec{Input: f64(1), Output: f64(3)}}},
		full.Prices.Models[1].Tiers)
	assert.Equal(t, GPUConfig{
		Interval:              30 * time.Second,
		MaxGap:                2 * time.Minute,
		NodePoolAttribute:     "k8s.node.label.pool",
		DeploymentAttributes:  []string{"k8s.namespace.name", "k8s.deployment.name"},
		DeploymentFromPodName: false,
		Prices: []GPUPrice{
			{GPUModel: "NVIDIA H100 80GB HBM3", USDPerHour: 3},
			{NodePool: "spot-a100", USDPerHour: 1.10, MIGSlices: 7},
		},
		Tokens: []TokenMetric{
			{Metric: "vllm:generation_tokens_total"},
			{Metric: "gen_ai.client.token.usage", Attributes: map[string]string{"gen_ai.token.type": "output"}},
		},
	}, full.GPU)
}

func TestInvalidConfigsNameTheKeyPath(t *testing.T) {
	cases := map[string][]string{
		"no_table": {"prices: no price table: embedded is false and neither file nor models is set"},
		"bad_models": {
			"prices.models[0].input: must not be negative, got -1",
			"prices.models[0].output: required (USD per 1M tokens)",
			"prices.models[2].tiers[0].above_input_tokens: must be greater than 0, got 0",
		},
		"unknown_provider": {`prices.models[0].provider: unknown provider "opnai": declare it under providers`},
		"bad_provider":     {`prices.providers.newco.semantics.cache_write_ttl: must be 5m or 1h, got "10m"`},
		"bad_alias": {
			`prices.providers.newco.aliases[0]: "openai" is already a name of provider "openai"`,
			"prices.providers.newco.semantics.input_includes_cache_read: required",
		},
		"bad_reload": {"prices.reload_interval: must be at least 1s (or 0 to load the file once), got 10ms"},
		"bad_gpu": {
			"self_hosted_providers[0]: must not be empty",
			"gpu.interval: must be positive, got 0s",
			"gpu.max_gap: must be positive, got -1s",
			"gpu.prices[0]: set gpu_model (the hw.model value) or node_pool",
			"gpu.prices[1]: set gpu_model or node_pool, not both",
			"gpu.prices[1].usd_per_hour: must be a positive number, got 0",
			"gpu.prices[2].node_pool: needs gpu.node_pool_attribute",
			"gpu.prices[2].mig_slices: must not be negative, got -1",
			`gpu.deployment_attributes[1]: "k8s.namespace.name" repeats gpu.deployment_attributes[0]`,
			"gpu.deployment_attributes[2]: must not be empty",
			"gpu.tokens[0].metric: required",
		},
	}
	for name, wants := range cases {
		t.Run(name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, name))
			require.Error(t, err)
			for _, w := range wants {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestUnknownPriceKeyIsRefused(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub("token_cost/full")
	require.NoError(t, err)
	require.NoError(t, sub.Merge(confmapFrom(map[string]any{"prices": map[string]any{"models": []any{
		map[string]any{"provider": "openai", "model": "x", "inptu": 1, "output": 1},
	}}})))
	cfg := createDefaultConfig()
	err = sub.Unmarshal(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "inptu")
}

func confmapFrom(m map[string]any) *confmap.Conf { return confmap.NewFromStringMap(m) }
