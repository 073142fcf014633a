package genai

// Attribute names of the OpenTelemetry GenAI semantic conventions.
const (
	AttrOperationName                 = "gen_ai.operation.name"
	AttrProviderName                  = "gen_ai.provider.name"
	AttrRequestModel                  = "gen_ai.request.model"
	AttrResponseModel                 = "gen_ai.response.model"
	AttrUsageInputTokens              = "gen_ai.usage.input_tokens"
	AttrUsageOutputTokens             = "gen_ai.usage.output_tokens"
	AttrUsageCacheReadInputTokens     = "gen_ai.usage.cache_read.input_tokens"
	AttrUsageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens"
	AttrUsageReasoningOutputTokens    = "gen_ai.usage.reasoning.output_tokens"
	AttrInputMessages                 = "gen_ai.input.messages"
	AttrOutputMessages                = "gen_ai.output.messages"
	AttrSystemInstructions            = "gen_ai.system_instructions"
	AttrToolCallArguments             = "gen_ai.tool.call.arguments"
	AttrToolCallResult                = "gen_ai.tool.call.result"
	AttrRetrievalQueryText            = "gen_ai.retrieval.query.text"
	AttrRetrievalDocuments            = "gen_ai.retrieval.documents"
	AttrDataSourceID                  = "gen_ai.data_source.id"
	AttrRequestTopK                   = "gen_ai.request.top_k"
	AttrConversationID                = "gen_ai.conversation.id"

	// Evaluation results (event gen_ai.evaluation.result).
	EventEvaluationResult   = "gen_ai.evaluation.result"
	AttrEvaluationName      = "gen_ai.evaluation.name"
	AttrEvaluationScoreVal  = "gen_ai.evaluation.score.value"
	AttrEvaluationScoreLbl  = "gen_ai.evaluation.score.label"
	AttrEvaluationExplained = "gen_ai.evaluation.explanation"

	// Cost of a request, as proposed for the GenAI conventions.
	AttrUsageCostAmount   = "gen_ai.usage.cost.amount"
	AttrUsageCostCurrency = "gen_ai.usage.cost.currency"
	AttrUsageCostSource   = "gen_ai.usage.cost.source"

	// Relevance labels of a retrieval: the documents that should have been
	// retrieved, set by an evaluation harness. Not in the conventions; this
	// project's name.
	AttrRetrievalExpectedDocuments = "gen_ai.retrieval.expected_documents"
)

// Older GenAI attribute names, still emitted by many instrumentations.
const (
	AttrSystem                = "gen_ai.system"
	AttrUsagePromptTokens     = "gen_ai.usage.prompt_tokens"
	AttrUsageCompletionTokens = "gen_ai.usage.completion_tokens"
	AttrPrompt                = "gen_ai.prompt"
	AttrCompletion            = "gen_ai.completion"
	// OpenLLMetry's cache counters.
	AttrUsageCacheReadInputTokensLegacy     = "gen_ai.usage.cache_read_input_tokens"
	AttrUsageCacheCreationInputTokensLegacy = "gen_ai.usage.cache_creation_input_tokens"
)

// OpenInference attribute names.
const (
	AttrOISpanKind                  = "openinference.span.kind"
	AttrOIInputValue                = "input.value"
	AttrOIOutputValue               = "output.value"
	AttrOIModelName                 = "llm.model_name"
	AttrOIProvider                  = "llm.provider"
	AttrOISystem                    = "llm.system"
	AttrOITokenPrompt               = "llm.token_count.prompt"
	AttrOITokenCompletion           = "llm.token_count.completion"
	AttrOITokenPromptCacheRead      = "llm.token_count.prompt_details.cache_read"
	AttrOITokenPromptCacheWrite     = "llm.token_count.prompt_details.cache_write"
	AttrOITokenCompletionReasoning  = "llm.token_count.completion_details.reasoning"
	OISpanKindLLM                   = "LLM"
	OISpanKindRetriever             = "RETRIEVER"
	oiInputMessagesPrefix           = "llm.input_messages."
	oiOutputMessagesPrefix          = "llm.output_messages."
	oiRetrievalDocumentsPrefix      = "retrieval.documents."
	openLLMetryQueryResultEvent     = "db.query.result"
	openLLMetryQueryResultID        = "db.query.result.id"
	openLLMetryQueryResultScore     = "db.query.result.score"
	openLLMetryQueryResultDocument  = "db.query.result.document"
	openLLMetryEntityInput          = "traceloop.entity.input"
	openLLMetryQueryText            = "db.query.text"
	openLLMetryVectorQueryTopK      = "db.vector.query.top_k"
	legacyPromptPrefix              = "gen_ai.prompt."
	legacyCompletionPrefix          = "gen_ai.completion."
	legacyChoiceEvent               = "gen_ai.choice"
	semconvOperationRetrieval       = "retrieval"
	semconvInferenceDetailsEvent    = "gen_ai.client.inference.operation.details"
	openLLMetryRetrieverSpanKindKey = "traceloop.span.kind"
)

// Shape names the convention a value was read from.
type Shape uint8

const (
	ShapeNone Shape = iota
	// ShapeSemconv is the current GenAI semantic conventions.
	ShapeSemconv
	// ShapeSemconvLegacy is the older gen_ai.* names (gen_ai.system,
	// gen_ai.usage.prompt_tokens, gen_ai.prompt, gen_ai.prompt.N.*).
	ShapeSemconvLegacy
	// ShapeOpenInference is Arize OpenInference (llm.*, input.value, ...).
	ShapeOpenInference
	// ShapeOpenLLMetry is Traceloop OpenLLMetry's db.query.result events.
	ShapeOpenLLMetry
)

func (s Shape) String() string {
	switch s {
	case ShapeSemconv:
		return "semconv"
	case ShapeSemconvLegacy:
		return "semconv_legacy"
	case ShapeOpenInference:
		return "openinference"
	case ShapeOpenLLMetry:
		return "openllmetry"
	}
	return "none"
}
