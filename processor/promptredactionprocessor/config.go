package promptredactionprocessor

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/action"
	"github.com/otelcol-ai/otelcol-ai/processor/promptredactionprocessor/internal/detect"
)

// Config of the prompt_redaction processor.
type Config struct {
	// Action applied to every match unless a detector overrides it: mask
	// (default), pseudonymize or drop.
	Action string `mapstructure:"action"`

	// HMACKey keys the pseudonyms of the pseudonymize action; required, at
	// least 32 bytes, when any detector pseudonymizes. Set it from the
	// environment (${env:PROMPT_REDACTION_HMAC_KEY}); it is never logged.
	HMACKey configopaque.String `mapstructure:"hmac_key"`

	// Detectors switches built-in detectors off and overrides their action,
	// keyed by detector name.
	Detectors map[string]DetectorConfig `mapstructure:"detectors"`

	// CustomDetectors adds detectors defined by regular expressions.
	CustomDetectors []CustomDetectorConfig `mapstructure:"custom_detectors"`

	// AllowList holds values that are never redacted (exact match of the
	// found text), such as a support address printed in every answer.
	AllowList []string `mapstructure:"allow_list"`

	// AllowPatterns are regular expressions; found text that one of them
	// matches in whole is never redacted.
	AllowPatterns []string `mapstructure:"allow_patterns"`

	// Keys are attribute keys scanned in addition to the GenAI content keys.
	Keys []string `mapstructure:"keys"`

	// KeyPatterns are regular expressions of attribute keys scanned in
	// addition to the GenAI content keys.
	KeyPatterns []string `mapstructure:"key_patterns"`

	// AllAttributes scans every string attribute of spans, span links, log
	// records and resources, not just content keys and the configured ones.
	AllAttributes bool `mapstructure:"all_attributes"`

	// IgnoredKeys are never scanned, wherever they appear (e.g. a metric
	// label that holds a server address on purpose).
	IgnoredKeys []string `mapstructure:"ignored_keys"`

	// MaxValueBytes is the longest value scanned; a longer one fails closed
	// and becomes <REDACTED>. 0 means no limit.
	MaxValueBytes int `mapstructure:"max_value_bytes"`

	// Summary adds prompt_redaction.* count attributes to each span and log
	// record that had something redacted.
	Summary bool `mapstructure:"summary"`
}

// DetectorConfig switches one built-in detector.
type DetectorConfig struct {
	// Enabled defaults to true.
	Enabled *bool `mapstructure:"enabled"`
	// Action overrides the processor's action for this detector.
	Action string `mapstructure:"action"`
}

// CustomDetectorConfig defines a detector by a regular expression.
type CustomDetectorConfig struct {
	// Name is the detector's name in placeholders (upper-cased), summary
	// attributes and metrics: lower-case letters, digits and '_'.
	Name string `mapstructure:"name"`
	// Pattern is an RE2 regular expression.
	Pattern string `mapstructure:"pattern"`
	// Action overrides the processor's action for this detector.
	Action string `mapstructure:"action"`
}

const defaultMaxValueBytes = 1 << 20

func createDefaultConfig() *Config {
	return &Config{
		Action:        "mask",
		MaxValueBytes: defaultMaxValueBytes,
		Summary:       true,
	}
}

const minHMACKeyBytes = 32

var customNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// Validate checks the configuration; every error names its key path.
func (c *Config) Validate() error {
	var errs []error
	add := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	pseudonymize := false
	check := func(path, a string) {
		k, err := action.ParseKind(a)
		if err != nil {
			add(path, "%v", err)
		}
		if k == action.Pseudonymize {
			pseudonymize = true
		}
	}
	check("action", c.Action)

	for _, name := range sortedKeys(c.Detectors) {
		if _, ok := detect.ByName(name); !ok {
			add("detectors."+name, "unknown detector (known: %s)", strings.Join(builtinNames(), ", "))
			continue
		}
		d := c.Detectors[name]
		if d.Enabled != nil && !*d.Enabled {
			continue
		}
		if d.Action != "" {
			check("detectors."+name+".action", d.Action)
		}
	}
	seen := map[string]bool{}
	for i, cd := range c.CustomDetectors {
		path := fmt.Sprintf("custom_detectors[%d]", i)
		switch _, builtin := detect.ByName(cd.Name); {
		case !customNameRE.MatchString(cd.Name):
			add(path+".name", "must be lower-case letters, digits and '_', starting with a letter, got %q", cd.Name)
		case builtin:
			add(path+".name", "%q is a built-in detector", cd.Name)
		case seen[cd.Name]:
			add(path+".name", "%q is defined twice", cd.Name)
		}
		seen[cd.Name] = true
		re, err := regexp.Compile(cd.Pattern)
		switch {
		case cd.Pattern == "":
			add(path+".pattern", "must not be empty")
		case err != nil:
			add(path+".pattern", "%v", err)
		case re.MatchString(""):
			add(path+".pattern", "must not match the empty string")
		}
		if cd.Action != "" {
			check(path+".action", cd.Action)
		}
	}
	for i, p := range c.AllowPatterns {
		if _, err := regexp.Compile(p); err != nil {
			add(fmt.Sprintf("allow_patterns[%d]", i), "%v", err)
		}
	}
	for i, p := range c.KeyPatterns {
		if _, err := regexp.Compile(p); err != nil {
			add(fmt.Sprintf("key_patterns[%d]", i), "%v", err)
		}
	}
	if c.MaxValueBytes < 0 {
		add("max_value_bytes", "must not be negative, got %d", c.MaxValueBytes)
	}
	if pseudonymize && len(c.HMACKey) < minHMACKeyBytes {
		// The key itself is never printed, only its length.
		add("hmac_key", "must be at least %d bytes when an action is pseudonymize, got %d bytes (set it from the environment: ${env:PROMPT_REDACTION_HMAC_KEY})", minHMACKeyBytes, len(c.HMACKey))
	}
	return errors.Join(errs...)
}

func builtinNames() []string {
	var n []string
	for _, t := range detect.Builtin() {
		n = append(n, t.Name())
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
