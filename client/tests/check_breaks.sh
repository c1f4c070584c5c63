#!/usr/bin/env bash
# The campaign check must fail, loudly and for the right reason, when the
# round is broken behind its back. Each case sabotages a database of its own
# (a trigger of ours on promo's tables, a lock held elsewhere, a full server),
# runs `check --campaign`, and passes only if the check exits non-zero, says
# the expected thing, and leaves no campaign or code behind.
#   client/tests/check_breaks.sh     (PGHOST/PGPORT: a server started by test/harness/server.sh)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# The server's own programs, by path (a bare "psql" in the function below
# would call the function itself).
bin=${PG_BIN:-$(pg_config --bindir)}/
psql() { "${bin}psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
client=client/promo-client
database=promo_check_breaks
failures=0
children=()
trap 'for pid in "${children[@]}"; do kill "$pid" 2>/dev/null; done' EXIT

fresh_database() {  # [promo version]
  "${bin}dropdb" --if-exists --force "$database" && "${bin}createdb" "$database" &&
    psql -d "$database" -c "CREATE EXTENSION promo ${1:+VERSION '$1'}"
}

# check_fails NAME EXPECTED CHECK-ARGUMENTS...: the check must exit 1 and print EXPECTED.
check_fails() {
  local name=$1 expected=$2 output status left
  shift 2
  output=$(timeout 120 "$client" --dsn "dbname=$database" check --campaign "$@" 2>&1)
  status=$?
  left=$(psql -d "$database" -A -t -c "SELECT count(*) FROM promo_codes WHERE code LIKE 'CHECK-%'" 2>&1)
  if [[ $(psql -d "$database" -A -t -c "SELECT to_regclass('promo_campaigns') IS NOT NULL") == t ]]; then
    left=$((left + $(psql -d "$database" -A -t -c "SELECT count(*) FROM promo_campaigns WHERE name LIKE 'check-%'")))
  fi
  if [[ $status -eq 1 && $output == *"$expected"* && $left == 0 ]]; then
    echo "ok: $name"
    grep -E "FAIL|promo-client:" <<<"$output" | sed 's/^/      said: /'
  else
    echo "NOT OK: $name (exit $status, expected 1; $left objects of the check left behind; wanted: $expected)"
    sed 's/^/      /' <<<"$output"
    failures=$((failures + 1))
  fi
}

# Waits until QUERY answers ANSWER (compared with OPERATOR, -eq or -ge), for a minute at most.
wait_until() {  # QUERY OPERATOR ANSWER
  local deadline=$((SECONDS + 60))
  until [ "$(psql -d "$database" -A -t -c "$1")" "$2" "$3" ]; do
    ((SECONDS < deadline)) || { echo "NOT OK: gave up waiting for: $1 $2 $3"; exit 1; }
    sleep 0.1
  done
}

# Ends the sessions this script started, whose backends sleep on without
# noticing their client is gone, and waits until they are.
stop_sessions() {  # a text of their query
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null; done
  psql -d "$database" -A -t -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                                 WHERE datname = '$database' AND strpos(query, '$1') > 0
                                   AND pid <> pg_backend_pid()" >/dev/null
  wait_until "SELECT count(*) FROM pg_stat_activity WHERE datname = '$database'
                AND strpos(query, '$1') > 0 AND pid <> pg_backend_pid()" -eq 0
  children=()
}

small=(--connections 20 --max-uses 10 --rounds 1 --wait-seconds 5)

fresh_database || exit 1
psql -d "$database" <<'SQL' || exit 1
CREATE FUNCTION exhaust_new_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE public.promo_campaigns SET current_uses = max_uses WHERE id = NEW.id; RETURN NULL; END $$;
CREATE TRIGGER exhaust AFTER INSERT ON promo_campaigns FOR EACH ROW EXECUTE FUNCTION exhaust_new_campaign();
SQL
check_fails "a campaign exhausted before the round" "FAIL: the campaign already counted 10 uses when the round started" \
  "${small[@]}"

fresh_database || exit 1
psql -d "$database" <<'SQL' || exit 1
CREATE FUNCTION deactivate_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE public.promo_codes SET is_active = false WHERE id = NEW.id; RETURN NULL; END $$;
CREATE TRIGGER deactivate AFTER INSERT ON promo_codes FOR EACH ROW WHEN (NEW.code LIKE '%-7')
  EXECUTE FUNCTION deactivate_code();
SQL
check_fails "an inactive code" "redemptions were refused by their own code, which had its one use (first: inactive (refused_by code))" \
  "${small[@]}"

fresh_database || exit 1
psql -d "$database" <<'SQL' || exit 1
CREATE FUNCTION deactivate_campaign() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE public.promo_campaigns SET is_active = false WHERE id = NEW.id; RETURN NULL; END $$;
CREATE TRIGGER deactivate AFTER INSERT ON promo_campaigns FOR EACH ROW EXECUTE FUNCTION deactivate_campaign();
SQL
check_fails "an inactive campaign" "answers were neither redeemed nor exhausted by the campaign (first: inactive (refused_by campaign))" \
  "${small[@]}"

# The campaign grants one use more than the check asked for: what an
# overuse looks like to the check.
fresh_database || exit 1
psql -d "$database" <<'SQL' || exit 1
CREATE FUNCTION raise_cap() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE public.promo_campaigns SET max_uses = max_uses + 1 WHERE id = NEW.id; RETURN NULL; END $$;
CREATE TRIGGER raise_cap AFTER INSERT ON promo_campaigns FOR EACH ROW EXECUTE FUNCTION raise_cap();
SQL
check_fails "one use more than the cap" "FAIL: OVERUSE: 11 redemptions succeeded, the campaign's max_uses is 10" "${small[@]}"

# One session's redemption fails with an error. The cap covers every code,
# so that the sabotaged one surely gets as far as its ledger row.
fresh_database || exit 1
psql -d "$database" <<'SQL' || exit 1
CREATE FUNCTION refuse_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT code FROM public.promo_codes WHERE id = NEW.promo_id) LIKE '%-7' THEN
    RAISE EXCEPTION 'sabotaged redemption';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refuse BEFORE INSERT ON promo_redemptions FOR EACH ROW EXECUTE FUNCTION refuse_ledger_row();
SQL
check_fails "a redemption that fails" "FAIL: 1 redemptions failed with an error: ERROR:  sabotaged redemption" \
  "${small[@]}" --max-uses 20

# Without the guard trigger the gate's UPDATE holds only the campaign row,
# which redemptions read without waiting: they go through while it is closed.
fresh_database || exit 1
psql -d "$database" -c "ALTER TABLE promo_campaigns DISABLE TRIGGER promo_campaigns_guard_update" || exit 1
check_fails "a gate that holds nothing" "FAIL: only 0 of 20 sessions were waiting for the gate" "${small[@]}"

# The gate's UPDATE waits on a lock someone else holds.
fresh_database || exit 1
psql -d "$database" <<'SQL' || exit 1
CREATE FUNCTION wait_for_4242() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NEW; END $$;
CREATE TRIGGER a_blocker BEFORE UPDATE ON promo_campaigns FOR EACH ROW EXECUTE FUNCTION wait_for_4242();
SQL
psql -d "$database" -c "SELECT pg_advisory_lock(4242), pg_sleep(300)" >/dev/null 2>&1 &
children+=($!)
wait_until "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND granted" -eq 1
check_fails "a gate that cannot be taken" "the gate could not take campaign" "${small[@]}" --wait-seconds 2
stop_sessions "pg_sleep(300)"

# The server refuses connections: every slot but a few is taken.
fresh_database || exit 1
taken=$(($(psql -d "$database" -A -t -c "SHOW max_connections") - 60))
echo "SELECT pg_sleep(300);" >"/tmp/check_breaks.$$.sql"
"${bin}pgbench" -n -c "$taken" -j 4 -T 300 -f "/tmp/check_breaks.$$.sql" "$database" >/dev/null 2>&1 &
children+=($!)
wait_until "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench'" -ge "$taken"
check_fails "a server that refuses connections" "the server refused session" --connections 100 --max-uses 50 --rounds 1
stop_sessions "pg_sleep(300)"
rm -f "/tmp/check_breaks.$$.sql"

fresh_database || exit 1
check_fails "too few connection slots" "Raise max_connections or lower --connections" --connections 10000

fresh_database 1.4 || exit 1
check_fails "promo without campaigns" "has no campaigns; they came with 1.5" "${small[@]}"

"${bin}dropdb" --if-exists "$database"
if [[ $failures -gt 0 ]]; then
  echo "FAIL: $failures broken rounds were not reported as broken"
  exit 1
fi
echo "PASS: every broken round failed the check, saying why"
