# Sourced by the scale tests: four shard servers and a PL/Proxy server, each
# a throwaway server of its own (test/harness/server.sh), on loopback.
#   cluster_start N   shards 0..N-1 (database promo, promo installed), and a
#                     proxy server with database promo_proxy whose cluster
#                     promo_shards lists them; also promo_proxy_1, _2, ... for
#                     each power of two below N (the first shards only).
#   cluster_stop      stops every server it started.
# Sets SHARD_DIRS, SHARD_PORTS, PROXY_DIR, PROXY_PORT; shard_dsn I, proxy_dsn [DB].
source "$(dirname "${BASH_SOURCE[0]}")/../harness/server.sh"

SHARD_DIRS=()
SHARD_PORTS=()
PROXY_DIR=
PROXY_PORT=

shard_dsn() { echo "host=127.0.0.1 port=${SHARD_PORTS[$1]} dbname=promo user=postgres"; }
proxy_dsn() { echo "host=127.0.0.1 port=$PROXY_PORT dbname=${1:-promo_proxy} user=postgres"; }

# The foreign server promo_shards over the first N shards.
cluster_server_sql() {
  local count=$1 options=() i
  for ((i = 0; i < count; i++)); do
    options+=("p$i '$(shard_dsn "$i") application_name=promo-proxy connect_timeout=2'")
  done
  local IFS=,
  echo "CREATE SERVER promo_shards FOREIGN DATA WRAPPER plproxy OPTIONS (${options[*]});
        CREATE USER MAPPING FOR PUBLIC SERVER promo_shards OPTIONS (user 'postgres');"
}

cluster_start() {
  local shards=$1 i
  for ((i = 0; i < shards; i++)); do
    PROMO_PORT= server_start || return 1
    SHARD_DIRS+=("$PROMO_SERVER_DIR")
    SHARD_PORTS+=("$PGPORT")
    createdb -p "$PGPORT" promo || return 1
    # Ids are unique across shards (each its own range), so that a code moved
    # to another shard keeps its ids and its ledger's.
    psql -X -q -v ON_ERROR_STOP=1 -p "$PGPORT" -d promo \
      -c "CREATE EXTENSION promo${PROMO_VERSION:+ VERSION '$PROMO_VERSION'}" \
      -c "ALTER SEQUENCE promo_codes_id_seq RESTART WITH $((i * 1000000000000000 + 1))" \
      -c "ALTER SEQUENCE promo_redemptions_id_seq RESTART WITH $((i * 1000000000000000 + 1))" || return 1
  done
  PROMO_PORT= server_start || return 1
  PROXY_DIR=$PROMO_SERVER_DIR
  PROXY_PORT=$PGPORT
  local count
  for ((count = 1; count <= shards; count *= 2)); do
    local database=promo_proxy_$count
    ((count == shards)) && database=promo_proxy
    # The proxy's own default collation is Turkish ICU, where upper('i') is
    # 'İ': routing must not depend on it.
    createdb -p "$PROXY_PORT" --locale-provider=icu --icu-locale=tr-TR -T template0 "$database" || return 1
    psql -X -q -v ON_ERROR_STOP=1 -p "$PROXY_PORT" -d "$database" \
      -c "CREATE EXTENSION plproxy" -c "CREATE EXTENSION promo_proxy" -c "$(cluster_server_sql "$count")" ||
      return 1
  done
}

cluster_stop() {
  local dir
  for dir in "${SHARD_DIRS[@]}" "$PROXY_DIR"; do
    [[ -n "$dir" ]] && PROMO_SERVER_DIR=$dir server_stop
  done
  SHARD_DIRS=()
  SHARD_PORTS=()
  PROXY_DIR=
}
