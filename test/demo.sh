#!/usr/bin/env bash
# make demo: installs what is missing, builds and installs promo, starts a
# throwaway server, runs the 100-connection check, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/harness/packages.sh
make -s client >/dev/null
make -s install >/dev/null

source test/harness/server.sh
server_start
trap server_stop EXIT
createdb promo_demo
psql -X -q -d promo_demo -c "CREATE EXTENSION promo"
echo "throwaway server on port $PGPORT; 100 sessions race for 50 uses of one code:"
client/promo-client --dsn dbname=promo_demo check --connections 100 --max-uses 50
