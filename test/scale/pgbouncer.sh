# Sourced: a throwaway PgBouncer in transaction-pooling mode, run as the
# server's user (PgBouncer refuses root), on loopback.
#   pgbouncer_start SERVER_PORT [DATABASE [POOL]]
#     DATABASE (default promo) under its own name, pool of POOL (default 20),
#     and as promo_single, pool of 1
#   pgbouncer_stop
# Sets PGBOUNCER_PORT and PGBOUNCER_DIR.
pgbouncer_start() {
  local server_port=$1 database=${2:-promo} pool=${3:-20}
  PGBOUNCER_DIR=$(mktemp -d /tmp/promo-pgbouncer.XXXXXX)
  PGBOUNCER_PORT=$((10000 + RANDOM % 22000))  # below the ephemeral ports
  cat >"$PGBOUNCER_DIR/pgbouncer.ini" <<INI
[databases]
$database = host=127.0.0.1 port=$server_port dbname=$database pool_size=$pool
promo_single = host=127.0.0.1 port=$server_port dbname=$database pool_size=1
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $PGBOUNCER_DIR/users.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = 1000
default_pool_size = $pool
logfile = $PGBOUNCER_DIR/pgbouncer.log
pidfile = $PGBOUNCER_DIR/pgbouncer.pid
INI
  echo '"postgres" ""' >"$PGBOUNCER_DIR/users.txt"
  [[ $(id -u) -eq 0 ]] && chown -R postgres: "$PGBOUNCER_DIR"
  as_server_user /usr/sbin/pgbouncer -d "$PGBOUNCER_DIR/pgbouncer.ini" || return 1
  local tries=0
  until psql -X -q -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -c "SHOW VERSION" >/dev/null 2>&1; do
    ((tries++ < 100)) || { cat "$PGBOUNCER_DIR/pgbouncer.log"; return 1; }
    sleep 0.05
  done
}

pgbouncer_stop() {
  if [[ -n "${PGBOUNCER_DIR:-}" && -f "$PGBOUNCER_DIR/pgbouncer.pid" ]]; then
    local pid
    pid=$(cat "$PGBOUNCER_DIR/pgbouncer.pid")
    kill "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  fi
  [[ -n "${PGBOUNCER_DIR:-}" ]] && rm -rf "$PGBOUNCER_DIR"
  PGBOUNCER_DIR=
}
