#!/usr/bin/env bash
# The randomized concurrency workload (promo-client race) on a throwaway
# server: 16 worker sessions mix every call at every isolation level, on
# codes of two campaigns and of none, while a DBA session changes every
# setting of random codes and campaigns and moves codes between campaigns,
# and a monitor checks the invariant, the cap, the per-customer limit (of
# codes and of campaigns) and closed codes in one snapshot at a time. Exit
# status: the client's (0 only with no violation, no unexpected error and
# every campaign rule exercised), or 1 if the server log shows a crash. On a
# failure the server log is kept, and its path printed.
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
# PROMO_VERSION=1.6: a version in development; from 1.6 half the redemptions
# name an order, and every answer's discount is checked against its code's.
createdb promo_race &&
  psql -X -q -d promo_race -c "CREATE EXTENSION promo${PROMO_VERSION:+ VERSION '$PROMO_VERSION'}" || exit 1
echo "promo $(psql -X -A -t -d promo_race -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")" \
  "on $("$PG_BIN/postgres" --version)"
client/promo-client --dsn dbname=promo_race race --duration "$seconds" "$@"
status=$?
if grep -E "PANIC|terminated by signal|TRAP: failed Assert" "$PROMO_SERVER_DIR/server.log"; then
  echo "FAIL: the server log shows a crash"
  status=1
fi
if [[ $status -ne 0 ]]; then
  kept=$(mktemp "${TMPDIR:-/tmp}/promo-race-server.XXXXXX.log")
  cp "$PROMO_SERVER_DIR/server.log" "$kept" && echo "server log kept: $kept"
fi
exit $status
