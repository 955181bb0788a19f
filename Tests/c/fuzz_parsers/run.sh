#!/usr/bin/env bash
# SwiftBPF parser fuzzing as a C-test directory: builds and runs the libFuzzer
# targets of the two input parsers that read untrusted files,
#   fuzz_linker  bpf_linker__new + __add_file + __finalize + __free on one file
#                (the static linker's ELF/.BTF/.BTF.ext input reader)
#   fuzz_usdt    SDT note descriptors and USDT argument specs
# each for FUZZ_SECONDS (default 45); see Tests/fuzz/run-object.sh (FUZZ_TARGET)
# and the entry files Tests/fuzz/fuzz_linker.swift, fuzz_usdt.swift. Not a
# differential test: the property checked is "no crash, sanitizer report, Swift
# trap, failed invariant, leak, timeout or OOM"; a failure names the reproducer
# (kept in $SWIFTBPF_BUILD/tests/fuzz_parsers/<target>/artifacts/).
#
# Env: SWIFTBPF_BUILD (default: the repo's build dir), FUZZ_SECONDS,
#      FUZZ_PARSERS (targets to run, default "fuzz_linker fuzz_usdt")
# Scratch: $SWIFTBPF_BUILD/tests/fuzz_parsers/ only (the linker target writes
#          its input and output to memfds, never to disk).
# Usage: run.sh             run the targets
#        run.sh --selftest  prove that a planted crash and a planted leak in each
#                           target are reported as FAIL with a reproducer
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
#         exit status non-zero on any failure.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
export SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$REPO/build}
export FUZZ_SECONDS=${FUZZ_SECONDS:-45}
SCRATCH=$SWIFTBPF_BUILD/tests/fuzz_parsers
TARGETS=${FUZZ_PARSERS:-"fuzz_linker fuzz_usdt"}

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
mkdir -p "$SCRATCH" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# run_target <target> <log> [env...]: run-object.sh for one target, its
# PASS/FAIL lines prefixed with the target name.
run_target() {
	local target=$1 log=$2
	shift 2
	env "$@" FUZZ_TARGET="$target" FUZZ_BUILD="$SCRATCH/$target" FUZZ_BIN_DIR="$SCRATCH/bin" \
		bash "$REPO/Tests/fuzz/run-object.sh" >"$log" 2>&1
}

if [ "${1:-}" = --selftest ]; then
	# A planted crash and leak must each end the run with FAIL <target>: ...
	# (input: <reproducer>), and the reproducer must hold the planted input.
	for target in $TARGETS; do
		for kind in CRASH LEAK; do
			log=$SCRATCH/selftest-$target-$kind.log
			rm -rf "$SCRATCH/$target/artifacts"
			run_target "$target" "$log" FUZZ_SECONDS=10 FUZZ_PLANTED=$kind
			line=$(grep -m1 "^FAIL $target:" "$log")
			art=$(printf '%s' "$line" | grep -oE 'input: [^ )]+' | sed 's/input: //')
			if grep -q '^FAIL build' "$log"; then
				fail "selftest/$target/$kind" "$(grep -m1 '^FAIL build' "$log")"
			elif [ -n "$art" ] && [ -f "$art" ] && grep -q "SWIFTBPF-PLANTED-$kind" "$art"; then
				pass "selftest/$target/$kind (detected: ${line#FAIL }"
			else
				fail "selftest/$target/$kind" "planted ${kind,,} not reported with its reproducer (log: $log)"
			fi
		done
	done
else
	for target in $TARGETS; do
		log=$SCRATCH/$target.out
		run_target "$target" "$log"
		while IFS= read -r line; do
			case $line in
			"PASS $target "* | "PASS $target") pass "${line#PASS }" ;;
			"FAIL $target:"*) fail "$target" "${line#FAIL "$target": }" ;;
			"PASS "*) pass "$target/${line#PASS }" ;;
			"FAIL "*)
				rest=${line#FAIL }
				fail "$target/${rest%%: *}" "${rest#*: }"
				;;
			esac
		done <"$log"
		grep -qE "^(PASS|FAIL) $target" "$log" || fail "$target" "no verdict (see $log)"
	done
fi
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
