#!/usr/bin/env bash
# Runs ../shared/tools/check-collector-versions.sh when the shared tools are
# present, else the copy kept below (same logic), on the files given.
here=$(cd "$(dirname "$0")" && pwd)
shared="$here/../../shared/tools/check-collector-versions.sh"
if [ -x "$shared" ]; then exec "$shared" "$@"; fi
# Prints every OpenTelemetry Collector module in a go.mod (or builder config)
# whose version differs from the pinned release, and exits 1 if there is one.
# Usage: check-collector-versions.sh [FILE...]   (default: go.mod and builder-config.yaml)
# Pinned release: core v0.160.0 / stable v1.66.0, contrib v0.160.0; override with
# CORE=v0.x.0 STABLE=v1.x.0 CONTRIB=v0.x.0.
set -u
CORE=${CORE:-v0.160.0} STABLE=${STABLE:-v1.66.0} CONTRIB=${CONTRIB:-v0.160.0}
files=("$@")
[ ${#files[@]} -gt 0 ] || for f in go.mod builder-config.yaml; do [ -f "$f" ] && files+=("$f"); done
bad=0
for f in "${files[@]}"; do
  while read -r mod ver; do
    case "$mod" in
      github.com/open-telemetry/opentelemetry-collector-contrib/*) want=$CONTRIB ;;
      go.opentelemetry.io/collector/cmd/*) continue ;;
      go.opentelemetry.io/collector*) case "$ver" in v1.*) want=$STABLE ;; *) want=$CORE ;; esac ;;
      *) continue ;;
    esac
    if [ "$ver" != "$want" ]; then echo "$f: $mod $ver (pinned: $want)"; bad=1; fi
  done < <(grep -oE '(go\.opentelemetry\.io/collector[^ ]*|github\.com/open-telemetry/opentelemetry-collector-contrib/[^ ]*) v[0-9][^ ]*' "$f" | sed 's/ \/\/.*//')
done
[ $bad = 0 ] && echo "collector modules: all at the pinned release"
exit $bad
