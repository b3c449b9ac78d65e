#!/usr/bin/env bash
# Every benchmark of the project in one command: installs and builds what is needed
# (scripts/lib/bootstrap.sh, as demo.sh does), runs tools/bench/dist/*.bench.js one after the
# other and writes dist/bench/report.md, dist/bench/report.json and dist/bench/timelines.png.
#   scripts/bench.sh [--quick] [--only protocol,takeover] [--out DIR]
# --quick: a short run (seconds per bench, 3 takeovers) for CI smoke tests.
# The takeover bench needs root (network namespaces); elsewhere it reports itself skipped.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$HACONN_ROOT"
exec "$HACONN_ROOT/.tools/node/node_modules/.bin/node" --enable-source-maps tools/bench/dist/run-all.js "$@"
