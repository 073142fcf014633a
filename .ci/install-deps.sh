#!/usr/bin/env bash
# System packages the tests need beyond Go; idempotent, quiet when present.
set -euo pipefail
need=()
command -v gcc >/dev/null || need+=(gcc)
command -v curl >/dev/null || need+=(curl)
command -v git >/dev/null || need+=(git)
# Debian's prometheus package (prometheus and promtool): the SLO rule checks run
# promtool, the end-to-end SLO test starts its own prometheus on a loopback port.
# The package's system service is kept from starting (policy-rc.d).
prometheus=false
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || { need+=(prometheus); prometheus=true; }
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  policy=""
  if $prometheus && [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee $policy >/dev/null && $sudo chmod +x $policy
  fi
  status=0
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; } || status=$?
  if [ -n "$policy" ]; then $sudo rm -f "$policy"; fi
  [ "$status" = 0 ] || exit "$status"
fi
echo "deps ok"
