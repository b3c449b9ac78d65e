#!/bin/sh
# @COMMAND@: haconn2 command. Runs the bundled program @APP@/@ENTRY@.js with the Node runtime
# shipped in this package (nothing from the system's Node, NODE_PATH or a home directory).
# Paths are relative to this script, so the tree also runs from a scratch --root install.
root=$(dirname "$(dirname "$(readlink -f "$0")")")
HACONN_VERSION_FILE=$root/etc/version
HACONN_PACKAGE_VERSION_FILE=$root/etc/package-version
export HACONN_VERSION_FILE HACONN_PACKAGE_VERSION_FILE
unset NODE_PATH
# The daemon runs for months at the manual's maxima: V8 flags that keep its resident memory low
# (issue 19; docs/reliability.md). The same list is in bin/_launch.
node_args=
if [ "@APP@" = haconnd ]; then node_args="--max-semi-space-size=2"; fi
# shellcheck disable=SC2086 # node_args is a list of words
exec "$root/lib/node" --enable-source-maps $node_args "$root/lib/app/@APP@/@ENTRY@.js" "$@"
