#!/usr/bin/env bash
# ALTER EXTENSION promo UPDATE to the newest version (the newest with a
# script, which may be one in development, newer than the default) on databases that hold data:
#  - from 1.3, 1.4, 1.5, 1.5.1, 1.5.2 and 1.5.3 while a mixed load (promo-client load: redemptions, keys,
#    holds, confirms, releases, sweeps on one-slot and hot codes) runs from
#    several sessions: the load goes on without an error, and afterwards the
#    invariant holds for every code, no code is over its cap and nothing the
#    load saw acknowledged is lost; codes outside the load keep their usage;
#  - from 1.3 with one call of each kind waiting for the update's locks: once
#    it commits, each answers as the newest would (a redemption whose
#    function the update replaced, after PostgreSQL's error and one retry)
#    and the invariant holds;
#  - from 1.0, 1.1 and 1.2 (through the chain of upgrade scripts): every code
#    and count is kept, the ledger kept or (from 1.0) backfilled with one row
#    per earlier use, grants carried over, and every code then grants exactly
#    what it had left before it answers exhausted.
# Runs against the server in the PG* environment; builds the client if needed.
set -eEuo pipefail
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND failed"' ERR
cd "$(dirname "$0")/../.."
[[ -x client/promo-client ]] || make -s client/promo-client >/dev/null

prefix=promo_upgrade
app_role=${prefix}_app
work=$(mktemp -d /tmp/promo-upgrade.XXXXXX)
chmod 755 "$work"
databases=(${prefix}_live_1_3 ${prefix}_live_1_4 ${prefix}_live_1_5 ${prefix}_live_1_5_1 ${prefix}_live_1_5_2 ${prefix}_live_1_5_3 ${prefix}_inflight ${prefix}_1_0 ${prefix}_1_1 ${prefix}_1_2)
drop_all() {
  for db in "${databases[@]}"; do dropdb --if-exists "$db" 2>/dev/null || true; done
  psql -X -q -d template1 -c "DROP ROLE IF EXISTS $app_role" 2>/dev/null || true
}
load_pids=()
trap 'trap - ERR; ((${#load_pids[@]} == 0)) || kill "${load_pids[@]}" 2>/dev/null; wait; rm -rf "$work"; drop_all' EXIT
drop_all

source test/harness/checks.sh
version_of() { sql "$1" "SELECT extversion FROM pg_extension WHERE extname = 'promo'"; }
newest=$(ls extension/promo--*.sql | sed -E 's/.*promo--([0-9.]+)(--([0-9.]+))?\.sql/\1 \3/' | tr ' ' '\n' |
  grep . | sort -V | tail -1)

# Codes whose usage is not the number of their live ledger rows.

# expectations DB: per code, before the update, what its calls must answer
# after it: "code|grants|status|n": a capped code grants what it has left plus
# its expired holds, then answers exhausted 3 times; an unlimited one grants 5
# of 5; an inactive one answers inactive 3 times.
expectations() {
  local usage="current_uses" expired="0"
  [[ $(version_of "$1") == 1.[3-9]* ]] && usage="(SELECT uses FROM promo_code_usage u WHERE u.promo_id = c.id)"
  [[ $(version_of "$1") != 1.0 ]] && expired="(SELECT count(*) FROM promo_redemptions r WHERE r.promo_id = c.id
                                               AND r.state = 'held' AND r.hold_expires_at <= now())::int"
  sql "$1" "SELECT code, CASE WHEN NOT is_active THEN '0|inactive|3'
                              WHEN max_uses IS NULL THEN '5|exhausted|0'
                              ELSE max_uses - $usage + $expired || '|exhausted|3' END
              FROM promo_codes c ORDER BY code"
}
# exhaust DB EXPECTATIONS: makes the calls, one per transaction, and compares
# their answers ("code status") with what the expectations say.
exhaust() {
  local expected="" values="" code grants status n i
  while IFS='|' read -r code grants status n; do
    for ((i = 0; i < grants; i++)); do expected+="$code redeemed"$'\n'; done
    for ((i = 0; i < n; i++)); do expected+="$code $status"$'\n'; done
    values+="${values:+,}('$code', $((grants + n)))"
  done <<<"$2"
  local calls
  calls=$(psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$1" <<SQL
SELECT format('SELECT %L, status FROM redeem_promo(%L)', code, code)
  FROM (VALUES $values) v (code, calls), generate_series(1, calls) g ORDER BY code, g \gexec
SQL
  )
  if [[ "$calls"$'\n' == "$expected" ]]; then
    pass "$1: every code granted exactly what it had left (expired holds included), then refused" \
      "($(grep -c ' redeemed$' <<<"$calls") redemptions)"
  else
    fail "$1: redeeming to exhaustion: expected (<), got (>), as count, code, status:"
    diff <(uniq -c <<<"${expected%$'\n'}") <(uniq -c <<<"$calls") || true
  fi
}
# update DB: ALTER EXTENSION promo UPDATE, to the newest version.
update() {
  local started=$(date +%s%N)
  if sql "$1" "ALTER EXTENSION promo UPDATE TO '$newest'" 2>"$work/update.err"; then
    pass "$1: ALTER EXTENSION promo UPDATE TO '$newest' in $((($(date +%s%N) - started) / 1000000)) ms$(
      [[ -s $work/update.err ]] && echo ", saying: $(tr '\n' ' ' <"$work/update.err")")"
  else
    fail "$1: ALTER EXTENSION promo UPDATE failed: $(cat "$work/update.err")"
    return 1
  fi
}

# --- From 1.3, and from 1.4, to the newest under load --------------------------
update_under_load() { # FROM
local from=$1 live=${prefix}_live_${1//./_} i
createdb "$live"
# Codes outside the load, used before the update, hot ones with slot rows
# (which the update from 1.3 folds into current_uses).
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$live" <<SQL
CREATE EXTENSION promo VERSION '$from';
SELECT create_promo('QUIET-ONE', 50), create_promo('QUIET-HOT', 50, slots => 4),
       create_promo('QUIET-HOT-FREE', slots => 3), create_promo('QUIET-HOT-FULL', 6, slots => 3);
SELECT redeem_promo(code) FROM unnest(ARRAY['QUIET-ONE', 'QUIET-HOT', 'QUIET-HOT-FREE']) code, generate_series(1, 7);
SELECT redeem_promo('QUIET-HOT-FULL') FROM generate_series(1, 6);
SELECT release_promo(redemption_id) FROM redeem_promo('QUIET-HOT');
SELECT redeem_promo('QUIET-HOT', customer_id => 'ann', idempotency_key => 'quiet-1', hold => '1 day');
SQL
local quiet_slots quiet_usage quiet_ledger quiet_expected acked_before acked_at_update refusals acked
quiet_usage=$(sql "$live" "SELECT * FROM promo_code_usage ORDER BY promo_id")
# From 1.3 the update folds the hot codes' slots; from 1.4 they stay as they are.
quiet_slots=0
[[ $from != 1.3 ]] && quiet_slots=$(sql "$live" "SELECT count(*) FROM promo_code_slots")
quiet_ledger=$(sql "$live" "SELECT * FROM promo_redemptions ORDER BY id")
quiet_expected=$(expectations "$live")

# Three load processes of 4 sessions each, each on 4 codes of its own (every
# other one hot), so that one process stopped by an error leaves the others
# going through the update. Their caps are far above what they can use in
# the run, so any `exhausted` they get is wrong; their customers have limits
# (3 each).
loads=(1 2 3) load_pids=()
for i in "${loads[@]}"; do
  (
    status=0
    client/promo-client --dsn "dbname=$live" load --connections 4 --duration 8 --codes 4 --max-uses 1000000 \
      --slots 4 --ack-log "$work/acks.$i" || status=$?
    echo "exit status $status"
  ) >"$work/load.$i" 2>&1 &
  load_pids+=($!)
done
acked() { cat "$work"/acks.* 2>/dev/null | wc -l; }
for _ in {1..100}; do [[ $(acked) -ge 500 ]] && break; sleep 0.1; done
acked_before=$(acked)
# A deadlock between the update's locks and a redemption's is reported, and
# the update is retried once, as a DBA would, so that the rest can be checked.
update "$live" || update "$live" || true
acked_at_update=$(acked)
wait "${load_pids[@]}"
load_pids=()
same "$live: extversion after the update from $from" "$newest" "$(version_of "$live")"
for i in "${loads[@]}"; do
  # 40001 only from an update that replaces redeem_promo (to 1.6): the calls
  # that waited end so, change nothing, and are retried (the acks say so).
  if grep -q '^exit status 0$' "$work/load.$i" && grep -Eq '^errors: (none|40001 x[0-9]+)$' "$work/load.$i"; then
    pass "$live: load $i went on through the update: $(grep -E '^(calls|errors|replays)' "$work/load.$i" | tr '\n' ';')"
  else
    fail "$live: load $i failed:"
    grep -vE '^(  |load:|backend|connection)|Aborted' "$work/load.$i" | head -4 | cut -c1-200
  fi
done
echo "$live: $acked_before changes acknowledged before the update, $(($(acked) - acked_at_update)) after it"
refusals=$(grep -hE '^  (redeem|hold) exhausted: ' "$work"/load.* | tr '\n' ' ' || true)
same "$live: no load call was refused as exhausted (its caps are far away)" "" "$refusals"

same "$live: the invariant holds for every code" "" "$(sql "$live" "$invariant_query")"
# What the load saw acknowledged, against the ledger.
psql -X -q -v ON_ERROR_STOP=1 -d "$live" -c "CREATE TABLE acks (kind text, id bigint, result text)" \
  -c "\\copy acks FROM PROGRAM 'cat $work/acks.*' WITH (DELIMITER ' ')"
acked=$(sql "$live" "SELECT string_agg(kind || ' ' || result || ' x' || n, ', ' ORDER BY kind, result)
                      FROM (SELECT kind, result, count(*) n FROM acks GROUP BY kind, result) a")
same "$live: no code over its cap or customer over its limit, no key used twice, none of the acknowledged changes lost ($acked)" \
  "" "$(sql "$live" "SELECT 'over cap', code FROM promo_code_usage WHERE uses > max_uses" \
    "SELECT 'over limit', r.promo_id, r.customer_id FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
      WHERE r.state <> 'released' AND r.customer_id IS NOT NULL
      GROUP BY r.promo_id, r.customer_id, c.max_uses_per_customer HAVING count(*) > c.max_uses_per_customer" \
    "SELECT 'lost', a.* FROM acks a LEFT JOIN promo_redemptions r USING (id)
      WHERE (a.kind IN ('redeem', 'hold') AND r.id IS NULL)
         OR (a.kind = 'release' AND a.result = 't' AND r.state IS DISTINCT FROM 'released')
         OR (a.kind = 'confirm' AND a.result = 't' AND (r.state IS NULL OR r.state = 'held'))" \
    "SELECT 'key twice', promo_id, idempotency_key FROM promo_redemptions WHERE idempotency_key IS NOT NULL
            GROUP BY promo_id, idempotency_key HAVING count(*) > 1")"
same "$live: codes outside the load kept their usage, ledger and slot rows ($quiet_slots; from 1.3 folded)" \
  "$quiet_usage"$'\n'"$quiet_ledger"$'\n'"$quiet_slots" \
  "$(sql "$live" "SELECT * FROM promo_code_usage WHERE code LIKE 'QUIET-%' ORDER BY promo_id" \
    "SELECT id, promo_id, customer_id, idempotency_key, state, redeemed_at, hold_expires_at, released_at, slot
       FROM promo_redemptions r WHERE promo_id IN (SELECT id FROM promo_codes WHERE code LIKE 'QUIET-%') ORDER BY id" \
    "SELECT count(*) FROM promo_code_slots s JOIN promo_codes c ON c.id = s.promo_id WHERE c.code LIKE 'QUIET-%'")"
exhaust "$live" "$(grep '^QUIET-' <<<"$quiet_expected")"
}
for from in 1.3 1.4 1.5 1.5.1 1.5.2 1.5.3; do update_under_load "$from"; done

# --- Calls that arrive while the update runs ---------------------------------------
# The same, made certain: with the update's transaction held open, one call
# of each kind waits for its locks; once it commits they run on the newest
# tables and must answer as there, keeping the invariant.
inflight=${prefix}_inflight
createdb "$inflight"
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$inflight" <<'SQL'
CREATE EXTENSION promo VERSION '1.3';
SELECT create_promo('HOT', 10, slots => 4), create_promo('ONE', 10);
SELECT redeem_promo(code) FROM unnest(ARRAY['HOT', 'HOT', 'ONE', 'ONE']) code;   -- ids 1 to 4
SELECT redeem_promo(code, hold => '1 hour') FROM unnest(ARRAY['HOT', 'ONE']) code; -- ids 5, 6
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE state = 'held';
SQL
psql -X -q -d "$inflight" -c "BEGIN" -c "ALTER EXTENSION promo UPDATE TO '$newest'" -c "SELECT pg_sleep(2)" -c "COMMIT" \
  >/dev/null 2>"$work/update.err" &
update_pid=$!
waiting() { sql "$inflight" "SELECT count(*) FROM pg_stat_activity WHERE datname = '$inflight' AND wait_event_type = 'Lock'"; }
for _ in {1..100}; do # until the update holds its locks (the last one it takes is the ledger's)
  [[ $(sql "$inflight" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE c.relname = 'promo_redemptions' AND l.mode = 'ExclusiveLock' AND l.granted") == 1 ]] && break
  sleep 0.05
done
calls=("SELECT 'release hot', release_promo(1)" "SELECT 'release one', release_promo(3)"
  "SELECT 'redeem hot', status FROM redeem_promo('HOT')" "SELECT 'confirm hot', confirm_promo(5)")
# A call whose function the update replaced (1.6's redeem_promo takes the
# order) and that waited while being planned (for promo_redemption, which
# the update changes) fails in PostgreSQL itself: "cache lookup failed for
# function", XX000, before promo runs (as calls_across_the_1_0_update.spec
# shows for 1.1); the README says to retry it. It is retried here once.
call_with_retry() { # SQL
  local out
  if out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$inflight" -c "$1" 2>&1); then
    echo "$out"
  elif [[ $out == *"cache lookup failed for function"* ]]; then
    echo "cache lookup failed, retried"; sql "$inflight" "$1"
  else
    echo "$out"
  fi
}
for i in "${!calls[@]}"; do call_with_retry "${calls[$i]}" >"$work/call.$i" 2>&1 & done
for _ in {1..40}; do [[ $(waiting) -ge ${#calls[@]} ]] && break; sleep 0.05; done
waited=$(waiting)
wait $update_pid || fail "$inflight: ALTER EXTENSION promo UPDATE failed: $(cat "$work/update.err")"
wait
# On the newest: both releases give their use back, the hot code has 7 uses left,
# and hold 5 has expired, so confirming it is false (and reclaims it).
same "$inflight: ${#calls[@]} calls that waited for the update answered as on $newest" \
  "$(printf '%s\n' "waiting ${#calls[@]}" "release hot|t" "release one|t" "cache lookup failed, retried" "redeem hot|redeemed" \
    "confirm hot|f")" \
  "$(echo "waiting $waited"; cat "$work"/call.*)"
same "$inflight: extversion $newest, and the invariant holds" "$newest" \
  "$(version_of "$inflight"; sql "$inflight" "$invariant_query")"

# --- 1.0, 1.1, 1.2 -> the newest with data ---------------------------------------------
# 1.0 has only counters and redeem_promo(text); its grant must carry over.
setup_1_0="
INSERT INTO promo_codes (code, max_uses) VALUES ('CAPPED', 10), ('UNLIMITED', NULL), ('ZERO', 0), ('FULL', 3);
INSERT INTO promo_codes (code, max_uses, is_active) VALUES ('RETIRED', 5, false);
SELECT redeem_promo(code) FROM unnest(ARRAY['capped', 'unlimited', ' Full ']) code, generate_series(1, 3);
SELECT redeem_promo('CAPPED');
CREATE ROLE $app_role;
GRANT EXECUTE ON FUNCTION redeem_promo(text) TO $app_role;"
# 1.1 and 1.2 add the ledger: customers, keys, holds, confirms, releases.
setup_ledger="
INSERT INTO promo_codes (code, max_uses, max_uses_per_customer) VALUES
  ('CAPPED', 10, NULL), ('UNLIMITED', NULL, NULL), ('ZERO', 0, NULL), ('LIMITED', 8, 1);
INSERT INTO promo_codes (code, max_uses, is_active) VALUES ('RETIRED', 5, false);
SELECT redeem_promo(code) FROM unnest(ARRAY['CAPPED', 'UNLIMITED']) code, generate_series(1, 3);
SELECT redeem_promo('LIMITED', customer_id => 'ann'), redeem_promo('LIMITED', customer_id => 'bob', hold => '1 hour');
SELECT redeem_promo('CAPPED', customer_id => 'ann', idempotency_key => 'order-1');
SELECT redeem_promo('CAPPED', hold => '1 day'), redeem_promo('CAPPED', hold => '1 hour');
SELECT confirm_promo(redemption_id) FROM redeem_promo('UNLIMITED', hold => '1 day');
SELECT release_promo(redemption_id) FROM redeem_promo('CAPPED');
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
 WHERE state = 'held' AND hold_expires_at < now() + interval '2 hours';"

codes_query="SELECT id, code, max_uses, current_uses, is_active, valid_from, valid_until, created_at FROM promo_codes ORDER BY id"
ledger_query="SELECT id, promo_id, customer_id, idempotency_key, state, redeemed_at, hold_expires_at, released_at
                FROM promo_redemptions ORDER BY id"

upgrade_with_data() { # VERSION
  local version=$1 db=${prefix}_${1/./_} setup codes ledger expected
  setup=$([[ $version == 1.0 ]] && echo "$setup_1_0" || echo "$setup_ledger")
  createdb "$db"
  sql "$db" "CREATE EXTENSION promo VERSION '$version'"
  psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$db" <<<"$setup"
  codes=$(sql "$db" "$codes_query")
  [[ $version != 1.0 ]] && ledger=$(sql "$db" "$ledger_query")
  expected=$(expectations "$db")
  update "$db" || return 0
  same "$db: extversion $version -> $newest, every code kept, one slot each, code_key set" "$newest"$'\n'"$codes"$'\n'0 \
    "$(version_of "$db"; sql "$db" "$codes_query"
      sql "$db" "SELECT count(*) FROM promo_codes WHERE slots <> 1 OR code_key IS DISTINCT FROM promo_normalize_code(code)")"
  if [[ $version == 1.0 ]]; then
    same "$db: the ledger backfilled: one redeemed row per earlier use, without customer or key" \
      "$(sql "$db" "SELECT id, current_uses FROM promo_codes WHERE current_uses > 0 ORDER BY id")" \
      "$(sql "$db" "SELECT promo_id, count(*) FROM promo_redemptions
                     WHERE state = 'redeemed' AND customer_id IS NULL AND idempotency_key IS NULL
                     GROUP BY promo_id ORDER BY promo_id" \
        "SELECT 'other', * FROM promo_redemptions WHERE state <> 'redeemed' OR customer_id IS NOT NULL")"
    same "$db: the grant on redeem_promo(text) carried over to redeem_promo(code, ...)" "t" \
      "$(sql "$db" "SELECT has_function_privilege('$app_role', (SELECT oid FROM pg_proc WHERE proname = 'redeem_promo' ORDER BY pronargs DESC LIMIT 1), 'EXECUTE')")"
  else
    same "$db: the ledger kept row for row" "$ledger" "$(sql "$db" "$ledger_query")"
    same "$db: key order-1 replays its redemption; ann is refused at her limit" \
      "$(sql "$db" "SELECT 'redeemed|1|' || id FROM promo_redemptions WHERE idempotency_key = 'order-1'")"$'\n'customer_limit_reached \
      "$(sql "$db" "SELECT status || '|' || replayed::int || '|' || redemption_id
                      FROM redeem_promo('CAPPED', customer_id => 'ann', idempotency_key => 'order-1')" \
        "SELECT status FROM redeem_promo('LIMITED', customer_id => 'ann')")"
  fi
  same "$db: the invariant holds" "" "$(sql "$db" "$invariant_query")"
  exhaust "$db" "$expected"
}

for version in 1.0 1.1 1.2; do upgrade_with_data "$version"; done

if ((failures == 0)); then
  echo "PASS: live 1.3, 1.4, 1.5, 1.5.1, 1.5.2 and 1.5.3 -> $newest under load, and 1.0, 1.1, 1.2 -> $newest with data, kept every code, count and ledger row"
else
  echo "FAIL: $failures checks failed"
  exit 1
fi
