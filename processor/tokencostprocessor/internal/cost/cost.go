// Package cost turns the token usage of one request into US dollars, given the
// model's prices and the provider's counting semantics.
//
// Providers count tokens differently, and pricing a request correctly means
// splitting the reported counts into disjoint billed parts first:
//
//   - OpenAI, DeepSeek and Gemini report an input (prompt) count that already
//     contains the cached tokens; Anthropic's input_tokens excludes both cache
//     reads and cache writes.
//   - OpenAI and DeepSeek count reasoning tokens inside the output count;
//     Gemini's candidate count excludes the thinking tokens.
//
// Semantics says which of these hold for a request; Split applies it, and
// Compute prices the parts. Adding a cached or reasoning count on top of a
// total that already contains it would be double counting.
package cost

import (
	"github.com/otelcol-ai/otelcol-ai/internal/genai"
)

// PerMillion: all prices are USD per 1M tokens, as providers publish them.
const PerMillion = 1_000_000.0

// Rates are the prices of one model (or of one long-context tier of it), in
// USD per 1M tokens, with every fallback already applied: a model without a
// cache read price bills cached tokens at its input price, and so on.
type Rates struct {
	Input      float64
	Output     float64
	CacheRead  float64
	CacheWrite float64 // the default (short, 5-minute) cache write
	// CacheWrite1h is the price of a 1-hour cache write (Anthropic's extended
	// TTL); it equals CacheWrite where the provider does not distinguish.
	CacheWrite1h float64
	// Reasoning is the price of reasoning (thinking) output tokens; it equals
	// Output unless the provider prices them differently.
	Reasoning float64
}

// Tier is a long-context price band: when a request's prompt (uncached input
// plus cache reads plus cache writes) is above AboveInputTokens, every token
// of the request is billed at Rates.
type Tier struct {
	AboveInputTokens int64
	Rates            Rates
}

// Price is a model's base rates and its long-context tiers, in ascending order
// of threshold.
type Price struct {
	Base  Rates
	Tiers []Tier
}

// CacheTTL is the lifetime of the cache entries a provider writes by default.
type CacheTTL uint8

const (
	// CacheTTL5m: Anthropic's default ephemeral cache (1.25× input).
	CacheTTL5m CacheTTL = iota
	// CacheTTL1h: Anthropic's extended cache (2× input).
	CacheTTL1h
)

// Semantics says how a provider's (or an instrumentation's) counts relate.
type Semantics struct {
	// InputIncludesCacheRead: the input count already contains the tokens
	// read from the cache (OpenAI, Gemini, DeepSeek; OpenInference and the
	// current GenAI semantic conventions ask instrumentations for this).
	InputIncludesCacheRead bool
	// InputIncludesCacheCreation: the input count already contains the tokens
	// written to the cache.
	InputIncludesCacheCreation bool
	// OutputIncludesReasoning: the output count already contains the
	// reasoning tokens (OpenAI, DeepSeek, Anthropic's thinking).
	OutputIncludesReasoning bool
	// CacheWriteTTL selects which cache write price applies.
	CacheWriteTTL CacheTTL
}

// Tokens are the billed parts of a request; they are disjoint, so the sum of
// parts is the number of tokens billed.
type Tokens struct {
	Input      int64 // uncached input
	CacheRead  int64
	CacheWrite int64
	Output     int64 // output without reasoning
	Reasoning  int64
}

// Prompt is every input-side token: what long-context tiers are judged on.
func (t Tokens) Prompt() int64 { return t.Input + t.CacheRead + t.CacheWrite }

// Inconsistency flags a count that contradicts the declared semantics.
type Inconsistency uint8

const (
	// CacheExceedsInput: the semantics say input includes the cached
	// tokens, yet the cached tokens outnumber the input. The counts can only
	// be disjoint, and are priced so.
	CacheExceedsInput Inconsistency = 1 << iota
	// ReasoningExceedsOutput: the semantics say output includes reasoning,
	// yet reasoning outnumbers output; they are priced as disjoint.
	ReasoningExceedsOutput
)

// Split divides the reported usage into disjoint billed parts. Counts that
// were not reported are zero.
func Split(u genai.Usage, s Semantics) (Tokens, Inconsistency) {
	var t Tokens
	var bad Inconsistency
	t.CacheRead = u.CacheReadInputTokens
	t.CacheWrite = u.CacheCreationInputTokens
	t.Input = u.InputTokens
	var inside int64
	if s.InputIncludesCacheRead {
		inside += t.CacheRead
	}
	if s.InputIncludesCacheCreation {
		inside += t.CacheWrite
	}
	if inside > t.Input {
		bad |= CacheExceedsInput
	} else {
		t.Input -= inside
	}

	t.Reasoning = u.ReasoningOutputTokens
	t.Output = u.OutputTokens
	if s.OutputIncludesReasoning {
		if t.Reasoning > t.Output {
			bad |= ReasoningExceedsOutput
		} else {
			t.Output -= t.Reasoning
		}
	}
	return t, bad
}

// Result is the price of one request.
type Result struct {
	Tokens Tokens
	// USD per part, and their sum.
	Input, CacheRead, CacheWrite, Output, Reasoning float64
	Total                                           float64
	// Tier is 0 for the base rates, i for Price.Tiers[i-1].
	Tier int
	// Inconsistent is non-zero when the counts contradicted the semantics.
	Inconsistent Inconsistency
}

// Compute prices usage u at price p under semantics s.
func Compute(u genai.Usage, p Price, s Semantics) Result {
	t, bad := Split(u, s)
	r := Result{Tokens: t, Inconsistent: bad}
	rates := p.Base
	prompt := t.Prompt()
	for i, tier := range p.Tiers {
		if prompt > tier.AboveInputTokens {
			rates = tier.Rates
			r.Tier = i + 1
		}
	}
	write := rates.CacheWrite
	if s.CacheWriteTTL == CacheTTL1h {
		write = rates.CacheWrite1h
	}
	r.Input = float64(t.Input) * rates.Input / PerMillion
	r.CacheRead = float64(t.CacheRead) * rates.CacheRead / PerMillion
	r.CacheWrite = float64(t.CacheWrite) * write / PerMillion
	r.Output = float64(t.Output) * rates.Output / PerMillion
	r.Reasoning = float64(t.Reasoning) * rates.Reasoning / PerMillion
	r.Total = r.Input + r.CacheRead + r.CacheWrite + r.Output + r.Reasoning
	return r
}
