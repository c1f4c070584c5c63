#!/usr/bin/env bash
# The randomized concurrency workload (promo-client race) on a throwaway
# server: 16 worker sessions mix every call at every isolation level while a
# DBA session changes every setting of random codes and a monitor checks the
# invariant, the cap, the per-customer limit and closed codes in one snapshot
# at a time. Exit status: the client's (0 only with no violation and no
# unexpected error), or 1 if the server log shows a crash.
#   test/faults/race.sh [SECONDS] [promo-client race options, such as --seed N]
# PG_BIN chooses the PostgreSQL build (test/harness/server.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift $(($# > 0 ? 1 : 0))

source test/harness/server.sh
# Cycles between multi-call transactions are part of the mix: find them fast.
server_start "deadlock_timeout = 100ms" || exit 1
trap server_stop EXIT
createdb promo_race && psql -X -q -d promo_race -c "CREATE EXTENSION promo" || exit 1
echo "promo $(psql -X -A -t -d promo_race -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")" \
  "on $("$PG_BIN/postgres" --version)"
client/promo-client --dsn dbname=promo_race race --duration "$seconds" "$@"
status=$?
if grep -E "PANIC|terminated by signal" "$PROMO_SERVER_DIR/server.log"; then
  echo "FAIL: the server log shows a crash"
  status=1
fi
exit $status
