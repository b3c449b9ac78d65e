#!/usr/bin/env bash
# Deterministic simulation soak of the connector pair (tools/sim): two nodes with the real
# election and reset engine, lossy networks, simulated BMCs/PDUs/ESXi, HA monitors, faults.
#   ./scripts/sim.sh --seeds N [--seed S]   N runs from seed S (default 1)
#   ./scripts/sim.sh --seed S [--trace]     replay one seed, print its trace
# Ends with the line `N runs, K violations`; exits non-zero when K > 0.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/bootstrap.sh"
cd "$HACONN_ROOT"
exec node tools/sim/dist/sim.js "$@"
