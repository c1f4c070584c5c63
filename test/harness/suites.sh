# Runs named test suites and prints one summary line: source it, call
# run_suite NAME COMMAND... for each, then finish_suites (exits).
passed=0
failed=0
failures=()

# A suite that hangs fails after SUITE_TIMEOUT seconds instead of stalling the run.
run_suite() {
  local name=$1 started=$SECONDS
  shift
  echo "=== $name"
  if timeout --kill-after=30 "${SUITE_TIMEOUT:-1200}" "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
    [[ -f regression.diffs ]] && cat regression.diffs
    [[ -f output_iso/regression.diffs ]] && cat output_iso/regression.diffs
  fi
  echo "--- $name: $((SECONDS - started)) s"
}

finish_suites() {
  [[ $failed -gt 0 ]] && echo "failed: ${failures[*]}"
  echo "suites: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
  exit
}
