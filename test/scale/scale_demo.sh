#!/usr/bin/env bash
# make scale-demo: four shard servers and a PL/Proxy server on loopback, each
# with its own data directory and port; codes created through the proxy (the
# owning shard decides); the 100-connection check through the proxy; the
# counts exact on the owning shard and every other shard untouched. Then it
# stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/harness/packages.sh
make -s >/dev/null && make -s install >/dev/null && make -s client/promo-client >/dev/null
source test/scale/cluster.sh
trap cluster_stop EXIT
cluster_start 4
proxy=$(proxy_dsn)
for i in "${!SHARD_PORTS[@]}"; do echo "shard $i: port ${SHARD_PORTS[$i]}"; done
echo "proxy: port $PROXY_PORT, database promo_proxy (PL/Proxy cluster promo_shards)"

echo "Creating 12 codes through the proxy:"
psql -X -q -d "$proxy" -c "SELECT create_promo('SPRING-' || i, 100) FROM generate_series(1, 12) i" >/dev/null
for i in "${!SHARD_PORTS[@]}"; do
  echo "  shard $i holds: $(psql -X -A -t -d "$(shard_dsn "$i")" -c "SELECT string_agg(code, ' ' ORDER BY code) FROM promo_codes")"
done

# What each shard has written: its id sequences move with every code and
# every redemption, and never go back.
written() {
  psql -X -A -t -d "$(shard_dsn "$1")" -c "SELECT (SELECT last_value FROM promo_codes_id_seq) || '/' ||
    (SELECT last_value FROM promo_redemptions_id_seq) || '/' || (SELECT count(*) FROM promo_redemptions)"
}
before=()
for i in "${!SHARD_PORTS[@]}"; do before+=("$(written "$i")"); done

echo "100 sessions race for 50 uses of one code, through the proxy:"
client/promo-client --dsn "$proxy" check --connections 100 --max-uses 50

changed=0
for i in "${!SHARD_PORTS[@]}"; do
  after=$(written "$i")
  if [[ $after == "${before[$i]}" ]]; then
    echo "shard $i: untouched"
  else
    echo "shard $i: owned the check's code (code id/redemption id/ledger rows ${before[$i]} -> $after)"
    changed=$((changed + 1))
  fi
done
[[ $changed -eq 1 ]] || { echo "FAIL: $changed shards were written, expected exactly one"; exit 1; }
echo "PASS: exact on the owning shard, every other shard untouched"
