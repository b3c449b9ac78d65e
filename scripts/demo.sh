#!/usr/bin/env bash
# The README's main command. Until the lab exists it runs the setup CLI on a sample loopback
# configuration in a temporary HACONN_ETC_DIR (check=off: no iLO is contacted, nothing is sent
# anywhere) and prints the three setting displays.
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$HACONN_ROOT"

HACONN_ETC_DIR="$(mktemp -d "${TMPDIR:-/tmp}/haconn-demo.XXXXXX")"
export HACONN_ETC_DIR
trap 'rm -rf "$HACONN_ETC_DIR"' EXIT

password='Demo!Pass1' # example only; read from stdin because stdin is not a terminal
step() {
  printf '$ %s\n' "$*"
  if ! printf '%s\n' "$password" | "$@"; then
    echo "demo: command failed: $*" >&2
    exit 1
  fi
}

echo "== haconnsetup (configuration directory $HACONN_ETC_DIR)"
step ./bin/haconnsetup resetpath addr=127.0.0.1/8 port=20001
step ./bin/haconnsetup mserver add HACON1 addr=127.0.1.1:9623 account=admin cipher=3 ipdusd=on timeout=5 check=off
step ./bin/haconnsetup mserver add HACON2 addr=127.0.1.2:9623 account=admin cipher=3 ipdusd=on timeout=5 check=off
step ./bin/haconnsetup mlan HACON1 addr=127.0.2.1 port=20002
step ./bin/haconnsetup mlan HACON2 addr=127.0.2.2 port=20002
step ./bin/haconnsetup pserver add PSERVER1 addr=127.0.1.11:9623 account=admin cipher=3 ipdusd=on timeout=5 recoverytime=10 cluster=on
step ./bin/haconnsetup pserver add PSERVER2 addr=127.0.1.12:9623 account=admin cipher=3 cluster=on
step ./bin/haconnsetup vserver PSERVER2 addr=127.0.5.1 port=2222 account=root VMware=Enable
step ./bin/haconnsetup hispeed resettime=2500
step ./bin/haconnsetup snmp name=demo
step ./bin/haconnsetup ipdu add 127.0.3.1:1161 model=IBM_PDU
step ./bin/haconnsetup mserver ipduadd HACON1 addr=127.0.3.1:1161 concent=1
step ./bin/haconnsetup mserver ipduadd HACON2 addr=127.0.3.1:1161 concent=2
step ./bin/haconnsetup pserver ipduadd PSERVER1 addr=127.0.3.1:1161 concent=3
step ./bin/haconnsetup pserver ipduadd PSERVER1 addr=127.0.3.1:1161 concent=4

echo
echo "== a rejected command names the argument and leaves the file unchanged"
before=$(sha256sum "$HACONN_ETC_DIR/haconn.json")
printf '$ ./bin/haconnsetup hispeed resettime=2550\n'
if ./bin/haconnsetup hispeed resettime=2550; then echo "demo: expected a rejection" >&2; exit 1; fi
[ "$before" = "$(sha256sum "$HACONN_ETC_DIR/haconn.json")" ] && echo "(haconn.json unchanged)"

for display in setting mserversetting ipdusetting version; do
  echo
  echo "\$ ./bin/haconnshow $display"
  ./bin/haconnshow "$display"
done
