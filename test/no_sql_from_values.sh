#!/usr/bin/env bash
# Grep-level proof that no promo function builds SQL from a value: every
# statement runs as a plan prepared once from the fixed texts of
# statements.cpp (with only the extension's schema, quoted, filled in), and
# values travel only as SPI parameters.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
# No SPI call that takes SQL text at execution time.
if grep -nE '\bSPI_(exec|execute|execute_with_args|cursor_open_with_args|prepare_cursor|execute_extended)\s*\(' extension/*.cpp; then
  echo "FAIL: SQL text executed directly"; failed=1
fi
# SPI_prepare is called in one place, on a statement text.
prepares=$(grep -n '= SPI_prepare(' extension/*.cpp)
echo "$prepares"
[[ $(grep -c 'SPI_prepare(' extension/*.cpp | grep -v ':0$') == extension/spi_session.cpp:1 ]] ||
  { echo "FAIL: SPI_prepare called elsewhere"; failed=1; }
grep -q 'expand_schema(text.sql' extension/spi_session.cpp || { echo "FAIL: the prepared text is not a statement text"; failed=1; }
# The statement texts are built from string literals and each other, nothing else.
if grep -nE 'std::string\(|to_string|Datum|fcinfo|PG_GETARG' extension/statements.cpp; then
  echo "FAIL: statements.cpp touches values"; failed=1
fi
# Every execution goes through a prepared plan.
grep -q 'SPI_execute_plan(plan' extension/spi_session.cpp || failed=1
[[ $failed -eq 0 ]] && echo "PASS: SQL is never built from a value" || echo "FAIL"
exit $failed
