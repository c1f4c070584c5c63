#!/usr/bin/env bash
# No promo function builds SQL from a value: every statement runs as a plan
# prepared once from a fixed text (with only the extension's schema, quoted,
# filled in), and values travel only as SPI parameters. The compiler enforces
# it; this script proves the enforcement by compiling what must be refused:
#  - a statement's text is an SqlText, which only a string literal converts
#    to (sql_statement.hpp);
#  - outside the one translation unit that defines PROMO_SPI_LAYER, every SPI
#    call that takes SQL text or runs a plan is poisoned (pg_headers.hpp);
#  - inside it, SPI_prepare is called once, from a function taking an SqlText,
#    and SQL runs only as a prepared plan.
# Nothing here names a source file, so a rename cannot defeat it.
set -uo pipefail
cd "$(dirname "$0")/../.."
failed=0
fail() { echo "FAIL: $*"; failed=1; }

includes="-Iextension -isystem $("${PG_CONFIG:-pg_config}" --includedir-server)"
try_compile() {  # $1 the body of a function that has a run-time std::string `value`
  printf '#include "pg_headers.hpp"\n#include "sql_statement.hpp"\n#include <string>\nvoid attempt(std::string value) { %s }\n' "$1" |
    g++ -std=c++17 -Wno-register -fsyntax-only $includes -x c++ - 2>/dev/null
}

try_compile '(void)value; promo::SqlText text("SELECT 1"); (void)text;' ||
  fail "a string literal does not make a statement text"
try_compile '(void)value; promo::SqlStatement statement{"s", R"(SELECT 1)", {}}; (void)statement;' ||
  fail "a raw string literal does not make a statement"
for attempt in \
  'promo::SqlText text(value.c_str()); (void)text;' \
  'char buffer[64] = "SELECT "; promo::SqlText text(buffer); (void)text;' \
  'const char *pointer = value.data(); promo::SqlText text(pointer); (void)text;' \
  'promo::SqlStatement statement{"s", value.c_str(), {}}; (void)statement;' \
  'promo::SqlStatement statement{"s", value, {}}; (void)statement;' \
  'SPI_prepare(value.c_str(), 0, nullptr);' \
  'SPI_execute(value.c_str(), false, 0);' \
  'SPI_execute_with_args(value.c_str(), 0, nullptr, nullptr, nullptr, false, 0);' \
  'SPI_exec(value.c_str(), 0);' \
  'SPI_cursor_open_with_args(nullptr, value.c_str(), 0, nullptr, nullptr, nullptr, false, 0);' \
  'SPI_execute_plan(nullptr, nullptr, value.c_str(), false, 0);'; do
  try_compile "$attempt" && fail "compiled, but must not: $attempt"
done

# The SPI layer: the one translation unit that defines PROMO_SPI_LAYER.
sources=$(find extension -name '*.cpp' | sort)
layer=$(grep -l '^#define PROMO_SPI_LAYER' $sources)
[[ $(wc -w <<<"$layer") -eq 1 ]] || fail "PROMO_SPI_LAYER is defined by other than one file: ${layer:-none}"
if [[ -n $layer ]]; then
  [[ $(grep -c 'SPI_prepare(' "$layer") -eq 1 ]] || fail "SPI_prepare is called more than once in $layer"
  grep -qE 'SPIPlanPtr prepare\(SqlText ' "$layer" || fail "the call of SPI_prepare does not take an SqlText"
  if grep -nE '\bSPI_(exec|execute|execute_with_args|execute_extended|cursor_open_with_args|cursor_parse_open|prepare_cursor|prepare_params|prepare_extended)\s*\(' "$layer"; then
    fail "SQL text executed directly"
  fi
fi
# The poison reaches every other file: none includes PostgreSQL's SPI header
# (or postgres.h) itself, around pg_headers.hpp.
if grep -nE '^#include "(postgres|executor/spi|executor/spi_priv)\.h"' $(find extension -name '*.[ch]pp' ! -name pg_headers.hpp); then
  fail "a file includes PostgreSQL's SPI header without pg_headers.hpp's poison"
fi
[[ $failed -eq 0 ]] && echo "PASS: SQL is never built from a value"
exit $failed
