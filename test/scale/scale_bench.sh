#!/usr/bin/env bash
# make scale-bench: redeem_promo on spread codes through PL/Proxy over 1, 2
# and 4 shards, and straight to one shard, in one run (four shard servers and
# a proxy on this machine). Each target is a promo-client bench run; the
# seed's UPDATE in each is measured on the server it is connected to. Prints
# the promo lines of each and the proxy's cost per call (p50 at 1 connection).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/harness/packages.sh
make -s >/dev/null && make -s install >/dev/null && make -s client/promo-client >/dev/null
source test/scale/cluster.sh
trap cluster_stop EXIT
cluster_start 4
out=bench-results/scale
mkdir -p "$out"
targets=("direct:$(shard_dsn 0)" "proxy-1-shard:$(proxy_dsn promo_proxy_1)" "proxy-2-shards:$(proxy_dsn promo_proxy_2)"
         "proxy-4-shards:$(proxy_dsn promo_proxy)")
for target in "${targets[@]}"; do
  name=${target%%:*}
  client/promo-client --dsn "${target#*:}" bench --connections "${BENCH_CONNECTIONS:-1,16,100}" \
    --seconds "${BENCH_SECONDS:-3}" --pairs "${BENCH_PAIRS:-3}" --codes 1000 --out "$out/$name" >"$out/$name.txt"
done
echo "target           load    conns  variant       tps median  [min .. max]       p50 ms  p99 ms  max ms"
for target in "${targets[@]}"; do
  name=${target%%:*}
  grep -E '^spread +[0-9]+ +promo ' "$out/$name.txt" | sed "s/^/$(printf '%-17s' "$name")/"
done
p50() { grep -E '^spread +1 +promo ' "$out/$1.txt" | awk '{print $(NF-2)}'; }
echo "proxy cost per call at 1 connection (p50): $(p50 proxy-4-shards) ms through the proxy," \
  "$(p50 direct) ms direct"
