#!/usr/bin/env bash
# Backend death mid-redemption leaves no partial effect. The victim session is
# caught between its increment and its ledger row: a DBA's uncommitted ledger
# row holds the same idempotency key, so the victim's INSERT waits on it (proved
# from pg_locks). Then the victim is killed with SIGKILL (the server restarts
# every backend) or terminated with pg_terminate_backend, and the count, the
# ledger and the invariant are as before; the same call then redeems normally.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/server.sh
server_start || exit 1
sessions=$(mktemp -d /tmp/promo-sessions.XXXXXX)
trap 'exec 7>&- 8>&-; server_stop; rm -rf "$sessions"' EXIT
createdb promo_death && psql -X -q -d promo_death <<'SQL' || exit 1
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('VICTIM', 5);
SELECT count(*) FROM redeem_promo('VICTIM', customer_id => 'earlier');
SQL

state() {
  psql -X -A -t -d promo_death -c "SELECT current_uses || ' uses, ' ||
    (SELECT count(*) FROM promo_redemptions) || ' ledger rows, ' ||
    (SELECT count(*) FROM promo_codes c WHERE current_uses <> (SELECT count(*) FROM promo_redemptions r
       WHERE r.promo_id = c.id AND r.state <> 'released')) || ' codes off the invariant'
    FROM promo_codes WHERE code = 'VICTIM'"
}

# Opens a psql session fed through a FIFO on file descriptor $2.
open_session() {
  mkfifo "$sessions/$1"
  psql -X -q -A -t -d promo_death <"$sessions/$1" >"$sessions/$1.out" 2>&1 &
  eval "exec $2>\"$sessions/$1\""
}

victim_pid() {
  psql -X -A -t -d promo_death -c "SELECT pid FROM pg_stat_activity
    WHERE query LIKE '%redeem_promo(''VICTIM''%' AND pid <> pg_backend_pid()"
}

# Blocks until the victim waits on the DBA's transaction inside redeem_promo.
wait_until_mid_redemption() {
  for _ in $(seq 1 400); do
    waiting=$(psql -X -A -t -d promo_death -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE NOT l.granted AND l.locktype = 'transactionid' AND a.query LIKE '%redeem_promo(''VICTIM''%'")
    [[ $waiting -eq 1 ]] && return 0
    sleep 0.05
  done
  return 1
}

run_case() {
  local how=$1 failed=0 before after
  before=$(state)
  open_session dba 7
  echo "BEGIN; INSERT INTO promo_redemptions (promo_id, idempotency_key)
        SELECT id, 'order-1' FROM promo_codes WHERE code = 'VICTIM';" >&7
  # The victim starts only once the DBA's row is in place, uncommitted.
  for _ in $(seq 1 400); do
    [[ $(psql -X -A -t -d promo_death -c "SELECT count(*) FROM pg_stat_activity
          WHERE state = 'idle in transaction' AND query LIKE '%INSERT INTO promo_redemptions%'") == 1 ]] && break
    sleep 0.05
  done
  open_session victim 8
  echo "SELECT status FROM redeem_promo('VICTIM', idempotency_key => 'order-1');" >&8
  wait_until_mid_redemption || { echo "FAIL ($how): the victim never reached its ledger insert"; return 1; }
  pid=$(victim_pid)
  echo "$how: victim backend $pid is waiting inside redeem_promo, after its increment, before its ledger row"
  if [[ $how == SIGKILL ]]; then
    kill -9 "$pid"
    # The postmaster restarts every backend; wait until it accepts connections again.
    for _ in $(seq 1 600); do psql -X -q -d promo_death -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.05; done
  else
    psql -X -q -A -t -d promo_death -c "SELECT pg_terminate_backend($pid)" >/dev/null
    echo "ROLLBACK;" >&7
  fi
  exec 7>&- 8>&-
  wait
  after=$(state)
  echo "  before: $before"
  echo "  after:  $after"
  [[ "$before" == "$after" ]] || { echo "FAIL ($how): partial effect"; failed=1; }
  grep -qx "redeemed" "$sessions/victim.out" && { echo "FAIL ($how): the victim reported success"; failed=1; }
  grep -E "FATAL|CONTEXT: |lost" "$sessions/victim.out" | sed "s/^/  victim said: /"
  rm -f "$sessions"/*
  return $failed
}

failed=0
run_case SIGKILL || failed=1
grep -q "terminated by signal 9" "$PROMO_SERVER_DIR/server.log" || { echo "FAIL: no SIGKILL in the server log"; failed=1; }
run_case pg_terminate_backend || failed=1
retry=$(psql -X -A -t -d promo_death -c "SELECT status || ' ' || current_uses FROM redeem_promo('VICTIM', idempotency_key => 'order-1')")
echo "the same call afterwards: $retry; $(state)"
[[ "$retry" == "redeemed 2" ]] || failed=1
[[ $failed -eq 0 ]] && echo "PASS: no partial effect after SIGKILL or pg_terminate_backend" || echo "FAIL"
exit $failed
