#!/usr/bin/env bash
# The include graph of extension/ and of client/: each `#include "..."` of
# one of promo's own files, printed as "file -> included", then checked for
# loops twice: between files, and between modules, where x.cpp and x.hpp are
# one module (so x.cpp -> y.hpp -> x.hpp is a loop too). Prints each
# module's floor (0 = includes none of promo's headers). Exit 1 on a loop.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

# Quoted includes resolve as the compiler does: beside the file, then
# extension/ (-Iextension); paths are printed from the top of the tree.
file_edges() {  # $1 the folder
  local file dir included
  find "$1" \( -name '*.cpp' -o -name '*.hpp' \) | sort | while read -r file; do
    dir=$(dirname "$file")
    sed -nE 's/^#include "([^"]+)".*/\1/p' "$file" | while read -r included; do
      if [[ -f $dir/$included ]]; then
        echo "$file $dir/$included"
      elif [[ -f extension/$included ]]; then
        echo "$file extension/$included"
      fi
    done
  done
}

status=0
for folder in extension client; do
  files=$(file_edges "$folder")
  modules=$(awk '{ a = $1; b = $2; sub(/\.[ch]pp$/, "", a); sub(/\.[ch]pp$/, "", b); if (a != b) print a, b }' \
    <<<"$files" | sort -u)
  echo "$folder, files:"
  awk '{ print "  " $1 " -> " $2 }' <<<"$files"
  echo "$folder, modules (x.cpp and x.hpp as one), with their floor:"
  awk '
    { out[$1] = out[$1] " " $2; nodes[$1]; nodes[$2] }
    function floor_of(n,    i, k, parts, best, f) {
      if (n in memo) return memo[n]
      if (n in visiting) return -1000000  # a loop: reported by tsort below
      visiting[n]; best = 0
      k = split(out[n], parts, " ")
      for (i = 1; i <= k; i++) { f = floor_of(parts[i]) + 1; if (f > best) best = f }
      delete visiting[n]
      return memo[n] = best
    }
    END { for (n in nodes) printf "  %2d  %s ->%s\n", floor_of(n), n, out[n] }
  ' <<<"$modules" | sort -k1,1n -k2
  for graph in files modules; do
    if ! tsort <<<"${!graph}" >/dev/null 2>"/tmp/include_graph.$$"; then
      echo "FAIL: a loop between $graph of $folder:"
      cat "/tmp/include_graph.$$"
      status=1
    fi
  done
done
rm -f "/tmp/include_graph.$$"
[[ $status -eq 0 ]] && echo "PASS: no include loop between files or modules"
exit $status
