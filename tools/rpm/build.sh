#!/usr/bin/env bash
# Builds haconnr2-<version>-<release>.el{8,9}v.x86_64.rpm into dist/rpm/ from the built apps
# (run `pnpm exec turbo run build` first) and the project's pinned Node runtime.
#
#   tools/rpm/build.sh [--os el8|el9|all] [--release N[,N...]] [--out DIR] [--allow-missing]
#                      [--root DIR]
#
# --release N,M    one package per OS and release, all from one staged tree (the RPM test
#                  builds 1 and 2 at once for its upgrade checks)
# --allow-missing  package the commands whose bundles exist and list the missing ones
#                  (a development build; without it a missing bundle fails the build)
# --root DIR       the repository to package (default: the one holding this script)
# The RPM Version is tools/rpm/package.json "version"; --release is the [m] of the displayed
# version [OS kind].[major].[minor].[n].[m]. See tools/rpm/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
os=all release=1 out="" allow_missing=0

die() { # exit status 2 = the inputs are not there or not valid
  printf 'build.sh: %s\n' "$*" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --os) os=${2:?--os needs el8, el9 or all}; shift 2 ;;
    --release) release=${2:?--release needs a number}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --root) root="$(cd "${2:?--root needs a directory}" && pwd)"; shift 2 ;;
    --allow-missing) allow_missing=1; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "$out" ] || out="$root/dist/rpm"
[[ "$release" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--release must be a number (or numbers, comma-separated), got '$release'"
IFS=, read -r -a releases <<<"$release"
case "$os" in
  el8) targets=(el8) ;;
  el9) targets=(el9) ;;
  all) targets=(el8 el9) ;;
  el7) die "el7 is not built: the bundled Node 24 needs glibc 2.28 (RHEL 7 has 2.17)" ;;
  *) die "--os must be el8, el9 or all, got '$os'" ;;
esac
os_kind() { case "$1" in el8) echo 4 ;; el9) echo 5 ;; esac; }

# command  app  bundle entry (apps/<app>/dist/<entry>.js)
commands=(
  "haconnr2 haconnd haconnd"
  "haconnsetup cli haconnsetup"
  "haconnshow cli haconnshow"
  "haconnact cli haconnact"
  "haconnsby cli haconnsby"
  "haconnserver cli haconnserver"
  "haconndump cli haconndump"
  "haconnclient cli haconnclient"
  "fence_haconn cli fence_haconn"
  "haconn-ocf-monitor cli haconn-ocf-monitor"
)

# 1. Inputs: the app bundles, the pinned Node, rpmbuild.
present=() missing=()
for c in "${commands[@]}"; do
  read -r cmd app entry <<<"$c"
  if [ -f "$root/apps/$app/dist/$entry.js" ]; then present+=("$c"); else missing+=("apps/$app/dist/$entry.js ($cmd)"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'build.sh: missing app bundle: %s\n' "${missing[@]}" >&2
  [ "$allow_missing" -eq 1 ] || die "run 'pnpm exec turbo run build' first (or pass --allow-missing for a partial package)"
  echo "build.sh: --allow-missing: packaging without them" >&2
fi
node_bin="$(readlink -f "$root/.tools/node/node_modules/.bin/node" 2>/dev/null || true)"
[ -x "$node_bin" ] || die "no Node runtime at $root/.tools/node (run ./scripts/test.sh once)"
node_version="$("$node_bin" --version)"
[[ "$node_version" == v24.* ]] || die "the bundled runtime must be Node 24, found $node_version at $node_bin"
command -v rpmbuild >/dev/null || die "rpmbuild not found (Debian package 'rpm')"
rpm_version="$("$node_bin" -p 'require(process.argv[1]).version' "$here/package.json")"
[[ "$rpm_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "tools/rpm/package.json version must be major.minor.n"

started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/haconn-rpm.XXXXXX")"
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
home="$stage/opt/hitachi/haconn2"
mkdir -p "$home/bin" "$home/lib/app" "$home/etc" "$home/doc" \
  "$stage/etc/opt/hitachi/haconn2" "$stage/var/opt/hitachi/haconn2/log"

# 2. The runtime and the bundles. Each bundle carries its npm dependencies inside it (tsup
# `application()`, tsup.shared.ts), at exactly the versions the workspace installed from
# pnpm-lock.yaml, so the package holds no node_modules and nothing is resolved here: no package
# manager, cache or registry takes part in this step. third-party.mjs lists what the bundles
# carry, fails on anything the lockfile does not pin, and writes the third-party notices.
install -m 0755 "$node_bin" "$home/lib/node"
apps=()
for c in "${present[@]}"; do
  read -r _ app _ <<<"$c"
  [[ " ${apps[*]} " == *" $app "* ]] || apps+=("$app")
done
metafiles=()
for app in "${apps[@]}"; do
  dest="$home/lib/app/$app"
  mkdir -p "$dest"
  cp "$root/apps/$app/dist/"*.js "$dest/"
  cp "$root/apps/$app/dist/"*.js.map "$dest/" 2>/dev/null || true
  printf '{ "private": true, "type": "module" }\n' >"$dest/package.json"
  meta="$root/apps/$app/dist/metafile-esm.json"
  [ -f "$meta" ] || die "no $meta: rebuild the apps (pnpm exec turbo run build)"
  metafiles+=("$meta")
done
"$node_bin" "$here/third-party.mjs" --lock "$root/pnpm-lock.yaml" --out "$home/doc/THIRD-PARTY-NOTICES.md" \
  "${metafiles[@]}" >"$work/third-party.txt" || die "the bundles carry packages that pnpm-lock.yaml does not pin"

# 3. Commands, unit, readiness helper, docs.
for c in "${present[@]}"; do
  read -r cmd app entry <<<"$c"
  sed -e "s/@COMMAND@/$cmd/g" -e "s/@APP@/$app/g" -e "s/@ENTRY@/$entry/g" "$here/launcher.sh" >"$home/bin/$cmd"
  chmod 0755 "$home/bin/$cmd"
done
# The manual also spells the dump command haconnndump (digest §11.2).
[ -f "$home/bin/haconndump" ] && ln -s haconndump "$home/bin/haconnndump"
install -m 0644 "$here/haconnd.service" "$home/etc/haconnd.service"
install -m 0755 "$here/haconnd-wait-ready.sh" "$home/lib/haconnd-wait-ready"
# man pages, generated from the commands' own help (apps/cli/src/man/gen-man.ts) so they cannot
# drift from --help: haconn*(1), haconn.json(5), haconnd(8).
gen_man="$root/apps/cli/dist/gen-man.js" man=0
if [ -f "$gen_man" ]; then
  man=1
  daemon_args=()
  [ -f "$root/apps/haconnd/dist/haconnd.js" ] && daemon_args=(--haconnd "$root/apps/haconnd/dist/haconnd.js")
  "$node_bin" "$gen_man" "$stage/usr/share/man" "${daemon_args[@]}" >&2 || die "generating the man pages failed"
  # Compressed here (as brp-compress would on RHEL; Debian's rpmbuild does not), reproducibly.
  gzip -9n "$stage"/usr/share/man/man?/*
else
  echo "build.sh: apps/cli/dist/gen-man.js missing: no man pages" >&2
  [ "$allow_missing" -eq 1 ] || die "run 'pnpm exec turbo run build' first"
fi
# Pacemaker looks for fence agents in /usr/sbin and for OCF agents under /usr/lib/ocf/resource.d
# (docs/pacemaker.md): links to the launchers, which resolve their own path.
pacemaker_define=""
if [ -f "$home/bin/fence_haconn" ] && [ -f "$home/bin/haconn-ocf-monitor" ]; then
  pacemaker_define="haconn_pacemaker 1"
fi
if [ -f "$home/bin/fence_haconn" ]; then
  mkdir -p "$stage/usr/sbin"
  ln -s ../../opt/hitachi/haconn2/bin/fence_haconn "$stage/usr/sbin/fence_haconn"
fi
if [ -f "$home/bin/haconn-ocf-monitor" ]; then
  mkdir -p "$stage/usr/lib/ocf/resource.d/haconn"
  ln -s ../../../../../opt/hitachi/haconn2/bin/haconn-ocf-monitor "$stage/usr/lib/ocf/resource.d/haconn/monitor"
fi
install -m 0644 "$here/README.md" "$home/doc/packaging.md"
# Kernel limit for the reset path's 4 MiB UDP receive buffer (fault matrix FM3: a burst of
# CHECKs during 32 simultaneous resets overflowed the default 208 KiB buffer).
install -D -m 0644 "$root/tools/rpm/90-haconnr2.conf" "$stage/usr/lib/sysctl.d/90-haconnr2.conf"
# Bash completion of the commands (sourced by bash-completion from /etc/bash_completion.d).
install -D -m 0644 "$root/tools/completion/haconn.bash" "$stage/etc/bash_completion.d/haconn"
if [ -f "$root/docs/operations.md" ]; then
  install -m 0644 "$root/docs/operations.md" "$home/doc/operations.md"
else
  echo "build.sh: docs/operations.md not written yet; not packaged" >&2
fi

# 4. One rpmbuild per OS and release, each in a private _topdir, all from the one staged tree.
mkdir -p "$out"
for t in "${targets[@]}"; do
  for r in "${releases[@]}"; do
    top="$work/top-$t-$r"
    mkdir -p "$top"/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS,tmp}
    rpmbuild -bb --quiet \
      --define "_topdir $top" --define "_tmppath $top/tmp" \
      --define "haconn_version $rpm_version" --define "haconn_release $r" \
      --define "haconn_dist ${t}v" --define "haconn_os_kind $(os_kind "$t")" \
      --define "haconn_stage $stage" --define "haconn_man $man" \
      ${pacemaker_define:+--define "$pacemaker_define"} \
      "$here/haconnr2.spec" >&2 || die "rpmbuild failed for $t release $r"
    for f in "$top"/RPMS/x86_64/*.rpm; do
      cp "$f" "$out/"
      echo "$out/$(basename "$f")"
    done
  done
done
echo "build.sh: built ${targets[*]} (release ${releases[*]}) in $((SECONDS - started)) s, bundling $(wc -l <"$work/third-party.txt") npm packages${missing:+, without: ${missing[*]}}" >&2
