#!/usr/bin/env bash
# The Debian packages, installed as a DBA would: make deb, the `make install`
# copies removed first, the packages installed with apt, the in-database
# suites run against the packaged files (debian/tests/installcheck: pg_buildext
# installcheck in a throwaway pg_virtualenv cluster), the client run from
# /usr/bin, the packages removed (nothing of promo left behind), and make
# install's copies put back for the suites that follow.
set -uo pipefail
cd "$(dirname "$0")/../.."
[[ $(id -u) -eq 0 ]] || { echo "installs packages: run as root"; exit 1; }
fail() { echo "FAIL: $*"; status=1; }
status=0
bash test/packaging/build_deb.sh >/dev/null || { echo "make deb failed"; exit 1; }
module_deb=$(ls debs/postgresql-15-promo_*_amd64.deb) client_deb=$(ls debs/promo-client_*_amd64.deb)
packaged=$(dpkg -c "$module_deb" | awk '$6 !~ /\/$/ { sub(/^\./, "", $6); print $6 }' | grep -v /doc/)
libdir=$(pg_config --pkglibdir) sharedir=$(pg_config --sharedir)/extension
for file in "$libdir/promo.so" "$sharedir/promo.control" "$sharedir/promo--1.0.sql"; do
  grep -qxF "$file" <<<"$packaged" || fail "$file is not in $module_deb"
done
# pg_buildext installcheck ends with make clean: it runs in a copy of the tree.
work=$(mktemp -d /tmp/promo-deb-test.XXXXXX)
restore() {
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq postgresql-15-promo promo-client >/dev/null 2>&1
  make -s install >/dev/null || { echo "FAIL: make install did not put promo back"; exit 1; }
  rm -rf "$work"
}
trap restore EXIT
rm -f "$libdir"/promo.so "$sharedir"/promo.control "$sharedir"/promo--*.sql "$sharedir"/promo_proxy*
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$module_deb" "./$client_deb" >/dev/null 2>&1 ||
  { echo "apt-get install of the packages failed"; exit 1; }
for file in $packaged; do
  [[ -f $file ]] || fail "$file is in the package but not installed"
done
[[ -f $libdir/promo.so && -f $sharedir/promo.control ]] || fail "promo.so or promo.control missing after install"
echo "postgresql-15-promo installs $(wc -w <<<"$packaged") files; promo-client: $(dpkg -L promo-client | grep -c bin/)"
/usr/bin/promo-client --help | head -1 | grep -q "promo-client" || fail "promo-client from the package does not run"
# The suites against the packaged files, as autopkgtest would run them.
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work"
if (cd "$work" && bash debian/tests/installcheck) >"$work/installcheck.log" 2>&1; then
  grep -E "^(# All|ok|All tests successful|Result)|tests passed" "$work/installcheck.log" | tail -5
else
  tail -60 "$work/installcheck.log"
  fail "the in-database suites failed against the packaged files"
fi
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq postgresql-15-promo promo-client >/dev/null 2>&1 ||
  fail "apt-get remove failed"
for file in $packaged /usr/bin/promo-client; do
  [[ -e $file ]] && fail "$file is left behind after the packages were removed"
done
[[ $status -eq 0 ]] && echo "packages built, installed, tested and removed"
exit $status
