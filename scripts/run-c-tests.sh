#!/usr/bin/env bash
# Runs every C conformance/differential test directory (Tests/c/*/run.sh) against
# the Embedded build in build/, and prints one summary line. Each run.sh prints
# PASS/FAIL/SKIP lines and exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$PWD/build}
export SWIFTBPF_INCLUDE=${SWIFTBPF_INCLUDE:-$PWD/include}
export REF_INCLUDE=${REF_INCLUDE:-/usr/include}
export REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
log=$SWIFTBPF_BUILD/c-tests.log
: > "$log"
suites_failed=0
for t in Tests/c/*/run.sh; do
  name=$(basename "$(dirname "$t")")
  echo "=== C test suite: $name"
  bash "$t" 2>&1 | tee -a "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ]; then echo "=== $name: exit $rc"; suites_failed=$((suites_failed + 1)); fi
done
pass=$(grep -c '^PASS' "$log" || true)
fail=$(grep -c '^FAIL' "$log" || true)
skip=$(grep -c '^SKIP' "$log" || true)
echo "C tests: $pass passed, $fail failed, $skip skipped ($suites_failed suites failed)"
[ "$fail" = 0 ] && [ "$suites_failed" = 0 ]
