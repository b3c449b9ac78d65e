#!/usr/bin/env bash
# The whole test suite: lint, typecheck, every vitest project. Ends with `N passed, N failed`.
set -uo pipefail
HACONN_BOOTSTRAP_NO_BUILD=1 source "$(dirname "$0")/lib/bootstrap.sh"
set +e
cd "$HACONN_ROOT"
mkdir -p .reports

passed=0
failed=0
check() { # one pass/fail count for a whole non-vitest check
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "!! $name failed"; fi
}

check "build (turbo)" pnpm exec turbo run build --output-logs=errors-only
check "lint (biome)" pnpm exec biome check .
check "typecheck (tsc)" pnpm exec turbo run typecheck --output-logs=errors-only

echo "== vitest"
rm -f .reports/vitest.json
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json "$@"
vitest_rc=$?
if [ -f .reports/vitest.json ]; then
  read -r vp vf < <(node -e 'const r=require("./.reports/vitest.json");console.log(r.numPassedTests,r.numFailedTests+(r.numRuntimeErrorTestSuites??0))')
  passed=$((passed + vp)); failed=$((failed + vf))
  [ "$vitest_rc" -ne 0 ] && [ "$vf" -eq 0 ] && failed=$((failed + 1))
else
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
