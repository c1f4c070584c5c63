#!/usr/bin/env bash
# Builds a PostgreSQL server from Debian's source package, once, and prints
# its bin directory. Later runs find the build in the cache and reuse it.
#   test/harness/build_postgres.sh 15 cassert   assert-enabled 15 (poisons freed memory)
#   test/harness/build_postgres.sh 13           a plain 13 (bullseye), 18 (sid), ...
#   test/harness/build_postgres.sh 15 framepointers   optimized, with frame
#                                               pointers, for perf's call graphs
# The newest source package of that major version is built (for 15, the
# version the system's packages have, security updates included). It comes
# through a private APT configuration with deb-src entries; the system's own
# APT sources are never touched. Cache: $PROMO_CACHE (default
# /var/cache/promo), one prefix per version and flavor, with its build log.
set -euo pipefail

major=$1
flavor=${2:-plain}
cache=${PROMO_CACHE:-/var/cache/promo}
log=$cache/postgresql-$major-$flavor.log
mkdir -p "$cache"
# One build of a version and flavor at a time: a second caller (make test
# starts the builds early, in the background) waits, then finds it built.
exec 9>"$cache/.build-$major-$flavor.lock"
flock 9

# Debian's tools for building PostgreSQL from source.
deps=(bison flex libicu-dev pkg-config zlib1g-dev dpkg-dev)
missing=()
for package in "${deps[@]}"; do
  [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "promo: to build PostgreSQL $major, as root run: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A private APT configuration that knows Debian's source packages. It and the
# fetched sources are shared by every version and flavor: one writer at a time.
exec 8>"$cache/.sources.lock"
flock 8
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat >"$apt_dir/sources.list" <<'EOF'
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
deb-src http://deb.debian.org/debian bullseye main
deb-src http://deb.debian.org/debian bullseye-updates main
deb-src http://deb.debian.org/debian-security bullseye-security main
deb-src http://deb.debian.org/debian sid main
EOF
cat >"$apt_dir/apt.conf" <<EOF
Dir::Etc::sourcelist "$apt_dir/sources.list";
Dir::Etc::sourceparts "/nonexistent";
Dir::State::lists "$apt_dir/lists";
Dir::Cache "$apt_dir/cache";
EOF
export APT_CONFIG=$apt_dir/apt.conf
source_versions() {
  { apt-cache showsrc "postgresql-$major" 2>/dev/null || true; } | sed -n 's/^Version: //p' | sort -rV
}
versions=$(source_versions)
if [[ -z $versions ]]; then
  apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  versions=$(source_versions)
fi
[[ -n $versions ]] || { echo "promo: no source package postgresql-$major" >&2; exit 1; }

# A version already built is reused.
for version in $versions; do
  prefix=$cache/postgresql-${version%%-*}-$flavor
  if [[ -x $prefix/bin/postgres && -x $prefix/lib/pgxs/src/test/isolation/pg_isolation_regress &&
        -f $prefix/.complete ]]; then
    echo "$prefix/bin"
    exit 0
  fi
done

# Otherwise the newest whose source can be fetched (a mirror may carry a
# security update's binaries but not its source).
tree=
for version in $versions; do
  upstream=${version%%-*}
  source_dir=$cache/source-$upstream
  tree=$source_dir/postgresql-$major-$upstream
  [[ -x $tree/configure ]] && break
  rm -rf "$source_dir"
  mkdir -p "$source_dir"
  (cd "$source_dir" && apt-get source -qq "postgresql-$major=$version") >>"$log" 2>&1 && [[ -x $tree/configure ]] && break
  rm -rf "$source_dir"
  tree=
done
[[ -n $tree ]] || { echo "promo: could not fetch the source of postgresql-$major ($log)" >&2; exit 1; }
flock -u 8
prefix=$cache/postgresql-$upstream-$flavor

build=$cache/build-$upstream-$flavor
rm -rf "$build" "$prefix"
mkdir -p "$build"
options=(--prefix="$prefix" --with-icu --without-readline --enable-debug)
[[ $flavor == cassert ]] && options+=(--enable-cassert)
# Debian's binaries omit frame pointers, so perf cannot walk their stacks.
[[ $flavor == framepointers ]] && export CFLAGS="-O2 -fno-omit-frame-pointer" CXXFLAGS="-O2 -fno-omit-frame-pointer"
echo "promo: building PostgreSQL $major ($flavor) from $(basename "$tree"), once; log in $log" >&2
{
  cd "$build" &&
  "$tree/configure" "${options[@]}" &&
  make -j"$(nproc)" -s &&
  make -s install &&
  # The isolation tester is not part of the server's install (and 13's
  # Makefile does not install it at all): where PGXS looks for it.
  make -C src/test/isolation -s all install &&
  install -D -m 755 -t "$prefix/lib/pgxs/src/test/isolation" \
    src/test/isolation/pg_isolation_regress src/test/isolation/isolationtester
} >>"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
rm -rf "$build"
touch "$prefix/.complete"
echo "$prefix/bin"
