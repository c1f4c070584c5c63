#!/usr/bin/env bash
# make deb: dpkg-buildpackage -us -uc on a copy of the tree (the files git
# tracks or would track), so that the build's by-products stay out of it.
# Leaves postgresql-<version>-promo_*.deb and promo-client_*.deb (and the
# source package) in debs/. Installs Debian's build tools if they are missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=(dpkg-dev debhelper fakeroot postgresql-server-dev-all libpqxx-dev)
missing=()
for package in "${tools[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "promo: as root, run: apt-get install -y ${missing[*]}" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d /tmp/promo-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/promo-$version"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/promo-$version"
(cd "$work/promo-$version" && dpkg-buildpackage -us -uc) >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log"; echo "dpkg-buildpackage failed"; exit 1; }
rm -rf debs && mkdir debs
cp "$work"/*.deb "$work"/*.dsc "$work"/*.tar.* "$work"/*.changes debs/
ls debs
