package genai

import "strings"

// ContentRole says what a content-bearing attribute holds.
type ContentRole uint8

const (
	// ContentNone: the attribute holds no prompt, response or retrieved text.
	ContentNone ContentRole = iota
	ContentInput
	ContentOutput
	ContentSystemInstructions
	ContentToolArguments
	ContentToolResult
	ContentRetrievalQuery
	ContentRetrievalDocuments
)

func (r ContentRole) String() string {
	switch r {
	case ContentInput:
		return "input"
	case ContentOutput:
		return "output"
	case ContentSystemInstructions:
		return "system_instructions"
	case ContentToolArguments:
		return "tool_arguments"
	case ContentToolResult:
		return "tool_result"
	case ContentRetrievalQuery:
		return "retrieval_query"
	case ContentRetrievalDocuments:
		return "retrieval_documents"
	}
	return "none"
}

var exactContentKeys = map[string]ContentRole{
	AttrInputMessages:               ContentInput,
	AttrOutputMessages:              ContentOutput,
	AttrSystemInstructions:          ContentSystemInstructions,
	AttrToolCallArguments:           ContentToolArguments,
	AttrToolCallResult:              ContentToolResult,
	AttrRetrievalQueryText:          ContentRetrievalQuery,
	AttrRetrievalDocuments:          ContentRetrievalDocuments,
	AttrPrompt:                      ContentInput,
	AttrCompletion:                  ContentOutput,
	AttrOIInputValue:                ContentInput,
	AttrOIOutputValue:               ContentOutput,
	"llm.prompts":                   ContentInput,
	"llm.prompt_template.template":  ContentInput,
	"llm.prompt_template.variables": ContentInput,
	"tool.parameters":               ContentToolArguments,
	openLLMetryEntityInput:          ContentInput,
	"traceloop.entity.output":       ContentOutput,
	openLLMetryQueryResultDocument:  ContentRetrievalDocuments,
	"db.query.text":                 ContentRetrievalQuery,
}

// indexedContentKeys are key templates in which each '#' stands for a decimal
// index, e.g. gen_ai.prompt.3.content.
var indexedContentKeys = []struct {
	template string
	role     ContentRole
}{
	{"gen_ai.prompt.#.content", ContentInput},
	{"gen_ai.completion.#.content", ContentOutput},
	{"gen_ai.completion.#.tool_calls.#.arguments", ContentToolArguments},
	{"gen_ai.prompt.#.tool_calls.#.arguments", ContentToolArguments},
	{"llm.input_messages.#.message.content", ContentInput},
	{"llm.output_messages.#.message.content", ContentOutput},
	{"llm.input_messages.#.message.contents.#.message_content.text", ContentInput},
	{"llm.output_messages.#.message.contents.#.message_content.text", ContentOutput},
	{"llm.input_messages.#.message.tool_calls.#.tool_call.function.arguments", ContentToolArguments},
	{"llm.output_messages.#.message.tool_calls.#.tool_call.function.arguments", ContentToolArguments},
	{"retrieval.documents.#.document.content", ContentRetrievalDocuments},
	{"reranker.input_documents.#.document.content", ContentRetrievalDocuments},
	{"reranker.output_documents.#.document.content", ContentRetrievalDocuments},
	{"llm.prompts.#", ContentInput},
	{"llm.completions.#.content", ContentOutput},
}

// ClassifyContentKey reports what an attribute key holds when it is one of the
// places instrumentations put prompts, responses, tool input/output or
// retrieved text, in any of the supported shapes; ContentNone otherwise.
func ClassifyContentKey(key string) ContentRole {
	if r, ok := exactContentKeys[key]; ok {
		return r
	}
	// Only keys with these prefixes can match a template: skip the scan for
	// the common case (http.*, service.*, ...).
	if !(strings.HasPrefix(key, "gen_ai.") || strings.HasPrefix(key, "llm.") ||
		strings.HasPrefix(key, "retrieval.") || strings.HasPrefix(key, "reranker.")) {
		return ContentNone
	}
	for _, ic := range indexedContentKeys {
		if matchIndexed(ic.template, key) {
			return ic.role
		}
	}
	return ContentNone
}

// matchIndexed matches key against a template where '#' matches one or more
// decimal digits.
func matchIndexed(template, key string) bool {
	i, j := 0, 0
	for i < len(template) {
		if template[i] == '#' {
			start := j
			for j < len(key) && key[j] >= '0' && key[j] <= '9' {
				j++
			}
			if j == start {
				return false
			}
			i++
			continue
		}
		if j >= len(key) || key[j] != template[i] {
			return false
		}
		i++
		j++
	}
	return j == len(key)
}
