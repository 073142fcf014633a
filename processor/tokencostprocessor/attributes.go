package tokencostprocessor

// Attributes this processor writes besides gen_ai.usage.cost.amount,
// gen_ai.usage.cost.currency and gen_ai.usage.cost.source (internal/genai).
// No semantic convention exists for them; the names extend the proposed
// gen_ai.usage.cost.* namespace.
const (
	// attrCostUnpriced holds why an item got no cost (see reason in
	// metadata.yaml).
	attrCostUnpriced = "gen_ai.usage.cost.unpriced"

	// Breakdown (breakdown: true): USD per billed part; only parts with
	// tokens are written.
	attrCostInput         = "gen_ai.usage.cost.input"
	attrCostCacheRead     = "gen_ai.usage.cost.cache_read"
	attrCostCacheCreation = "gen_ai.usage.cost.cache_creation"
	attrCostOutput        = "gen_ai.usage.cost.output"
	attrCostReasoning     = "gen_ai.usage.cost.reasoning"
	// The table entry used ("anthropic/claude-sonnet-4-5"), the date of its
	// price, and the long-context tier threshold when one applied.
	attrCostPricingEntry = "gen_ai.usage.cost.pricing.entry"
	attrCostPricingDate  = "gen_ai.usage.cost.pricing.date"
	attrCostPricingTier  = "gen_ai.usage.cost.pricing.tier_above_input_tokens"

	currencyUSD = "USD"
	sourceLocal = "local"
)
