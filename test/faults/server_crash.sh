#!/usr/bin/env bash
# Server crash: during a mixed load of 100 sessions (customers, keys, holds,
# confirms, releases), the postmaster and its processes are killed with
# SIGKILL at a random moment, the server restarts (crash recovery), the
# sessions reconnect, and afterwards every redemption, confirm and release
# the client saw acknowledged is in the ledger, the invariant holds and no
# code is over its cap.
#   test/faults/server_crash.sh [ROUNDS] [LOAD_SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
load_seconds=${2:-12}

source test/harness/server.sh
server_start || exit 1
trap server_stop EXIT
createdb promo_faults && psql -X -q -d promo_faults -c "CREATE EXTENSION promo" || exit 1

failed=0
for ((round = 1; round <= rounds; round++)); do
  acks=$PROMO_SERVER_DIR/acks.$round
  client/promo-client --dsn dbname=promo_faults load --connections 100 --duration "$load_seconds" \
    --codes 3 --max-uses 1500 --slots 4 --reconnect --ack-log "$acks" >"$PROMO_SERVER_DIR/load.$round" 2>&1 &
  load=$!
  # The load is under way once acknowledgements arrive; the crash comes at a
  # random moment within the first half of the run after that.
  wait_for_lines "$acks" 100 30 || { echo "round $round: the load never started"; failed=1; break; }
  delay_ms=$((RANDOM % (load_seconds * 500)))
  sleep "$((delay_ms / 1000)).$(printf '%03d' $((delay_ms % 1000)))"
  acked_before=$(wc -l <"$acks")
  server_crash
  server_restart || { echo "round $round: the server did not come back"; cat "$PROMO_SERVER_DIR/server.log"; failed=1; break; }
  wait $load
  load_status=$?
  echo "round $round: SIGKILL after ${delay_ms} ms ($acked_before changes acknowledged by then);" \
    "load: $(grep -E '^calls|connection losses|^errors' "$PROMO_SERVER_DIR/load.$round" | tr '\n' ' ')"
  [[ $load_status -eq 0 ]] || { echo "round $round: the load failed"; cat "$PROMO_SERVER_DIR/load.$round"; failed=1; }
  bash test/faults/verify_ledger.sh promo_faults "$acks" || failed=1
done

grep -q "database system was interrupted" "$PROMO_SERVER_DIR/server.log" ||
  { echo "FAIL: the server log shows no crash recovery"; failed=1; }
if [[ $failed -eq 0 ]]; then
  echo "PASS: $rounds crashes survived; nothing acknowledged was lost, no cap broken"
else
  echo "FAIL"
fi
exit $failed
