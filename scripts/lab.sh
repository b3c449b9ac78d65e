#!/usr/bin/env bash
# The lab launcher: a whole simulated haconn installation on this machine, no hardware.
#   scripts/lab.sh up [--loopback] | drill <name>|all | drills | status | down
#   scripts/lab.sh drill pacemaker|pacemaker-<name>   (no `up`: each brings up its own Pacemaker cluster)
# Makes sure the project is installed and built first (scripts/lib/bootstrap.sh; skipped when
# the caller already ran it and exported HACONN_BOOTSTRAPPED=1). The lab lives in
# $HACONN_LAB_DIR (default /tmp/haconn-lab). As root with network namespaces the two haconnd
# nodes are separate hosts (namespaces hcl-<id>-*, addresses only inside them); otherwise, or
# with --loopback, everything runs on 127.0.0.0/8.
set -euo pipefail
if [ "${HACONN_BOOTSTRAPPED:-}" != 1 ]; then
  # shellcheck source=lib/bootstrap.sh
  source "$(dirname "$0")/lib/bootstrap.sh"
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
exec "$root/.tools/node/node_modules/.bin/node" --enable-source-maps "$root/tools/lab/dist/lab.js" "$@"
