#!/usr/bin/env bash
# make valgrind-test: the in-database suites (make installcheck: pg_regress,
# isolation, pgTAP) against a throwaway server whose every backend runs under
# valgrind's memcheck. It fails if any error valgrind reports has promo's
# module on its stack.
# (AddressSanitizer is not used: with Debian's glibc, an LD_PRELOADed ASan
# runtime deadlocks in postgres's bindtextdomain() before main runs.)
set -uo pipefail
cd "$(dirname "$0")/../.."

bash test/harness/packages.sh || exit 1
dpkg-query -W valgrind >/dev/null 2>&1 || {
  [[ $(id -u) -eq 0 ]] || { echo "As root, run: apt-get install -y valgrind"; exit 1; }
  apt-get install -y -qq valgrind >/dev/null
}
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }

# The postgres under valgrind is the build promo was just installed into.
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
logs=$(mktemp -d /tmp/promo-valgrind.XXXXXX)
chmod 777 "$logs"
wrapper=$logs/postgres
cat >"$wrapper" <<WRAPPER
#!/bin/sh
exec valgrind --quiet --tool=memcheck --num-callers=40 --track-origins=yes \\
  --log-file=$logs/memcheck.%p.log $PG_BIN/postgres "\$@"
WRAPPER
chmod 755 "$wrapper"

export PROMO_POSTGRES=$wrapper
source test/harness/server.sh
server_start || exit 1
make -s installcheck
status=$?
server_stop

# Keep the error records (blocks that start with "==PID== <Kind>") that name promo.
promo_errors=$(awk '/^==[0-9]+== [A-Z]/ { if (block ~ /promo/) print block; block = "" }
                    { block = block "\n" $0 }
                    END { if (block ~ /promo/) print block }' "$logs"/memcheck.*.log)
total=$(grep -c '^==[0-9]*== [A-Z]' "$logs"/memcheck.*.log | awk -F: '{ s += $2 } END { print s + 0 }')
echo "valgrind: $total error records in all (PostgreSQL's own, by kind below); none may involve promo"
sed -n 's/^==[0-9]*== \([A-Z].*\)/\1/p' "$logs"/memcheck.*.log | sort | uniq -c
if [[ -n "$promo_errors" ]]; then
  echo "$promo_errors"
  status=1
fi
rm -rf "$logs"
[[ $status -eq 0 ]] && echo "PASS: no memcheck error in promo's code" || echo "FAIL"
exit $status
