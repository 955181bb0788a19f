#!/usr/bin/env bash
# SwiftBPF probes: differential test of libbpf_probe_bpf_prog_type,
# libbpf_probe_bpf_map_type and libbpf_probe_bpf_helper against the reference.
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# against the reference (LD_LIBRARY_PATH unset) and against ours
# (LD_LIBRARY_PATH=$SWIFTBPF_BUILD). Each run first prints the realpath of the
# libbpf.so it mapped; both are verified. The probe prints, for every program
# type 0..40 (+1000, -1), map type 0..40 (+1000, -1), every (program type,
# helper 0..210 + a few out of range) pair and non-NULL opts, the return value
# and errno (reset to 0 before each call), everything the library logged, and
# whether the number of open fds changed. The outputs must be identical.
#
# That is done three times: as root with all capabilities, with only CAP_BPF
# (program types needing CAP_PERFMON/CAP_NET_ADMIN/CAP_SYS_ADMIN are refused),
# and with no capabilities (every bpf() fails: the error paths, e.g. a BTF load
# failure in a storage-map probe, give negative errnos). A level is skipped when
# setpriv is missing or cannot drop capabilities here.
#
# Env: SWIFTBPF_BUILD (default /work/main/build), REF_LIB (default
#      /usr/lib/x86_64-linux-gnu/libbpf.so.1), CC (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/probes/ only.
# Output: PASS <name> / FAIL <name>: <why> / SKIP <name>: <why>, then "N passed, N failed".
# Needs: a C compiler, libbpf-dev, libbpf1, root, a kernel with BPF.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup probes 120
compile_probe "compile" "$HERE/probe.c"
ours_built "build" || finish

# run ref|ours PREFIX [WRAPPER...]: the probe under WRAPPER (e.g. setpriv).
run() {
	local who=$1 out=$2
	shift 2
	PROBE_WRAP=("$@")
	case "$who" in
	ref) run_ref "$out" ;;
	ours) run_ours "$out" "$OURS_DIR" ;;
	esac
	PROBE_WRAP=()
}

# check LEVEL: maps, completion, fd leaks, then the line-by-line comparison
check() {
	local level=$1 ref=$SCRATCH/$1.ref ours=$SCRATCH/$1.ours who file expect n first
	for who in ref ours; do
		file=$SCRATCH/$level.$who
		[ "$who" = ref ] && expect=$REF_REAL || expect=$OURS_REAL
		check_maps "$level/maps-$who" "$file.out" "$expect"
		if [ "$(cat "$file.rc")" = 0 ] && [ "$(tail -n1 "$file.out")" = END ]; then
			pass "$level/run-$who"
		else
			fail "$level/run-$who" "rc=$(cat "$file.rc"), stderr: $(head -c 300 "$file.err" | tr '\n' ' ')"
		fi
		if grep -q '^fds same ' "$file.out"; then
			pass "$level/no-fd-leak-$who"
		else
			fail "$level/no-fd-leak-$who" "$(grep '^fds ' "$file.out")"
		fi
	done
	for kind in prog map opts helper log; do
		n=$(grep -c "^$kind " "$ref.out")
		if [ "$kind" != log ] && [ "$n" = 0 ]; then
			fail "$level/diff-$kind" "no '$kind' lines in the reference output"
			continue
		fi
		if cmp -s <(grep "^$kind " "$ref.out") <(grep "^$kind " "$ours.out"); then
			pass "$level/diff-$kind ($n calls)"
		else
			first=$(diff <(grep "^$kind " "$ref.out") <(grep "^$kind " "$ours.out") |
				grep -m2 '^[<>]' | cut -c1-200 | sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "$level/diff-$kind" "$(diff <(grep "^$kind " "$ref.out") <(grep "^$kind " "$ours.out") | grep -c '^<') lines differ; first: $first"
		fi
	done
}

# --------------------------------------------------------------- root, all caps
run ref "$SCRATCH/root.ref"
run ours "$SCRATCH/root.ours"
check root

# the comparison must be able to fail: one altered errno is a difference
awk '!done && /^helper 1 1 ret=/ { sub(/errno=/, "errno=9"); done = 1 } { print }' "$SCRATCH/root.ours.out" >"$SCRATCH/altered.out"
if ! cmp -s <(grep '^helper ' "$SCRATCH/root.ref.out") <(grep '^helper ' "$SCRATCH/altered.out") &&
	[ "$(diff "$SCRATCH/root.ours.out" "$SCRATCH/altered.out" | grep -c '^>')" = 1 ]; then
	pass "selfcheck/diff-detects-an-altered-errno"
else
	fail "selfcheck/diff-detects-an-altered-errno" "the altered output compared equal"
fi

# sanity: with all capabilities the common types must be supported, or the
# comparison above proved little
if grep -q '^prog 1 ret=1 ' "$SCRATCH/root.ref.out" && grep -q '^map 1 ret=1 ' "$SCRATCH/root.ref.out"; then
	pass "root/sanity-reference-supports-socket-filter-and-hash"
else
	fail "root/sanity-reference-supports-socket-filter-and-hash" "the reference did not probe them as supported (no BPF here?)"
fi

# ------------------------------------------------------ reduced capabilities
if command -v setpriv >/dev/null && setpriv --inh-caps=-all --bounding-set=-all true 2>/dev/null; then
	if setpriv --inh-caps=-all,+bpf --ambient-caps=+bpf --bounding-set=-all,+bpf true 2>/dev/null; then
		run ref "$SCRATCH/capbpf.ref" setpriv --inh-caps=-all,+bpf --ambient-caps=+bpf --bounding-set=-all,+bpf
		run ours "$SCRATCH/capbpf.ours" setpriv --inh-caps=-all,+bpf --ambient-caps=+bpf --bounding-set=-all,+bpf
		check capbpf
	else
		skip "capbpf" "setpriv cannot keep only CAP_BPF here"
	fi
	run ref "$SCRATCH/nocaps.ref" setpriv --inh-caps=-all --bounding-set=-all
	run ours "$SCRATCH/nocaps.ours" setpriv --inh-caps=-all --bounding-set=-all
	check nocaps
	# the levels must really differ, or the reduced runs compared nothing new
	if cmp -s <(grep '^map ' "$SCRATCH/root.ref.out") <(grep '^map ' "$SCRATCH/nocaps.ref.out"); then
		fail "selfcheck/capabilities-dropped" "the reference answered the same with and without capabilities"
	else
		pass "selfcheck/capabilities-dropped"
	fi
else
	skip "capbpf" "setpriv missing or cannot drop capabilities"
	skip "nocaps" "setpriv missing or cannot drop capabilities"
fi

finish
