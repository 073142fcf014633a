package lexical

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func words(t *testing.T, s string) []string {
	t.Helper()
	// Rebuild the words from the hashes by tokenizing each candidate on its own.
	toks, _ := tokenize(s, nil, nil)
	var out []string
	for _, tok := range toks {
		out = append(out, lookup(tok.hash))
	}
	return out
}

var dictionary = map[uint64]string{}

func lookup(h uint64) string {
	if w, ok := dictionary[h]; ok {
		return w
	}
	return "?"
}

func init() {
	for _, w := range strings.Fields("password reset reset done from the account setting page policy phone tree class status analysi doe 123 x9 日 本 ünïcode this s don t user thi") {
		dictionary[fnv([]byte(w))] = w
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Password resets, done from the Account-Settings page!", "password reset done from the account setting page"},
		{"policies phones trees classes? status", "policy phone tree ? status"},
		{"123 X9", "123 x9"},
		{"日本", "日 本"},
		{"ÜNÏCODE", "ünïcode"},
		{"don't user's", "don t user s"},
		{"this", "this"}, // a stop word is not stemmed to "thi"... in the stop check
	}
	for _, tt := range tests {
		got := strings.Join(words(t, tt.in), " ")
		if tt.in == "this" {
			toks, _ := tokenize(tt.in, nil, nil)
			require.Len(t, toks, 1)
			assert.True(t, toks[0].stop)
			continue
		}
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestStopWords(t *testing.T) {
	toks, _ := tokenize("How do I reset my password", nil, nil)
	var content []string
	for _, tk := range toks {
		if !tk.stop {
			content = append(content, lookup(tk.hash))
		}
	}
	assert.Equal(t, []string{"reset", "password"}, content)
}

func analyze(opts Options, query string, docs []string, answer string) Analysis {
	return NewAnalyzer(opts).Analyze(query, docs, answer)
}

func overlap() Options { o := DefaultOptions(); o.Method = TermOverlap; return o }

func TestRelevanceOrdersOnTopicAboveOffTopic(t *testing.T) {
	query := "How do I reset my password?"
	docs := []string{
		"To reset your password open the account settings and choose Reset password.",
		"The account settings page lists your devices and your password hint.",
		"Office plants are watered on Tuesdays by the facilities team.",
	}
	for name, opts := range map[string]Options{"bm25": DefaultOptions(), "term_overlap": overlap()} {
		t.Run(name, func(t *testing.T) {
			a := analyze(opts, query, docs, "")
			require.Len(t, a.Relevance, 3)
			assert.Greater(t, a.Relevance[0], a.Relevance[1], "both terms, reset twice > one term")
			assert.Greater(t, a.Relevance[1], a.Relevance[2], "one term > none")
			assert.Zero(t, a.Relevance[2])
			assert.Equal(t, 2, a.QueryTerms)
			assert.Equal(t, 1.0, a.QueryCoverage)
			for _, r := range a.Relevance {
				assert.True(t, r >= 0 && r <= 1)
			}
		})
	}
}

func TestBM25Values(t *testing.T) {
	// N=2, df(reset)=1: idf = ln(1 + (2-1+0.5)/(1+0.5)) = ln 2.
	// dl = 2 for both (stop words excluded), avgdl = 2, tf = 1:
	//   score = idf × 1 × 2.2 / (1 + 1.2 × (0.25 + 0.75 × 2/2)) = idf
	//   bound = idf × 2.2 → relevance = 1/2.2 = 0.4545454545.
	a := analyze(DefaultOptions(), "reset", []string{"reset password", "plants water"}, "")
	assert.InDelta(t, 1/2.2, a.Relevance[0], 1e-12)
	assert.Zero(t, a.Relevance[1])

	// d1 = "reset reset password" (dl 3, tf 2), d2 = "plants" (dl 1), avgdl 2:
	//   norm = 1.2 × (0.25 + 0.75 × 3/2) = 1.65
	//   score = idf × 2 × 2.2 / (2 + 1.65) = idf × 1.2054794521
	//   relevance = 1.2054794521 / 2.2 = 0.5479452055.
	a = analyze(DefaultOptions(), "reset", []string{"reset reset password", "plants"}, "")
	assert.InDelta(t, 4.4/3.65/2.2, a.Relevance[0], 1e-12)
	// Mean over the two documents.
	assert.InDelta(t, 4.4/3.65/2.2/2, a.MeanRelevance, 1e-12)
}

func TestBM25WeighsRareTermsAboveCommonOnes(t *testing.T) {
	// "gpu" is in every document, "regions" in one: the document with the
	// rare term is the more relevant one, which term overlap cannot tell.
	docs := []string{"gpu regions list", "gpu drivers list", "gpu memory list"}
	a := analyze(DefaultOptions(), "gpu regions", docs, "")
	assert.Greater(t, a.Relevance[0], a.Relevance[1])
	assert.Equal(t, a.Relevance[1], a.Relevance[2])
	// By hand: N = 3, every document 3 words long (avgdl 3, so the length
	// norm is k1 = 1.2) and tf = 1, so each term found scores its idf:
	//   idf(gpu)     = ln(1 + (3-3+0.5)/(3+0.5)) = ln(8/7)
	//   idf(regions) = ln(1 + (3-1+0.5)/(1+0.5)) = ln(8/3)
	//   bound = (ln(8/7) + ln(8/3)) × 2.2
	// d1 holds both terms: 1/2.2; d2 holds "gpu" only.
	bound := (math.Log(8.0/7) + math.Log(8.0/3)) * 2.2
	assert.InDelta(t, 1/2.2, a.Relevance[0], 1e-12)
	assert.InDelta(t, math.Log(8.0/7)/bound, a.Relevance[1], 1e-12)
	o := analyze(overlap(), "gpu regions", docs, "")
	// Term overlap: 2/2 and 1/2.
	assert.Equal(t, []float64{1, 0.5, 0.5}, o.Relevance)
}

func TestQueryCoverage(t *testing.T) {
	tests := []struct {
		query string
		docs  []string
		want  float64
	}{
		{"refund annual plan", []string{"annual plans are refunded", "a refund is prorated"}, 1},
		{"refund annual plan gpu", []string{"annual plans", "refund"}, 0.75},
		{"refund annual plan", []string{"office plants"}, 0},
	}
	for _, tt := range tests {
		a := analyze(DefaultOptions(), tt.query, tt.docs, "")
		assert.InDelta(t, tt.want, a.QueryCoverage, 1e-12, tt.query)
	}
}

func TestGroundedness(t *testing.T) {
	docs := []string{
		"Password resets are done from the account settings page: choose Security, then Reset password.",
		"Refunds for annual plans are prorated for the unused months.",
		"The GPU cluster runs in us-east-1 and eu-west-1.",
	}
	query := "reset password"
	copied := analyze(DefaultOptions(), query, docs, "According to the knowledge base: Password resets are done from the account settings page.")
	mixed := analyze(DefaultOptions(), query, docs, "Password resets are done from the account settings page, and the GPU cluster runs in eu-west-1.")
	invented := analyze(DefaultOptions(), query, docs, "Call the helpdesk hotline and ask an operator to regenerate credentials manually.")

	// The preamble ("according to the knowledge base") is not in the
	// documents, so the copied answer is grounded only in part.
	assert.Greater(t, copied.Groundedness, invented.Groundedness)
	assert.Less(t, copied.Groundedness, 1.0)
	assert.Greater(t, mixed.Groundedness, invented.Groundedness)
	assert.Zero(t, invented.Groundedness)
	assert.Equal(t, []bool{true, false, false}, copied.Used)
	assert.Equal(t, []bool{true, false, true}, mixed.Used)
	assert.Equal(t, []bool{false, false, false}, invented.Used)

	// Every trigram of an answer copied word for word is found.
	exact := analyze(DefaultOptions(), query, docs, docs[1])
	assert.Equal(t, 1.0, exact.Groundedness)
	assert.Equal(t, []bool{false, true, false}, exact.Used)
}

func TestGroundednessHandValue(t *testing.T) {
	// Answer "alpha beta gamma delta" → trigrams [alpha beta gamma], [beta gamma delta].
	// The document holds "alpha beta gamma" only: 1 of 2 → 0.5.
	a := analyze(DefaultOptions(), "alpha", []string{"alpha beta gamma epsilon"}, "alpha beta gamma delta")
	assert.Equal(t, 2, a.AnswerNGrams)
	assert.Equal(t, 0.5, a.Groundedness)
	// With bigrams: [alpha beta] [beta gamma] [gamma delta] → 2 of 3.
	o := DefaultOptions()
	o.NGram = 2
	a = analyze(o, "alpha", []string{"alpha beta gamma epsilon"}, "alpha beta gamma delta")
	assert.InDelta(t, 2.0/3, a.Groundedness, 1e-12)
}

func TestShortAnswerUsesShorterNGrams(t *testing.T) {
	a := analyze(DefaultOptions(), "region", []string{"the cluster runs in eu-west-1"}, "eu-west-1")
	// "eu west 1" is exactly three tokens.
	assert.Equal(t, 1, a.AnswerNGrams)
	assert.Equal(t, 1.0, a.Groundedness)
	a = analyze(DefaultOptions(), "region", []string{"the cluster runs in europe"}, "Europe")
	assert.Equal(t, 1, a.AnswerNGrams)
	assert.Equal(t, 1.0, a.Groundedness)
}

func TestStopWordNGramsAreIgnored(t *testing.T) {
	a := analyze(DefaultOptions(), "x", []string{"it is in the of"}, "it is in the of")
	assert.Zero(t, a.AnswerNGrams)
	assert.Nil(t, a.Used)
}

func TestUsedMinShare(t *testing.T) {
	// Answer of 10 trigrams; doc 0 holds 1 of them, doc 1 holds the rest.
	answer := "one two three four five six seven eight nine ten eleven twelve"
	docs := []string{"one two three", "two three four five six seven eight nine ten eleven twelve"}
	o := DefaultOptions()
	o.UsedMinShare = 0.2 // needs 2 of 10
	a := analyze(o, "x", docs, answer)
	assert.Equal(t, 10, a.AnswerNGrams)
	assert.Equal(t, []bool{false, true}, a.Used)
	o.UsedMinShare = 0.1 // needs 1
	a = analyze(o, "x", docs, answer)
	assert.Equal(t, []bool{true, true}, a.Used)
}

func TestWithoutContentOrQueryTerms(t *testing.T) {
	a := analyze(DefaultOptions(), "reset password", []string{"", ""}, "some answer text")
	assert.False(t, a.HasContent)
	assert.Nil(t, a.Relevance)
	assert.Zero(t, a.Groundedness)

	a = analyze(DefaultOptions(), "what is it?", []string{"something"}, "")
	assert.True(t, a.HasContent)
	assert.Zero(t, a.QueryTerms)
	assert.Nil(t, a.Relevance)

	a = analyze(DefaultOptions(), "reset", nil, "answer")
	assert.False(t, a.HasContent)
}

func TestContentHashFindsTheSameTextUnderAnotherID(t *testing.T) {
	a := analyze(DefaultOptions(), "x", []string{"Reset your password.", "reset YOUR password", "reset your passwords!", "your password reset", ""}, "")
	assert.Equal(t, a.ContentHash[0], a.ContentHash[1])
	assert.Equal(t, a.ContentHash[0], a.ContentHash[2], "plural stemmed")
	assert.NotEqual(t, a.ContentHash[0], a.ContentHash[3], "order matters")
	assert.Zero(t, a.ContentHash[4])
	assert.NotZero(t, a.ContentHash[0])
}

func TestAnalyzerReuseGivesTheSameResult(t *testing.T) {
	an := NewAnalyzer(DefaultOptions())
	docs := []string{"reset password page", "office plants"}
	first := an.Analyze("reset password", docs, "reset password page now")
	an.Analyze("gpu cluster regions", []string{"a", "b", "c", "d"}, "a long answer about nothing in particular")
	an.Analyze("q", nil, "")
	again := an.Analyze("reset password", docs, "reset password page now")
	assert.Equal(t, first, again)
}

func TestNoNaN(t *testing.T) {
	for _, docs := range [][]string{{""}, {"the of"}, {"x"}} {
		for _, q := range []string{"", "the", "x"} {
			a := analyze(DefaultOptions(), q, docs, "the of x")
			for _, v := range append([]float64{a.MeanRelevance, a.QueryCoverage, a.Groundedness}, a.Relevance...) {
				assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "q=%q docs=%q", q, docs)
			}
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	f.Add("How do I reset my password?", "Reset your password from the settings page.", "Open settings, then reset.", 3)
	f.Add("日本の首都", "東京は日本の首都です", "東京", 2)
	f.Add("", "", "", 0)
	f.Add("ies es s", "aies eies oes us ss", "\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, query, doc, answer string, n int) {
		o := DefaultOptions()
		o.NGram = n % 8
		docs := []string{doc, answer, doc + " " + query}
		a := NewAnalyzer(o).Analyze(query, docs, answer)
		for _, v := range append([]float64{a.MeanRelevance, a.QueryCoverage, a.Groundedness}, a.Relevance...) {
			if math.IsNaN(v) || v < 0 || v > 1+1e-9 {
				t.Fatalf("score out of range: %v (%+v)", v, a)
			}
		}
	})
}
