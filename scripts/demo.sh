#!/usr/bin/env bash
# The README's main command: brings up the lab (the haconnd pair HACON1/HACON2 — as separate hosts
# in network namespaces with a real virtual IP when run as root, on loopback otherwise — with
# simulated BMCs, PDU, ESXi host and HA monitors, configured with the real haconnsetup commands),
# runs every failure drill with its timeline and verdict, shows the connectors' status, and takes
# everything down again. Exit status 0 only when every drill passed and nothing was left behind.
# Extra arguments go to `lab up` (e.g. --loopback).
set -euo pipefail
if [ "${HACONN_BOOTSTRAPPED:-}" = 1 ]; then
  # The caller installed and built already (as scripts/lab.sh allows): go straight to the lab.
  HACONN_ROOT="$(cd "$(dirname "$0")/.." && pwd)"
else
  # shellcheck source=lib/bootstrap.sh
  source "$(dirname "$0")/lib/bootstrap.sh"
fi
export HACONN_BOOTSTRAPPED=1
cd "$HACONN_ROOT"

HACONN_LAB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/haconn-demo.XXXXXX")"
export HACONN_LAB_DIR
lab() {
  printf '\n$ scripts/lab.sh %s\n' "$*"
  ./scripts/lab.sh "$@"
}
# Whatever happens, nothing stays: the lab's processes and its directory (made above).
trap './scripts/lab.sh down >/dev/null 2>&1 || true; rm -rf -- "$HACONN_LAB_DIR"' EXIT

started=$SECONDS
lab up "$@"
drills=0
lab drill all || drills=$?
lab status
lab down

left=$(grep -lsz "^HACONN_LAB_MEMBER=$HACONN_LAB_DIR\$" /proc/[0-9]*/environ | wc -l || true)
# This lab's namespaces are hcl-<first 6 hex of sha256(lab dir)>-* (tools/lab/src/lab/pair-topology.ts).
lab_id=$(printf '%s' "$HACONN_LAB_DIR" | sha256sum | cut -c1-6)
netns_left=$( (ip netns list 2>/dev/null || true) | grep -c "^hcl-$lab_id-" || true)
echo
if [ -e "$HACONN_LAB_DIR" ] || [ "$left" -ne 0 ] || [ "$netns_left" -ne 0 ]; then
  echo "demo: the lab left something behind ($left processes, $netns_left namespaces, directory $HACONN_LAB_DIR)" >&2
  exit 1
fi
echo "demo: nothing left behind; $((SECONDS - started)) s from lab up to lab down"
if [ "$drills" -ne 0 ]; then
  echo "demo: a drill verdict failed" >&2
  exit 1
fi
