#!/usr/bin/env bash
# Installs the Debian packages promo needs to build and test, if any is missing.
# Not root: prints the exact apt-get line and stops.
set -euo pipefail

packages=(
  build-essential
  postgresql-15 postgresql-server-dev-15 postgresql-contrib
  libpqxx-dev libgtest-dev
  postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
  postgresql-15-plproxy pgbouncer
  python3-jsonschema python3-regex
  postgresql-15-cron prometheus-postgres-exporter curl
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "promo: missing Debian packages. As root, run:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi
echo "promo: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
