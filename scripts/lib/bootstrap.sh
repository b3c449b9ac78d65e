# Sourced by scripts/test.sh and scripts/demo.sh. Installs what the project needs, idempotently:
# Debian packages, Node 24 and pnpm inside .tools/ (the system node is left alone), the
# workspace dependencies from the lockfile, and the build. A second run only checks.
#
# Nothing outside the checkout but the Debian packages (issue #15): npm's cache, pnpm's store,
# metadata cache and state live in .tools/ too, so no user-level cache (~/.npm, ~/.cache/pnpm,
# ~/.local/share/pnpm) is read or written, and a used machine behaves exactly like a new one.
# Packages come from the registry through the ordinary clients, at the lockfile's versions.
set -euo pipefail

HACONN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.8
TOOLS_DIR="$HACONN_ROOT/.tools"
NODE_PREFIX="$TOOLS_DIR/node"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
export npm_config_cache="$TOOLS_DIR/npm-cache"
export npm_config_store_dir="$TOOLS_DIR/pnpm-store"
export npm_config_cache_dir="$TOOLS_DIR/pnpm-cache"
export npm_config_state_dir="$TOOLS_DIR/pnpm-state"
export npm_config_update_notifier=false

# Debian packages the tests and the lab use (real peers: ipmitool + ipmi_sim, net-snmp tools,
# OpenSSH, fence-agents, network namespaces, rpmbuild; gcc and libopenipmi-dev build the
# ipmi_sim NMI module).
APT_PACKAGES=(ipmitool openipmi libopenipmi-dev snmp openssh-server iproute2 iputils-arping rpm fence-agents gcc make procps spin systemd keepalived fonts-dejavu-core pacemaker corosync pacemaker-cli-utils pacemaker-resource-agents libxml2-utils man-db groff-base)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

install_debian_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages (need root to install): ${missing[*]}"
    return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_node() {
  local node="$NODE_PREFIX/node_modules/.bin/node"
  if [ -x "$node" ] && [ "$("$node" --version)" = "v$NODE_VERSION" ] &&
    [ -x "$NODE_PREFIX/node_modules/.bin/pnpm" ] &&
    [ "$("$node" "$NODE_PREFIX/node_modules/.bin/pnpm" --version 2>/dev/null || true)" = "$PNPM_VERSION" ]; then
    return 0
  fi
  log "installing node@$NODE_VERSION and pnpm@$PNPM_VERSION into .tools/node"
  mkdir -p "$NODE_PREFIX"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >/dev/null
  [ "$("$node" --version)" = "v$NODE_VERSION" ] || { log "node $NODE_VERSION did not install"; return 1; }
}

install_workspace() {
  cd "$HACONN_ROOT"
  # confirm-modules-purge=false: a checkout installed before with another store (the user-level
  # one of older versions of this script) is relinked from .tools/pnpm-store without a prompt.
  pnpm install --frozen-lockfile --reporter=silent --config.confirm-modules-purge=false
  # scripts/test.sh builds as one of its counted checks; everything else builds here.
  [ "${HACONN_BOOTSTRAP_NO_BUILD:-}" = 1 ] || pnpm exec turbo run build --output-logs=errors-only >&2
}

install_debian_packages
install_node
export PATH="$NODE_PREFIX/node_modules/.bin:$HACONN_ROOT/node_modules/.bin:$PATH"
install_workspace
