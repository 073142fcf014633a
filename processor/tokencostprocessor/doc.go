// Package tokencostprocessor prices GenAI requests from their token usage and
// self-hosted GPU time from GPU metrics; see README.md.
package tokencostprocessor // import "github.com/otelcol-ai/otelcol-ai/processor/tokencostprocessor"
