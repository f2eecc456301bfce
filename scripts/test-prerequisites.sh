#!/usr/bin/env bash
# System packages the tests drive for real (no mocks): Debian's Chromium for the HTML pages, and
# Virtuoso 7 as one of the SPARQL servers the store tests run against (tests/servers.py).
# Installed only when missing, and only when we are allowed to (CI runs as root).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/virtuoso-t ] || need+=(virtuoso-opensource)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "note: ${need[*]} missing and not root; browser / Virtuoso tests will be skipped" >&2
  fi
fi
