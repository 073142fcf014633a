// Package retrievalqualityprocessor scores retrieval (RAG) spans in the
// stream: ranking metrics against relevance labels, and label-free scores of
// what was retrieved and of how much of the answer it supports. Spans of a
// trace are paired across requests by a bounded buffer.
package retrievalqualityprocessor
