package inferencelogreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver"

import (
	"errors"
	"fmt"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/container"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metadata"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/internal/metrics"
	"github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver/parser"
)

// Config configures the inference_log receiver.
type Config struct {
	// Include and Exclude are the globs of the files to tail (doublestar
	// syntax, as file_log).
	Include []string `mapstructure:"include"`
	Exclude []string `mapstructure:"exclude"`
	// ExcludeOlderThan skips files not modified for this long (0: none).
	ExcludeOlderThan time.Duration `mapstructure:"exclude_older_than"`
	// StartAt is where a file seen for the first time is read from:
	// beginning or end. Files known from the storage extension's checkpoints
	// resume where they were left.
	StartAt string `mapstructure:"start_at"`
	// PollInterval is how often the files are checked for new lines.
	PollInterval time.Duration `mapstructure:"poll_interval"`
	// FingerprintSize is how many leading bytes identify a file across
	// renames and restarts.
	FingerprintSize helper.ByteSize `mapstructure:"fingerprint_size"`
	// MaxLogSize bounds one line; longer lines are split.
	MaxLogSize helper.ByteSize `mapstructure:"max_log_size"`
	// MaxConcurrentFiles bounds the files open at once.
	MaxConcurrentFiles int `mapstructure:"max_concurrent_files"`
	// Encoding of the files (utf-8, utf-16le, ...).
	Encoding string `mapstructure:"encoding"`
	// OnTruncate is what happens when a known file shrank (copytruncate):
	// ignore, read_whole_file or read_new, as in file_log.
	OnTruncate string `mapstructure:"on_truncate"`
	// IncludeFileName and IncludeFilePath add log.file.name and
	// log.file.path to every record.
	IncludeFileName bool `mapstructure:"include_file_name"`
	IncludeFilePath bool `mapstructure:"include_file_path"`
	// Storage names a storage extension (file_storage) that keeps the read
	// offsets, so that a restart neither loses nor repeats lines.
	Storage *component.ID `mapstructure:"storage"`

	// Format is the server format of every file: auto (detected per file)
	// or vllm, tgi, llamacpp, sglang, ollama, triton.
	Format string `mapstructure:"format"`
	// Formats forces the format of the files that match a rule's globs; the
	// first matching rule wins, other files use Format.
	Formats []FormatRule `mapstructure:"formats"`
	// Container is how a container runtime wrapped the lines: auto, none,
	// cri or docker.
	Container string `mapstructure:"container"`
	// Timezone is the zone of timestamps that carry none (vLLM, SGLang,
	// Triton, gin): an IANA name, UTC or Local.
	Timezone string `mapstructure:"timezone"`
	// Multiline bounds the grouping of multi-line records.
	Multiline MultilineConfig `mapstructure:"multiline"`
	// Metrics switches each metric on or off.
	Metrics MetricsConfig `mapstructure:"metrics"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// FormatRule forces a format on the files that match its globs.
type FormatRule struct {
	Include []string `mapstructure:"include"`
	Format  string   `mapstructure:"format"`
}

// MultilineConfig bounds the grouping of tracebacks, panics and dumps.
type MultilineConfig struct {
	// MaxLines bounds one record; a longer group continues in the next.
	MaxLines int `mapstructure:"max_lines"`
	// FlushTimeout is how long a record that the next line may still
	// continue is held when the file goes quiet.
	FlushTimeout time.Duration `mapstructure:"flush_timeout"`
}

// MetricsConfig holds the enabled switch of every metric: the generated
// ones, and the request histograms.
type MetricsConfig struct {
	metadata.MetricsConfig `mapstructure:",squash"`

	GenAIServerRequestDuration          HistogramConfig `mapstructure:"gen_ai.server.request.duration"`
	GenAIServerTimePerOutputToken       HistogramConfig `mapstructure:"gen_ai.server.time_per_output_token"`
	InferenceServerRequestPhaseDuration HistogramConfig `mapstructure:"inference.server.request.phase.duration"`
	InferenceServerTokenUsage           HistogramConfig `mapstructure:"inference.server.token.usage"`
}

// HistogramConfig switches a histogram metric.
type HistogramConfig struct {
	Enabled bool `mapstructure:"enabled"`
}

func defaultMetricsConfig() MetricsConfig {
	return MetricsConfig{
		MetricsConfig:                       metadata.DefaultMetricsConfig(),
		GenAIServerRequestDuration:          HistogramConfig{Enabled: true},
		GenAIServerTimePerOutputToken:       HistogramConfig{Enabled: true},
		InferenceServerRequestPhaseDuration: HistogramConfig{Enabled: true},
		InferenceServerTokenUsage:           HistogramConfig{Enabled: true},
	}
}

func (m MetricsConfig) recorderConfig() metrics.Config {
	return metrics.Config{
		Builder: metadata.MetricsBuilderConfig{Metrics: m.MetricsConfig},
		Histograms: map[string]bool{
			metrics.RequestDuration:    m.GenAIServerRequestDuration.Enabled,
			metrics.TimePerOutputToken: m.GenAIServerTimePerOutputToken.Enabled,
			metrics.PhaseDuration:      m.InferenceServerRequestPhaseDuration.Enabled,
			metrics.TokenUsage:         m.InferenceServerTokenUsage.Enabled,
		},
	}
}

// minFingerprintSize is the file consumer's smallest fingerprint.
const minFingerprintSize = 16

// Validate checks the configuration; each error names its key.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Include) == 0 {
		errs = append(errs, errors.New("include: must name at least one file glob, e.g. /var/log/pods/*/*/*.log"))
	}
	errs = append(errs, validateGlobs("include", c.Include)...)
	errs = append(errs, validateGlobs("exclude", c.Exclude)...)
	if c.ExcludeOlderThan < 0 {
		errs = append(errs, fmt.Errorf("exclude_older_than: must not be negative, got %s", c.ExcludeOlderThan))
	}
	if c.StartAt != "beginning" && c.StartAt != "end" {
		errs = append(errs, fmt.Errorf("start_at: %q: must be beginning or end", c.StartAt))
	}
	if c.PollInterval <= 0 {
		errs = append(errs, fmt.Errorf("poll_interval: must be positive, got %s", c.PollInterval))
	}
	if c.FingerprintSize < minFingerprintSize {
		errs = append(errs, fmt.Errorf("fingerprint_size: must be at least %d bytes, got %d", minFingerprintSize, c.FingerprintSize))
	}
	if c.MaxLogSize <= 0 {
		errs = append(errs, fmt.Errorf("max_log_size: must be positive, got %d", c.MaxLogSize))
	}
	if c.MaxConcurrentFiles < 2 {
		errs = append(errs, fmt.Errorf("max_concurrent_files: must be at least 2 (files are read in batches of half), got %d", c.MaxConcurrentFiles))
	}
	if c.Encoding == "" {
		errs = append(errs, errors.New("encoding: must name the files' encoding, e.g. utf-8"))
	} else if err := validateEncoding(c.Encoding); err != nil {
		errs = append(errs, fmt.Errorf("encoding: %w", err))
	}
	switch c.OnTruncate {
	case "ignore", "read_whole_file", "read_new":
	default:
		errs = append(errs, fmt.Errorf("on_truncate: %q: must be ignore, read_whole_file or read_new", c.OnTruncate))
	}
	if _, err := parser.ParseFormat(c.Format); err != nil {
		errs = append(errs, fmt.Errorf("format: %w", err))
	}
	for i, rule := range c.Formats {
		key := fmt.Sprintf("formats[%d]", i)
		if len(rule.Include) == 0 {
			errs = append(errs, fmt.Errorf("%s.include: must name at least one file glob", key))
		}
		errs = append(errs, validateGlobs(key+".include", rule.Include)...)
		switch f, err := parser.ParseFormat(rule.Format); {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s.format: %w", key, err))
		case f == parser.Unknown:
			errs = append(errs, fmt.Errorf("%s.format: must name a server (vllm, tgi, llamacpp, sglang, ollama, triton); files no rule matches use format", key))
		}
	}
	if _, err := container.ParseMode(c.Container); err != nil {
		errs = append(errs, fmt.Errorf("container: %w", err))
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		errs = append(errs, fmt.Errorf("timezone: %q: must be an IANA time zone name, UTC or Local", c.Timezone))
	}
	if c.Multiline.MaxLines < 1 {
		errs = append(errs, fmt.Errorf("multiline.max_lines: must be at least 1, got %d", c.Multiline.MaxLines))
	}
	if c.Multiline.FlushTimeout <= 0 {
		errs = append(errs, fmt.Errorf("multiline.flush_timeout: must be positive, got %s", c.Multiline.FlushTimeout))
	}
	if len(errs) == 0 {
		// What only the file consumer knows (encodings, its own limits).
		if _, err := c.fileConsumerConfig().Build(nopTelemetry(), nopEmit); err != nil {
			errs = append(errs, fmt.Errorf("file consumer: %w", err))
		}
	}
	return errors.Join(errs...)
}

// validateEncoding asks the file consumer, which owns the list of
// encodings, about the encoding alone, so that its error can name the key.
func validateEncoding(encoding string) error {
	fc := fileconsumer.NewConfig()
	fc.Include = []string{"/"}
	fc.Encoding = encoding
	_, err := fc.Build(nopTelemetry(), nopEmit)
	return err
}

func validateGlobs(key string, globs []string) []error {
	var errs []error
	for i, g := range globs {
		if g == "" {
			errs = append(errs, fmt.Errorf("%s[%d]: must not be empty", key, i))
			continue
		}
		if !doublestar.ValidatePattern(g) {
			errs = append(errs, fmt.Errorf("%s[%d]: %q is not a valid glob", key, i, g))
		}
	}
	return errs
}
