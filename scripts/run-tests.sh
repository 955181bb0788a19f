#!/usr/bin/env bash
# `make test`: the Swift unit tests (core built in normal Swift) and the C tests
# against the Embedded libbpf.so.1. Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
status=0

echo "=== Swift unit tests (swift test)"
# Serial: the tests swap the library's global log sink.
swift test --no-parallel > build/unit-test.log 2>&1
unit_rc=$?
grep -E '^(✘|✔ Test run|.*error:)' build/unit-test.log | grep -v 'passed after' | tail -40
unit_total=$(grep -oE 'Test run with [0-9]+ tests' build/unit-test.log | grep -oE '[0-9]+' | tail -1)
unit_failed=$(grep -cE '^✘ Test .*(failed|recorded)' build/unit-test.log | head -1)
unit_failed=$(grep -E '^✘ Test [^ ]+\(\) failed' build/unit-test.log | wc -l)
unit_total=${unit_total:-0}
if [ "$unit_rc" != 0 ]; then
  status=1
  [ "$unit_failed" = 0 ] && unit_failed=1   # build failure or crash: count it
fi
unit_passed=$((unit_total - unit_failed)); [ $unit_passed -lt 0 ] && unit_passed=0
echo "Swift unit tests: $unit_passed passed, $unit_failed failed"

echo "=== C conformance and differential tests"
bash scripts/run-c-tests.sh
c_rc=$?
[ "$c_rc" != 0 ] && status=1
c_pass=$(grep -c '^PASS' build/c-tests.log || true)
c_fail=$(grep -c '^FAIL' build/c-tests.log || true)
if [ "$c_rc" != 0 ] && [ "$c_fail" = 0 ]; then c_fail=1; fi  # a suite died without a FAIL line

echo "=== STATUS.md is current"
if python3 scripts/gen-status.py | diff -q - abi/STATUS.md >/dev/null; then
  echo "PASS abi/STATUS.md matches the sources"; st_pass=1; st_fail=0
else
  echo "FAIL abi/STATUS.md is stale: run make status"; st_pass=0; st_fail=1; status=1
fi

echo
echo "$((unit_passed + c_pass + st_pass)) passed, $((unit_failed + c_fail + st_fail)) failed"
exit $status
