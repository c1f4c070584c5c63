#!/usr/bin/env bash
# pg_regress and the isolation specs against an assert-enabled PostgreSQL 15
# (--enable-cassert): it checks PostgreSQL's own invariants as it runs and
# poisons freed memory, so a read of freed memory fails loudly instead of
# working by luck. The server is built once from Debian's source package and
# cached outside the clone (test/harness/build_postgres.sh); promo is built against
# it in a copy of the tree, so the tree's own build is left alone.
set -uo pipefail
cd "$(dirname "$0")/../.."

bin=$(bash test/harness/build_postgres.sh 15 cassert) || exit 1
pg_config=$bin/pg_config
copy=$(mktemp -d /tmp/promo-cassert.XXXXXX)
cp -r Makefile extension test "$copy"/
find "$copy"/extension -name "*.o" -delete; rm -f "$copy"/*.so  # built against the system's headers
make -C "$copy" -s PG_CONFIG="$pg_config" >/dev/null && make -C "$copy" -s PG_CONFIG="$pg_config" install >/dev/null ||
  { echo "promo did not build against $("$pg_config" --version) with assertions"; exit 1; }

PG_BIN=$bin
source test/harness/server.sh
server_start || exit 1
trap 'server_stop; [[ -n ${PROMO_KEEP_COPY:-} ]] || rm -rf "$copy"' EXIT
echo "$("$bin/postgres" --version), assertions: $(psql -X -A -t -c 'SHOW debug_assertions')"

status=0
make -C "$copy" -s PG_CONFIG="$pg_config" installcheck-regress || status=1
make -C "$copy" -s PG_CONFIG="$pg_config" installcheck-isolation || status=1
for diffs in "$copy/regression.diffs" "$copy/output_iso/regression.diffs"; do
  [[ -s $diffs ]] && cat "$diffs"
done
# An assertion failure or a crash ends a backend with a signal.
if grep -E "TRAP:|terminated by signal|PANIC" "$PROMO_SERVER_DIR/server.log"; then
  echo "the assert-enabled server log shows a failed assertion or a crash"
  status=1
fi
exit $status
