#!/usr/bin/env bash
# The fresh-machine guard of .ci/run (issue #15): a clean clone on a used machine must not lean
# on that machine's history.
#   seal REAL_HOME    (as root, inside .ci/run's private mount namespace) mounts an empty,
#                     read-only tmpfs over each of REAL_HOME's ~/.cache/pnpm, ~/.local/share/pnpm
#                     and ~/.npm that exists: for this run they hold nothing and take nothing,
#                     while every other process on the machine keeps seeing the real ones.
#   before REAL_HOME  (after the bootstrap's install) checks and prints that every package-manager
#                     cache the run can reach is inside the checkout or the run's fresh HOME, and
#                     that the user-level ones are sealed (or absent).
#   after REAL_HOME   checks that the sealed ones are still empty and that none was created.
# Run with the bootstrap's environment (PATH with .tools, npm_config_* exported).
set -uo pipefail
what=${1:?seal|before|after} real_home=${2:?real HOME}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
user_caches=("$real_home/.cache/pnpm" "$real_home/.local/share/pnpm" "$real_home/.npm")
absent_list="$root/.reports/cache-guard.absent"
fail=0
say() { printf '[cache-guard] %s\n' "$*"; }
sealed() { [ "$(findmnt -n -o SOURCE --target "$1" 2>/dev/null)" = haconn-sealed ] && [ -z "$(ls -A "$1")" ]; }
check() { # NAME PATH: the path must be inside the checkout or the fresh HOME, not a user cache
  local p=$2
  if [ -z "$p" ] || [ "$p" = undefined ]; then
    say "FAIL $1 is not set (it would fall back to a user-level default)"; fail=1; return
  fi
  case "$p" in "$root"/* | "$HOME"/*) ;; *) say "FAIL $1 = $p (outside the checkout and the fresh HOME)"; fail=1; return ;; esac
  for u in "${user_caches[@]}"; do
    case "$p" in "$u" | "$u"/*) say "FAIL $1 = $p is a user-level cache"; fail=1; return ;; esac
  done
  say "ok   $1 = $p"
}
case "$what" in
  seal)
    for u in "${user_caches[@]}"; do
      [ -d "$u" ] || continue
      mount -t tmpfs -o ro,size=64k,mode=0755 haconn-sealed "$u" || { say "FAIL could not seal $u"; fail=1; }
    done
    ;;
  before)
    mkdir -p "$root/.reports" && : >"$absent_list"
    [ "$HOME" != "$real_home" ] || { say "FAIL HOME is the machine's own ($HOME)"; exit 1; }
    say "HOME for this run: $HOME (fresh; the machine's is $real_home)"
    for v in XDG_CACHE_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CONFIG_HOME; do
      [ -z "${!v:-}" ] || check "$v" "${!v}"
    done
    check "npm cache" "$(npm config get cache 2>/dev/null)"
    check "pnpm store" "$(pnpm store path 2>/dev/null)"
    check "pnpm cache-dir" "$(pnpm config get cache-dir 2>/dev/null)"
    check "pnpm state-dir" "$(pnpm config get state-dir 2>/dev/null)"
    check "workspace linked from" "$(sed -n 's/^ *"storeDir": "\(.*\)",*$/\1/p' "$root/node_modules/.modules.yaml" 2>/dev/null)"
    for u in "${user_caches[@]}"; do
      if [ ! -e "$u" ]; then
        say "ok   $u does not exist (and must not appear)"; echo "$u" >>"$absent_list"
      elif sealed "$u"; then
        say "ok   $u sealed for this run: an empty read-only tmpfs in its own mount namespace"
      else
        say "only unreachable (not sealed: not root, or no unshare): $u"
      fi
    done
    ;;
  after)
    for u in "${user_caches[@]}"; do
      if grep -qxF "$u" "$absent_list" 2>/dev/null; then
        [ ! -e "$u" ] || { say "FAIL $u was created during the run"; fail=1; }
      elif [ "$(findmnt -n -o SOURCE --target "$u" 2>/dev/null)" = haconn-sealed ]; then
        sealed "$u" || { say "FAIL $u is no longer empty"; fail=1; }
      fi
    done
    [ "$fail" -eq 0 ] && say "ok   no user-level cache was used or created by the run"
    ;;
  *) say "usage: cache-guard.sh seal|before|after REAL_HOME"; exit 2 ;;
esac
exit "$fail"
