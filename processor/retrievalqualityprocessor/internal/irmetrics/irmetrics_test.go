package irmetrics

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Discounts used in the hand computations below: 1/log2(i+1) for rank i.
//
//	rank 1: 1/log2(2) = 1
//	rank 2: 1/log2(3) = 0.6309297536
//	rank 3: 1/log2(4) = 0.5
//	rank 4: 1/log2(5) = 0.4306765581
var d2 = 1 / math.Log2(3)

func ids(names ...string) []Item {
	out := make([]Item, len(names))
	for i, n := range names {
		out[i] = Item{ID: n}
	}
	return out
}

func scored(pairs ...any) []Item {
	var out []Item
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, Item{ID: pairs[i].(string), Score: pairs[i+1].(float64), HasScore: true})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		ranked []Item
		rel    Relevance
		k      int
		gain   Gain
		want   Result
	}{
		{
			// The only relevant document is at rank 1: every metric is
			// perfect except precision, which is 1 relevant / k=3.
			name: "relevant first", ranked: ids("a", "b", "c"), rel: Relevance{"a": 1}, k: 3,
			want: Result{K: 3, HitRate: 1, MRR: 1, Precision: 1.0 / 3, Recall: 1, NDCG: 1},
		},
		{
			// Rank 2: RR = 1/2; DCG = 1/log2(3); IDCG = 1 (one relevant at rank 1).
			name: "relevant second", ranked: ids("a", "b", "c"), rel: Relevance{"b": 1}, k: 3,
			want: Result{K: 3, HitRate: 1, MRR: 0.5, Precision: 1.0 / 3, Recall: 1, NDCG: d2},
		},
		{
			// Grades a=1, c=2, x=3 (x never retrieved); top 3 = a b c.
			// hits = 2 → P@3 = 2/3, R@3 = 2/3 (3 relevant in the labels).
			// DCG = 1/1 + 0 + 2/log2(4) = 1 + 1 = 2.
			// IDCG over the expected set = 3/1 + 2/log2(3) + 1/log2(4)
			//      = 3 + 1.2618595071 + 0.5 = 4.7618595071.
			// nDCG = 2 / 4.7618595071 = 0.4200039915.
			name: "graded relevance with a relevant document never retrieved", ranked: ids("a", "b", "c", "d"),
			rel: Relevance{"a": 1, "c": 2, "x": 3}, k: 3,
			want: Result{K: 3, HitRate: 1, MRR: 1, Precision: 2.0 / 3, Recall: 2.0 / 3, NDCG: 0.42000399150792816},
		},
		{
			// Same with gain 2^g - 1: DCG = 1/1 + 3/2 = 2.5;
			// IDCG = 7/1 + 3/log2(3) + 1/2 = 7 + 1.8927892607 + 0.5 = 9.3927892607;
			// nDCG = 2.5 / 9.3927892607 = 0.2661616194.
			name: "exponential gain", ranked: ids("a", "b", "c", "d"),
			rel: Relevance{"a": 1, "c": 2, "x": 3}, k: 3, gain: GainExponential,
			want: Result{K: 3, HitRate: 1, MRR: 1, Precision: 2.0 / 3, Recall: 2.0 / 3, NDCG: 0.2661616193664992},
		},
		{
			// k=5 beyond a list of 2: precision still divides by 5 → 1/5.
			// IDCG@5 of one relevant = 1, so nDCG = DCG = 1/log2(3).
			name: "k beyond the list", ranked: ids("a", "b"), rel: Relevance{"b": 1}, k: 5,
			want: Result{K: 5, HitRate: 1, MRR: 0.5, Precision: 0.2, Recall: 1, NDCG: d2},
		},
		{
			// Three relevant, only b retrieved at rank 2, k=5.
			// P@5 = 1/5, R@5 = 1/3, DCG = 1/log2(3) = 0.6309297536,
			// IDCG@5 = 1 + 0.6309297536 + 0.5 = 2.1309297536,
			// nDCG = 0.6309297536 / 2.1309297536 = 0.2960819110.
			name: "k beyond the list with more relevant than retrieved", ranked: ids("a", "b"),
			rel: Relevance{"b": 1, "y": 1, "z": 1}, k: 5,
			want: Result{K: 5, HitRate: 1, MRR: 0.5, Precision: 0.2, Recall: 1.0 / 3, NDCG: 0.2960819109658652},
		},
		{
			// The relevant document is at rank 3, outside k=2: all zero.
			name: "relevant below the cutoff", ranked: ids("a", "b", "c"), rel: Relevance{"c": 1}, k: 2,
			want: Result{K: 2},
		},
		{
			name: "empty results", ranked: nil, rel: Relevance{"a": 1}, k: 5,
			want: Result{K: 5},
		},
		{
			name: "cutoff zero", ranked: ids("a"), rel: Relevance{"a": 1}, k: 0,
			want: Result{K: 0},
		},
		{
			// a appears twice; the repeat gains nothing: hits = 1 → P@3 = 1/3.
			name: "repeated id counts once", ranked: ids("a", "a", "b"), rel: Relevance{"a": 1}, k: 3,
			want: Result{K: 3, HitRate: 1, MRR: 1, Precision: 1.0 / 3, Recall: 1, NDCG: 1},
		},
		{
			// Documents without an id cannot match a label.
			name: "documents without ids", ranked: ids("", "b"), rel: Relevance{"b": 1}, k: 2,
			want: Result{K: 2, HitRate: 1, MRR: 0.5, Precision: 0.5, Recall: 1, NDCG: d2},
		},
		{
			// Tie group {b, c} (both 0.5) at ranks 2-3 straddles k=2, c relevant.
			// Over the 2 orders of the group:
			//   expected hits in top 2 = 1 relevant × 1 slot / 2 = 0.5
			//   → P@2 = 0.5/2 = 0.25, R@2 = 0.5/1 = 0.5;
			//   hit = 1 - C(1,1)/C(2,1) = 1 - 1/2 = 0.5;
			//   RR = P(c at rank 2) × 1/2 = 1/2 × 1/2 = 0.25;
			//   DCG = mean gain 0.5 × 1/log2(3) = 0.3154648768, IDCG = 1.
			name: "tie straddling the cutoff", ranked: scored("a", 0.9, "b", 0.5, "c", 0.5), rel: Relevance{"c": 1}, k: 2,
			want: Result{K: 2, HitRate: 0.5, MRR: 0.25, Precision: 0.25, Recall: 0.5, NDCG: 0.5 * d2},
		},
		{
			// All three tied, b relevant, k=3: b is at rank 1, 2 or 3 with
			// probability 1/3 each.
			//   RR = (1 + 1/2 + 1/3)/3 = 11/18;
			//   DCG = (1/3)(1 + 0.6309297536 + 0.5) = 0.7103099179, IDCG = 1.
			name: "whole list tied", ranked: scored("a", 0.8, "b", 0.8, "c", 0.8), rel: Relevance{"b": 1}, k: 3,
			want: Result{K: 3, HitRate: 1, MRR: 11.0 / 18, Precision: 1.0 / 3, Recall: 1, NDCG: (1 + d2 + 0.5) / 3},
		},
		{
			// x (0.9) alone, then {a, b, c} tied at 0.5 with a and b relevant, k=2.
			// Rank 2 is one slot of the group: relevant with probability 2/3.
			//   expected hits = 2 × 1/3 = 2/3 → P@2 = 1/3, R@2 = 1/3;
			//   hit = 1 - C(1,1)/C(3,1) = 2/3;
			//   RR = 2/3 × 1/2 = 1/3;
			//   DCG = 2/3 × 1/log2(3) = 0.4206198357,
			//   IDCG@2 = 1 + 1/log2(3) = 1.6309297536, nDCG = 0.2579018715.
			name: "tie with two relevant straddling the cutoff", ranked: scored("x", 0.9, "a", 0.5, "b", 0.5, "c", 0.5),
			rel: Relevance{"a": 1, "b": 1}, k: 2,
			want: Result{K: 2, HitRate: 2.0 / 3, MRR: 1.0 / 3, Precision: 1.0 / 3, Recall: 1.0 / 3, NDCG: 0.25790187148969435},
		},
		{
			// Equal scores tie; absent scores do not (list order stands).
			// Tied: a and b at 0.5, b relevant, k=1: every metric is halved.
			name: "equal scores at rank 1", ranked: scored("a", 0.5, "b", 0.5), rel: Relevance{"b": 1}, k: 1,
			want: Result{K: 1, HitRate: 0.5, MRR: 0.5, Precision: 0.5, Recall: 0.5, NDCG: 0.5},
		},
		{
			name: "no scores means no ties", ranked: ids("a", "b"), rel: Relevance{"b": 1}, k: 1,
			want: Result{K: 1},
		},
		{
			// A grade-0 label is a judged non-relevant document.
			name: "grade zero is not relevant", ranked: ids("a", "b"), rel: Relevance{"a": 0, "b": 2}, k: 2,
			want: Result{K: 2, HitRate: 1, MRR: 0.5, Precision: 0.5, Recall: 1, NDCG: d2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Evaluate(tt.ranked, tt.rel, tt.k, tt.gain)
			require.True(t, ok)
			assert.Equal(t, tt.want.K, got.K)
			assert.InDelta(t, tt.want.HitRate, got.HitRate, 1e-9, "hit rate")
			assert.InDelta(t, tt.want.MRR, got.MRR, 1e-9, "MRR")
			assert.InDelta(t, tt.want.Precision, got.Precision, 1e-9, "precision")
			assert.InDelta(t, tt.want.Recall, got.Recall, 1e-9, "recall")
			assert.InDelta(t, tt.want.NDCG, got.NDCG, 1e-9, "nDCG")
		})
	}
}

func TestEvaluateWithoutRelevantLabels(t *testing.T) {
	for name, rel := range map[string]Relevance{
		"nil":            nil,
		"empty":          {},
		"only grade 0":   {"a": 0},
		"negative grade": {"a": -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, ok := Evaluate(ids("a"), rel, 3, GainLinear)
			assert.False(t, ok)
		})
	}
}

// The tie-aware values equal the mean over every order of the tie group,
// computed here by brute force over all permutations.
func TestTiesEqualTheMeanOverPermutations(t *testing.T) {
	ranked := scored("p", 0.9, "a", 0.4, "b", 0.4, "c", 0.4, "d", 0.4, "q", 0.1)
	rel := Relevance{"b": 2, "d": 1, "q": 3}
	for k := 1; k <= 7; k++ {
		for _, gain := range []Gain{GainLinear, GainExponential} {
			got, ok := Evaluate(ranked, rel, k, gain)
			require.True(t, ok)
			var sum Result
			perms := permutations([]Item{ranked[1], ranked[2], ranked[3], ranked[4]})
			for _, p := range perms {
				list := append([]Item{{ID: "p"}}, p...)
				list = append(list, Item{ID: "q"})
				r, _ := Evaluate(list, rel, k, gain) // no scores: no ties
				sum.HitRate += r.HitRate
				sum.MRR += r.MRR
				sum.Precision += r.Precision
				sum.Recall += r.Recall
				sum.NDCG += r.NDCG
			}
			n := float64(len(perms))
			assert.InDelta(t, sum.HitRate/n, got.HitRate, 1e-9, "hit rate k=%d", k)
			assert.InDelta(t, sum.MRR/n, got.MRR, 1e-9, "MRR k=%d", k)
			assert.InDelta(t, sum.Precision/n, got.Precision, 1e-9, "precision k=%d", k)
			assert.InDelta(t, sum.Recall/n, got.Recall, 1e-9, "recall k=%d", k)
			assert.InDelta(t, sum.NDCG/n, got.NDCG, 1e-9, "nDCG k=%d", k)
		}
	}
}

func permutations(items []Item) [][]Item {
	if len(items) <= 1 {
		return [][]Item{append([]Item(nil), items...)}
	}
	var out [][]Item
	for i := range items {
		rest := append(append([]Item(nil), items[:i]...), items[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]Item{{ID: items[i].ID}}, p...))
		}
	}
	return out
}

func TestMetricsStayInRange(t *testing.T) {
	ranked := scored("a", 1.0, "b", 1.0, "c", 0.5, "a", 0.5, "d", 0.1)
	rel := Relevance{"a": 3, "c": 1, "d": 2, "e": 1}
	for k := 0; k < 8; k++ {
		got, ok := Evaluate(ranked, rel, k, GainExponential)
		require.True(t, ok)
		for name, v := range map[string]float64{"hit": got.HitRate, "mrr": got.MRR, "p": got.Precision, "r": got.Recall, "ndcg": got.NDCG} {
			assert.True(t, v >= 0 && v <= 1+1e-12, "%s@%d = %v", name, k, v)
		}
	}
}
