#!/usr/bin/env bash
# pg_dump of a promo database with codes in every state (one-slot and hot,
# hot codes with some slot rows and not others, capped, unlimited, max_uses 0,
# customer limits, keys, live, expired, confirmed and released holds and
# redemptions), restored six ways, each into a fresh database: psql -f,
# psql --single-transaction -f, pg_restore of a custom-format dump, with
# --single-transaction, with -j 4, and with the slots' data loaded before the
# codes' and the campaigns' (as -j may do). Each restore must succeed and bring back
# the three tables row for row, the same usage and the invariant; both
# identity sequences go on; keys replay; customer limits still refuse; and
# every code grants exactly the uses it had left (plus its expired holds,
# reclaimed on the way) before it answers exhausted; so does every campaign
# (1.5: one with one slot, one with eight, one-slot and hot codes, a
# customer limit across codes, holds live and expired on different codes).
# The DBA's grants on promo_monitor come back too.
# With PROMO_VERSION=1.6 (or newer) the source is made at that version (and
# each target database gets that version before the restore), with
# codes that have order terms and ledger rows with orders and discounts
# (one-slot, hot, in a campaign); a keyed order replays its discount.
# Last, a hot code moved to another database with COPY (the README's shard
# move) keeps its usage.
# Runs against the server in the PG* environment.
set -eEuo pipefail
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND failed"' ERR

prefix=promo_dr
source_db=${prefix}_source
work=$(mktemp -d /tmp/promo-dump.XXXXXX)
chmod 755 "$work"
databases=("$source_db" ${prefix}_plain ${prefix}_plain_1tx ${prefix}_custom ${prefix}_custom_1tx ${prefix}_custom_parallel
           ${prefix}_slots_first ${prefix}_shard)
drop_all() {
  for db in "${databases[@]}"; do dropdb --if-exists "$db" 2>/dev/null || true; done
  psql -X -q -d template1 -c "DROP ROLE IF EXISTS ${prefix}_watcher" 2>/dev/null || true
}
trap 'rm -rf "$work"; drop_all' EXIT
drop_all

source "$(dirname "$0")/../harness/checks.sh"


# --- The source database ----------------------------------------------------
createdb "$source_db"
psql -X -q -d template1 -c "CREATE ROLE ${prefix}_watcher"
version=${PROMO_VERSION:-}
create_extension="CREATE EXTENSION promo${version:+ VERSION '$version'}"
sql "$source_db" "$create_extension" >/dev/null
orders=$(sql "$source_db" "SELECT count(*) FROM pg_attribute WHERE attrelid = 'promo_codes'::regclass
                            AND attname = 'discount_amount'")
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$source_db" <<'SQL'
-- A DBA's grants on promo's own objects, which the dump must keep.
GRANT USAGE ON SCHEMA promo_monitor TO promo_dr_watcher;
GRANT SELECT ON promo_monitor.promo_stats TO promo_dr_watcher;
SELECT create_promo('ONE-20', 20), create_promo('ONE-FREE'), create_promo('ZERO', 0),
       create_promo('LIMITED', 12, max_uses_per_customer => 2);
SELECT create_promo('HOT3', 30, slots => 3), create_promo('HOT5', 17, slots => 5),
       create_promo('HOT8', 40, slots => 8), create_promo('HOT-10-8', 10, slots => 4),
       create_promo('HOT-FREE', slots => 6), create_promo('HOT-ZERO', 0, slots => 3),
       create_promo('HOT-LIMITED', 9, max_uses_per_customer => 1, slots => 4),
       create_promo('HOT-RESPREAD', 20, slots => 4);

-- Plain uses. One session takes its uses from one slot until that slot's
-- share runs out, so hot codes end with rows for some slots and not others.
SELECT redeem_promo('ONE-20') FROM generate_series(1, 6);
SELECT redeem_promo('ONE-FREE') FROM generate_series(1, 4);
SELECT redeem_promo('HOT3') FROM generate_series(1, 4);
SELECT redeem_promo('HOT5') FROM generate_series(1, 7);
SELECT redeem_promo('HOT8') FROM generate_series(1, 12);
SELECT redeem_promo('HOT-10-8') FROM generate_series(1, 6);
SELECT redeem_promo('HOT-FREE') FROM generate_series(1, 5);
-- A re-spread folds the slots into current_uses; later uses make new slot rows.
SELECT redeem_promo('HOT-RESPREAD') FROM generate_series(1, 6);
UPDATE promo_codes SET slots = 6 WHERE code = 'HOT-RESPREAD';
SELECT redeem_promo('HOT-RESPREAD') FROM generate_series(1, 3);

-- Customers: alice and dave at their limits; bob and erin at theirs only
-- through a hold that expires below; carol below hers.
SELECT redeem_promo('LIMITED', customer_id => 'alice') FROM generate_series(1, 2);
SELECT redeem_promo('LIMITED', customer_id => 'bob');
SELECT redeem_promo('LIMITED', customer_id => 'bob', hold => '1 hour');
SELECT redeem_promo('LIMITED', customer_id => 'carol');
SELECT redeem_promo('HOT-LIMITED', customer_id => 'dave');
SELECT redeem_promo('HOT-LIMITED', customer_id => 'erin', hold => '1 hour');

-- Idempotency keys, one of them on a released redemption.
SELECT redeem_promo('ONE-20', customer_id => 'alice', idempotency_key => 'order-1');
SELECT redeem_promo('HOT5', idempotency_key => 'order-2');
SELECT release_promo(redemption_id) FROM redeem_promo('HOT8', customer_id => 'frank', idempotency_key => 'order-3');

-- Holds: '1 day' ones stay live, '1 hour' ones are made to expire below.
SELECT redeem_promo(code, hold => '1 day') FROM unnest(ARRAY['ONE-20', 'HOT5', 'HOT-10-8', 'HOT-FREE']) code;
SELECT redeem_promo(code, hold => '1 hour') FROM unnest(ARRAY['ONE-20', 'HOT5', 'HOT8', 'HOT-10-8']) code;
SELECT confirm_promo(redemption_id) FROM unnest(ARRAY['ONE-20', 'HOT3']) code, redeem_promo(code, hold => '1 day');
-- Releases of redemptions and of holds, one-slot and hot.
SELECT release_promo(redemption_id) FROM unnest(ARRAY['ONE-20', 'HOT5', 'HOT-RESPREAD']) code, redeem_promo(code);
SELECT release_promo(redemption_id) FROM unnest(ARRAY['ONE-20', 'HOT8']) code, redeem_promo(code, hold => '1 day');
-- Campaigns (1.5): their codes have no cap of their own, so the campaign's binds.
SELECT create_campaign('CAMP-ONE', max_uses => 9, slots => 1),
       create_campaign('CAMP-HOT', max_uses => 25, max_uses_per_customer => 2, slots => 8);
SELECT create_promo('C1-' || g, campaign => 'CAMP-ONE') FROM generate_series(1, 4) g;
SELECT create_promo('CH-' || g, campaign => 'CAMP-HOT') FROM generate_series(1, 6) g;
SELECT create_promo('CH-HOT', slots => 3, campaign => 'CAMP-HOT');
SELECT redeem_promo('C1-' || g) FROM generate_series(1, 4) g;
SELECT redeem_promo('CH-' || g, customer_id => 'gina') FROM generate_series(1, 2) g;
SELECT redeem_promo('CH-HOT') FROM generate_series(1, 5);
SELECT redeem_promo('CH-' || g) FROM generate_series(3, 6) g;
SELECT redeem_promo('CH-HOT', customer_id => 'hank', hold => '1 hour');
SELECT redeem_promo('CH-3', hold => '1 hour'), redeem_promo('C1-2', hold => '1 hour'),
       redeem_promo('CH-4', hold => '1 day'), redeem_promo('C1-3', hold => '1 day');
SELECT release_promo(redemption_id) FROM unnest(ARRAY['C1-1', 'CH-5', 'CH-HOT']) code, redeem_promo(code);
-- As the DBA: the '1 hour' holds expire (nothing has reclaimed them yet).
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
 WHERE state = 'held' AND hold_expires_at < now() + interval '2 hours';
SQL

# 1.6: order terms on codes (no minimum and no customer required, so that
# calls without an order still redeem them), and orders in the ledger.
if ((orders == 1)); then
  psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$source_db" <<'SQL'
UPDATE promo_codes SET discount_basis_points = 1250, discount_ceiling = 900, currency = 'EUR'
 WHERE code IN ('ONE-20', 'HOT5', 'CH-2');
UPDATE promo_codes SET discount_amount = 250, currency = 'USD' WHERE code IN ('HOT8', 'C1-4');
SELECT redeem_promo(code, order_amount => amount, currency => 'EUR')
  FROM unnest(ARRAY['ONE-20', 'HOT5', 'CH-2', 'HOT3']) code, unnest(ARRAY[1004, 8000, 0]) amount;
SELECT redeem_promo('HOT8', order_amount => 100, currency => 'USD'), redeem_promo('HOT8', order_amount => 1000, currency => 'USD');
SELECT redeem_promo('ONE-20', customer_id => 'ivan', idempotency_key => 'order-6', order_amount => 4004, currency => 'EUR');
SELECT release_promo(redemption_id) FROM redeem_promo('HOT5', order_amount => 4000, currency => 'EUR');
SQL
fi

# What the source must show for this test to mean something.
shape=$(sql "$source_db" "SELECT
  (SELECT count(*) FROM promo_codes c WHERE slots > 1 AND (SELECT count(*) FROM promo_code_slots s
     WHERE s.promo_id = c.id) BETWEEN 1 AND c.slots - 1),
  (SELECT count(*) FROM promo_redemptions WHERE state = 'held' AND hold_expires_at <= now()),
  (SELECT count(*) FROM promo_redemptions WHERE state = 'held' AND hold_expires_at > now()),
  (SELECT count(*) FROM promo_redemptions WHERE state = 'released'),
  (SELECT count(*) FROM promo_code_usage WHERE code = 'HOT-10-8' AND uses = 8 AND max_uses = 10)")
IFS='|' read -r partly_slotted expired_holds live_holds released hot_10_8 <<<"$shape"
if ((partly_slotted >= 3 && expired_holds >= 6 && live_holds >= 4 && released >= 6 && hot_10_8 == 1)); then
  pass "source: $partly_slotted hot codes with some slot rows and not others, $expired_holds expired holds," \
    "$live_holds live holds, $released released redemptions"
else
  fail "source is not in the intended state (hot codes partly slotted, expired, live, released, HOT-10-8): $shape"
fi

# The tables compared row for row, each in the order of its key.
tables=(promo_campaigns promo_campaign_slots promo_codes promo_code_slots promo_redemptions promo_code_usage
        promo_campaign_usage)
declare -A order_of=([promo_codes]=id [promo_code_slots]="promo_id, slot" [promo_redemptions]=id
  [promo_code_usage]=promo_id [promo_campaigns]=id [promo_campaign_slots]="campaign_id, slot"
  [promo_campaign_usage]=campaign_id) source_rows
# The campaigns whose usage is not their codes' live ledger rows.
campaign_invariant_query="SELECT u.name, u.uses FROM promo_campaign_usage u
  WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                    WHERE c.campaign_id = u.campaign_id AND r.state IN ('redeemed', 'held'))"
table_rows() { sql "$1" "SELECT * FROM $2 ORDER BY ${order_of[$2]}"; }
snapshot() { for table in "${tables[@]}"; do table_rows "$1" "$table"; done; }

# Every code's calls after a restore: a capped code grants what it has left
# plus its expired holds (a call that would be refused reclaims them first),
# then answers exhausted three times; an unlimited one grants 5 of 5.
expectations=$(sql "$source_db" "SELECT u.code, u.max_uses IS NOT NULL,
       COALESCE(u.max_uses - u.uses + (SELECT count(*) FROM promo_redemptions r WHERE r.promo_id = u.promo_id
                                          AND r.state = 'held' AND r.hold_expires_at <= now())::int, 5)
  FROM promo_code_usage u JOIN promo_codes c ON c.id = u.promo_id WHERE c.campaign_id IS NULL ORDER BY u.code")
# Each campaign grants what it has left plus its codes' expired holds, through
# any of its codes, then refuses: CAMP|grants.
campaign_expectations=$(sql "$source_db" "SELECT u.name, u.max_uses - u.uses
       + (SELECT count(*) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
           WHERE c.campaign_id = u.campaign_id AND r.state = 'held' AND r.hold_expires_at <= now())::int
  FROM promo_campaign_usage u ORDER BY u.name")
expected_calls="" calls_values=""
while IFS='|' read -r code capped grants; do
  for ((i = 0; i < grants; i++)); do expected_calls+="$code redeemed"$'\n'; done
  extra=0
  [[ $capped == t ]] && extra=3 && for i in 1 2 3; do expected_calls+="$code exhausted"$'\n'; done
  calls_values+="${calls_values:+,}('$code', $((grants + extra)))"
done <<<"$expectations"
source_max_code=$(sql "$source_db" "SELECT max(id) FROM promo_codes")
source_max_redemption=$(sql "$source_db" "SELECT max(id) FROM promo_redemptions")
source_snapshot=$(snapshot "$source_db")
for table in "${tables[@]}"; do source_rows[$table]=$(table_rows "$source_db" "$table"); done

pg_dump -d "$source_db" -f "$work/dump.sql"
pg_dump -d "$source_db" -Fc -f "$work/dump.custom"

# --- Restores -----------------------------------------------------------------
restore_plain() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$work/dump.sql" >/dev/null; }
restore_plain_1tx() { psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$1" -f "$work/dump.sql" >/dev/null; }
restore_custom() { pg_restore --exit-on-error -d "$1" "$work/dump.custom"; }
restore_custom_1tx() { pg_restore --exit-on-error --single-transaction -d "$1" "$work/dump.custom"; }
restore_custom_parallel() { pg_restore --exit-on-error -j 4 -d "$1" "$work/dump.custom"; }
# pg_restore -j may load the tables in any order: the slots' data first, on purpose.
restore_slots_first() {
  pg_restore -l "$work/dump.custom" >"$work/list"
  { grep -v 'TABLE DATA public promo_c' "$work/list"
    grep 'TABLE DATA public promo_code_slots' "$work/list"; grep 'TABLE DATA public promo_campaign_slots' "$work/list"
    grep 'TABLE DATA public promo_campaigns ' "$work/list"; grep 'TABLE DATA public promo_codes ' "$work/list"
  } >"$work/list.slots_first"
  pg_restore --exit-on-error -L "$work/list.slots_first" -d "$1" "$work/dump.custom"
}

# replay CODE CUSTOMER KEY: the call that replays the key, answering
# status|redeemed|redemption_id|replayed|redemption_state.
replay() {
  echo "SELECT status, redeemed, redemption_id, replayed, redemption_state
          FROM redeem_promo('$1', customer_id => $2, idempotency_key => '$3')"
}
# replayed CODE KEY: that answer as the source's ledger row says it must be.
replayed() {
  sql "$source_db" "SELECT CASE WHEN r.state = 'released' THEN 'released|f|' ELSE 'redeemed|t|' END
                           || r.id || '|t|' || r.state
                      FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                     WHERE c.code = '$1' AND r.idempotency_key = '$2'"
}
# exhaust DB VALUES: calls each code of VALUES (code, calls) that many times,
# one call per transaction; prints "code status" per call.
exhaust() {
  psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$1" <<SQL
SELECT format('SELECT %L, status FROM redeem_promo(%L)', code, code)
  FROM (VALUES $2) v (code, calls), generate_series(1, calls) g ORDER BY code, g \gexec
SQL
}

check_restored() { # NAME DB
  local name=$1 db=$2
  for table in "${tables[@]}"; do
    same "$name: $table identical to the source" "${source_rows[$table]}" "$(table_rows "$db" "$table")"
  done
  same "$name: the invariant holds, for codes and campaigns" "" \
    "$(sql "$db" "$invariant_query" "$campaign_invariant_query")"
  same "$name: the DBA's grants on promo_monitor came back" "t" \
    "$(sql "$db" "SELECT has_schema_privilege('${prefix}_watcher', 'promo_monitor', 'USAGE')
                   AND has_table_privilege('${prefix}_watcher', 'promo_monitor.promo_stats', 'SELECT')")"

  # Both sequences go on above the restored ids.
  local new_code new_redemption
  { read -r new_code; read -r new_redemption; } < <(sql "$db" "SELECT create_promo('AFTER-RESTORE', 1)" \
    "SELECT redemption_id FROM redeem_promo('AFTER-RESTORE')")
  if ((new_code > source_max_code && new_redemption > source_max_redemption)); then
    pass "$name: a new code gets id $new_code (> $source_max_code), a new redemption $new_redemption (> $source_max_redemption)"
  else
    fail "$name: new ids collide: code $new_code (max $source_max_code), redemption $new_redemption (max $source_max_redemption)"
  fi

  # Keys replay their original redemptions, a released one as released.
  same "$name: keys order-1, order-2 (hot) and order-3 (hot, released) replay their redemptions" "$replays" \
    "$(sql "$db" "$(replay ONE-20 "'alice'" order-1)" "$(replay HOT5 NULL order-2)" "$(replay HOT8 "'frank'" order-3)")"

  # 1.6: a keyed order replays the discount it was granted (501 of 4004 at
  # 12.5 %), and a new order on a restored code is discounted by its terms
  # (and given back, for the counts below).
  if ((orders == 1)); then
    same "$name: key order-6 replays its discount; a new order is discounted by the restored terms" \
      "$(printf '%s\n' "redeemed|t|501|EUR" "redeemed|f|250|USD|t")" \
      "$(sql "$db" "SELECT status, replayed, discount, currency FROM redeem_promo('ONE-20', 'ivan', 'order-6',
                      order_amount => 4004, currency => 'EUR')" \
        "SELECT status, replayed, discount, currency, release_promo(redemption_id)
           FROM redeem_promo('HOT8', order_amount => 700, currency => 'USD')")"
  fi

  # Customers at their limit are refused, and each refusal reclaims its
  # code's expired holds first (bob's and erin's).
  same "$name: alice and dave refused at their limits, their codes' expired holds reclaimed" \
    "$(printf '%s\n' customer_limit_reached customer_limit_reached 0)" \
    "$(sql "$db" "SELECT status FROM redeem_promo('LIMITED', customer_id => 'alice')" \
      "SELECT status FROM redeem_promo('HOT-LIMITED', customer_id => 'dave')" \
      "SELECT count(*) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
        WHERE c.code IN ('LIMITED', 'HOT-LIMITED') AND r.state = 'held'")"

  local calls
  calls=$(exhaust "$db" "$calls_values")
  if [[ "$calls"$'\n' == "$expected_calls" ]]; then
    pass "$name: every code granted exactly what it had left, expired holds included, then answered exhausted" \
      "($(grep -c ' redeemed$' <<<"$calls") redemptions)"
  else
    fail "$name: redeeming to exhaustion: expected (<), got (>), as count, code, status:"
    diff <(uniq -c <<<"${expected_calls%$'\n'}") <(uniq -c <<<"$calls") || true
  fi
  same "$name: then the invariant holds, capped codes are at max_uses, no expired hold is left" "" \
    "$(sql "$db" "$invariant_query" "SELECT code, uses, max_uses FROM promo_code_usage WHERE uses <> max_uses" \
      "SELECT r.id FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
        WHERE c.campaign_id IS NULL AND r.state = 'held' AND r.hold_expires_at <= now()")"
  # Each campaign, through its codes in turn (one call per transaction):
  # exactly what it had left, expired holds included, then the campaign refuses.
  local campaign grants outcomes
  while IFS='|' read -r campaign grants; do
    outcomes=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" <<SQL
WITH codes AS (SELECT array_agg(c.code ORDER BY c.id) AS list FROM promo_codes c
                 JOIN promo_campaigns g ON g.id = c.campaign_id WHERE g.name = '$campaign')
SELECT format('SELECT status || ''/'' || COALESCE(refused_by, ''-'') FROM redeem_promo(%L)',
              list[1 + n % cardinality(list)])
  FROM codes, generate_series(1, $grants + 3) n ORDER BY n \gexec
SQL
)
    same "$name: campaign $campaign granted exactly its $grants remaining uses (expired holds included), then refused" \
      "$(for ((i = 0; i < grants; i++)); do echo redeemed/-; done; for i in 1 2 3; do echo exhausted/campaign; done)" \
      "$outcomes"
  done <<<"$campaign_expectations"
  same "$name: then no campaign breaks the invariant, none has an expired hold left" "" \
    "$(sql "$db" "$campaign_invariant_query" "SELECT r.id FROM promo_redemptions r JOIN promo_codes c
       ON c.id = r.promo_id WHERE c.campaign_id IS NOT NULL AND r.state = 'held' AND r.hold_expires_at <= now()")"
  same "$name: limits still refuse at their limit, other customers read exhausted" \
    "$(printf '%s\n' customer_limit_reached customer_limit_reached exhausted exhausted)" \
    "$(sql "$db" "SELECT status FROM redeem_promo('LIMITED', customer_id => 'alice')" \
      "SELECT status FROM redeem_promo('HOT-LIMITED', customer_id => 'dave')" \
      "SELECT status FROM redeem_promo('LIMITED', customer_id => 'bob')" \
      "SELECT status FROM redeem_promo('HOT-LIMITED', customer_id => 'erin')")"
}

replays=$(replayed ONE-20 order-1; replayed HOT5 order-2; replayed HOT8 order-3)
for method in plain plain_1tx custom custom_1tx custom_parallel slots_first; do
  db=${prefix}_$method
  createdb "$db"
  # pg_dump records no extension version: its CREATE EXTENSION IF NOT EXISTS
  # makes the default one. A version other than the default is created first
  # (the README's recipe), and the dump's then does nothing.
  [[ -z $version ]] || sql "$db" "$create_extension" >/dev/null
  started=$(date +%s%N)
  if "restore_$method" "$db" 2>"$work/$method.err"; then
    pass "$method: the restore succeeded in $(( ($(date +%s%N) - started) / 1000000 )) ms$(
      [[ -s "$work/$method.err" ]] && echo ", saying: $(tr '\n' ' ' <"$work/$method.err")")"
    check_restored "$method" "$db"
  else
    fail "$method: the restore failed: $(cat "$work/$method.err")"
  fi
done
same "the source is unchanged by the dumps" "$source_snapshot" "$(snapshot "$source_db")"

# --- A hot code moved to another database with COPY (the README's shard move):
# deactivated, its rows copied (codes, then slots, then ledger), deleted from
# the source, activated on the shard. In 1.3 the code row's INSERT trigger
# made slot rows, so the COPY of its slot rows failed on a duplicate key.
shard=${prefix}_shard
createdb "$shard"
sql "$shard" "$create_extension" \
  "ALTER SEQUENCE promo_codes_id_seq RESTART WITH 1000000000000001" \
  "ALTER SEQUENCE promo_redemptions_id_seq RESTART WITH 1000000000000001"
moved=HOT5
id=$(sql "$source_db" "SELECT id FROM promo_codes WHERE code = '$moved'")
usage_before=$(sql "$source_db" "SELECT * FROM promo_code_usage WHERE promo_id = $id")
grants=$(sed -n "s/^$moved|t|//p" <<<"$expectations")
sql "$source_db" "UPDATE promo_codes SET is_active = false WHERE id = $id"
rows_of_moved() { # DB: the moved code's rows of the three tables
  sql "$1" "SELECT * FROM promo_codes WHERE id = $id" "SELECT * FROM promo_code_slots WHERE promo_id = $id ORDER BY slot" \
    "SELECT * FROM promo_redemptions WHERE promo_id = $id ORDER BY id"
}
copy_rows() { # TABLE COLUMN: the rows with COLUMN = id, out of the source and into the shard
  local columns # every column but the generated code_key
  columns=$(sql "$source_db" "SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute
    WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''")
  psql -X -q -v ON_ERROR_STOP=1 -d "$source_db" -c "COPY (SELECT $columns FROM $1 WHERE $2 = $id) TO STDOUT" |
    psql -X -q -v ON_ERROR_STOP=1 -d "$shard" -c "COPY $1 ($columns) FROM STDIN"
}
if copy_rows promo_codes id && [[ $(sql "$shard" "SELECT count(*) FROM promo_code_slots") == 0 ]] &&
  copy_rows promo_code_slots promo_id && copy_rows promo_redemptions promo_id; then
  pass "shard move: COPY of $moved's code row (it made no slot row), its slot rows and its ledger rows"
else
  fail "shard move: the COPY of $moved failed"
fi
same "shard move: $moved's rows on the shard identical to the source's" "$(rows_of_moved "$source_db")" \
  "$(rows_of_moved "$shard")"
sql "$source_db" "DELETE FROM promo_redemptions WHERE promo_id = $id" "DELETE FROM promo_codes WHERE id = $id"
sql "$shard" "UPDATE promo_codes SET is_active = true WHERE id = $id"
same "shard move: the source keeps no row of $moved" "" "$(rows_of_moved "$source_db")"
same "shard move: usage and remaining of $moved match, invariant holds" "$usage_before" \
  "$(sql "$shard" "SELECT * FROM promo_code_usage WHERE promo_id = $id" "$invariant_query")"
same "shard move: key order-2 replays on the shard" "$(sed -n 2p <<<"$replays")" \
  "$(sql "$shard" "$(replay HOT5 NULL order-2)")"
calls=$(exhaust "$shard" "('$moved', $((grants + 1)))")
same "shard move: $moved grants exactly its $grants remaining uses (expired hold included), then exhausted" \
  "$(printf "$moved redeemed\n%.0s" $(seq "$grants"))$(printf "\n$moved exhausted")" "$calls"

if ((failures == 0)); then
  echo "PASS: dump and restore, six ways, and a COPY shard move keep every code, count, slot and ledger row"
else
  echo "FAIL: $failures checks failed"
  exit 1
fi
