#!/bin/sh
# @COMMAND@: haconn2 command. Runs the bundled program @APP@/@ENTRY@.js with the Node runtime
# shipped in this package (nothing from the system's Node, NODE_PATH or a home directory).
# Paths are relative to this script, so the tree also runs from a scratch --root install.
root=$(dirname "$(dirname "$(readlink -f "$0")")")
HACONN_VERSION_FILE=$root/etc/version
HACONN_PACKAGE_VERSION_FILE=$root/etc/package-version
export HACONN_VERSION_FILE HACONN_PACKAGE_VERSION_FILE
unset NODE_PATH
# The daemon's V8 flags (issue 19; docs/reliability.md "second pass"), the same list as in
# bin/_launch: a 2 MiB young generation keeps its resident memory under 150 MiB at the manual's
# maxima (VmHWM ~185 → ~140 MiB); the scavenge on the main thread alone (~1 ms for 2 MiB)
# because V8's parallel scavenge waits for GC helpers that run 10 nice levels lower
# (HACONN_HELPER_NICE) and, on a busy 2-core host, paused the reset path up to 70 ms.
# Source maps for the short-lived commands only (the daemon: see bin/_launch, ~36 MiB resident).
# --no-flush-bytecode: the reset code rehearsed at start stays compiled (see bin/_launch).
node_args=--enable-source-maps
if [ "@APP@" = haconnd ]; then node_args="--max-semi-space-size=2 --no-parallel-scavenge --no-flush-bytecode"; fi
# shellcheck disable=SC2086 # node_args is a list of words
exec "$root/lib/node" $node_args "$root/lib/app/@APP@/@ENTRY@.js" "$@"
