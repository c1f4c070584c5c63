#!/usr/bin/env bash
# make faults: the fault, sweep, soak and race suites in their long form.
#   FAULT_ROUNDS (server crashes, default 10), SOAK_SECONDS (default 600),
#   SWEEP_CALLS (default 50000), FAILOVER_SECONDS (default 60).
set -uo pipefail
cd "$(dirname "$0")/../.."
bash test/harness/packages.sh || exit 1
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
source test/harness/suites.sh
run_suite "bad input sweep" bash test/faults/input_sweep.sh "${SWEEP_CALLS:-50000}"
run_suite "backend death" bash test/faults/backend_death.sh
run_suite "lost replies" bash test/faults/lost_reply.sh
run_suite "server crash" bash test/faults/server_crash.sh "${FAULT_ROUNDS:-10}" 20
run_suite "failover" bash test/faults/failover.sh "${FAILOVER_SECONDS:-60}"
run_suite "soak" bash test/faults/soak.sh "${SOAK_SECONDS:-600}"
run_suite "race, long" bash test/faults/race.sh "${RACE_SECONDS:-300}"
finish_suites
