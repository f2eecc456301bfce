#!/usr/bin/env bash
# Start or stop the SPARQL servers the store tests and the benchmark use, on 127.0.0.1 free ports:
# the oxigraph server (pip package oxigraph) and Debian's Virtuoso 7 (virtuoso-opensource).
#   scripts/sparql-servers.sh start DIR   # prints NAME URI PID, writes DIR/servers.env
#   scripts/sparql-servers.sh stop DIR
# Then e.g.: stancegraph build --store "$(grep OXIGRAPH DIR/servers.env | cut -d= -f2-)"
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="$here/.venv/bin/python"
[ -x "$py" ] || py=python3
exec "$py" "$here/tests/servers.py" "$@"
