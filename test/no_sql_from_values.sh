#!/usr/bin/env bash
# No promo function builds SQL from a value: every statement runs as a plan
# prepared once from a fixed text (with only the extension's schema, quoted,
# filled in), and values travel only as SPI parameters.
#  - The 1.4 statements are SqlStatement objects whose text is an SqlText,
#    which only a string literal converts to: proved here by compiling the
#    ways a run-time text could be passed, each of which must be refused.
#  - The older schemas' statements (statements.cpp) are built from literals.
#  - SPI_prepare is called in one place, and nothing executes SQL text.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
fail() { echo "FAIL: $*"; failed=1; }

includes="-Iextension -isystem $(pg_config --includedir-server)"
try_compile() {
  echo "#include \"sql_statement.hpp\"
#include <string>
void attempt(std::string value) { $1 }" |
    g++ -std=c++17 -fsyntax-only $includes -x c++ - 2>/dev/null
}
try_compile 'promo::SqlText text("SELECT 1"); (void)text;' || fail "a string literal does not make a statement text"
for attempt in \
  'promo::SqlText text(value.c_str()); (void)text;' \
  'char buffer[64] = "SELECT "; promo::SqlText text(buffer); (void)text;' \
  'const char *pointer = value.data(); promo::SqlText text(pointer); (void)text;' \
  'promo::SqlStatement statement{"s", value.c_str(), {}}; (void)statement;'; do
  try_compile "$attempt" && fail "a run-time text became a statement text: $attempt"
done

if grep -nE '\bSPI_(exec|execute|execute_with_args|cursor_open_with_args|prepare_cursor|execute_extended)\s*\(' extension/*.cpp; then
  fail "SQL text executed directly"
fi
[[ $(grep -l 'SPI_prepare(' extension/*.cpp) == extension/spi_session.cpp && $(grep -c 'SPI_prepare(' extension/spi_session.cpp) == 1 ]] ||
  fail "SPI_prepare called in more than one place"
if grep -nE 'std::string\(|to_string|Datum|fcinfo|PG_GETARG' extension/statements.cpp; then
  fail "statements.cpp touches values"
fi
grep -q 'SPI_execute_plan(plan' extension/spi_session.cpp || fail "an execution does not go through a prepared plan"
[[ $failed -eq 0 ]] && echo "PASS: SQL is never built from a value"
exit $failed
