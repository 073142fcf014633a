#!/usr/bin/env bash
# Runs every Go benchmark (or those matching $1) with -benchmem and prints them
# as a table. Raw results stay in bench/results.txt for benchstat comparisons.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
benchtime=${2:-1s}
mkdir -p bench
pkgs=$(grep -rl --include='*_test.go' -E '^func Benchmark' . | grep -v '^./_build/' | xargs -n1 dirname | sort -u)
[ -n "$pkgs" ] || { echo "no benchmarks"; exit 0; }
# shellcheck disable=SC2086
go test -run '^$' -bench "$pattern" -benchtime "$benchtime" -benchmem $pkgs | tee bench/results.txt
echo
go tool -modfile=tools/go.mod benchstat -table .config bench/results.txt
