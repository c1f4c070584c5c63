#!/usr/bin/env bash
# make test: installs what is missing, builds and installs promo, starts a
# throwaway server, runs every suite, and ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

bash test/packages.sh || exit 1
make -s >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
make -s client/promo-client-tests >/dev/null || { echo "client tests failed to build"; exit 1; }

source test/server.sh
server_start || exit 1
trap server_stop EXIT
createdb promo_tap
createdb promo_check && psql -X -q -d promo_check -c "CREATE EXTENSION promo" || exit 1

passed=0
failed=0
failures=()
run_suite() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
    [[ -f regression.diffs ]] && cat regression.diffs
    [[ -f output_iso/regression.diffs ]] && cat output_iso/regression.diffs
  fi
}

run_suite "pg_regress" make -s installcheck ISOLATION=
run_suite "isolation" make -s installcheck REGRESS=
run_suite "pgTAP" pg_prove -d promo_tap test/pgtap/*.sql
run_suite "client unit tests" client/promo-client-tests --gtest_brief=1
run_suite "dump and restore" bash test/dump_restore.sh
run_suite "concurrency check" client/promo-client --dsn dbname=promo_check check --connections 100 --max-uses 50 \
  --rounds "${PROMO_CHECK_ROUNDS:-20}"

if grep -E "PANIC|terminated by signal|was terminated" "$PROMO_SERVER_DIR/server.log"; then
  failed=$((failed + 1))
  failures+=("server log shows a crash")
fi

[[ $failed -gt 0 ]] && echo "failed: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
