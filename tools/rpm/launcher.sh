#!/bin/sh
# @COMMAND@: haconn2 command. Runs the bundled program @APP@/@ENTRY@.js with the Node runtime
# shipped in this package (nothing from the system's Node, NODE_PATH or a home directory).
# Paths are relative to this script, so the tree also runs from a scratch --root install.
root=$(dirname "$(dirname "$(readlink -f "$0")")")
HACONN_VERSION_FILE=$root/etc/version
HACONN_PACKAGE_VERSION_FILE=$root/etc/package-version
export HACONN_VERSION_FILE HACONN_PACKAGE_VERSION_FILE
unset NODE_PATH
exec "$root/lib/node" --enable-source-maps "$root/lib/app/@APP@/@ENTRY@.js" "$@"
