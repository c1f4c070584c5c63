#!/usr/bin/env bash
# The sweep of expired holds, promo_reclaim_expired_holds(), scheduled with
# Debian's pg_cron (postgresql-15-cron) in a database other than pg_cron's own
# (cron.database_name = 'postgres', promo in 'shop'), through
# cron.schedule_in_database: once as the superuser and once as promo_sweeper,
# a role granted only CONNECT on shop, USAGE on promo's schema and EXECUTE on
# the sweep. Each job must run and succeed (cron.job_run_details), and give an
# expired hold's use back: the code's current_uses back to 0 and the ledger row
# 'released', with released_at inside the job's run. pg_cron 1.4 (Debian 12)
# schedules by the minute, so each job waits up to a minute; pg_cron 1.5 and
# later take an interval of seconds, used when the installed one accepts it.
set -uo pipefail
cd "$(dirname "$0")/../.."

failed=0
fail() { echo "FAIL: $*"; failed=1; }
die() { echo "FAIL: $*"; exit 1; }

# Debian's package, installed if missing (only from the configured Debian archive).
package=postgresql-15-cron
if [[ $(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null) != installed ]]; then
  [[ $(id -u) -eq 0 ]] || die "$package is not installed, and installing it needs root"
  echo "installing $package with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$package" >/tmp/pg_cron_sweep.apt.log 2>&1 ||
    { apt-get update -q >>/tmp/pg_cron_sweep.apt.log 2>&1 &&
      apt-get install -y -q --no-install-recommends "$package" >>/tmp/pg_cron_sweep.apt.log 2>&1; } ||
    { tail -20 /tmp/pg_cron_sweep.apt.log; die "apt-get could not install $package"; }
fi
[[ -f $(pg_config --pkglibdir)/pg_cron.so ]] || die "$package is installed but $(pg_config --pkglibdir)/pg_cron.so is missing"
package_version=$(dpkg-query -W -f='${Version}' "$package")

source test/harness/server.sh
# The harness writes shared_preload_libraries = 'promo' first; this later line
# wins (postgresql.conf: the last setting of a parameter is the one used).
# log_connections shows which role pg_cron's connection for a job logs in as
# (pg_cron connects with libpq to cron.host, localhost by default, as the
# job's user; the harness's pg_hba trusts it, so no password is needed here).
server_start "shared_preload_libraries = 'promo,pg_cron'" "cron.database_name = 'postgres'" \
  "log_connections = on" || die "the server did not start"
trap server_stop EXIT

sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }

preload=$(sql -c "SHOW shared_preload_libraries")
[[ $preload == "promo,pg_cron" ]] || die "shared_preload_libraries is '$preload', not 'promo,pg_cron' (the later line should win)"
[[ $(sql -c "SHOW cron.database_name") == postgres ]] || die "cron.database_name is not postgres"
echo "shared_preload_libraries = '$preload', cron.database_name = 'postgres'"

sql -d postgres -c "CREATE EXTENSION pg_cron" || die "CREATE EXTENSION pg_cron in postgres failed"
cron_version=$(sql -d postgres -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")

# An interval of seconds (pg_cron 1.5 on), or else every minute. Tried for
# real, in a transaction rolled back, rather than guessed from the version.
if sql -d postgres >/dev/null 2>&1 <<'SQL'
BEGIN;
SELECT cron.schedule('promo-seconds-probe', '2 seconds', 'SELECT 1');
ROLLBACK;
SQL
then
  schedule='2 seconds' deadline_seconds=60
else
  schedule='* * * * *' deadline_seconds=150
fi
echo "pg_cron $cron_version (package $package_version): schedule '$schedule'" \
  "$([[ $schedule == '* * * * *' ]] && echo "(this pg_cron refuses '2 seconds'; it schedules by the minute)")"

createdb shop || die "createdb shop failed"
sql -d shop <<'SQL' >/dev/null || die "setting up shop failed"
CREATE EXTENSION promo;
SELECT create_promo('SWEEP-DBA', 1), create_promo('SWEEP-ROLE', 1);
CREATE ROLE promo_sweeper LOGIN;
REVOKE CONNECT ON DATABASE shop FROM PUBLIC;  -- so that the grant below is what lets it in
GRANT CONNECT ON DATABASE shop TO promo_sweeper;
GRANT USAGE ON SCHEMA public TO promo_sweeper;  -- promo's schema
SQL
refused=$(PGUSER=promo_sweeper psql -X -A -t -d shop -c "SELECT promo_reclaim_expired_holds()" 2>&1)
[[ $refused == *"permission denied for function promo_reclaim_expired_holds"* ]] ||
  fail "promo_sweeper ran the sweep before any grant: $refused"
sql -d shop -c "GRANT EXECUTE ON FUNCTION promo_reclaim_expired_holds() TO promo_sweeper" ||
  die "GRANT EXECUTE failed"

# hold CODE: redeems one use of CODE as a 1-second hold and waits (at most 10 s)
# until it has expired; prints the redemption's id.
hold() {
  local answer status state id uses waited=0
  answer=$(sql -d shop -F ' ' -c "SELECT status, redemption_state, redemption_id, current_uses
                                     FROM redeem_promo('$1', hold => '1 second')") || return 1
  read -r status state id uses <<<"$answer"
  [[ "$status $state $uses" == "redeemed held 1" ]] || { echo "hold on $1 answered: $answer" >&2; return 1; }
  until [[ $(sql -d shop -c "SELECT now() > hold_expires_at FROM promo_redemptions WHERE id = $id") == t ]]; do
    ((waited++ < 100)) || { echo "the hold on $1 did not expire within 10 s" >&2; return 1; }
    sleep 0.1
  done
  echo "$id"
}

# sweep_by LABEL CODE REDEMPTION_ID USERNAME EXPECTED_USER: schedules the sweep
# in shop (USERNAME = NULL: the caller's, the superuser), waits until a run succeeded
# and the code's use is back, checks the ledger row and unschedules.
# Sets seconds_until_swept and reclaimed.
sweep_by() {
  local label=$1 code=$2 id=$3 username=$4 expected_user=$5 job scheduled_at job_row run uses waited=0
  read -r job scheduled_at < <(sql -d postgres -F ' ' -c "SELECT cron.schedule_in_database('promo-holds-$label',
      '$schedule', 'SELECT promo_reclaim_expired_holds()', 'shop', $username), extract(epoch FROM clock_timestamp())")
  [[ -n ${job:-} ]] || { fail "$label: cron.schedule_in_database failed"; return; }
  job_row=$(sql -d postgres -F ' ' -c "SELECT database, username, active FROM cron.job WHERE jobid = $job")
  echo "$label: job $job in cron.job: database, username, active = $job_row"
  [[ $job_row == "shop $expected_user t" ]] || fail "$label: cron.job has '$job_row', expected 'shop $expected_user t'"
  # Every 0.5 s: the latest finished run, and the code's uses.
  while :; do
    run=$(sql -d postgres -F '|' -c "SELECT status, return_message FROM cron.job_run_details
                                      WHERE jobid = $job AND status IN ('succeeded', 'failed')
                                      ORDER BY runid DESC LIMIT 1")
    uses=$(sql -d shop -c "SELECT current_uses FROM promo_codes WHERE code = '$code'")
    [[ $run == failed* ]] && { fail "$label: the job's run failed: ${run#failed|}"; break; }
    [[ $run == succeeded* && $uses == 0 ]] && break
    ((waited++ < deadline_seconds * 2)) ||
      { fail "$label: after $deadline_seconds s, latest finished run '${run:-none}', current_uses of $code $uses"; break; }
    sleep 0.5
  done
  # The run that gave the use back: the ledger row's released_at falls after the
  # job was scheduled and before the run ended (pg_cron 1.4 writes start_time
  # once the query is sent, which on a busy machine is after it began).
  local detail
  detail=$(sql -d postgres -F ' ' -c "SELECT runid, status, username, database, return_message,
                                             round(extract(epoch FROM end_time) - $scheduled_at, 1)
                                        FROM cron.job_run_details WHERE jobid = $job AND status = 'succeeded'
                                       ORDER BY runid")
  local released_at state
  IFS='|' read -r state released_at < <(sql -d shop -F '|' -c "SELECT state, released_at
                                                              FROM promo_redemptions WHERE id = $id")
  [[ ${state:-} == released ]] || fail "$label: redemption $id is '${state:-missing}', not released"
  local job_pid
  read -r job_pid seconds_until_swept < <(sql -d postgres -F ' ' -c "
      SELECT job_pid, round(extract(epoch FROM end_time) - $scheduled_at, 1)
        FROM cron.job_run_details
       WHERE jobid = $job AND status = 'succeeded'
         AND '${released_at:-epoch}'::timestamptz BETWEEN to_timestamp($scheduled_at) AND end_time")
  if [[ -n ${seconds_until_swept:-} ]]; then
    # pg_cron (libpq, not background workers) logged in for that run as the job's user.
    grep -q "\[$job_pid\] LOG:  connection authorized: user=$expected_user database=shop application_name=pg_cron" \
      "$PROMO_SERVER_DIR/server.log" ||
      fail "$label: the server log shows no pg_cron connection [$job_pid] of $expected_user to shop"
  else
    fail "$label: no succeeded run of job $job covers released_at of redemption $id (runs: $detail)"
  fi
  reclaimed=$(sql -d shop -c "SELECT count(*) FROM promo_redemptions
                               WHERE state = 'released' AND released_at = '${released_at:-epoch}'::timestamptz")
  echo "$label: runs succeeded (runid status username database return_message seconds_after_scheduling):"
  sed 's/^/  /' <<<"$detail"
  echo "$label: $code current_uses ${uses:-?}, redemption $id ${state:-?}, holds reclaimed by the run" \
    "(pid ${job_pid:-?}, logged in as $expected_user) $reclaimed"
  [[ $(sql -d postgres -c "SELECT cron.unschedule($job)") == t ]] || fail "$label: cron.unschedule($job) failed"
  [[ $(sql -d postgres -c "SELECT count(*) FROM cron.job WHERE jobid = $job") == 0 ]] ||
    fail "$label: job $job is still in cron.job after cron.unschedule"
}

id=$(hold SWEEP-DBA) || die "the hold on SWEEP-DBA failed"
sweep_by superuser SWEEP-DBA "$id" NULL postgres
dba_seconds=${seconds_until_swept:-?} dba_reclaimed=${reclaimed:-?}

id=$(hold SWEEP-ROLE) || die "the hold on SWEEP-ROLE failed"
sweep_by promo_sweeper SWEEP-ROLE "$id" "'promo_sweeper'" promo_sweeper
role_seconds=${seconds_until_swept:-?} role_reclaimed=${reclaimed:-?}

[[ $(sql -d postgres -c "SELECT count(*) FROM cron.job") == 0 ]] || fail "jobs left in cron.job"
if [[ $failed -eq 0 ]]; then
  echo "PASS: pg_cron's jobs in another database, as the superuser and as promo_sweeper, reclaimed the expired holds"
fi
echo "figures: pg_cron $cron_version, schedule '$schedule'; superuser job: sweep done ${dba_seconds} s after" \
  "scheduling, ${dba_reclaimed} hold(s) reclaimed; promo_sweeper job: ${role_seconds} s, ${role_reclaimed} hold(s) reclaimed"
exit $failed
