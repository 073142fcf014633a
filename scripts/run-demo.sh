#!/usr/bin/env bash
# The local demo: starts bin/otelcol-ai on examples/local/config.yaml, waits for
# its health endpoint, then feeds it with the demo load generator. Stop with
# Ctrl-C, or set DEMO_DURATION (e.g. 30s) to stop on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEMO_OTLP_PORT=${DEMO_OTLP_PORT:-4317}
export DEMO_HEALTH_PORT=${DEMO_HEALTH_PORT:-13133}
export DEMO_VERBOSITY=${DEMO_VERBOSITY:-detailed}
export DEMO_DCGM_PORT=${DEMO_DCGM_PORT:-9400}
duration=${DEMO_DURATION:-}

go build -o bin/genai-loadgen ./cmd/genai-loadgen
go build -o bin/dcgm-fixture-server ./cmd/dcgm-fixture-server

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# A dcgm-exporter page (an 8-GPU H100 node with MIG) for the dcgm receiver.
bin/dcgm-fixture-server --addr "127.0.0.1:${DEMO_DCGM_PORT}" &
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
  sleep 2
else
  wait "$collector"
fi
