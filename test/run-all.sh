#!/usr/bin/env bash
# make test: installs what is missing, builds and installs promo, starts a
# throwaway server, runs every suite (the fault suites in their short form,
# each on a server of its own), and ends with one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

bash test/harness/packages.sh || exit 1
# The PostgreSQL builds that later suites need (assert-enabled 15, then 13 and
# 18), started now at low priority so that a fresh machine's builds overlap the
# first suites; each suite waits for its own (build_postgres.sh locks).
# They run in a session of their own, killed with it if make test stops early.
setsid bash -c 'for build in "15 cassert" 13 18; do nice -n 19 bash test/harness/build_postgres.sh $build; done' \
  >/dev/null 2>&1 </dev/null &
builds=$!
trap 'kill -- -$builds 2>/dev/null' EXIT
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
make -s client/promo-client-tests test/faults/tools/lost_reply_proxy test/faults/tools/input_sweep >/dev/null ||
  { echo "test programs failed to build"; exit 1; }

source test/harness/server.sh
source test/harness/suites.sh
trap 'server_stop; kill -- -$builds 2>/dev/null' EXIT
server_start || exit 1
createdb promo_check && psql -X -q -d promo_check -c "CREATE EXTENSION promo" || exit 1

# Checks of the tree itself.
run_suite "every expected error is intended" bash test/static/intended_errors.sh
run_suite "released scripts unchanged" bash test/static/released_scripts.sh
run_suite "no include loop in extension/ or client/" bash test/static/include_graph.sh
run_suite "META.json valid against PGXN META spec 1.0.0" bash test/static/meta_json.sh
run_suite "C++ lists of statuses and result columns match the SQL; no trigger order matters" bash test/static/cpp_matches_sql.sh
# The in-database suites: make installcheck's three parts, one suite each, so
# that the summary names the kind that failed.
run_suite "pg_regress" make -s installcheck-regress
run_suite "isolation" make -s installcheck-isolation
run_suite "pgTAP" make -s installcheck-pgtap
run_suite "client unit tests" client/promo-client-tests --gtest_brief=1
run_suite "extension unit tests (generation and import rules, discounts)" bash test/unit/run.sh
run_suite "dump and restore" bash test/operations/dump_restore.sh
run_suite "dump and restore of 1.6 (in development): orders and discounts" env PROMO_VERSION=1.6 bash test/operations/dump_restore.sh
run_suite "promo-client redeem with an order (1.6)" bash test/operations/client_order.sh
run_suite "upgrade to 1.5.3: live from 1.3, 1.4, 1.5, 1.5.1 and 1.5.2, with data from 1.0, 1.1, 1.2" bash test/operations/upgrade_live.sh
run_suite "concurrency check" client/promo-client --dsn dbname=promo_check check --connections 100 --max-uses 50 \
  --rounds "${PROMO_CHECK_ROUNDS:-20}"
# Hot mode: the uses spread over 16 slots; every attempt but the last must succeed.
run_suite "concurrency check, hot mode" client/promo-client --dsn dbname=promo_check check --connections 100 \
  --max-uses 99 --slots 16 --rounds "${PROMO_CHECK_ROUNDS:-20}"
# Campaigns (1.5): 100 single-use codes of one campaign capped at 50, each
# redeemed by its own session, all waiting at once on the campaign: 50
# redeemed, 50 refused by the campaign; its counter one slot, then hot.
run_suite "concurrency check, campaign of one slot" client/promo-client --dsn dbname=promo_check check --campaign \
  --connections 100 --max-uses 50 --slots 1 --rounds "${PROMO_CHECK_ROUNDS:-20}"
run_suite "concurrency check, campaign in hot mode" client/promo-client --dsn dbname=promo_check check --campaign \
  --connections 100 --max-uses 50 --slots 16 --rounds "${PROMO_CHECK_ROUNDS:-20}"
run_suite "campaign check fails when the round is broken" bash client/tests/check_breaks.sh
run_suite "checkout examples: Python psycopg 3, node-postgres, Java JDBC" bash examples/run.sh
if grep -E "PANIC|terminated by signal" "$PROMO_SERVER_DIR/server.log"; then
  failed=$((failed + 1))
  failures+=("server log shows a crash")
fi
server_stop

# The in-database suites again on an assert-enabled PostgreSQL (built once, cached).
run_suite "pg_regress and isolation, assert-enabled PostgreSQL" bash test/instrumented/assert_build.sh

# Faults and security, short forms (make faults runs the long ones).
run_suite "no SQL from values" bash test/static/no_sql_from_values.sh
run_suite "reveal_reasons under preload" bash test/operations/reveal_reasons_preload.sh
run_suite "promo_stats without preload" bash test/operations/stats_without_preload.sh
run_suite "promo_stats scraped by prometheus-postgres-exporter" bash test/operations/exporter.sh
run_suite "a new library installed under a running server: update refused until the restart" bash test/operations/library_after_install.sh
run_suite "the sweep scheduled with pg_cron, in another database, as a non-superuser" bash test/operations/pg_cron_sweep.sh
run_suite "bad input sweep" bash test/faults/input_sweep.sh "${PROMO_SWEEP_CALLS:-5000}"
run_suite "backend death" bash test/faults/backend_death.sh
run_suite "lost replies" bash test/faults/lost_reply.sh
run_suite "server crash" bash test/faults/server_crash.sh "${PROMO_CRASH_ROUNDS:-3}" 12
run_suite "failover" bash test/faults/failover.sh 12
run_suite "scale-out: PL/Proxy shards and PgBouncer" bash test/scale/scale.sh 3
run_suite "soak" bash test/faults/soak.sh "${PROMO_SOAK_SECONDS:-60}"
run_suite "race: seeded workload, a DBA changing every setting, a monitor" bash test/faults/race.sh "${PROMO_RACE_SECONDS:-60}"
run_suite "race on 1.6 (in development): orders, every discount checked" env PROMO_VERSION=1.6 bash test/faults/race.sh 30
# It removes make install's copies while the packages are tested, and puts them back.
run_suite "Debian packages: built, installed, tested, removed" bash test/packaging/deb_test.sh
SUITE_TIMEOUT=2400 run_suite "PostgreSQL 13 and 18: pg_regress and isolation" bash test/versions/test_versions.sh
finish_suites
