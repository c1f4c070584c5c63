#!/usr/bin/env bash
# Every error a pg_regress expected file records must be one its test asked
# for: the statement that raises it is followed by \echo :LAST_ERROR_SQLSTATE,
# so the intended SQLSTATE is recorded too. An expected file that records an
# error nobody marked (a typo, a missing grant, an object left behind) would
# make every later line prove nothing.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for file in expected/*.out; do
  unmarked=$(awk -v file="$file" '
    /^(psql:[^ ]* )?ERROR:/ { pending = FNR; text = $0; next }
    pending && /^\\echo :LAST_ERROR_SQLSTATE/ { pending = 0; next }
    pending && /^\\set / { next }
    pending && /^(DETAIL|HINT|CONTEXT|LINE [0-9]+|QUERY|[ ]+\^|PL\/pgSQL|SQL statement)/ { next }
    pending && /^  / { next }
    pending { print file ":" pending ": " text; pending = 0 }
    END { if (pending) print file ":" pending ": " text }
  ' "$file")
  if [[ -n $unmarked ]]; then
    echo "$unmarked"
    status=1
  fi
done
[[ $status -eq 0 ]] && echo "every error in expected/ is marked as intended"
exit $status
