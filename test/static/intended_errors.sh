#!/usr/bin/env bash
# Every error a pg_regress expected file records must be one its test asked
# for: the statement that raises it is followed by \echo :LAST_ERROR_SQLSTATE,
# so the intended SQLSTATE is recorded too. An expected file that records an
# error nobody marked (a typo, a missing grant, an object left behind) would
# make every later line prove nothing.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
# Only pg_regress's outputs: test/expected also holds the isolation specs',
# whose errors (40001, lock timeouts) are the permutations' own results.
for sql in test/sql/*.sql; do
  file=test/expected/$(basename "$sql" .sql).out
  [[ -f $file ]] || { echo "$sql has no expected output $file"; status=1; continue; }
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
[[ $status -eq 0 ]] && echo "every error in the pg_regress outputs of test/expected/ is marked as intended"
exit $status
