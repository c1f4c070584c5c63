#!/usr/bin/env bash
# The unit tests of the extension's pure C++ (no server): the rules of
# generation and import; the discount arithmetic and the order rules (1.6).
# Needs g++ and libgtest-dev.
#   bash test/unit/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -std=c++17 -O1 -g -Wall -Wextra -Werror -Iextension -o "$out/unit" test/unit/*.cpp \
  extension/code_pattern.cpp extension/code_import_rules.cpp extension/code_input.cpp extension/discount.cpp \
  extension/order_rules.cpp -lgtest -lgtest_main -pthread
"$out/unit" --gtest_brief=1
