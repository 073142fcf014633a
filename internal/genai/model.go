package genai

import "go.opentelemetry.io/collector/pdata/pcommon"

// Model is the model and provider of a request.
type Model struct {
	// Provider: gen_ai.provider.name, else gen_ai.system, else OpenInference's
	// llm.provider / llm.system.
	Provider string
	// Request and Response are the requested and the serving model names.
	Request  string
	Response string
}

// Name is the model that served the request: the response model when
// reported, else the requested one.
func (m Model) Name() string {
	if m.Response != "" {
		return m.Response
	}
	return m.Request
}

// ReadModel returns the model and provider found in attrs.
func ReadModel(attrs pcommon.Map) Model {
	var m Model
	m.Provider = firstStr(attrs, AttrProviderName, AttrSystem, AttrOIProvider, AttrOISystem)
	m.Request = firstStr(attrs, AttrRequestModel)
	m.Response = firstStr(attrs, AttrResponseModel)
	if m.Request == "" && m.Response == "" {
		// OpenInference reports one name, the model that answered.
		m.Response = firstStr(attrs, AttrOIModelName)
	}
	return m
}

// Operation returns gen_ai.operation.name, or the OpenInference span kind
// mapped to the GenAI operation names (LLM → chat, RETRIEVER → retrieval,
// EMBEDDING → embeddings), or "".
func Operation(attrs pcommon.Map) string {
	if op := firstStr(attrs, AttrOperationName); op != "" {
		return op
	}
	switch firstStr(attrs, AttrOISpanKind) {
	case OISpanKindLLM:
		return "chat"
	case OISpanKindRetriever:
		return semconvOperationRetrieval
	case "EMBEDDING":
		return "embeddings"
	}
	if firstStr(attrs, openLLMetryRetrieverSpanKindKey) == "retriever" {
		return semconvOperationRetrieval
	}
	return ""
}

func firstStr(attrs pcommon.Map, keys ...string) string {
	for _, k := range keys {
		if v, ok := attrs.Get(k); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
			return v.Str()
		}
	}
	return ""
}
