package retrievalqualityprocessor

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/irmetrics"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/labels"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/lexical"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/scoring"
)

// Config of the retrieval_quality processor.
type Config struct {
	// Wait is how long a retrieval span waits for the answer of its trace
	// (and an answer for a retrieval span of its trace). 0 pairs spans only
	// within one request.
	Wait time.Duration `mapstructure:"wait"`
	// MaxTraces bounds the traces held.
	MaxTraces int `mapstructure:"max_traces"`
	// MaxBytes bounds the bytes held: waiting retrieval spans (their
	// protobuf size) and remembered answers (their text).
	MaxBytes int64 `mapstructure:"max_bytes"`

	// K is the cutoff of the ranking metrics; 0 takes the span's
	// gen_ai.request.top_k, or else the number of documents retrieved.
	K int `mapstructure:"k"`
	// NDCGGain is linear (the grade) or exponential (2^grade - 1).
	NDCGGain string `mapstructure:"ndcg_gain"`

	Labels     LabelsConfig               `mapstructure:"labels"`
	Lexical    LexicalConfig              `mapstructure:"lexical"`
	Thresholds map[string]ThresholdConfig `mapstructure:"thresholds"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LabelsConfig says where relevance labels come from. The span's attribute
// wins over the file.
type LabelsConfig struct {
	// Attribute on the retrieval span holding the expected documents; empty
	// to ignore labels on spans.
	Attribute string `mapstructure:"attribute"`
	// File of labels keyed by query text (YAML or JSON); empty for none.
	File string `mapstructure:"file"`
}

// LexicalConfig tunes the label-free text scores.
type LexicalConfig struct {
	// Relevance is bm25 or term_overlap.
	Relevance string     `mapstructure:"relevance"`
	BM25      BM25Config `mapstructure:"bm25"`
	// NGramSize is the length in words of the answer n-grams looked up in
	// the retrieved text for groundedness.
	NGramSize int `mapstructure:"ngram_size"`
	// UsedDocumentMinShare is the share of the answer's n-grams a document
	// must contain to count as used by the answer.
	UsedDocumentMinShare float64 `mapstructure:"used_document_min_share"`
}

// BM25Config holds BM25's parameters.
type BM25Config struct {
	K1 float64 `mapstructure:"k1"`
	B  float64 `mapstructure:"b"`
}

// ThresholdConfig labels a score poor below or above a value. Leave both
// unset ({}) to give a score no label.
type ThresholdConfig struct {
	PoorBelow *float64 `mapstructure:"poor_below"`
	PoorAbove *float64 `mapstructure:"poor_above"`
}

const (
	relevanceBM25        = "bm25"
	relevanceTermOverlap = "term_overlap"
	gainLinear           = "linear"
	gainExponential      = "exponential"
	maxNGramSize         = 10
)

func ptr(v float64) *float64 { return &v }

func createDefaultConfig() *Config {
	return &Config{
		Wait:      30 * time.Second,
		MaxTraces: 20000,
		MaxBytes:  64 << 20,
		NDCGGain:  gainLinear,
		Labels:    LabelsConfig{Attribute: genai.AttrRetrievalExpectedDocuments},
		Lexical: LexicalConfig{
			Relevance:            relevanceBM25,
			BM25:                 BM25Config{K1: 1.2, B: 0.75},
			NGramSize:            3,
			UsedDocumentMinShare: 0.1,
		},
		Thresholds: map[string]ThresholdConfig{
			scoring.DocumentCount: {PoorBelow: ptr(1)},
			scoring.QueryCoverage: {PoorBelow: ptr(0.5)},
			scoring.Groundedness:  {PoorBelow: ptr(0.5)},
			scoring.HitRateAtK:    {PoorBelow: ptr(1)},
			scoring.NDCGAtK:       {PoorBelow: ptr(0.5)},
		},
	}
}

// Validate checks the configuration; errors name the key.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.Wait < 0 {
		errs = append(errs, fmt.Errorf("wait: must not be negative, got %s", cfg.Wait))
	}
	if cfg.MaxTraces <= 0 {
		errs = append(errs, fmt.Errorf("max_traces: must be positive, got %d", cfg.MaxTraces))
	}
	if cfg.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("max_bytes: must be positive, got %d", cfg.MaxBytes))
	}
	if cfg.K < 0 {
		errs = append(errs, fmt.Errorf("k: must not be negative, got %d", cfg.K))
	}
	if cfg.NDCGGain != gainLinear && cfg.NDCGGain != gainExponential {
		errs = append(errs, fmt.Errorf("ndcg_gain: want %s or %s, got %q", gainLinear, gainExponential, cfg.NDCGGain))
	}
	if cfg.Labels.File != "" {
		if _, err := labels.LoadFile(cfg.Labels.File); err != nil {
			errs = append(errs, fmt.Errorf("labels.file: %w", err))
		}
	}
	lx := cfg.Lexical
	if lx.Relevance != relevanceBM25 && lx.Relevance != relevanceTermOverlap {
		errs = append(errs, fmt.Errorf("lexical.relevance: want %s or %s, got %q", relevanceBM25, relevanceTermOverlap, lx.Relevance))
	}
	if !(lx.BM25.K1 >= 0) || math.IsInf(lx.BM25.K1, 0) {
		errs = append(errs, fmt.Errorf("lexical.bm25.k1: must be a finite number >= 0, got %v", lx.BM25.K1))
	}
	if !(lx.BM25.B >= 0 && lx.BM25.B <= 1) {
		errs = append(errs, fmt.Errorf("lexical.bm25.b: must be between 0 and 1, got %v", lx.BM25.B))
	}
	if lx.NGramSize < 1 || lx.NGramSize > maxNGramSize {
		errs = append(errs, fmt.Errorf("lexical.ngram_size: must be between 1 and %d, got %d", maxNGramSize, lx.NGramSize))
	}
	if !(lx.UsedDocumentMinShare >= 0 && lx.UsedDocumentMinShare <= 1) {
		errs = append(errs, fmt.Errorf("lexical.used_document_min_share: must be between 0 and 1, got %v", lx.UsedDocumentMinShare))
	}
	names := make([]string, 0, len(cfg.Thresholds))
	for name := range cfg.Thresholds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := cfg.Thresholds[name]
		key := "thresholds." + name
		if !slices.Contains(scoring.Names, name) {
			errs = append(errs, fmt.Errorf("%s: unknown score, want one of %s", key, strings.Join(scoring.Names, ", ")))
			continue
		}
		if t.PoorBelow != nil && t.PoorAbove != nil {
			errs = append(errs, fmt.Errorf("%s: set poor_below or poor_above, not both", key))
		}
		for _, f := range []struct {
			field string
			v     *float64
		}{{"poor_below", t.PoorBelow}, {"poor_above", t.PoorAbove}} {
			if f.v != nil && (math.IsNaN(*f.v) || math.IsInf(*f.v, 0)) {
				errs = append(errs, fmt.Errorf("%s.%s: must be a finite number, got %v", key, f.field, *f.v))
			}
		}
	}
	return errors.Join(errs...)
}

func (cfg *Config) scoringOptions() scoring.Options {
	o := scoring.Options{
		K: cfg.K,
		Lexical: lexical.Options{
			Method:       lexical.BM25,
			K1:           cfg.Lexical.BM25.K1,
			B:            cfg.Lexical.BM25.B,
			NGram:        cfg.Lexical.NGramSize,
			UsedMinShare: cfg.Lexical.UsedDocumentMinShare,
		},
		Thresholds: make(map[string]scoring.Threshold, len(cfg.Thresholds)),
	}
	if cfg.Lexical.Relevance == relevanceTermOverlap {
		o.Lexical.Method = lexical.TermOverlap
	}
	if cfg.NDCGGain == gainExponential {
		o.Gain = irmetrics.GainExponential
	}
	for name, t := range cfg.Thresholds {
		o.Thresholds[name] = scoring.Threshold{PoorBelow: t.PoorBelow, PoorAbove: t.PoorAbove}
	}
	return o
}
