#!/usr/bin/env bash
# Lost replies: a TCP proxy forwards a redemption to the server and cuts the
# connection as the answer comes back, so the server redeemed but the client
# never heard. Without retries the client reports the lost connection (and
# the use was made); with --key and --retries it asks again on a new
# connection and gets the original redemption back: the count moved once.
set -uo pipefail
cd "$(dirname "$0")/../.."
make -s test/faults/tools/lost_reply_proxy || exit 1
source test/harness/server.sh
server_start || exit 1
proxy_pid=
trap 'kill $proxy_pid 2>/dev/null; server_stop' EXIT
createdb promo_lost && psql -X -q -d promo_lost -c "CREATE EXTENSION promo" \
  -c "INSERT INTO promo_codes (code, max_uses) VALUES ('RETRY', 5), ('NO-RETRY', 5)" || exit 1

proxy_port=$((PGPORT + 1))
through_proxy="host=127.0.0.1 port=$proxy_port dbname=promo_lost user=postgres"
start_proxy() {
  # The previous proxy must be gone before the next one listens on its port.
  [[ -n $proxy_pid ]] && { kill $proxy_pid 2>/dev/null; wait $proxy_pid 2>/dev/null; }
  test/faults/tools/lost_reply_proxy "$proxy_port" "$PGPORT" redeem_promo 2>>"$PROMO_SERVER_DIR/proxy.log" &
  proxy_pid=$!
  for _ in $(seq 1 200); do
    psql -X -q -d "$through_proxy" -c "SELECT 1" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "FAIL: the proxy does not answer"; cat "$PROMO_SERVER_DIR/proxy.log"; exit 1
}
ledger() {
  psql -X -A -t -d promo_lost -c "SELECT c.current_uses || ' uses; ledger ids ' || coalesce(string_agg(r.id::text, ','), 'none')
    FROM promo_codes c LEFT JOIN promo_redemptions r ON r.promo_id = c.id WHERE c.code = '$1' GROUP BY c.id"
}
failed=0

# 1. No retry: the reply is lost, the client fails, and yet the server redeemed.
start_proxy
client/promo-client --dsn "$through_proxy" redeem NO-RETRY --customer alice --key order-1 2>"$PROMO_SERVER_DIR/err"
status=$?
echo "without retries: exit $status ($(head -1 "$PROMO_SERVER_DIR/err"));" \
  "server side: $(ledger NO-RETRY)"
[[ $status -ne 0 && "$(ledger NO-RETRY)" == "1 uses; ledger ids 1" ]] || failed=1

# 2. With the key and --retries: the retry returns the original redemption.
start_proxy
answer=$(client/promo-client --dsn "$through_proxy" redeem RETRY --customer alice --key order-2 --retries 3 --json \
  2>"$PROMO_SERVER_DIR/err")
status=$?
echo "with --retries 3: exit $status; $(grep -c retrying "$PROMO_SERVER_DIR/err") retry; answer $answer"
echo "server side: $(ledger RETRY)"
[[ $status -eq 0 && "$answer" == *'"replayed":true'* && "$answer" == *'"redemption_id":2'* ]] || failed=1
[[ "$(ledger RETRY)" == "1 uses; ledger ids 2" ]] || failed=1
grep -c "dropped" "$PROMO_SERVER_DIR/proxy.log" | grep -qx 2 || { echo "the proxy did not drop two answers"; failed=1; }

[[ $failed -eq 0 ]] && echo "PASS: a lost reply is recovered by a keyed retry; the count moved once" || echo "FAIL"
exit $failed
