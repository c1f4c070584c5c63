#!/usr/bin/env bash
# Failover: a primary with a synchronous standby (streaming replication,
# synchronous_commit = on, both on loopback). Under a mixed load the primary
# is killed with SIGKILL, the standby is promoted, and the sessions reconnect
# to it through a multi-host connection string (target_session_attrs =
# read-write). Afterwards every change the client saw acknowledged is on the
# new primary, the invariant holds and no cap is broken.
#   test/faults/failover.sh [LOAD_SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.."
load_seconds=${1:-15}
source test/harness/server.sh
server_start || exit 1
primary_dir=$PROMO_SERVER_DIR primary_port=$PGPORT
standby_dir=$(mktemp -d /tmp/promo-standby.XXXXXX)
standby_port=$((primary_port + 2))
chmod 755 "$standby_dir"; [[ $(id -u) -eq 0 ]] && chown postgres: "$standby_dir"
stop_standby() {
  as_server_user "$PG_BIN/pg_ctl" -D "$standby_dir/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$standby_dir"
}
trap 'stop_standby; server_stop' EXIT

createdb promo_failover && psql -X -q -d promo_failover -c "CREATE EXTENSION promo" || exit 1
as_server_user "$PG_BIN/pg_basebackup" -h "$primary_dir" -p "$primary_port" -U postgres -D "$standby_dir/data" \
  -R -X stream -c fast || exit 1
cat <<CONF | as_server_user tee -a "$standby_dir/data/postgresql.auto.conf" >/dev/null
port = $standby_port
unix_socket_directories = '$standby_dir'
primary_conninfo = 'host=$primary_dir port=$primary_port user=postgres application_name=standby1'
synchronous_standby_names = ''
CONF
as_server_user "$PG_BIN/pg_ctl" -D "$standby_dir/data" -l "$standby_dir/server.log" -w start >/dev/null || exit 1
psql -X -q -c "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" -c "SELECT pg_reload_conf()" >/dev/null
until [[ $(psql -X -A -t -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'") == sync ]]; do
  sleep 0.1
done
echo "primary on $primary_port, synchronous standby on $standby_port:" \
  "$(psql -X -A -t -c "SELECT application_name || ' ' || state || ' ' || sync_state FROM pg_stat_replication")"

acks=$primary_dir/acks
both="host=$primary_dir,$standby_dir port=$primary_port,$standby_port dbname=promo_failover user=postgres target_session_attrs=read-write"
client/promo-client --dsn "$both" load --connections 100 --duration "$load_seconds" --codes 3 --max-uses 1500 --slots 4 \
  --reconnect --ack-log "$acks" >"$primary_dir/load.out" 2>&1 &
load=$!
wait_for_lines "$acks" 200 30 || { echo "FAIL: the load never started"; exit 1; }
sleep "$((RANDOM % 3)).$((RANDOM % 10))"
acked=$(wc -l <"$acks")
server_crash
as_server_user "$PG_BIN/pg_ctl" -D "$standby_dir/data" -w promote >/dev/null || exit 1
echo "primary killed after $acked acknowledged changes; standby promoted"
wait $load
load_status=$?
grep -E "^load|^calls|^errors|connection losses" "$primary_dir/load.out" | tr "\n" " "; echo
failed=0
[[ $load_status -eq 0 ]] || { cat "$primary_dir/load.out"; failed=1; }
PGHOST=$standby_dir PGPORT=$standby_port bash test/faults/verify_ledger.sh promo_failover "$acks" || failed=1
[[ $(PGHOST=$standby_dir PGPORT=$standby_port psql -X -A -t -c "SELECT pg_is_in_recovery()") == f ]] || failed=1
[[ $failed -eq 0 ]] && echo "PASS: failover lost nothing acknowledged; the cap held" || echo "FAIL"
exit $failed
