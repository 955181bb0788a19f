#!/usr/bin/env bash
# SwiftBPF fuzz suite as a C-test directory: builds the libFuzzer targets for
# btf__new and btf_ext__new and runs each for FUZZ_SECONDS (default 60); see
# Tests/fuzz/run.sh. Not a differential test: the property checked is "no
# crash, sanitizer report, trap, failed invariant, leak, timeout or OOM".
#
# Env: SWIFTBPF_BUILD (default: the repo's build dir), FUZZ_SECONDS, FUZZ_TARGETS
# Scratch: $SWIFTBPF_BUILD/tests/fuzz/ only.
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
#         exit status non-zero on any failure.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
export SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$REPO/build}
export FUZZ_BUILD=$SWIFTBPF_BUILD/tests/fuzz
exec bash "$REPO/Tests/fuzz/run.sh" "$@"
