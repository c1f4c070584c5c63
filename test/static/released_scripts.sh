#!/usr/bin/env bash
# Released install and upgrade scripts are never edited. ALTER EXTENSION
# UPDATE never runs a script twice, so an edit to a shipped script reaches
# only fresh installs, and a database that was upgraded no longer matches one
# that was created at the same version.
#
# A version of an extension (promo, promo_proxy) is released once its control
# file's default_version reaches it; the same commit records the sums of its
# scripts in released_scripts.sha256 (plain sha256sum lines), for example
#   sha256sum extension/promo--1.5.sql extension/promo--1.4--1.5.sql >>test/static/released_scripts.sha256
# A script belongs to the version it installs (promo--1.3--1.4.sql to 1.4).
# Fails if a script of a released version differs from its recorded sum or
# was never recorded, or a recorded one is gone; scripts of a newer version
# are still being written and are left alone.
set -uo pipefail
cd "$(dirname "$0")/../.."
manifest=test/static/released_scripts.sha256
status=0
fail() {
  echo "FAIL: $*"
  status=1
}

# version_le A B: A <= B in version order (1.9 before 1.10).
version_le() { [[ $(printf '%s\n' "$1" "$2" | sort -V | head -1) == "$1" ]]; }
# default_version EXTENSION: as its control file says.
default_version() { sed -n "s/^default_version *= *'\(.*\)'/\1/p" "extension/$1.control"; }
# The extension a script belongs to, and the version it installs.
extension_of() { local base=${1##*/}; echo "${base%%--*}"; }
version_of() { local base=${1##*/}; base=${base%.sql}; echo "${base##*--}"; }

declare -A recorded=()
while read -r sum file; do
  [[ $sum =~ ^[0-9a-f]{64}$ && -n $file ]] || { fail "$manifest: not a sha256sum line: $sum $file"; continue; }
  recorded[${file#\*}]=$sum
done <"$manifest"
((${#recorded[@]} > 0)) || fail "$manifest records no script"

checked=0 unreleased=()
for script in extension/*--*.sql; do
  extension=$(extension_of "$script")
  version=$(version_of "$script")
  released=$(default_version "$extension")
  [[ -n $released ]] || { fail "$script: extension/$extension.control has no default_version"; continue; }
  if ! version_le "$version" "$released"; then
    unreleased+=("$script")
    continue
  fi
  sum=$(sha256sum "$script" | cut -d' ' -f1)
  if [[ -z ${recorded[$script]:-} ]]; then
    fail "$script is for $extension $version, released (default_version $released), but its sum is not in $manifest"
  elif [[ $sum != "${recorded[$script]}" ]]; then
    fail "$script differs from its released copy (sha256 $sum, released ${recorded[$script]});" \
      "put the change in a new version's scripts instead"
  else
    checked=$((checked + 1))
  fi
done

for file in "${!recorded[@]}"; do
  if [[ ! -f $file ]]; then
    fail "$file is released (in $manifest) but no longer in the tree"
  elif ! version_le "$(version_of "$file")" "$(default_version "$(extension_of "$file")")"; then
    fail "$file is recorded as released but is newer than extension/$(extension_of "$file").control's default_version"
  fi
done

((${#unreleased[@]} == 0)) || echo "not yet released (newer than default_version): ${unreleased[*]}"
if ((status == 0)); then
  versions=()
  for control in extension/*.control; do
    extension=$(basename "$control" .control)
    versions+=("$extension up to $(default_version "$extension")")
  done
  echo "PASS: $checked released scripts identical to their released copies ($(IFS=,; echo "${versions[*]}" | sed 's/,/, /g'))"
fi
exit $status
