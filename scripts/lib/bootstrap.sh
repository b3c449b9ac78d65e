# Sourced by scripts/test.sh and scripts/demo.sh. Installs what the project needs, idempotently:
# Debian packages, Node 24 and pnpm inside .tools/ (the system node is left alone), the
# workspace dependencies from the lockfile, and the build. A second run only checks.
set -euo pipefail

HACONN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.8
TOOLS_DIR="$HACONN_ROOT/.tools"
NODE_PREFIX="$TOOLS_DIR/node"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1

# Debian packages the tests and the lab use (real peers: ipmitool + ipmi_sim, net-snmp tools,
# OpenSSH, fence-agents, network namespaces, rpmbuild; gcc and libopenipmi-dev build the
# ipmi_sim NMI module).
APT_PACKAGES=(ipmitool openipmi libopenipmi-dev snmp openssh-server iproute2 iputils-arping rpm fence-agents gcc make procps spin systemd keepalived fonts-dejavu-core)

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
  pnpm install --frozen-lockfile --reporter=silent
  # scripts/test.sh builds as one of its counted checks; everything else builds here.
  [ "${HACONN_BOOTSTRAP_NO_BUILD:-}" = 1 ] || pnpm exec turbo run build --output-logs=errors-only >&2
}

install_debian_packages
install_node
export PATH="$NODE_PREFIX/node_modules/.bin:$HACONN_ROOT/node_modules/.bin:$PATH"
install_workspace
