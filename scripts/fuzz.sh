#!/usr/bin/env bash
# Fuzz soak of every decoder of packages/protocol (reset-path and duplex datagrams, the duplex
# stream decoder in random splits, fence_kdump, the key-file parser) and of the CLI's argument
# parsers (key=value values, haconnserver/haconnact/haconnsby/haconnsetup in-process):
#   ./scripts/fuzz.sh [--cases N] [--seed S] [--target a,b] [--case-timeout-ms MS]
# N defaults to 1 000 000, shared among the targets by weight; S defaults to a random seed
# (printed). Case i of a target uses seed S+i: a failure prints its seed, and
#   ./scripts/fuzz.sh --target <name> --seed <seed> --cases 1
# replays that case alone. Prints per-target throughput and ends with `N cases, K failures`;
# exits non-zero when K > 0. The CI budget runs in the vitest projects protocol and cli
# (src/fuzz.test.ts).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$root/node_modules/.bin/esbuild" ] && [ -x "$root/.tools/node/node_modules/.bin/node" ]; then
  export PATH="$root/.tools/node/node_modules/.bin:$root/node_modules/.bin:$PATH"
else
  HACONN_BOOTSTRAP_NO_BUILD=1 source "$root/scripts/lib/bootstrap.sh"
fi
cd "$root"
work="$(mktemp -d "${TMPDIR:-/tmp}/haconn-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# One bundle from the sources (no build of the packages needed); @haconn/* resolve to src/.
aliases=()
for dir in packages/*/; do
  name="$(basename "$dir")"
  aliases+=("--alias:@haconn/$name=./packages/$name/src")
done
esbuild scripts/fuzz-soak.ts --bundle --platform=node --format=esm --target=node22 \
  --log-level=warning --outfile="$work/fuzz-soak.mjs" "${aliases[@]}" \
  --banner:js="import { createRequire as __haconnRequire } from 'node:module'; const require = __haconnRequire(import.meta.url);"
exec node "$work/fuzz-soak.mjs" --root "$root" "$@"
