#!/usr/bin/env bash
# Without promo in shared_preload_libraries there are no shared counters:
# redeem_promo answers as always, reading promo_stats or resetting it fails
# with 55000 and says how to enable them.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/server.sh
server_start "shared_preload_libraries = ''" || exit 1
trap server_stop EXIT
failed=0
[[ -z $(psql -X -A -t -c "SHOW shared_preload_libraries") ]] || { echo "FAIL: promo is still preloaded"; failed=1; }
createdb promo_no_preload && psql -X -q -d promo_no_preload -c "CREATE EXTENSION promo" \
  -c "SELECT create_promo('PLAIN', 1)" >/dev/null || exit 1
answers=$(psql -X -A -t -d promo_no_preload -c "SELECT status FROM redeem_promo('PLAIN')" \
  -c "SELECT status FROM redeem_promo('PLAIN')" -c "SELECT status FROM redeem_promo('NONE')" | paste -sd' ')
echo "redeem_promo without the counters: $answers"
[[ $answers == "redeemed exhausted not_found" ]] || { echo "FAIL: expected redeemed exhausted not_found"; failed=1; }
for statement in "SELECT count(*) FROM promo_monitor.promo_stats" "SELECT promo_monitor.promo_stats_reset()"; do
  error=$(psql -X -A -t -d promo_no_preload -v VERBOSITY=verbose -c "$statement" 2>&1)
  echo "$statement: $(head -1 <<<"$error")"
  [[ $error == *"ERROR:  55000: promo_stats needs promo in shared_preload_libraries"* &&
     $error == *"HINT:  Add promo to shared_preload_libraries"* ]] || { echo "FAIL: $error"; failed=1; }
done
[[ $failed -eq 0 ]] && echo "PASS: without preload, redemptions answer and promo_stats says what it needs (55000)"
exit $failed
