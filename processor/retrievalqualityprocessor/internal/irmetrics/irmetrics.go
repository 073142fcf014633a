// Package irmetrics computes the ranking metrics of information retrieval for
// one query: hit rate@k, reciprocal rank@k (whose mean over queries is MRR),
// precision@k, recall@k and nDCG@k with graded relevance.
//
// The definitions are the standard ones (as in trec_eval):
//   - rank is the position in the retriever's list, starting at 1;
//   - a document is relevant when its grade is above 0; a document id seen
//     earlier in the list gains nothing the second time;
//   - precision@k divides by k even when fewer than k documents came back;
//   - recall@k divides by the number of relevant documents in the labels;
//   - DCG@k = sum over ranks i <= k of gain(grade_i) / log2(i+1), and IDCG@k is
//     the DCG@k of the labels' relevant grades sorted from best to worst
//     (the ideal list is built from the expected set, not from what was
//     retrieved).
//
// Ties: documents next to each other in the list with the same retriever
// score form a tie group whose inner order means nothing. Each metric is then
// the expected value over all orders of the group (McSherry and Najork,
// "Computing information retrieval performance measures efficiently in the
// presence of tied scores", ECIR 2008), so the result does not depend on how
// the retriever happened to break the tie.
package irmetrics

import (
	"math"
	"sort"
)

// Item is one retrieved document in rank order.
type Item struct {
	ID       string
	Score    float64
	HasScore bool
}

// Relevance maps a document id to its relevance grade; grades above 0 are
// relevant, 0 marks a document judged not relevant.
type Relevance map[string]float64

// Gain turns a relevance grade into the gain of nDCG.
type Gain uint8

const (
	// GainLinear uses the grade itself (Järvelin and Kekäläinen; trec_eval).
	GainLinear Gain = iota
	// GainExponential uses 2^grade - 1 (Burges et al.), which favours the
	// highest grades more strongly.
	GainExponential
)

func (g Gain) of(grade float64) float64 {
	if grade <= 0 {
		return 0
	}
	if g == GainExponential {
		return math.Exp2(grade) - 1
	}
	return grade
}

// Result holds the metrics of one ranked list at cutoff K.
type Result struct {
	K         int
	HitRate   float64
	MRR       float64 // reciprocal rank of the first relevant document within K
	Precision float64
	Recall    float64
	NDCG      float64
}

// Relevant returns the number of relevant documents (grade above 0).
func (r Relevance) Relevant() int {
	n := 0
	for _, g := range r {
		if g > 0 {
			n++
		}
	}
	return n
}

// Evaluate computes every metric of ranked at cutoff k. ok is false when the
// labels hold no relevant document: recall and nDCG are then undefined and
// nothing is returned. A cutoff of 0 or less gives all zeros.
func Evaluate(ranked []Item, rel Relevance, k int, gain Gain) (Result, bool) {
	relevant := rel.Relevant()
	if relevant == 0 {
		return Result{}, false
	}
	res := Result{K: k}
	if k <= 0 {
		res.K = 0
		return res, true
	}
	groups := tieGroups(ranked)
	grades := gradesOf(ranked, rel)
	cut := min(k, len(ranked))

	expectedHits := 0.0 // expected number of relevant documents in the top k
	pNone := 1.0        // probability that no relevant document is in the top k
	rrDone := false
	dcg := 0.0
	for _, g := range groups {
		n := g.end - g.start
		inTop := max(0, min(g.end, cut)-g.start)
		r := 0
		gainSum := 0.0
		for i := g.start; i < g.end; i++ {
			if grades[i] > 0 {
				r++
			}
			gainSum += gain.of(grades[i])
		}
		if inTop > 0 {
			expectedHits += float64(r) * float64(inTop) / float64(n)
			pNone *= noneChosen(n, r, inTop)
			avgGain := gainSum / float64(n)
			for i := g.start; i < g.start+inTop; i++ {
				dcg += avgGain / math.Log2(float64(i)+2)
			}
		}
		if !rrDone && r > 0 {
			// The first relevant document of the whole list lies in this
			// group: its expected reciprocal rank, counting only slots
			// within the cutoff.
			res.MRR = expectedReciprocalRank(g.start, n, r, inTop)
			rrDone = true
		}
	}
	res.Precision = expectedHits / float64(k)
	res.Recall = expectedHits / float64(relevant)
	res.HitRate = 1 - pNone
	if idcg := idealDCG(rel, k, gain); idcg > 0 {
		res.NDCG = dcg / idcg
	}
	return res, true
}

type group struct{ start, end int }

// tieGroups splits the list into runs of adjacent documents with equal
// scores; documents without a score are groups of their own.
func tieGroups(ranked []Item) []group {
	var out []group
	for i := 0; i < len(ranked); {
		j := i + 1
		if ranked[i].HasScore {
			for j < len(ranked) && ranked[j].HasScore && ranked[j].Score == ranked[i].Score {
				j++
			}
		}
		out = append(out, group{i, j})
		i = j
	}
	return out
}

// gradesOf returns the grade of each position; unknown ids, empty ids and
// repeats of an id already ranked get 0.
func gradesOf(ranked []Item, rel Relevance) []float64 {
	grades := make([]float64, len(ranked))
	seen := make(map[string]struct{}, len(ranked))
	for i, it := range ranked {
		if it.ID == "" {
			continue
		}
		if _, dup := seen[it.ID]; dup {
			continue
		}
		seen[it.ID] = struct{}{}
		if g := rel[it.ID]; g > 0 {
			grades[i] = g
		}
	}
	return grades
}

// noneChosen is the probability that m slots drawn from a group of n
// documents, r of them relevant, hold no relevant one: C(n-r, m) / C(n, m).
func noneChosen(n, r, m int) float64 {
	p := 1.0
	for i := range m {
		if n-r-i <= 0 {
			return 0
		}
		p *= float64(n-r-i) / float64(n-i)
	}
	return p
}

// expectedReciprocalRank is E[1/rank] of the first relevant document of a
// group starting at 0-based position start, with n documents of which r are
// relevant, when only the first inTop slots count. The first relevant one
// sits at slot j (1-based) with probability C(n-j, r-1) / C(n, r).
func expectedReciprocalRank(start, n, r, inTop int) float64 {
	p := float64(r) / float64(n) // slot 1
	sum := 0.0
	for j := 1; j <= inTop; j++ {
		sum += p / float64(start+j)
		if n-j == 0 {
			break
		}
		p *= float64(n-j-r+1) / float64(n-j)
	}
	return sum
}

// idealDCG is the DCG@k of the relevant grades sorted from best to worst.
func idealDCG(rel Relevance, k int, gain Gain) float64 {
	grades := make([]float64, 0, len(rel))
	for _, g := range rel {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(grades)))
	idcg := 0.0
	for i := 0; i < len(grades) && i < k; i++ {
		idcg += gain.of(grades[i]) / math.Log2(float64(i)+2)
	}
	return idcg
}
