package retrievalqualityprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	custom := createDefaultConfig()
	custom.Wait = 5 * time.Second
	custom.MaxTraces = 500
	custom.MaxBytes = 1 << 20
	custom.K = 5
	custom.NDCGGain = "exponential"
	custom.Labels = LabelsConfig{Attribute: "eval.expected_documents", File: "testdata/labels.yaml"}
	custom.Lexical = LexicalConfig{Relevance: "term_overlap", BM25: BM25Config{K1: 1.5, B: 0.5}, NGramSize: 2, UsedDocumentMinShare: 0.25}
	// Thresholds merge over the defaults; {} removes a default's label.
	custom.Thresholds["ndcg_at_k"] = ThresholdConfig{PoorBelow: ptr(0.7)}
	custom.Thresholds["duplicate_documents"] = ThresholdConfig{PoorAbove: ptr(0)}
	custom.Thresholds["hit_rate_at_k"] = ThresholdConfig{}

	noWait := createDefaultConfig()
	noWait.Wait = 0

	tests := []struct {
		id      component.ID
		want    *Config
		wantErr []string
	}{
		{id: component.NewID(metadata.Type), want: createDefaultConfig()},
		{id: component.NewIDWithName(metadata.Type, "custom"), want: custom},
		{id: component.NewIDWithName(metadata.Type, "no_wait"), want: noWait},
		{id: component.NewIDWithName(metadata.Type, "negative"), wantErr: []string{
			"wait: must not be negative, got -1s",
			"max_traces: must be positive, got 0",
			"max_bytes: must be positive, got -5",
			"k: must not be negative, got -1",
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_names"), wantErr: []string{
			`ndcg_gain: want linear or exponential, got "quadratic"`,
			`lexical.relevance: want bm25 or term_overlap, got "tfidf"`,
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_lexical"), wantErr: []string{
			"lexical.bm25.k1: must be a finite number >= 0, got -1",
			"lexical.bm25.b: must be between 0 and 1, got 1.5",
			"lexical.ngram_size: must be between 1 and 10, got 0",
			"lexical.used_document_min_share: must be between 0 and 1, got 2",
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_thresholds"), wantErr: []string{
			"thresholds.groundedness: set poor_below or poor_above, not both",
			"thresholds.precision: unknown score, want one of document_count, top_score",
		}},
		{id: component.NewIDWithName(metadata.Type, "missing_labels_file"), wantErr: []string{
			"labels.file: open testdata/does_not_exist.yaml: no such file or directory",
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_labels_file"), wantErr: []string{
			`labels.file: queries[0].relevant: "kb-101": grade -1 must be a finite number >= 0`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestUnknownKeyIsRefused(t *testing.T) {
	conf, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := conf.Sub("retrieval_quality/custom")
	require.NoError(t, err)
	require.NoError(t, sub.Merge(confmap.NewFromStringMap(map[string]any{"lexical": map[string]any{"ngram": 3}})))
	cfg := NewFactory().CreateDefaultConfig()
	err = sub.Unmarshal(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ngram")
}
