package promptredactionprocessor

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/metadata"
)

func ptr[T any](v T) *T { return &v }

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	custom := createDefaultConfig()
	custom.Action = "pseudonymize"
	custom.HMACKey = "0123456789abcdef0123456789abcdef"
	custom.Detectors = map[string]DetectorConfig{
		"ipv4":         {Enabled: ptr(false)},
		"payment_card": {Action: "drop"},
	}
	custom.CustomDetectors = []CustomDetectorConfig{
		{Name: "employee_id", Pattern: `EMP-\d{6}`},
		{Name: "ticket", Pattern: `TCK-[0-9]+`, Action: "mask"},
	}
	custom.AllowList = []string{"support@example.com"}
	custom.AllowPatterns = []string{`.*@example\.org`}
	custom.Keys = []string{"user.note"}
	custom.KeyPatterns = []string{`^app\.prompt\.`}
	custom.IgnoredKeys = []string{"server.address"}
	custom.MaxValueBytes = 65536
	custom.Summary = false

	all := createDefaultConfig()
	all.AllAttributes = true

	tests := []struct {
		id      component.ID
		want    *Config
		wantErr []string
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: custom},
		{id: component.NewIDWithName(metadata.Type, "all_attributes"), want: all},
		{id: component.NewIDWithName(metadata.Type, "bad_names"), wantErr: []string{
			`action: unknown action "hash" (want mask, pseudonymize or drop)`,
			"detectors.emial: unknown detector (known: email, phone, payment_card,",
			`detectors.phone.action: unknown action "scramble"`,
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_custom"), wantErr: []string{
			`custom_detectors[0].name: must be lower-case letters, digits and '_', starting with a letter, got "Employee-ID"`,
			"custom_detectors[0].pattern: error parsing regexp: missing closing ): `(`",
			`custom_detectors[1].name: "email" is a built-in detector`,
			"custom_detectors[1].pattern: must not match the empty string",
			`custom_detectors[3].name: "dup" is defined twice`,
			"custom_detectors[3].pattern: must not be empty",
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_patterns"), wantErr: []string{
			"allow_patterns[0]: error parsing regexp: missing closing ]: `[`",
			"key_patterns[0]: error parsing regexp: invalid or unsupported Perl syntax: `(?P`",
			"max_value_bytes: must not be negative, got -1",
		}},
		{id: component.NewIDWithName(metadata.Type, "short_key"), wantErr: []string{
			"hmac_key: must be at least 32 bytes when an action is pseudonymize, got 9 bytes",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg)
				return
			}
			require.Error(t, err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.NotContains(t, err.Error(), "too-short", "the key is never printed")
		})
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	require.NoError(t, confmap.Validate(createDefaultConfig()))
}
