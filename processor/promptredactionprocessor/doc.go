// Package promptredactionprocessor finds personal data and secrets in GenAI
// prompts, responses, tool calls and retrieved documents, and masks,
// pseudonymizes or drops them before telemetry leaves the collector.
package promptredactionprocessor
