#!/usr/bin/env bash
# SwiftBPF btf_dump_data: differential test of btf_dump__dump_type_data()
# (text, return value, errno and log messages) over a hand-built BTF covering
# every kind and option combination, and over a sample of vmlinux types.
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours). Each run first prints the realpath of the libbpf.so it mapped; both
# are verified, so the reference is never silently compared with itself.
# Then every section of the two outputs is diffed line by line.
#
# Env: SWIFTBPF_BUILD (default: <repo>/build, relative to this script)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/btf_dump_data/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff and maps checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed".
# Needs: a C compiler, libbpf-dev (headers + libbpf.so link), libbpf1;
# /sys/kernel/btf/vmlinux for the vmlinux sections (both runs then print
# "unavailable" and compare equal).

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup btf_dump_data 60

SECTIONS="setup types combos unaligned sizes ptr4 errors vmlinux vmsmall END"

# a passing section shows its number of calls too
diff_detail() { echo "$(grep -c ' ret=' "$1") calls, $(wc -l <"$1") lines"; }

compile_probe "compile" "$HERE/probe.c" -Wno-format-truncation

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	# an altered value, a dropped line, a missing section, an extra section
	awk '!done && /^types .* \| .*\(int\)/ { sub(/\(int\)/, "(int) "); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-altered-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/types: 1 ref/1 ours lines differ" 1
	awk '!done && /^errors .* ret=/ { done = 1; next } { print }' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-dropped-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/errors"
	grep -v '^ptr4 ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/ptr4: section missing from our output"
	{ cat "$SCRATCH/st_ref.out"; echo "bogus extra"; } >"$alt"
	st_expect_fail "selftest/diff-catches-extra-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/bogus"
	st_expect_clean "selftest/diff-identical-passes" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	# the maps check must catch a fallback to the system libbpf
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	rm -f "$SCRATCH"/st_*.out "$alt"
	rm -rf "$SCRATCH/st_cmp"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
if ! check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	fail "diff" "not run: our library was not the one mapped"
	finish
fi
check_run "run/ours" "$SCRATCH/ours"
diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
# the outputs are large: keep only the per-section diffs of a failed run
if [ "$nfail" -eq 0 ]; then
	rm -rf "$SCRATCH/cmp" "$SCRATCH/ref.out" "$SCRATCH/ours.out"
fi
finish
