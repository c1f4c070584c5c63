#!/usr/bin/env bash
# The checkout examples, each on a fresh database of the throwaway server
# (PG* set by test/harness/server.sh), each output compared with
# examples/expected.txt: the same flow, the same answers, in every stack.
#   bash examples/run.sh [python] [node] [java]
set -uo pipefail
cd "$(dirname "$0")"
stacks=("$@")
[[ ${#stacks[@]} -gt 0 ]] || stacks=(python node java)
# Debian's packages of each stack's driver. node-pg is unpacked rather than
# installed: its dependencies ask for Debian's nodejs, and this machine's node
# is NodeSource's; the driver itself is plain JavaScript.
declare -A packages=([python]=python3-psycopg [java]="default-jre-headless libpostgresql-jdbc-java")
missing=()
for stack in "${stacks[@]}"; do
  for package in ${packages[$stack]:-}; do
    [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] || missing+=("$package")
  done
done
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || { echo "as root, run: apt-get install -y ${missing[*]}"; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "apt-get install ${missing[*]} failed"; exit 1; }
fi
node_path=/usr/share/nodejs
if [[ " ${stacks[*]} " == *" node "* && ! -d $node_path/pg ]]; then
  unpacked=${PROMO_CACHE:-/var/cache/promo}/node-pg
  if [[ ! -d $unpacked/usr/share/nodejs/pg ]]; then
    mkdir -p "$unpacked/debs" && chmod 777 "$unpacked/debs"
    (cd "$unpacked/debs" && apt-get download -qq node-pg node-split2 2>/dev/null) &&
      for deb in "$unpacked"/debs/*.deb; do dpkg -x "$deb" "$unpacked"; done ||
      { echo "could not fetch Debian's node-pg"; exit 1; }
  fi
  node_path=$unpacked/usr/share/nodejs
fi
status=0
for stack in "${stacks[@]}"; do
  database=promo_example_$stack
  dropdb --if-exists "$database" 2>/dev/null && createdb "$database" &&
    psql -X -q -v ON_ERROR_STOP=1 -d "$database" -c "CREATE EXTENSION promo" -f checkout.sql >/dev/null ||
    { echo "$stack: could not prepare $database"; status=1; continue; }
  case $stack in   # each leaves its exit status in $?, read right after
    python) output=$(/usr/bin/python3 python/checkout.py "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$database" 2>&1) ;;
    node) output=$(NODE_PATH=$node_path node node/checkout.js \
      "postgresql://$PGUSER@localhost:$PGPORT/$database?host=$PGHOST" 2>&1) ;;
    java) output=$(java -cp /usr/share/java/postgresql.jar java/Checkout.java \
      "jdbc:postgresql://127.0.0.1:$PGPORT/$database?user=$PGUSER" 2>&1) ;;
    *) echo "no example for $stack"; status=1; continue ;;
  esac
  exit_status=$?
  if [[ $exit_status -ne 0 ]]; then
    echo "$stack: the example exited with status $exit_status:"; echo "$output" | tail -20; status=1
  elif diff <(echo "$output") expected.txt >/dev/null; then
    echo "$stack: the checkout flow ran as expected ($(wc -l <expected.txt) steps)"
  else
    echo "$stack: unexpected output:"; diff <(echo "$output") expected.txt; status=1
  fi
done
exit $status
