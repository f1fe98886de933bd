#!/usr/bin/env bash
# Printed last by `make test`: which tests failed, and why the browser specs that failed or
# passed only on a second run (tests/e2e/run.mjs) did not pass at first, so that a log kept
# only by its head and tail still says why. Prints nothing when everything passed at once.
# Usage: scripts/test-failures.sh BUILD_DIR...
cd "$(dirname "$0")/.."
failed=()
for dir in "$@"; do
  list="$dir/Testing/Temporary/LastTestsFailed.log"
  [ -s "$list" ] && failed+=("$(sed "s|^|$dir: |" "$list")")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== what failed"
  printf '%s\n' "${failed[@]}"
fi
for kind in failures flaky; do
  file="tests/e2e/artifacts/$kind.txt"
  [ -s "$file" ] || continue
  case $kind in
    failures) echo "== why the browser specs failed ($file, last 120 lines)" ;;
    flaky) echo "== browser specs that passed only on a second run, and why the first failed ($file, last 120 lines)" ;;
  esac
  tail -n 120 "$file"
done
exit 0
