#!/usr/bin/env bash
# The fresh-machine guard of .ci/run (issue #15): a clean clone on a used machine must not
# lean on that machine's history. `before REAL_HOME` (after the bootstrap's install) checks and
# prints that every package-manager cache the test run can reach is inside the checkout or the
# run's fresh HOME, never REAL_HOME's ~/.cache/pnpm, ~/.local/share/pnpm or ~/.npm, and stamps
# the time; `after REAL_HOME` fails if anything under those was written during the run.
# Run with the bootstrap's environment (PATH with .tools, npm_config_* exported).
set -uo pipefail
what=${1:?before|after} real_home=${2:?real HOME}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stamp="$root/.reports/cache-guard.stamp"
user_caches=("$real_home/.cache/pnpm" "$real_home/.local/share/pnpm" "$real_home/.npm")
fail=0
say() { printf '[cache-guard] %s\n' "$*"; }
inside() { # PATH... : true when the path is inside the checkout or the fresh HOME
  case "$1" in "$root"/* | "$HOME"/*) return 0 ;; *) return 1 ;; esac
}
check() { # NAME PATH
  if [ -z "$2" ] || [ "$2" = undefined ]; then
    say "FAIL $1 is not set (it would fall back to a user-level default)"; fail=1
  elif ! inside "$2"; then
    say "FAIL $1 = $2 (outside the checkout and the fresh HOME)"; fail=1
  else
    for u in "${user_caches[@]}"; do
      case "$2" in "$u" | "$u"/*) say "FAIL $1 = $2 is a user-level cache"; fail=1 ;; esac
    done
    say "ok   $1 = $2"
  fi
}
case "$what" in
  before)
    [ "$HOME" != "$real_home" ] || { say "FAIL HOME is the machine's own ($HOME)"; exit 1; }
    say "HOME for this run: $HOME (fresh; the machine's is $real_home)"
    for v in XDG_CACHE_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CONFIG_HOME; do
      [ -z "${!v:-}" ] || check "$v" "${!v}"
    done
    check "npm cache" "$(npm config get cache 2>/dev/null)"
    check "pnpm store" "$(pnpm store path 2>/dev/null)"
    check "pnpm cache-dir" "$(pnpm config get cache-dir 2>/dev/null)"
    check "pnpm state-dir" "$(pnpm config get state-dir 2>/dev/null)"
    modules_store=$(sed -n 's/^ *"storeDir": "\(.*\)",*$/\1/p' "$root/node_modules/.modules.yaml" 2>/dev/null)
    check "workspace linked from" "$modules_store"
    for u in "${user_caches[@]}"; do say "not reachable: $u$([ -e "$u" ] && echo ' (exists on this machine)')"; done
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
    ;;
  after)
    [ -f "$stamp" ] || { say "FAIL no stamp from 'before'"; exit 1; }
    for u in "${user_caches[@]}"; do
      [ -e "$u" ] || continue
      n=$(find "$u" -newer "$stamp" 2>/dev/null | head -5)
      if [ -n "$n" ]; then say "FAIL written during the run under $u:"; printf '  %s\n' $n; fail=1; fi
    done
    [ "$fail" -eq 0 ] && say "ok   nothing under ${user_caches[*]} was written during the run"
    ;;
  *) say "usage: cache-guard.sh before|after REAL_HOME"; exit 2 ;;
esac
exit "$fail"
