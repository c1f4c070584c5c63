#!/usr/bin/env bash
# A new promo installed while the server runs the old library (promo in
# shared_preload_libraries): until the restart, ALTER EXTENSION promo UPDATE
# and CREATE EXTENSION promo fail with 55000 and say to restart, change
# nothing, and redemptions go on; after the restart both work.
# The old library is promo 1.5.2's, built once from this repository's history
# and cached outside the clone ($PROMO_CACHE). Needs write access to the
# server's library directory (root, as make test runs); the installed library
# is put back whatever happens.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/server.sh

old_commit=ac29142707efa9306637e3a79eef6d0526c73ddb  # promo 1.5.2, the last without promo_library_version
cache=${PROMO_CACHE:-/var/cache/promo}
old_library=$cache/promo-1.5.2-library/promo.so
pg_config=${PG_CONFIG:-pg_config}
installed=$("$pg_config" --pkglibdir)/promo.so
work=$(mktemp -d /tmp/promo-library.XXXXXX)
failed=0
fail() { echo "FAIL: $*"; failed=1; }
die() { echo "FAIL: $*"; exit 1; }

[[ -f $installed ]] || die "no promo library at $installed (run make install)"
cp -p "$installed" "$work/new.so" || die "cannot keep a copy of $installed"
cleanup() {
  server_stop
  install -m 755 "$work/new.so" "$installed" || echo "FAIL: could not put back $installed"
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -f $old_library ]]; then
  echo "building promo 1.5.2's library (cached in $(dirname "$old_library"))"
  mkdir -p "$work/old" "$(dirname "$old_library")"
  git archive "$old_commit" | tar -x -C "$work/old" || die "git archive $old_commit failed (is the history there?)"
  make -s -C "$work/old" -j"$(nproc)" PG_CONFIG="$pg_config" promo.so >"$work/old-build.log" 2>&1 ||
    { tail -20 "$work/old-build.log"; die "building promo 1.5.2 failed"; }
  cp "$work/old/promo.so" "$old_library.tmp" && mv "$old_library.tmp" "$old_library"
fi

# The server starts with 1.5.2's library, then the new one is installed.
install -m 755 "$old_library" "$installed" || die "cannot install the old library"
server_start || die "the server did not start"
sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
createdb promo_library_old && createdb promo_library_new || die "createdb failed"
sql -d promo_library_old -c "CREATE EXTENSION promo VERSION '1.5.2'" -c "SELECT create_promo('KEPT', 3)" >/dev/null ||
  die "1.5.2 on its own library failed"
install -m 755 "$work/new.so" "$installed" || die "cannot install the new library"
echo "installed the new library under a server that runs 1.5.2's"

# expect_refusal DB STATEMENT: 55000, the message and the hint.
expect_refusal() {
  local error
  error=$(psql -X -A -t -d "$1" -v VERBOSITY=verbose -c "$2" 2>&1)
  echo "$2: $(grep -m1 ERROR <<<"$error")"
  [[ $error == *"ERROR:  55000: the promo library this session runs (before 1.5.3) is older than promo 1.5.3"* &&
     $error == *"HINT:  A new promo library is used from the next server restart"* ]] || fail "expected 55000, got: $error"
}
expect_refusal promo_library_old "ALTER EXTENSION promo UPDATE"
expect_refusal promo_library_new "CREATE EXTENSION promo"
version=$(sql -d promo_library_old -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")
created=$(sql -d promo_library_new -c "SELECT count(*) FROM pg_extension WHERE extname = 'promo'")
answer=$(sql -d promo_library_old -c "SELECT status FROM redeem_promo('KEPT')")
echo "before the restart: promo $version in the old database, $created in the new one, a redemption: $answer"
[[ $version == 1.5.2 && $created == 0 && $answer == redeemed ]] || fail "the refused commands changed something"

as_server_user "$PG_BIN/pg_ctl" -D "$PROMO_SERVER_DIR/data" -m fast -w stop >/dev/null && server_restart ||
  die "the server did not restart"
sql -d promo_library_old -c "ALTER EXTENSION promo UPDATE" || fail "the update failed after the restart"
sql -d promo_library_new -c "CREATE EXTENSION promo" || fail "CREATE EXTENSION failed after the restart"
after=$(sql -d promo_library_old -c "SELECT extversion, promo_library_version() FROM pg_extension WHERE extname = 'promo'" \
            -c "SELECT status FROM redeem_promo('KEPT')" -c "SELECT current_uses FROM promo_codes WHERE code = 'KEPT'" |
        tr '|\n' '  ' | sed 's/ $//')
fresh=$(sql -d promo_library_new -c "SELECT extversion FROM pg_extension WHERE extname = 'promo'")
echo "after the restart: old database $after; new database $fresh"
newest=$(sed -nE "s/^default_version = '([^']+)'/\1/p" extension/promo.control)
# The library serves the newest version with a script (one in development
# may be newer than the default).
library=$(ls extension/promo--*.sql | sed -E 's/.*promo--([0-9.]+)(--([0-9.]+))?\.sql/\1 \3/' | tr ' ' '\n' |
  grep . | sort -V | tail -1)
[[ $after == "$newest $library redeemed 2" && $fresh == "$newest" ]] ||
  fail "expected the update and the install to $newest (library $library), and KEPT at 2 uses"
[[ $failed -eq 0 ]] && echo "PASS: with the old library loaded the update and the install are refused with 55000 and change nothing; after a restart both succeed"
exit $failed
