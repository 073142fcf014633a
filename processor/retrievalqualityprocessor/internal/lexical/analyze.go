package lexical

import "math"

// Method selects how a document's relevance to the query is measured.
type Method uint8

const (
	// BM25 scores with Okapi BM25 whose document frequencies come from the
	// retrieved set itself, divided by its upper bound for the query.
	BM25 Method = iota
	// TermOverlap is the share of distinct query terms found in the document.
	TermOverlap
)

// Options tune the analysis.
type Options struct {
	Method Method
	// K1 and B are BM25's term-frequency saturation and length
	// normalisation (1.2 and 0.75 are the usual values).
	K1, B float64
	// NGram is the length, in words, of the answer n-grams looked up in the
	// retrieved text.
	NGram int
	// UsedMinShare is the share of the answer's n-grams a document must
	// contain to count as used by the answer (at least one n-gram).
	UsedMinShare float64
}

// DefaultOptions are BM25 (k1 1.2, b 0.75), word trigrams, and 10% of the
// answer's trigrams to count a document as used.
func DefaultOptions() Options {
	return Options{Method: BM25, K1: 1.2, B: 0.75, NGram: 3, UsedMinShare: 0.1}
}

// Analysis is what the text of a retrieval says about its quality.
type Analysis struct {
	// HasContent is false when no document carried any text: the lexical
	// scores below are then meaningless and left at zero.
	HasContent bool
	// QueryTerms is the number of distinct query words that are not stop
	// words; relevance and coverage need at least one.
	QueryTerms int
	// Relevance of each document to the query, in [0, 1], in list order.
	Relevance     []float64
	MeanRelevance float64
	// QueryCoverage is the share of query terms found in any document.
	QueryCoverage float64
	// AnswerNGrams is the number of distinct n-grams of the answer (those of
	// stop words only are left out); 0 means no groundedness.
	AnswerNGrams int
	// Groundedness is the share of those n-grams found in the retrieved text.
	Groundedness float64
	// Used marks the documents the answer drew on; nil without an answer.
	Used []bool
	// ContentHash identifies each document's token sequence (0 when empty),
	// to find documents retrieved twice under different ids.
	ContentHash []uint64
}

// Analyzer holds scratch space between analyses; it is not safe for
// concurrent use.
type Analyzer struct {
	opts   Options
	buf    []byte
	toks   []token
	answer []token
	// per query term: document frequency and, per document, frequency.
	queryIdx u64map
	df       []int
	tf       []int // len(docs) × len(query terms)
	dl       []int
	// answer n-grams: index by hash, and the last document that matched.
	ngramIdx  u64map
	ngramSeen []int
	found     []bool
	docHits   []int
}

// NewAnalyzer returns an analyzer with the given options; a non-positive
// NGram means 3.
func NewAnalyzer(opts Options) *Analyzer {
	if opts.NGram <= 0 {
		opts.NGram = 3
	}
	return &Analyzer{opts: opts}
}

// Analyze scores the documents' text against the query and, when answer is
// not empty, the answer against the documents.
func (a *Analyzer) Analyze(query string, docs []string, answer string) Analysis {
	res := Analysis{ContentHash: make([]uint64, len(docs))}

	// Query terms: distinct, without stop words.
	a.toks, a.buf = tokenize(query, a.toks[:0], a.buf)
	a.queryIdx.reset(len(a.toks))
	for _, t := range a.toks {
		if !t.stop {
			a.queryIdx.add(t.hash)
		}
	}
	nq := a.queryIdx.len()
	res.QueryTerms = nq

	// Answer n-grams.
	a.answer = a.answer[:0]
	if answer != "" {
		a.answer, a.buf = tokenize(answer, a.answer[:0], a.buf)
	}
	a.ngramIdx.reset(len(a.answer))
	if n := min(a.opts.NGram, len(a.answer)); n > 0 {
		for i := 0; i+n <= len(a.answer); i++ {
			if h, ok := ngramHash(a.answer[i : i+n]); ok {
				a.ngramIdx.add(h)
			}
		}
	}
	na := a.ngramIdx.len()
	res.AnswerNGrams = na
	a.ngramSeen = resize(a.ngramSeen, na)
	a.found = resizeBool(a.found, na)
	a.docHits = resize(a.docHits, len(docs))
	a.df = resize(a.df, nq)
	a.tf = resize(a.tf, nq*len(docs))
	a.dl = resize(a.dl, len(docs))
	n := min(a.opts.NGram, len(a.answer))

	totalLen := 0
	for d, text := range docs {
		a.toks, a.buf = tokenize(text, a.toks[:0], a.buf)
		if len(a.toks) > 0 {
			res.HasContent = true
		}
		h := uint64(fnvOffset)
		for _, t := range a.toks {
			h = mix(h, t.hash)
			if t.stop {
				continue
			}
			a.dl[d]++
			if qi, ok := a.queryIdx.get(t.hash); ok {
				if a.tf[d*nq+qi] == 0 {
					a.df[qi]++
				}
				a.tf[d*nq+qi]++
			}
		}
		if len(a.toks) > 0 {
			res.ContentHash[d] = h | 1
		}
		totalLen += a.dl[d]
		if na == 0 {
			continue
		}
		for i := 0; i+n <= len(a.toks); i++ {
			g, ok := ngramHash(a.toks[i : i+n])
			if !ok {
				continue
			}
			gi, ok := a.ngramIdx.get(g)
			if !ok || a.ngramSeen[gi] == d+1 {
				continue
			}
			a.ngramSeen[gi] = d + 1
			a.found[gi] = true
			a.docHits[d]++
		}
	}
	if !res.HasContent {
		return res
	}

	if nq > 0 && len(docs) > 0 {
		res.Relevance = make([]float64, len(docs))
		covered := 0
		for qi := range nq {
			if a.df[qi] > 0 {
				covered++
			}
		}
		res.QueryCoverage = float64(covered) / float64(nq)
		switch a.opts.Method {
		case TermOverlap:
			for d := range docs {
				hit := 0
				for qi := range nq {
					if a.tf[d*nq+qi] > 0 {
						hit++
					}
				}
				res.Relevance[d] = float64(hit) / float64(nq)
			}
		default:
			a.bm25(res.Relevance, len(docs), nq, totalLen)
		}
		sum := 0.0
		for _, r := range res.Relevance {
			sum += r
		}
		res.MeanRelevance = sum / float64(len(docs))
	}

	if na > 0 {
		found := 0
		for _, f := range a.found {
			if f {
				found++
			}
		}
		res.Groundedness = float64(found) / float64(na)
		need := max(1, int(math.Ceil(a.opts.UsedMinShare*float64(na)-1e-9)))
		res.Used = make([]bool, len(docs))
		for d := range docs {
			res.Used[d] = a.docHits[d] >= need
		}
	}
	return res
}

// bm25 writes each document's BM25 score divided by the query's upper bound
// sum(idf × (k1+1)), which a document reaches only as every term's frequency
// grows without limit; a document holding each query term once at average
// length scores 1/(k1+1).
func (a *Analyzer) bm25(out []float64, ndocs, nq, totalLen int) {
	if totalLen == 0 {
		return
	}
	k1, b := a.opts.K1, a.opts.B
	avgdl := float64(totalLen) / float64(ndocs)
	bound := 0.0
	idf := make([]float64, nq)
	for qi := range nq {
		df := float64(a.df[qi])
		// Lucene's IDF, positive even for a term in every document.
		idf[qi] = math.Log(1 + (float64(ndocs)-df+0.5)/(df+0.5))
		bound += idf[qi] * (k1 + 1)
	}
	for d := range ndocs {
		norm := k1 * (1 - b + b*float64(a.dl[d])/avgdl)
		s := 0.0
		for qi := range nq {
			tf := float64(a.tf[d*nq+qi])
			if tf == 0 {
				continue
			}
			s += idf[qi] * tf * (k1 + 1) / (tf + norm)
		}
		out[d] = s / bound
	}
}

// ngramHash combines the hashes of a window of tokens; windows of stop
// words only ("of the", "it is a") say nothing about the source and are
// skipped.
func ngramHash(window []token) (uint64, bool) {
	h := uint64(fnvOffset)
	content := false
	for _, t := range window {
		h = mix(h, t.hash)
		content = content || !t.stop
	}
	return h, content
}

// mix folds a token hash into a sequence hash, order-sensitive.
func mix(h, t uint64) uint64 {
	h = (h ^ t) * 0x9e3779b97f4a7c15
	return h ^ h>>29
}

func resize(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func resizeBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	s = s[:n]
	clear(s)
	return s
}
