#!/usr/bin/env bash
# With promo in shared_preload_libraries (as the throwaway server has it), a
# DBA's promo.reveal_reasons = off for the application role holds even when
# the client asks for the reasons at connection start with PGOPTIONS: the
# connection is refused or the value stays off; a refused code still reads
# not_found.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/server.sh
server_start || exit 1
trap server_stop EXIT
psql -X -A -t -c "SHOW shared_preload_libraries"
createdb promo_reasons && psql -X -q -d promo_reasons <<'SQL' || exit 1
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, is_active) VALUES ('RETIRED', false);
CREATE ROLE promo_app LOGIN;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) TO promo_app;
ALTER ROLE promo_app SET promo.reveal_reasons = off;
SQL
failed=0
ask() { PGUSER=promo_app psql -X -A -t -d promo_reasons -c "SELECT current_setting('promo.reveal_reasons') || ' ' || status FROM redeem_promo('RETIRED')" 2>&1; }
plain=$(ask)
echo "as the application role: $plain"
[[ "$plain" == "off not_found" ]] || failed=1
forced=$(PGOPTIONS='-c promo.reveal_reasons=on' ask)
echo "with PGOPTIONS='-c promo.reveal_reasons=on': $forced"
[[ "$forced" == *"permission denied to set parameter \"promo.reveal_reasons\""* || "$forced" == "off not_found" ]] || failed=1
[[ "$forced" != *inactive* ]] || failed=1
dba=$(psql -X -A -t -d promo_reasons -c "SELECT status FROM redeem_promo('RETIRED')")
echo "as the DBA: $dba"
[[ "$dba" == inactive ]] || failed=1
[[ $failed -eq 0 ]] && echo "PASS: the application cannot turn the reasons back on" || echo "FAIL"
exit $failed
