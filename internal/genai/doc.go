// Package genai reads GenAI telemetry in every shape that instrumentations
// emit: the current OpenTelemetry GenAI semantic conventions, their older forms
// (gen_ai.system, gen_ai.prompt, gen_ai.usage.prompt_tokens, indexed
// gen_ai.prompt.N.content as OpenLLMetry writes them) and OpenInference
// (llm.*, input.value, retrieval.documents.N.*). Processors ask this package
// for model, provider, usage, messages and retrieval documents and never match
// attribute names themselves, so a new shape is taught here once.
package genai
