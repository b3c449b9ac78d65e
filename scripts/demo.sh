#!/usr/bin/env bash
# The README's main command: brings up the lab (simulated BMCs, PDU, ESXi host, HA monitors and
# haconnd, configured with the real haconnsetup commands), runs every failure drill with its
# timeline and verdict, shows the connector's status, and takes everything down again.
# Exit status 0 only when every drill that can run here passed and nothing was left behind.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
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
lab up
drills=0
lab drill all || drills=$?
lab status
lab down

left=$(grep -lsz "^HACONN_LAB_MEMBER=$HACONN_LAB_DIR\$" /proc/[0-9]*/environ | wc -l || true)
echo
if [ -e "$HACONN_LAB_DIR" ] || [ "$left" -ne 0 ]; then
  echo "demo: the lab left something behind ($left processes, directory $HACONN_LAB_DIR)" >&2
  exit 1
fi
echo "demo: nothing left behind; $((SECONDS - started)) s from lab up to lab down"
if [ "$drills" -ne 0 ]; then
  echo "demo: a drill verdict failed" >&2
  exit 1
fi
