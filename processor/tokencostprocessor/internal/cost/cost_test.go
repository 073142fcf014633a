package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-ai/otelcol-ai/internal/genai"
)

var (
	inclusive = Semantics{InputIncludesCacheRead: true, InputIncludesCacheCreation: true, OutputIncludesReasoning: true}
	exclusive = Semantics{}
)

func usage(in, out, cacheRead, cacheWrite, reasoning int64) genai.Usage {
	return genai.Usage{
		InputTokens: in, OutputTokens: out, CacheReadInputTokens: cacheRead,
		CacheCreationInputTokens: cacheWrite, ReasoningOutputTokens: reasoning,
		Present: genai.FieldInput | genai.FieldOutput | genai.FieldCacheRead | genai.FieldCacheCreation | genai.FieldReasoning,
	}
}

func TestSplitInclusiveSubtractsCachedAndReasoningOnce(t *testing.T) {
	got, bad := Split(usage(1000, 500, 300, 100, 200), inclusive)
	assert.Equal(t, Tokens{Input: 600, CacheRead: 300, CacheWrite: 100, Output: 300, Reasoning: 200}, got)
	assert.Zero(t, bad)
	assert.Equal(t, int64(1000), got.Prompt(), "an inclusive input count is the whole prompt")
}

func TestSplitExclusiveKeepsCountsAsReported(t *testing.T) {
	got, bad := Split(usage(1000, 500, 300, 100, 200), exclusive)
	assert.Equal(t, Tokens{Input: 1000, CacheRead: 300, CacheWrite: 100, Output: 500, Reasoning: 200}, got)
	assert.Zero(t, bad)
	assert.Equal(t, int64(1400), got.Prompt())
}

func TestSplitFlagsCountsThatContradictTheSemantics(t *testing.T) {
	// Anthropic-style exclusive counts (input 50 < cache read 4000) declared
	// inclusive: subtracting would go negative, so they are priced disjoint.
	got, bad := Split(usage(50, 10, 4000, 0, 20), inclusive)
	assert.Equal(t, Tokens{Input: 50, CacheRead: 4000, Output: 10, Reasoning: 20}, got)
	assert.Equal(t, CacheExceedsInput|ReasoningExceedsOutput, bad)
}

func TestSplitMixedSemantics(t *testing.T) {
	// Gemini: the prompt count includes cached content, the candidate count
	// excludes thinking tokens.
	s := Semantics{InputIncludesCacheRead: true, InputIncludesCacheCreation: true}
	got, _ := Split(usage(1000, 100, 400, 0, 250), s)
	assert.Equal(t, Tokens{Input: 600, CacheRead: 400, Output: 100, Reasoning: 250}, got)
}

func TestComputeTierIsChosenOnTheWholePromptAndAppliesToEveryToken(t *testing.T) {
	p := Price{
		Base:  Rates{Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75, CacheWrite1h: 6, Reasoning: 15},
		Tiers: []Tier{{AboveInputTokens: 200_000, Rates: Rates{Input: 6, Output: 22.5, CacheRead: 0.6, CacheWrite: 7.5, CacheWrite1h: 12, Reasoning: 22.5}}},
	}
	// Exclusive counts: 150k uncached + 60k read = 210k prompt > 200k.
	r := Compute(usage(150_000, 1000, 60_000, 0, 0), p, exclusive)
	assert.Equal(t, 1, r.Tier)
	// 150000*6/1e6 = 0.9; 60000*0.6/1e6 = 0.036; 1000*22.5/1e6 = 0.0225
	assert.InDelta(t, 0.9+0.036+0.0225, r.Total, 1e-12)

	// Exactly at the threshold stays in the base band ("above" is strict).
	r = Compute(usage(200_000, 0, 0, 0, 0), p, exclusive)
	assert.Equal(t, 0, r.Tier)
	assert.InDelta(t, 0.6, r.Total, 1e-12)
}

func TestComputeCacheWriteTTL(t *testing.T) {
	p := Price{Base: Rates{Input: 3, Output: 15, CacheRead: 0.3, CacheWrite: 3.75, CacheWrite1h: 6, Reasoning: 15}}
	five := Compute(usage(0, 0, 0, 1_000_000, 0), p, exclusive)
	s := exclusive
	s.CacheWriteTTL = CacheTTL1h
	hour := Compute(usage(0, 0, 0, 1_000_000, 0), p, s)
	assert.InDelta(t, 3.75, five.Total, 1e-12)
	assert.InDelta(t, 6.0, hour.Total, 1e-12)
}

func TestComputePartsSumToTotal(t *testing.T) {
	p := Price{Base: Rates{Input: 1.1, Output: 4.4, CacheRead: 0.55, CacheWrite: 1.1, CacheWrite1h: 1.1, Reasoning: 4.4}}
	r := Compute(usage(12345, 6789, 2345, 0, 3000), p, inclusive)
	assert.InDelta(t, r.Input+r.CacheRead+r.CacheWrite+r.Output+r.Reasoning, r.Total, 1e-15)
	// 10000*1.1 + 2345*0.55 + 3789*4.4 + 3000*4.4, per 1e6
	assert.InDelta(t, (10000*1.1+2345*0.55+3789*4.4+3000*4.4)/1e6, r.Total, 1e-12)
}
