#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server with its own data directory and port.
#   source test/harness/server.sh; server_start; ...; server_stop
# Exports PGHOST, PGPORT, PGUSER and PGDATABASE for every client that follows.
# As root, the server runs as the postgres user (initdb and postgres refuse root).

PG_BIN=${PG_BIN:-$(pg_config --bindir)}

as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# server_start [extra postgresql.conf lines...]
server_start() {
  PROMO_SERVER_DIR=$(mktemp -d /tmp/promo-server.XXXXXX)
  chmod 755 "$PROMO_SERVER_DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$PROMO_SERVER_DIR"
  export PROMO_SERVER_DIR
  # Below the kernel's ephemeral ports (32768 on), which client connections take.
  export PGPORT=${PROMO_PORT:-$((10000 + RANDOM % 22000))}
  export PGHOST=$PROMO_SERVER_DIR
  export PGUSER=postgres
  export PGDATABASE=postgres
  as_server_user "$PG_BIN/initdb" -D "$PROMO_SERVER_DIR/data" -U postgres -A trust \
    -E UTF8 --locale=C.UTF-8 >"$PROMO_SERVER_DIR/initdb.log" 2>&1 ||
    { cat "$PROMO_SERVER_DIR/initdb.log"; return 1; }
  {
    echo "port = $PGPORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$PROMO_SERVER_DIR'"
    echo "max_connections = 300"
    echo "shared_preload_libraries = 'promo'"
    echo "log_line_prefix = '%m [%p] '"
    for line in "$@"; do echo "$line"; done
  } | as_server_user tee -a "$PROMO_SERVER_DIR/data/postgresql.conf" >/dev/null
  # PROMO_POSTGRES may name a wrapper that runs postgres under a checker. A
  # random port that turns out to be taken is replaced, a few times.
  local attempt
  for attempt in 1 2 3 4 5; do
    as_server_user "$PG_BIN/pg_ctl" -D "$PROMO_SERVER_DIR/data" -l "$PROMO_SERVER_DIR/server.log" \
      -p "${PROMO_POSTGRES:-$PG_BIN/postgres}" -w -t 300 start >/dev/null && return 0
    [[ -z "${PROMO_PORT:-}" ]] && grep -q "Address already in use" "$PROMO_SERVER_DIR/server.log" || break
    export PGPORT=$((10000 + RANDOM % 22000))
    echo "port = $PGPORT" | as_server_user tee -a "$PROMO_SERVER_DIR/data/postgresql.conf" >/dev/null
    as_server_user truncate -s 0 "$PROMO_SERVER_DIR/server.log"
  done
  cat "$PROMO_SERVER_DIR/server.log"
  return 1
}

server_stop() {
  [[ -n "${PROMO_SERVER_DIR:-}" && -d "$PROMO_SERVER_DIR/data" ]] || return 0
  as_server_user "$PG_BIN/pg_ctl" -D "$PROMO_SERVER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PROMO_SERVER_DIR"
  unset PROMO_SERVER_DIR
}

# Simulates a server crash: SIGKILL to the postmaster and every process it
# started. The postmaster is stopped first so that it forks no backend between
# the listing and the kill (a survivor would keep the shared memory and the
# restart would refuse to start); the restart waits until every one is gone.
server_crash() {
  local postmaster children pid
  postmaster=$(head -1 "$PROMO_SERVER_DIR/data/postmaster.pid")
  kill -STOP "$postmaster"
  children=$(pgrep -P "$postmaster" || true)
  kill -9 "$postmaster" $children 2>/dev/null || true
  for pid in "$postmaster" $children; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  done
}

# Starts the server again on its data directory (crash recovery runs first).
server_restart() {
  as_server_user "$PG_BIN/pg_ctl" -D "$PROMO_SERVER_DIR/data" -l "$PROMO_SERVER_DIR/server.log" \
    -p "${PROMO_POSTGRES:-$PG_BIN/postgres}" -w -t 300 start >/dev/null 2>&1
}

# Waits until FILE has at least N lines, or SECONDS pass. Returns non-zero on timeout.
wait_for_lines() {
  local file=$1 lines=$2 seconds=$3 waited=0
  until [[ -f "$file" && $(wc -l <"$file") -ge $lines ]]; do
    ((waited++ < seconds * 20)) || return 1
    sleep 0.05
  done
}
