#!/usr/bin/env bash
# The scale-out suite (short form, in make test): four shards behind a
# PL/Proxy database, and a PgBouncer in transaction mode.
#  1. the API through the proxy (test/scale/scale_api.sql against its expected output);
#  2. the 100-connection check through the proxy, one-slot and hot codes;
#  3. a shard down: calls for its codes fail fast, the others keep working;
#  4. PgBouncer, pool of 20: the check with 500 connections and 250 uses;
#  5. nothing a promo call leaves on a pooled server connection reaches the next client.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/scale/cluster.sh
source test/scale/pgbouncer.sh
rounds=${1:-3}
trap 'pgbouncer_stop; cluster_stop' EXIT
cluster_start 4 || { echo "FAIL: the cluster did not start"; exit 1; }
proxy=$(proxy_dsn)
failed=0
fail() { echo "FAIL: $*"; failed=1; }

echo "== 1. the API through the proxy"
actual=$(mktemp)
psql -X -q -d "$proxy" -f test/scale/scale_api.sql >"$actual" 2>&1
if diff -u test/scale/scale_api.out "$actual"; then
  echo "ok: output as expected"
else
  cp "$actual" "${TMPDIR:-/tmp}/scale_api.actual"
  fail "scale_api differs (the output is in ${TMPDIR:-/tmp}/scale_api.actual)"
fi
rm -f "$actual"

# Each code it created lives on exactly one shard: the one promo_shard_of names.
for code in SUMMER25 quickfix; do
  owner=$(psql -X -A -t -d "$proxy" -c "SELECT substring(promo_shard_of('$code') from 'port=([0-9]+)')")
  holders=()
  for i in "${!SHARD_PORTS[@]}"; do
    [[ $(psql -X -A -t -d "$(shard_dsn "$i")" -c "SELECT count(*) FROM promo_codes WHERE code = '$code'") == 1 ]] &&
      holders+=("${SHARD_PORTS[$i]}")
  done
  echo "$code: on the shard at port ${holders[*]}; promo_shard_of names port $owner"
  [[ ${#holders[@]} -eq 1 && ${holders[0]} == "$owner" ]] || fail "$code is not on exactly its owning shard"
done

echo "== 2. the check through the proxy"
client/promo-client --dsn "$proxy" check --connections 100 --max-uses 50 --rounds "$rounds" | tail -6 ||
  fail "check through the proxy"
client/promo-client --dsn "$proxy" check --connections 100 --max-uses 99 --slots 16 --rounds 1 | tail -5 ||
  fail "hot check through the proxy"

echo "== 3. a shard down"
# Codes until one lives on shard 3 and one elsewhere.
down_code= up_code=
for i in $(seq 1 64); do
  code=DOWN-$i
  port=$(psql -X -A -t -d "$proxy" -c "SELECT create_promo('$code', 100);
    SELECT substring(promo_shard_of('$code') from 'port=([0-9]+)')" | tail -1)
  if [[ $port == "${SHARD_PORTS[3]}" ]]; then down_code=${down_code:-$code}; else up_code=${up_code:-$code}; fi
  [[ -n $down_code && -n $up_code ]] && break
done
PROMO_SERVER_DIR=${SHARD_DIRS[3]} as_server_user "$PG_BIN/pg_ctl" -D "${SHARD_DIRS[3]}/data" -m fast -w stop >/dev/null
started=$(date +%s%N)
error=$(psql -X -A -t -d "$proxy" -c "SELECT status FROM redeem_promo('$down_code')" 2>&1)
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
echo "a code on the stopped shard: ${error%%$'\n'*} ($elapsed_ms ms)"
[[ $error == *ERROR* && $error == *"connect"* ]] || fail "no clear error for a code on a stopped shard"
((elapsed_ms < 5000)) || fail "the call for a stopped shard's code took $elapsed_ms ms"
status=$(psql -X -A -t -d "$proxy" -c "SELECT status FROM redeem_promo('$up_code')" 2>&1)
echo "a code on a running shard: $status"
[[ $status == redeemed ]] || fail "a running shard's code was not redeemed"

echo "== 4. PgBouncer, transaction mode, pool of 20"
pgbouncer_start "${SHARD_PORTS[0]}" || { fail "PgBouncer did not start"; exit 1; }
bouncer="host=127.0.0.1 port=$PGBOUNCER_PORT user=postgres"
client/promo-client --dsn "$bouncer dbname=promo" check --connections 500 --max-uses 250 \
  --gate-dsn "$(shard_dsn 0)" --pooler-admin "$bouncer dbname=pgbouncer" | tail -5 || fail "check through PgBouncer"

echo "== 5. nothing leaks between clients of one pooled server connection"
psql -X -q -d "$(shard_dsn 0)" -c "SELECT create_promo('POOLED', 10)" >/dev/null
first=$(psql -X -A -t -d "$bouncer dbname=promo_single" \
  -c "SELECT pg_backend_pid(), status FROM redeem_promo('pooled', customer_id => 'ann', idempotency_key => 'k')" \
  -c "SELECT pg_backend_pid(), status FROM redeem_promo('nothing-here')" 2>&1 | tr '\n' ' ')
psql -X -q -d "$bouncer dbname=promo_single" -c "SELECT redeem_promo(NULL)" >/dev/null 2>&1
state="current_setting('search_path'), current_setting('promo.reveal_reasons'),
  (SELECT count(*) FROM pg_prepared_statements), current_user, txid_current_if_assigned() IS NULL"
fresh=$(psql -X -A -t -d "$(shard_dsn 0)" -c "SELECT $state")
second=$(psql -X -A -t -d "$bouncer dbname=promo_single" -c "SELECT pg_backend_pid(), $state")
echo "first client: $first"
echo "next client:  $second"
echo "a fresh session: $fresh"
[[ $second == "${first%%|*}|$fresh" ]] ||
  fail "the next client, on the same server connection, did not see what a fresh session sees"

if ((failed)); then echo "FAIL: scale-out"; exit 1; fi
echo "PASS: scale-out"
