#!/usr/bin/env bash
# promo_stats through Debian's prometheus-postgres-exporter with
# monitoring/promo-queries.yaml: a throwaway server, promo in database shop,
# known redemptions (one-slot: 3 redeemed, 1 exhausted; not found: 2; hot, 4
# slots: 5 redeemed, 1 customer_limit_reached; and a one-slot redemption that
# waits for another transaction's, so lock_waits counts 1), then a scrape of our own
# exporter process on a random loopback port, connected as a role with only
# pg_monitor. Every promo_calls and promo_lock_waits series must equal its row
# of promo_stats (all 24 rows, zeros included), and the known figures too;
# promo_stats_reset_time_seconds the time of the view's stats_reset.
# The exporter is this script's own process, killed at the end; the Debian
# service unit is left as apt left it.
set -uo pipefail
cd "$(dirname "$0")/../.."

failed=0
fail() { echo "FAIL: $*"; failed=1; }
die() { echo "FAIL: $*"; exit 1; }

package=prometheus-postgres-exporter
if [[ $(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) != installed ]]; then
  [[ $(id -u) -eq 0 ]] || die "$package is not installed, and installing it needs root"
  echo "installing $package with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$package" >/tmp/exporter.apt.log 2>&1 ||
    { apt-get update -q >>/tmp/exporter.apt.log 2>&1 &&
      apt-get install -y -q --no-install-recommends "$package" >>/tmp/exporter.apt.log 2>&1; } ||
    { tail -20 /tmp/exporter.apt.log; die "apt-get could not install $package"; }
fi
exporter_bin=$(command -v prometheus-postgres-exporter) || die "prometheus-postgres-exporter is not on PATH"
command -v curl >/dev/null || die "curl is needed to scrape the exporter"
queries=$PWD/monitoring/promo-queries.yaml
[[ -r $queries ]] || die "$queries is missing"

work=$(mktemp -d /tmp/promo-exporter.XXXXXX)
exporter_pid= holder_pid=
source test/harness/server.sh
cleanup() {
  if [[ -n $exporter_pid ]] && kill -0 "$exporter_pid" 2>/dev/null; then
    kill "$exporter_pid"
    wait "$exporter_pid" 2>/dev/null
  fi
  server_stop  # ends the holder's session too, if it is still there
  [[ -n $holder_pid ]] && wait "$holder_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
server_start || die "the server did not start"

sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d shop "$@"; }
createdb shop || die "createdb shop failed"
sql -c "CREATE EXTENSION promo" || die "CREATE EXTENSION promo failed"
[[ $(sql -c "SELECT count(*) FROM pg_views WHERE schemaname = 'promo_monitor' AND viewname = 'promo_stats'") == 1 ]] ||
  die "this promo ($(sql -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")) has no view promo_monitor.promo_stats"
sql >/dev/null <<'SQL' || die "setting up shop failed"
CREATE ROLE prometheus LOGIN;
GRANT pg_monitor TO prometheus;   -- what the README grants a monitoring role
SELECT create_promo('ONE', 3), create_promo('HOT', 100, max_uses_per_customer => 1, slots => 4),
       create_promo('CONTENDED', 2);
SELECT promo_monitor.promo_stats_reset();
SQL

# Our exporter, on a random loopback port (another one if that port is taken).
export DATA_SOURCE_NAME="host=$PROMO_SERVER_DIR port=$PGPORT user=prometheus dbname=shop sslmode=disable"
for attempt in 1 2 3 4 5; do
  port=$((10000 + RANDOM % 22000))
  [[ $port == "$PGPORT" ]] && continue
  "$exporter_bin" --web.listen-address="127.0.0.1:$port" --extend.query-path="$queries" \
    --disable-default-metrics --disable-settings-metrics --no-collector.database --no-collector.bgwriter \
    >"$work/exporter.log" 2>&1 &
  exporter_pid=$!
  # Listening within 20 s, or gone (a port in use ends it at once). The
  # listener must be our process, not whatever else holds that port.
  listening=0
  for ((waited = 0; waited < 200; waited++)); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" &&
      ss -Hltnp "sport = :$port" | grep -q "pid=$exporter_pid," && { listening=1; break; }
    kill -0 "$exporter_pid" 2>/dev/null || break
    sleep 0.1
  done
  ((listening)) && break
  kill "$exporter_pid" 2>/dev/null; wait "$exporter_pid" 2>/dev/null; exporter_pid=
  grep -q "address already in use" "$work/exporter.log" || break
done
[[ -n $exporter_pid ]] || { cat "$work/exporter.log"; die "the exporter did not listen"; }
exporter_version=$("$exporter_bin" --version 2>&1 | grep -o 'version [0-9][^ ]*' | head -1)
echo "exporter $exporter_version listening on 127.0.0.1:$port (pid $exporter_pid)"

# scrape FILE: the metrics as "metric code_class status value", sorted; the
# whole page in FILE.page.
scrape() {
  curl -sf "http://127.0.0.1:$port/metrics" >"$1.page" || return 1
  python3 - "$1.page" <<'PY' | sort >"$1"
import re, sys
line_re = re.compile(r'^(promo_calls|promo_lock_waits)\{([^}]*)\} (\S+)$')
for line in open(sys.argv[1]):
    m = line_re.match(line.rstrip('\n'))
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
    value = float(m.group(3))
    print(m.group(1), labels.get('code_class', '?'), labels.get('status', '?'),
          int(value) if value.is_integer() else value)
PY
}
# The same from promo_stats, read directly by the DBA.
from_view() {
  sql -F ' ' -c "SELECT metric, code_class, status, value FROM (
                   SELECT 'promo_calls' AS metric, code_class, status::text, calls AS value FROM promo_monitor.promo_stats
                   UNION ALL
                   SELECT 'promo_lock_waits', code_class, status::text, lock_waits FROM promo_monitor.promo_stats) s" | sort
}

# Before any call: the 24 rows of each counter, all zero.
scrape "$work/before" || die "the first scrape failed"
grep -qx 'pg_up 1' "$work/before.page" || fail "pg_up is not 1: $(grep '^pg_up' "$work/before.page")"
rows_before=$(wc -l <"$work/before")
zeros_before=$(awk '$4 == 0' "$work/before" | wc -l)
echo "before the calls: $rows_before promo series, $zeros_before at 0"
[[ $rows_before == 48 && $zeros_before == 48 ]] || fail "expected 48 series (24 per counter), all 0"

# The known answers, one call per statement.
calls=()
for i in 1 2 3 4; do calls+=("SELECT status FROM redeem_promo('ONE')"); done        # 3 redeemed, 1 exhausted
for i in 1 2; do calls+=("SELECT status FROM redeem_promo('NO-SUCH-CODE-$i')"); done # 2 not_found
for i in 1 2 3 4 5; do calls+=("SELECT status FROM redeem_promo('HOT', customer_id => 'cust-$i')"); done
calls+=("SELECT status FROM redeem_promo('HOT', customer_id => 'cust-1')")            # customer_limit_reached
args=()
for statement in "${calls[@]}"; do args+=(-c "$statement"); done
answers=$(sql "${args[@]}" | paste -sd' ')
expected_answers="redeemed redeemed redeemed exhausted not_found not_found redeemed redeemed redeemed redeemed redeemed customer_limit_reached"
echo "answers: $answers"
[[ $answers == "$expected_answers" ]] || fail "expected answers: $expected_answers"

# A redemption that waits for promo's queue lock on CONTENDED: the holder
# redeems in an open transaction and commits only once the waiter waits for a
# lock (pg_stat_activity, polled in the holder's session, 30 s at most).
PGAPPNAME=promo-holder sql >"$work/holder.out" 2>&1 <<'SQL' &
BEGIN;
SELECT status FROM redeem_promo('CONTENDED');
DO $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '30 seconds';
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN EXISTS (SELECT FROM pg_stat_activity
                       WHERE application_name = 'promo-waiter' AND wait_event_type = 'Lock');
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'promo-waiter did not wait for a lock within 30 s';
    END IF;
    PERFORM pg_sleep(0.05);
  END LOOP;
END
$$;
COMMIT;
SQL
holder_pid=$!
# The waiter starts once the holder has redeemed and is polling (20 s at most).
for ((waited = 0; ; waited++)); do
  [[ $(sql -c "SELECT count(*) FROM pg_stat_activity
                WHERE application_name = 'promo-holder' AND query LIKE 'DO%'") == 1 ]] && break
  kill -0 "$holder_pid" 2>/dev/null && ((waited < 200)) || { cat "$work/holder.out"; die "the holder did not get to its DO block"; }
  sleep 0.1
done
waiter=$(PGAPPNAME=promo-waiter sql -c "SELECT status FROM redeem_promo('CONTENDED')" 2>&1)
wait "$holder_pid"; holder_status=$?
holder_pid=
holder=$(cat "$work/holder.out")
echo "contended: holder $holder (exit $holder_status), waiter $waiter"
[[ $holder == redeemed && $holder_status == 0 && $waiter == redeemed ]] ||
  fail "expected the holder and the waiter to redeem CONTENDED"

from_view >"$work/view"
scrape "$work/after" || die "the second scrape failed"
if diff "$work/view" "$work/after" >"$work/diff"; then
  echo "all $(wc -l <"$work/after") promo series equal promo_stats"
else
  fail "the exporter's series differ from promo_stats (< view, > exporter):"
  cat "$work/diff"
fi
# The known figures (every other series 0): one_slot redeemed 3 of ONE and 2
# of CONTENDED, one of which waited.
known="promo_calls hot customer_limit_reached 1
promo_calls hot redeemed 5
promo_calls none not_found 2
promo_calls one_slot exhausted 1
promo_calls one_slot redeemed 5
promo_lock_waits one_slot redeemed 1"
nonzero=$(awk '$4 != 0' "$work/after")
[[ $nonzero == "$known" ]] || fail "non-zero series are
$nonzero
expected
$known"
for metric in promo_calls promo_lock_waits; do
  grep -q "^# TYPE $metric counter$" "$work/after.page" || fail "$metric is not typed counter"
  grep -q "^# HELP $metric ..*" "$work/after.page" || fail "$metric has no description"
done
# The time of the reset, as the view has it (the exporter prints seconds as a
# float, perhaps in exponent form).
reset_view=$(sql -c "SELECT extract(epoch FROM min(stats_reset))::float8 FROM promo_monitor.promo_stats")
reset_exported=$(sed -nE 's/^promo_stats_reset_time_seconds(\{[^}]*\})? //p' "$work/after.page")
grep -q '^# TYPE promo_stats_reset_time_seconds gauge$' "$work/after.page" || fail "promo_stats_reset_time_seconds is not typed gauge"
python3 -c 'import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) < 0.001 else 1)' \
  "${reset_view:-nan}" "${reset_exported:-nan}" || fail "promo_stats_reset_time_seconds is '$reset_exported', the view says $reset_view"
echo "reset time: view $reset_view, exporter $reset_exported"
grep '^promo_calls{code_class="one_slot".*status="redeemed"' "$work/after.page" | head -1 | sed 's/^/sample: /'
grep -iE 'level=(error|warn)' "$work/exporter.log" | head -5 | sed 's/^/exporter log: /'

kill "$exporter_pid" && wait "$exporter_pid" 2>/dev/null
exporter_pid=
[[ $failed -eq 0 ]] && echo "PASS: the exporter's promo_calls and promo_lock_waits equal promo_stats and the known answers"
echo "figures: $(wc -l <"$work/after") series; non-zero: $(tr '\n' ';' <<<"$nonzero" | sed 's/;$//; s/;/; /g')"
exit $failed
