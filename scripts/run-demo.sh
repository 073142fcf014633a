#!/usr/bin/env bash
# The local demo: starts bin/otelcol-ai on examples/local/config.yaml, waits for
# its health endpoint, then feeds it with the demo load generator. Stop with
# Ctrl-C, or set DEMO_DURATION (e.g. 30s) to stop on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEMO_OTLP_PORT=${DEMO_OTLP_PORT:-4317}
export DEMO_HEALTH_PORT=${DEMO_HEALTH_PORT:-13133}
export DEMO_VERBOSITY=${DEMO_VERBOSITY:-basic}
export DEMO_SUMMARY_PORT=${DEMO_SUMMARY_PORT:-4319}
export DEMO_DCGM_PORT=${DEMO_DCGM_PORT:-9400}
duration=${DEMO_DURATION:-}

go build -o bin/genai-loadgen ./cmd/genai-loadgen
go build -o bin/dcgm-fixture-server ./cmd/dcgm-fixture-server
go build -o bin/demo-summary ./cmd/demo-summary

pids=()
cleanup() {
  # Last started, first stopped: the collector flushes into the summary,
  # which prints a final report when it stops.
  for ((i=${#pids[@]}-1; i>=0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

# A dcgm-exporter page (an 8-GPU H100 node with MIG) for the dcgm receiver.
bin/dcgm-fixture-server --addr "127.0.0.1:${DEMO_DCGM_PORT}" &
pids+=("$!")

# The demo's backend: prints what comes out of the collector every 10 seconds.
bin/demo-summary --listen "127.0.0.1:${DEMO_SUMMARY_PORT}" --every "${DEMO_SUMMARY_EVERY:-10s}" &
pids+=("$!")

bin/otelcol-ai --config examples/local/config.yaml &
collector=$!
pids+=("$collector")

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:${DEMO_HEALTH_PORT}/" >/dev/null 2>&1; then break; fi
  kill -0 "$collector" 2>/dev/null || { echo "collector exited during start" >&2; exit 1; }
  sleep 0.2
done
echo "== otelcol-ai is healthy: http://127.0.0.1:${DEMO_HEALTH_PORT}/"

bin/genai-loadgen --endpoint "127.0.0.1:${DEMO_OTLP_PORT}" --interval 2s ${duration:+--duration "$duration"} &
loadgen=$!
pids+=("$loadgen")

if [ -n "$duration" ]; then
  wait "$loadgen"
  sleep 3
else
  wait "$collector"
fi
