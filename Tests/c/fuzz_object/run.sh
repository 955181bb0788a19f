#!/usr/bin/env bash
# SwiftBPF bpf_object__open_mem fuzzing as a C-test directory: builds the
# libFuzzer target fuzz_object_open and runs it for FUZZ_SECONDS (default 60);
# see Tests/fuzz/run-object.sh. Not a differential test: the property checked is
# "no crash, sanitizer report, trap, failed invariant, leak, timeout or OOM".
#
# Env: SWIFTBPF_BUILD (default: the repo's build dir), FUZZ_SECONDS
# Scratch: $SWIFTBPF_BUILD/tests/fuzz_object/ only.
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
#         exit status non-zero on any failure.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
export SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$REPO/build}
export FUZZ_BUILD=$SWIFTBPF_BUILD/tests/fuzz_object
exec bash "$REPO/Tests/fuzz/run-object.sh" "$@"
