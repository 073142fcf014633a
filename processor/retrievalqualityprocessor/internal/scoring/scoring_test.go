package scoring

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/irmetrics"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/labels"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/lexical"
)

func f(v float64) *float64 { return &v }

func opts() Options {
	return Options{Lexical: lexical.DefaultOptions(), Thresholds: map[string]Threshold{
		DocumentCount: {PoorBelow: f(1)},
		Groundedness:  {PoorBelow: f(0.5)},
		NDCGAtK:       {PoorBelow: f(0.5)},
	}}
}

func doc(id string, score float64, content string) genai.Document {
	return genai.Document{ID: id, Score: score, HasScore: true, Content: content}
}

const query = "How do I reset the password on my account?"

// A retrieval that found the right document, ranked it first with a clear
// margin, and whose answer quotes it.
var goodRetrieval = Input{
	Retrieval: genai.Retrieval{Query: query, Documents: []genai.Document{
		doc("kb-101", 0.92, "Password resets are done from the account settings page: choose Security, then Reset password."),
		doc("kb-108", 0.61, "Your account password must be at least twelve characters long."),
		doc("kb-109", 0.55, "Two-factor authentication protects the account after a password reset."),
	}},
	Answer:    "Password resets are done from the account settings page: choose Security, then Reset password.",
	HasAnswer: true,
}

// A retrieval of near-identical scores, off-topic and repeated documents,
// and an answer that none of them supports.
var poorRetrieval = Input{
	Retrieval: genai.Retrieval{Query: query, Documents: []genai.Document{
		doc("kb-106", 0.41, "Office plants are watered on Tuesdays by the facilities team."),
		doc("kb-106", 0.40, "Office plants are watered on Tuesdays by the facilities team."),
		doc("kb-107", 0.40, "office plants are WATERED on tuesdays by the facilities team"),
	}},
	Answer:    "Contact the helpdesk hotline and an operator will regenerate your credentials.",
	HasAnswer: true,
}

func value(t *testing.T, r Result, name string) float64 {
	t.Helper()
	s, ok := r.Get(name)
	require.True(t, ok, "score %s missing", name)
	return s.Value
}

func TestLabelFreeScoresOrderAGoodRetrievalAboveAPoorOne(t *testing.T) {
	s := NewScorer(opts())
	good := s.Score(goodRetrieval)
	poor := s.Score(poorRetrieval)

	higherIsBetter := []string{TopScore, ScoreSpread, ScoreGap, LexicalRelevance, QueryCoverage, Groundedness, ContextUtilization}
	for _, name := range higherIsBetter {
		assert.Greater(t, value(t, good, name), value(t, poor, name), name)
	}
	assert.Equal(t, 0.0, value(t, good, DuplicateDocuments))
	// kb-106 twice (same id) and kb-107 (same text, other id).
	assert.Equal(t, 2.0, value(t, poor, DuplicateDocuments))
	assert.Equal(t, 3.0, value(t, good, DocumentCount))
	assert.InDelta(t, 0.92-0.55, value(t, good, ScoreSpread), 1e-12)
	assert.InDelta(t, 0.92-0.61, value(t, good, ScoreGap), 1e-12)
	assert.Equal(t, 1.0, value(t, good, Groundedness))
	assert.Equal(t, 0.0, value(t, poor, Groundedness))
	assert.Equal(t, []string{"kb-101"}, good.DocumentsUsed)
	assert.Equal(t, []string{}, poor.DocumentsUsed)
	require.Len(t, good.DocumentRelevance, 3)
	assert.Greater(t, good.DocumentRelevance[0], good.DocumentRelevance[1])
	assert.Equal(t, []float64{0, 0, 0}, poor.DocumentRelevance)

	assert.Equal(t, Good, good.Label)
	assert.Equal(t, Poor, poor.Label)
	sc, _ := poor.Get(Groundedness)
	assert.Equal(t, Poor, sc.Label)
	sc, _ = poor.Get(LexicalRelevance)
	assert.Empty(t, sc.Label, "no threshold, no label")

	// Without labels, no ranking metric.
	for _, name := range []string{HitRateAtK, MRRAtK, PrecisionAtK, RecallAtK, NDCGAtK} {
		_, ok := good.Get(name)
		assert.False(t, ok, name)
	}
	assert.Zero(t, good.K)
}

func TestRankingMetricsWithLabels(t *testing.T) {
	in := goodRetrieval
	in.Labels = labels.Grades{"kb-109": 1}
	in.LabelsSource = "span"
	r := NewScorer(opts()).Score(in)
	// kb-109 at rank 3 of 3: RR 1/3, P@3 1/3, R@3 1, nDCG 1/log2(4) = 0.5.
	assert.Equal(t, 3, r.K)
	assert.Equal(t, 1.0, value(t, r, HitRateAtK))
	assert.InDelta(t, 1.0/3, value(t, r, MRRAtK), 1e-12)
	assert.InDelta(t, 1.0/3, value(t, r, PrecisionAtK), 1e-12)
	assert.Equal(t, 1.0, value(t, r, RecallAtK))
	assert.InDelta(t, 0.5, value(t, r, NDCGAtK), 1e-12)
	sc, _ := r.Get(NDCGAtK)
	assert.Equal(t, Good, sc.Label, "0.5 is not below 0.5")
}

func TestCutoff(t *testing.T) {
	in := goodRetrieval
	in.Labels = labels.Grades{"kb-109": 1}
	// The span's requested top_k comes before the list length.
	in.Retrieval.TopK = 2
	r := NewScorer(opts()).Score(in)
	assert.Equal(t, 2, r.K)
	assert.Equal(t, 0.0, value(t, r, HitRateAtK))
	assert.Equal(t, Poor, r.Label, "nDCG 0 < 0.5")
	// The configured k comes first.
	o := opts()
	o.K = 10
	r = NewScorer(o).Score(in)
	assert.Equal(t, 10, r.K)
	assert.InDelta(t, 0.1, value(t, r, PrecisionAtK), 1e-12)
}

func TestLabelsWithoutARelevantDocumentGiveNoRankingMetrics(t *testing.T) {
	in := goodRetrieval
	in.Labels = labels.Grades{"kb-101": 0}
	r := NewScorer(opts()).Score(in)
	_, ok := r.Get(NDCGAtK)
	assert.False(t, ok)
}

func TestEmptyRetrieval(t *testing.T) {
	r := NewScorer(opts()).Score(Input{Retrieval: genai.Retrieval{Query: query}, Answer: "an answer", HasAnswer: true, Labels: labels.Grades{"a": 1}})
	assert.Equal(t, 0.0, value(t, r, DocumentCount))
	assert.Equal(t, 0.0, value(t, r, NDCGAtK))
	assert.Equal(t, 0, r.K, "no top_k and no documents: cutoff 0")
	for _, name := range []string{TopScore, ScoreSpread, ScoreGap, LexicalRelevance, QueryCoverage, Groundedness, ContextUtilization} {
		_, ok := r.Get(name)
		assert.False(t, ok, name)
	}
	assert.Equal(t, Poor, r.Label, "no document is a poor retrieval")
}

func TestDocumentsWithoutTextGetNoLexicalScores(t *testing.T) {
	in := Input{Retrieval: genai.Retrieval{Query: query, Documents: []genai.Document{{ID: "a", Score: 0.5, HasScore: true}, {ID: "b"}}}, Answer: "x y z", HasAnswer: true}
	r := NewScorer(opts()).Score(in)
	for _, name := range []string{LexicalRelevance, QueryCoverage, Groundedness, ContextUtilization, ScoreSpread, ScoreGap} {
		_, ok := r.Get(name)
		assert.False(t, ok, name)
	}
	assert.Equal(t, 0.5, value(t, r, TopScore))
	assert.Nil(t, r.DocumentsUsed)
}

func TestWithoutAnswerNoGroundedness(t *testing.T) {
	in := goodRetrieval
	in.HasAnswer = false
	r := NewScorer(opts()).Score(in)
	_, ok := r.Get(Groundedness)
	assert.False(t, ok)
	assert.Nil(t, r.DocumentsUsed)
	assert.False(t, r.HasAnswer)
}

func TestDocumentsUsedWithoutIDsAreNamedByIndex(t *testing.T) {
	in := goodRetrieval
	in.Retrieval.Documents = []genai.Document{{Content: "unrelated text about plants"}, {Content: goodRetrieval.Answer}}
	r := NewScorer(opts()).Score(in)
	assert.Equal(t, []string{"#1"}, r.DocumentsUsed)
}

func TestDistanceScoresGiveAPositiveGap(t *testing.T) {
	in := Input{Retrieval: genai.Retrieval{Documents: []genai.Document{doc("a", 0.1, ""), doc("b", 0.35, "")}}}
	r := NewScorer(opts()).Score(in)
	assert.InDelta(t, 0.25, value(t, r, ScoreGap), 1e-12)
}

func TestThresholdLabel(t *testing.T) {
	assert.Equal(t, Poor, Threshold{PoorBelow: f(0.5)}.Label(0.49))
	assert.Equal(t, Good, Threshold{PoorBelow: f(0.5)}.Label(0.5))
	assert.Equal(t, Poor, Threshold{PoorAbove: f(0)}.Label(1))
	assert.Equal(t, Good, Threshold{PoorAbove: f(0)}.Label(0))
	assert.Empty(t, Threshold{}.Label(3))
}

func TestGainOption(t *testing.T) {
	in := goodRetrieval
	in.Labels = labels.Grades{"kb-108": 2, "kb-101": 1}
	lin := NewScorer(opts()).Score(in)
	o := opts()
	o.Gain = irmetrics.GainExponential
	exp := NewScorer(o).Score(in)
	// Linear: DCG = 1 + 2/log2(3) = 2.2618595, IDCG = 2 + 1/log2(3) = 2.6309298 → 0.8597.
	// Exponential: DCG = 1 + 3/log2(3) = 2.8927893, IDCG = 3 + 1/log2(3) = 3.6309298 → 0.7967.
	assert.InDelta(t, 2.2618595071429146/2.6309297535714573, value(t, lin, NDCGAtK), 1e-9)
	assert.InDelta(t, 2.892789260714372/3.6309297535714573, value(t, exp, NDCGAtK), 1e-9)
}

func TestWrite(t *testing.T) {
	span := ptrace.NewSpan()
	span.SetEndTimestamp(1234)
	in := goodRetrieval
	in.Labels = labels.Grades{"kb-101": 1}
	in.LabelsSource = "file"
	r := NewScorer(opts()).Score(in)
	assert.False(t, Scored(span))
	Write(span, r)
	assert.True(t, Scored(span))

	require.Equal(t, len(r.Scores), span.Events().Len())
	for i, s := range r.Scores {
		ev := span.Events().At(i)
		assert.Equal(t, genai.EventEvaluationResult, ev.Name())
		assert.EqualValues(t, 1234, ev.Timestamp())
		name, _ := ev.Attributes().Get(genai.AttrEvaluationName)
		assert.Equal(t, "retrieval."+s.Name, name.Str())
		v, _ := ev.Attributes().Get(genai.AttrEvaluationScoreVal)
		assert.Equal(t, s.Value, v.Double())
		lbl, hasLabel := ev.Attributes().Get(genai.AttrEvaluationScoreLbl)
		assert.Equal(t, s.Label != "", hasLabel)
		if hasLabel {
			assert.Equal(t, s.Label, lbl.Str())
		}
		av, ok := span.Attributes().Get(ValueAttr(s.Name))
		require.True(t, ok)
		assert.Equal(t, s.Value, av.Double())
	}
	a := span.Attributes().AsRaw()
	assert.Equal(t, "good", a["gen_ai.retrieval.evaluation.label"])
	assert.Equal(t, "good", a["gen_ai.retrieval.evaluation.ndcg_at_k.label"])
	assert.Equal(t, int64(3), a["gen_ai.retrieval.evaluation.k"])
	assert.Equal(t, true, a["gen_ai.retrieval.evaluation.answer_found"])
	assert.Equal(t, "file", a["gen_ai.retrieval.evaluation.labels_source"])
	assert.Equal(t, []any{"kb-101"}, a["gen_ai.retrieval.evaluation.documents_used"])
	assert.Len(t, a["gen_ai.retrieval.evaluation.document_relevance"], 3)
}
