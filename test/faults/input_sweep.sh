#!/usr/bin/env bash
# The bad-input sweep against a throwaway server: generated codes, customer
# ids, keys, holds and redemption ids (random UTF-8 of any length, control,
# combining and case-folding characters, NUL-free byte noise, NULLs, out of
# range intervals), each answered by a status or a documented SQLSTATE, no
# count changed by an error, and no PANIC or crashed backend in the log.
#   test/faults/input_sweep.sh [CALLS] [SEED]
set -uo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-5000}
seed=${2:-$RANDOM}
make -s test/faults/tools/input_sweep || exit 1
source test/harness/server.sh
server_start || exit 1
trap server_stop EXIT
createdb promo_sweep && psql -X -q -d promo_sweep -c "CREATE EXTENSION promo" || exit 1
echo "seed $seed"
test/faults/tools/input_sweep dbname=promo_sweep "$calls" "$seed"
status=$?
if grep -E "PANIC|terminated by signal|server process .* was terminated" "$PROMO_SERVER_DIR/server.log"; then
  echo "FAIL: the server log shows a crash"
  status=1
fi
[[ $status -eq 0 ]] && echo "PASS: every input got a status or a documented SQLSTATE; the server never crashed"
exit $status
