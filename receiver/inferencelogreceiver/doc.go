// Package inferencelogreceiver provides the inference_log receiver: it tails the
// logs of vLLM, Text Generation Inference, llama.cpp, SGLang, Ollama and Triton
// with the contrib file consumer, unwraps container runtime logs, groups
// multi-line records, and turns every line into a log record and the numbers the
// servers print into metrics.
package inferencelogreceiver // import "github.com/otelcol-ai/otelcol-ai/receiver/inferencelogreceiver"
