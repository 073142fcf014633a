#!/usr/bin/env bash
# Regenerates every generated file: first the `//go:generate` directives (schema
# assembly, protobuf), then mdatagen for each component's metadata.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
go generate ./...
find . -name metadata.yaml -not -path './_build/*' -not -path './tools/*' -not -path '*/testdata/*' | sort | while read -r md; do
  echo "mdatagen $md"
  (cd "$(dirname "$md")" && go tool -modfile="$OLDPWD/tools/go.mod" mdatagen metadata.yaml)
done
