#!/usr/bin/env bash
# SwiftBPF basics: differential + expected-value tests for the step-1 API
# (version, libbpf_strerror, libbpf_set_print + default printer, the four
# libbpf_bpf_*_type_str tables, libbpf_num_possible_cpus, libbpf_get_error,
# libbpf_set_strict_mode, libbpf_set_memlock_rlim).
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours). Each run first prints the realpath of the libbpf.so it mapped; both
# are verified, so the reference is never silently compared with itself.
# Then every section of the two outputs is diffed line by line, and the
# reference-independent expected-value checks (probe expected) run against
# ours.
#
# Env: SWIFTBPF_BUILD   (default /work/main/build)
#      SWIFTBPF_INCLUDE (default /work/main/include; only its version macros
#                        are cross-checked, the probe uses the reference headers)
#      REF_LIB          (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC               (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/basics/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff and maps checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed".
# Needs: a C compiler, libbpf-dev (headers + libbpf.so link), libbpf1; the
# mount-namespace CPU-mask tests need root (CI runs as root).

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup basics 300
SWIFTBPF_INCLUDE=${SWIFTBPF_INCLUDE:-$SBPF_REPO/include}
PROBE_ENV=(BASICS_SCRATCH="$SCRATCH")
DIFF_CHILD_MAPS=1

# the sections the probe prints, in order; each must be present in both runs
SECTIONS="version strerror strerror_code strerror_trunc strerror_null strerror_intmin
set_print defprint cpus_ns type_str cpus get_error strict memlock END"

# ------------------------------------------------------------------ build
compile_probe "compile" "$HERE/probe.c" -ldl

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref" diff
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	# 1. the diff check must catch an altered line, a dropped line, a
	#    missing section and an extra line
	alt=$SCRATCH/st_altered.out
	awk '!done && /^strerror 1 ret=/ { sub(/permitted/, "permitted!"); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-altered-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/strerror: 1 ref/1 ours lines differ" 1
	grep -v '^type_str map 27 ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-dropped-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/type_str"
	grep -v '^memlock\|^END' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/memlock: section missing from our output"
	{ cat "$SCRATCH/st_ref.out"; echo "bogus extra"; } >"$alt"
	st_expect_fail "selftest/diff-catches-extra-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/bogus"
	st_expect_clean "selftest/diff-identical-passes" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	# 2. the maps check must catch a run where LD_LIBRARY_PATH points at a
	#    directory without our library (the loader silently falls back to
	#    the system libbpf), and one where LD_LIBRARY_PATH is not passed at all
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" diff
	st_maps_ignored "selftest/maps-catches-ignored-LD_LIBRARY_PATH" "$SCRATCH/st_ref.out"
	# 3. ... and the reference check must reject a non-reference library
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref" diff
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

ours_ok=1
if ! ours_built "maps/ours"; then
	ours_ok=0
else
	run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" diff
	check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL" || ours_ok=0
fi

if [ "$ours_ok" = 1 ]; then
	check_run "run/ours" "$SCRATCH/ours"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
else
	fail "diff" "not run: our library was not the one mapped"
fi

# ----------------------------------------------------------- expected values
# The checks themselves are in probe.c (mode_expected); they must hold for the
# reference too, otherwise the hand-written values are wrong.
run_ref "$SCRATCH/exp_ref" expected
if [ "$(cat "$SCRATCH/exp_ref.rc")" = 0 ] && grep -q '^EXPECTED-SUMMARY [0-9]* passed, 0 failed' "$SCRATCH/exp_ref.out"; then
	pass "selfcheck/expected-values-hold-for-reference ($(grep -c '^PASS' "$SCRATCH/exp_ref.out") checks)"
else
	fail "selfcheck/expected-values-hold-for-reference" "$(grep -m3 '^FAIL' "$SCRATCH/exp_ref.out" | tr '\n' ' ') rc=$(cat "$SCRATCH/exp_ref.rc")"
fi

if [ "$ours_ok" = 1 ]; then
	run_ours "$SCRATCH/exp_ours" "$SWIFTBPF_BUILD" expected
	check_maps "maps/ours-expected" "$SCRATCH/exp_ours.out" "$OURS_REAL"
	tally < <(grep -E '^(PASS|FAIL) ' "$SCRATCH/exp_ours.out")
	if ! grep -q '^EXPECTED-SUMMARY' "$SCRATCH/exp_ours.out"; then
		fail "expected/completed" "probe expected did not finish (rc=$(cat "$SCRATCH/exp_ours.rc"); stderr: $(head -c 300 "$SCRATCH/exp_ours.err" | tr '\n' ' '))"
	fi
else
	fail "expected" "not run: our library was not the one mapped"
fi

# Our public headers must announce the same version as the reference headers.
hver() { awk -v m="$2" '$1 == "#define" && $2 == m { print $3 }' "$1/bpf/libbpf_version.h" 2>/dev/null; }
for m in LIBBPF_MAJOR_VERSION LIBBPF_MINOR_VERSION; do
	r=$(hver /usr/include "$m")
	o=$(hver "$SWIFTBPF_INCLUDE" "$m")
	if [ -n "$r" ] && [ "$r" = "$o" ]; then
		pass "expected/headers/$m"
	else
		fail "expected/headers/$m" "reference header '$r', $SWIFTBPF_INCLUDE/bpf/libbpf_version.h '$o'"
	fi
done

finish
