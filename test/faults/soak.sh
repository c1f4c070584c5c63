#!/usr/bin/env bash
# The soak: 100 sessions run the mixed load (every other code hot; redeem, replay, hold, confirm,
# expiry, release, sweep) for SECONDS. It passes with zero errors other than
# serialization retries, backend memory flat (reported: the median over the
# sessions after warm-up and at the end, and the largest growth, which must
# stay under 1 MiB), and the invariant true at the end.
#   test/faults/soak.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
source test/harness/server.sh
server_start || exit 1
trap server_stop EXIT
createdb promo_soak && psql -X -q -d promo_soak -c "CREATE EXTENSION promo" || exit 1
client/promo-client --dsn dbname=promo_soak load --connections 100 --duration "$seconds" --codes 8 --max-uses 5000 --slots 4 \
  --ack-log "$PROMO_SERVER_DIR/acks" --json >"$PROMO_SERVER_DIR/soak.json"
status=$?
cat "$PROMO_SERVER_DIR/soak.json"
growth=$(sed -n 's/.*"largest_memory_growth_bytes":\([0-9-]*\).*/\1/p' "$PROMO_SERVER_DIR/soak.json")
[[ -n "$growth" && $growth -lt 1048576 ]] || { echo "FAIL: a backend grew by $growth bytes"; status=1; }
bash test/faults/verify_ledger.sh promo_soak "$PROMO_SERVER_DIR/acks" || status=1
[[ $status -eq 0 ]] && echo "PASS: ${seconds} s soak, no unexpected error, memory flat, invariant true" || echo "FAIL"
exit $status
