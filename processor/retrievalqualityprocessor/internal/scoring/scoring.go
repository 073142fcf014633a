// Package scoring turns a retrieval, its answer and its relevance labels into
// named scores, labels each score good or poor against its threshold, and
// writes the result onto the retrieval span as gen_ai.evaluation.result
// events and as attributes.
package scoring

import (
	"math"
	"strconv"
	"sync"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/irmetrics"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/labels"
	"github.com/otelcol-ai/otelcol-ai/processor/retrievalqualityprocessor/internal/lexical"
)

// Score names. The evaluation name on the event is "retrieval." + name.
const (
	DocumentCount      = "document_count"
	TopScore           = "top_score"
	ScoreSpread        = "score_spread"
	ScoreGap           = "score_gap"
	DuplicateDocuments = "duplicate_documents"
	LexicalRelevance   = "lexical_relevance"
	QueryCoverage      = "query_coverage"
	Groundedness       = "groundedness"
	ContextUtilization = "context_utilization"
	HitRateAtK         = "hit_rate_at_k"
	MRRAtK             = "mrr_at_k"
	PrecisionAtK       = "precision_at_k"
	RecallAtK          = "recall_at_k"
	NDCGAtK            = "ndcg_at_k"
)

// Names lists every score in the order it is written.
var Names = []string{
	DocumentCount, TopScore, ScoreSpread, ScoreGap, DuplicateDocuments,
	LexicalRelevance, QueryCoverage, Groundedness, ContextUtilization,
	HitRateAtK, MRRAtK, PrecisionAtK, RecallAtK, NDCGAtK,
}

// Label values.
const (
	Good = "good"
	Poor = "poor"
)

// Attribute names written on the retrieval span. The GenAI conventions define
// the evaluation event but no span attributes for its results, so these are
// this project's names, under gen_ai.retrieval.evaluation.
const (
	EvaluationPrefix      = "retrieval."
	AttrPrefix            = "gen_ai.retrieval.evaluation."
	AttrLabel             = AttrPrefix + "label"
	AttrK                 = AttrPrefix + "k"
	AttrAnswerFound       = AttrPrefix + "answer_found"
	AttrLabelsSource      = AttrPrefix + "labels_source"
	AttrDocumentRelevance = AttrPrefix + "document_relevance"
	AttrDocumentsUsed     = AttrPrefix + "documents_used"
	AttrError             = AttrPrefix + "error"
)

// ValueAttr and LabelAttr name the attributes of one score.
func ValueAttr(name string) string { return AttrPrefix + name + ".value" }

// LabelAttr names the good/poor attribute of a score.
func LabelAttr(name string) string { return AttrPrefix + name + ".label" }

// Threshold turns a score into a label: poor when the value is below
// PoorBelow or above PoorAbove. Neither set means the score gets no label.
type Threshold struct {
	PoorBelow *float64
	PoorAbove *float64
}

// Label returns good, poor, or "" when the threshold is empty.
func (t Threshold) Label(v float64) string {
	switch {
	case t.PoorBelow != nil:
		if v < *t.PoorBelow {
			return Poor
		}
		return Good
	case t.PoorAbove != nil:
		if v > *t.PoorAbove {
			return Poor
		}
		return Good
	}
	return ""
}

// Options configure scoring.
type Options struct {
	// K is the cutoff of the ranking metrics; 0 takes the span's requested
	// top_k, or else the number of documents retrieved.
	K          int
	Gain       irmetrics.Gain
	Lexical    lexical.Options
	Thresholds map[string]Threshold
}

// Input is one retrieval to score.
type Input struct {
	Retrieval genai.Retrieval
	Answer    string
	HasAnswer bool
	// Labels are the relevance labels of the query, nil when there are none;
	// LabelsSource says where they came from (span, file).
	Labels       labels.Grades
	LabelsSource string
}

// Score is one named value with its label ("" when it has no threshold).
type Score struct {
	Name  string
	Value float64
	Label string
}

// Result is everything known about one retrieval.
type Result struct {
	Scores []Score
	// K is the cutoff used, 0 when no ranking metric was computed.
	K int
	// DocumentRelevance is the lexical relevance of each document in order.
	DocumentRelevance []float64
	// DocumentsUsed lists the documents the answer drew on, by id (or
	// "#index" for documents without one); nil without an answer.
	DocumentsUsed []string
	HasAnswer     bool
	LabelsSource  string
	// Label is poor when any labelled score is poor, good when all are
	// good, "" when no score has a threshold.
	Label string
}

// Get returns a score by name.
func (r Result) Get(name string) (Score, bool) {
	for _, s := range r.Scores {
		if s.Name == name {
			return s, true
		}
	}
	return Score{}, false
}

// Scorer scores retrievals; it is safe for concurrent use.
type Scorer struct {
	opts      Options
	analyzers sync.Pool
}

// NewScorer returns a scorer.
func NewScorer(opts Options) *Scorer {
	s := &Scorer{opts: opts}
	s.analyzers.New = func() any { return lexical.NewAnalyzer(opts.Lexical) }
	return s
}

// Score computes every score the input allows.
func (s *Scorer) Score(in Input) Result {
	docs := in.Retrieval.Documents
	res := Result{HasAnswer: in.HasAnswer, LabelsSource: in.LabelsSource}
	add := func(name string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		res.Scores = append(res.Scores, Score{Name: name, Value: v, Label: s.opts.Thresholds[name].Label(v)})
	}

	add(DocumentCount, float64(len(docs)))
	var scores []float64
	for _, d := range docs {
		if d.HasScore {
			scores = append(scores, d.Score)
		}
	}
	if len(scores) > 0 {
		add(TopScore, scores[0])
	}
	if len(scores) > 1 {
		lo, hi := scores[0], scores[0]
		for _, v := range scores[1:] {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		add(ScoreSpread, hi-lo)
		// Absolute, so that distances (lower is better) read the same.
		add(ScoreGap, math.Abs(scores[0]-scores[1]))
	}

	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Content
	}
	answer := ""
	if in.HasAnswer {
		answer = in.Answer
	}
	an := s.analyzers.Get().(*lexical.Analyzer)
	lex := an.Analyze(in.Retrieval.Query, texts, answer)
	s.analyzers.Put(an)

	add(DuplicateDocuments, float64(duplicates(docs, lex.ContentHash)))
	if lex.Relevance != nil {
		add(LexicalRelevance, lex.MeanRelevance)
		add(QueryCoverage, lex.QueryCoverage)
		res.DocumentRelevance = lex.Relevance
	}
	if lex.Used != nil && len(docs) > 0 {
		add(Groundedness, lex.Groundedness)
		used := 0
		res.DocumentsUsed = []string{}
		for i, u := range lex.Used {
			if !u {
				continue
			}
			used++
			id := docs[i].ID
			if id == "" {
				id = "#" + strconv.Itoa(i)
			}
			res.DocumentsUsed = append(res.DocumentsUsed, id)
		}
		add(ContextUtilization, float64(used)/float64(len(docs)))
	}

	if len(in.Labels) > 0 {
		k := s.opts.K
		if k <= 0 {
			k = int(min(in.Retrieval.TopK, math.MaxInt32))
		}
		if k <= 0 {
			k = len(docs)
		}
		ranked := make([]irmetrics.Item, len(docs))
		for i, d := range docs {
			ranked[i] = irmetrics.Item{ID: d.ID, Score: d.Score, HasScore: d.HasScore}
		}
		if m, ok := irmetrics.Evaluate(ranked, irmetrics.Relevance(in.Labels), k, s.opts.Gain); ok {
			res.K = m.K
			add(HitRateAtK, m.HitRate)
			add(MRRAtK, m.MRR)
			add(PrecisionAtK, m.Precision)
			add(RecallAtK, m.Recall)
			add(NDCGAtK, m.NDCG)
		}
	}

	for _, sc := range res.Scores {
		switch sc.Label {
		case Poor:
			res.Label = Poor
		case Good:
			if res.Label == "" {
				res.Label = Good
			}
		}
	}
	return res
}

// duplicates counts documents that repeat an earlier one: the same id, or
// the same text under another id.
func duplicates(docs []genai.Document, hashes []uint64) int {
	n := 0
	ids := make(map[string]struct{}, len(docs))
	texts := make(map[uint64]struct{}, len(docs))
	for i, d := range docs {
		dup := false
		if d.ID != "" {
			if _, ok := ids[d.ID]; ok {
				dup = true
			}
			ids[d.ID] = struct{}{}
		}
		if h := hashes[i]; h != 0 {
			if _, ok := texts[h]; ok {
				dup = true
			}
			texts[h] = struct{}{}
		}
		if dup {
			n++
		}
	}
	return n
}

// Scored reports whether the span already carries this processor's scores
// (a second gateway tier, or a replay), so that it is not scored twice.
func Scored(span ptrace.Span) bool {
	_, ok := span.Attributes().Get(ValueAttr(DocumentCount))
	return ok
}

// Write adds one gen_ai.evaluation.result event per score and the score
// attributes to the span. Events are stamped with the span's end time.
func Write(span ptrace.Span, r Result) {
	at := span.EndTimestamp()
	if at == 0 {
		at = span.StartTimestamp()
	}
	events := span.Events()
	events.EnsureCapacity(events.Len() + len(r.Scores))
	attrs := span.Attributes()
	for _, s := range r.Scores {
		ev := events.AppendEmpty()
		ev.SetName(genai.EventEvaluationResult)
		ev.SetTimestamp(at)
		ea := ev.Attributes()
		ea.PutStr(genai.AttrEvaluationName, EvaluationPrefix+s.Name)
		ea.PutDouble(genai.AttrEvaluationScoreVal, s.Value)
		if s.Label != "" {
			ea.PutStr(genai.AttrEvaluationScoreLbl, s.Label)
		}
		attrs.PutDouble(ValueAttr(s.Name), s.Value)
		if s.Label != "" {
			attrs.PutStr(LabelAttr(s.Name), s.Label)
		}
	}
	if r.Label != "" {
		attrs.PutStr(AttrLabel, r.Label)
	}
	if r.K > 0 {
		attrs.PutInt(AttrK, int64(r.K))
	}
	attrs.PutBool(AttrAnswerFound, r.HasAnswer)
	if r.LabelsSource != "" {
		attrs.PutStr(AttrLabelsSource, r.LabelsSource)
	}
	if r.DocumentRelevance != nil {
		s := attrs.PutEmptySlice(AttrDocumentRelevance)
		s.EnsureCapacity(len(r.DocumentRelevance))
		for _, v := range r.DocumentRelevance {
			s.AppendEmpty().SetDouble(v)
		}
	}
	if r.DocumentsUsed != nil {
		s := attrs.PutEmptySlice(AttrDocumentsUsed)
		for _, id := range r.DocumentsUsed {
			s.AppendEmpty().SetStr(id)
		}
	}
}
