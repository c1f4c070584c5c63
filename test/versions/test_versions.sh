#!/usr/bin/env bash
# make test-versions: promo built warning-free (-Werror) and its pg_regress and
# isolation suites run against PostgreSQL 13 and 18, built once each from
# Debian's source packages and cached outside the clone
# (test/harness/build_postgres.sh). PostgreSQL 15, Debian's own, is the main
# suite's (make test); pgTAP is packaged for 15 only. promo is built against
# each version in a copy of the tree, so the tree's own build is left alone.
#   bash test/versions/test_versions.sh [MAJOR...]   (default: 13 18)
set -uo pipefail
cd "$(dirname "$0")/../.."
majors=("$@")
[[ ${#majors[@]} -gt 0 ]] || majors=(13 18)
status=0
for major in "${majors[@]}"; do
  echo "=== PostgreSQL $major"
  bin=$(bash test/harness/build_postgres.sh "$major") || { echo "PostgreSQL $major did not build"; status=1; continue; }
  pg_config=$bin/pg_config
  copy=$(mktemp -d /tmp/promo-pg$major.XXXXXX)
  cp -r Makefile extension test "$copy"/
  find "$copy"/extension -name "*.o" -delete; rm -f "$copy"/*.so
  if ! make -C "$copy" -s PG_CONFIG="$pg_config" >"$copy/build.log" 2>&1 ||
     ! make -C "$copy" -s PG_CONFIG="$pg_config" install >>"$copy/build.log" 2>&1; then
    tail -30 "$copy/build.log"; echo "promo did not build against $("$pg_config" --version)"; status=1; continue
  fi
  grep -i "warning" "$copy/build.log" && { echo "the build against PostgreSQL $major warned"; status=1; }
  (
    PG_BIN=$bin
    source test/harness/server.sh
    trap 'server_stop' EXIT
    server_start || exit 1
    echo "$("$bin/postgres" --version)"
    result=0
    # promo 1.0's script has a SQL-standard function body (PostgreSQL 14 and
    # later): on 13 the suites that install 1.0 cannot run; every version
    # from 1.3 on (a full script of its own) can.
    regress=(REGRESS="$(cd "$copy/test/sql" && ls *.sql | sed 's/\.sql$//' | grep -v -x -e legacy_1_0 -e upgrade | tr '\n' ' ')")
    isolation=(ISOLATION="$(cd "$copy/test/specs" && ls *.spec | sed 's/\.spec$//' | grep -v -x calls_across_the_1_0_update | tr '\n' ' ')")
    if [[ $major -ge 14 ]]; then regress=(); isolation=(); fi
    [[ $major -lt 14 ]] && echo "left out on $major: legacy_1_0, upgrade (from 1.0), calls_across_the_1_0_update"
    make -C "$copy" -s PG_CONFIG="$pg_config" installcheck-regress "${regress[@]}" || result=1
    make -C "$copy" -s PG_CONFIG="$pg_config" installcheck-isolation "${isolation[@]}" || result=1
    for diffs in "$copy/regression.diffs" "$copy/output_iso/regression.diffs"; do
      [[ -s $diffs ]] && cat "$diffs"
    done
    grep -E "TRAP:|terminated by signal|PANIC" "$PROMO_SERVER_DIR/server.log" && result=1
    exit $result
  ) || status=1
  [[ -n ${PROMO_KEEP_COPY:-} ]] || rm -rf "$copy"
done
exit $status
