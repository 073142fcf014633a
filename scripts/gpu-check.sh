#!/usr/bin/env bash
# GPU check for the nvml receiver, on a machine with an NVIDIA GPU and driver:
# builds the collector (unless OTELCOL_AI_BIN points at one), scrapes every GPU
# once through the nvml receiver with the debug exporter, and prints its
# utilization, memory used, power and temperature next to what
# `nvidia-smi --query-gpu=... --format=csv` reports at the same moment.
# Exits 1 when a value is outside the tolerance, 2 when there is no GPU.
# With --dcgm URL it checks the dcgm receiver reading that dcgm-exporter
# instead (dcgm-exporter samples every 30 s by default: widen UTIL_TOL).
#
#   scripts/gpu-check.sh            # or: OTELCOL_AI_BIN=/path/otelcol-ai scripts/gpu-check.sh
#   scripts/gpu-check.sh --dcgm http://localhost:9400/metrics
set -euo pipefail
cd "$(dirname "$0")/.."

receiver=nvml
receiver_config="  nvml:
    collection_interval: 2s
    initial_delay: 0s"
if [ "${1:-}" = "--dcgm" ]; then
  [ -n "${2:-}" ] || { echo "usage: $0 [--dcgm http://host:9400/metrics]" >&2; exit 2; }
  receiver=dcgm
  receiver_config="  dcgm:
    endpoint: $2
    collection_interval: 2s
    initial_delay: 0s"
fi

# Tolerances: utilization and power move between two samples taken a moment
# apart; memory and temperature barely do.
UTIL_TOL=${UTIL_TOL:-15}      # percentage points
MEM_TOL_MIB=${MEM_TOL_MIB:-64}
POWER_TOL=${POWER_TOL:-0.15}  # fraction of the nvidia-smi value (plus 5 W)
TEMP_TOL=${TEMP_TOL:-3}       # degrees Celsius

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-check: nvidia-smi not found; run this on a machine with an NVIDIA GPU and driver" >&2
  exit 2
fi
nvidia-smi -L >/dev/null || { echo "gpu-check: nvidia-smi sees no GPU" >&2; exit 2; }

bin=${OTELCOL_AI_BIN:-bin/otelcol-ai}
if [ ! -x "$bin" ]; then
  echo "== building $bin (make build)"
  make build
fi

tmp=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
cat >"$tmp/config.yaml" <<EOF
receivers:
$receiver_config
exporters:
  debug:
    verbosity: detailed
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [$receiver]
      exporters: [debug]
EOF

echo "== nvidia-smi -L"
nvidia-smi -L
echo "== scraping once with $bin ($receiver receiver)"
"$bin" --config "$tmp/config.yaml" >"$tmp/collector.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  grep -q "hw.power" "$tmp/collector.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/collector.log"; echo "gpu-check: the collector exited" >&2; exit 1; }
  sleep 0.5
done
# The same moment as the scrape, as closely as two tools allow.
nvidia-smi --query-gpu=uuid,index,utilization.gpu,memory.used,power.draw,temperature.gpu \
  --format=csv,noheader,nounits >"$tmp/smi.csv"
sleep 1
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
grep -q "hw.power" "$tmp/collector.log" || { cat "$tmp/collector.log"; echo "gpu-check: no GPU metrics from the $receiver receiver" >&2; exit 1; }
grep -m1 -E "nvml receiver (reads GPUs|emits no GPU metrics)" "$tmp/collector.log" || true

# The debug exporter's detailed text, reduced to uuid,util%,mem MiB,W,C of
# the first scrape of each physical GPU (MIG instance resources are skipped).
awk '
  /ResourceMetrics #[0-9]+$/ { uuid = ""; mig = 0 }
  /-> hw\.id: Str\(/ { s = $0; sub(/.*Str\(/, "", s); sub(/\).*/, "", s); uuid = s }
  /-> hw\.gpu\.mig\.instance_id:/ { mig = 1 }
  /-> Name: / { s = $0; sub(/.*-> Name: /, "", s); metric = s; attrs = "" }
  /^NumberDataPoints #/ { attrs = "" }
  /-> hw\.gpu\.task: Str\(/ { s = $0; sub(/.*Str\(/, "", s); sub(/\).*/, "", s); attrs = s }
  /-> hw\.sensor_location: Str\(/ { s = $0; sub(/.*Str\(/, "", s); sub(/\).*/, "", s); attrs = s }
  /^Value: / {
    if (uuid == "" || mig) next
    v = $2
    if (metric == "hw.gpu.utilization" && attrs == "general" && !((uuid, "u") in got)) got[uuid, "u"] = v * 100
    if (metric == "hw.gpu.memory.usage" && !((uuid, "m") in got)) got[uuid, "m"] = v / 1048576
    if (metric == "hw.power" && !((uuid, "p") in got)) got[uuid, "p"] = v
    if (metric == "hw.temperature" && attrs == "gpu" && !((uuid, "t") in got)) got[uuid, "t"] = v
    seen[uuid] = 1
  }
  END {
    for (u in seen) {
      printf "%s", u
      n = split("u m p t", k, " ")
      for (i = 1; i <= n; i++) printf ",%s", ((u, k[i]) in got) ? got[u, k[i]] : "n/a"
      printf "\n"
    }
  }
' "$tmp/collector.log" >"$tmp/otel.csv"

echo
printf "%-5s %-40s | %-22s | %-24s | %-22s | %-18s\n" "gpu" "uuid" "utilization % (otel/smi)" "memory used MiB (otel/smi)" "power W (otel/smi)" "temperature C (o/s)"
fail=0
while IFS=, read -r uuid idx util mem power temp; do
  uuid=$(echo "$uuid" | xargs); idx=$(echo "$idx" | xargs)
  util=$(echo "$util" | xargs); mem=$(echo "$mem" | xargs); power=$(echo "$power" | xargs); temp=$(echo "$temp" | xargs)
  row=$(grep "^$uuid," "$tmp/otel.csv" || true)
  if [ -z "$row" ]; then
    printf "%-5s %-40s | missing from the collector's output\n" "$idx" "$uuid"
    fail=1
    continue
  fi
  IFS=, read -r _ ou om op ot <<<"$row"
  verdict=$(awk -v ou="$ou" -v om="$om" -v op="$op" -v ot="$ot" -v su="$util" -v sm="$mem" -v sp="$power" -v st="$temp" \
    -v ut="$UTIL_TOL" -v mt="$MEM_TOL_MIB" -v pt="$POWER_TOL" -v tt="$TEMP_TOL" '
    function bad(o, s, tol) { return (o == "n/a" || s ~ /N\/A|Not Supported|\[/) ? 0 : ((o - s > tol) || (s - o > tol)) }
    BEGIN {
      v = ""
      if (bad(ou, su, ut)) v = v " utilization"
      if (bad(om, sm, mt)) v = v " memory"
      if (bad(op, sp, sp * pt + 5)) v = v " power"
      if (bad(ot, st, tt)) v = v " temperature"
      print (v == "" ? "ok" : "MISMATCH:" v)
    }')
  printf "%-5s %-40s | %10s / %-10s | %11.0f / %-11s | %9.1f / %-10s | %6.1f / %-8s %s\n" \
    "$idx" "$uuid" "$ou" "$util" "${om/n\/a/0}" "$mem" "${op/n\/a/0}" "$power" "${ot/n\/a/0}" "$temp" "$verdict"
  [ "$verdict" = ok ] || fail=1
done <"$tmp/smi.csv"

echo
if [ "$fail" = 0 ]; then
  echo "gpu-check: OK (tolerances: utilization ${UTIL_TOL} points, memory ${MEM_TOL_MIB} MiB, power ${POWER_TOL}x+5 W, temperature ${TEMP_TOL} C)"
else
  echo "gpu-check: FAILED; collector output kept in $tmp/collector.log" >&2
  trap - EXIT
  kill "${pid:-}" 2>/dev/null || true
  exit 1
fi
