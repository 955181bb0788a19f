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
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
SWIFTBPF_INCLUDE=${SWIFTBPF_INCLUDE:-/work/main/include}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
SCRATCH=$SWIFTBPF_BUILD/tests/basics
PROBE=$SCRATCH/probe
# a hung library must not hang the suite
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 300)

# the sections the probe prints, in order; each must be present in both runs
SECTIONS="version strerror strerror_code strerror_trunc strerror_null strerror_intmin
set_print defprint cpus_ns type_str cpus get_error strict memlock END"

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

mkdir -p "$SCRATCH" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# Run the probe against the reference (mode $1, output prefix $2).
run_ref() {
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH BASICS_SCRATCH="$SCRATCH" "$PROBE" "$1" >"$2.out" 2>"$2.err" ;;
	*) # a reference outside the default search path: point the loader at it
		"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" BASICS_SCRATCH="$SCRATCH" "$PROBE" "$1" >"$2.out" 2>"$2.err" ;;
	esac
	echo $? >"$2.rc"
}

# Run the probe against ours (mode $1, output prefix $2, library dir $3).
run_ours() {
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$3" BASICS_SCRATCH="$SCRATCH" "$PROBE" "$1" >"$2.out" 2>"$2.err"
	echo $? >"$2.rc"
}

# check_maps NAME OUTFILE EXPECTED_REALPATH
check_maps() {
	local got
	got=$(head -n1 "$2" 2>/dev/null)
	if [ "$got" = "MAPPED $3" ]; then
		pass "$1"
	elif [ -z "$got" ]; then
		fail "$1" "the probe printed nothing (rc=$(cat "${2%.out}.rc" 2>/dev/null); stderr: $(head -c 300 "${2%.out}.err" 2>/dev/null | tr '\n' ' '))"
	else
		fail "$1" "expected 'MAPPED $3', got '$got'"
	fi
}

# check_run NAME PREFIX: exit status 0 and a final END line
check_run() {
	local rc
	rc=$(cat "$2.rc")
	if [ "$rc" = 0 ] && [ "$(tail -n1 "$2.out")" = "END" ]; then
		pass "$1"
	else
		fail "$1" "rc=$rc, last line '$(tail -n1 "$2.out" | head -c 200)', stderr: $(head -c 300 "$2.err" | tr '\n' ' ')"
	fi
}

# diff_sections REF_OUT OURS_OUT WORKDIR: per-section line-by-line comparison
# of everything after the MAPPED line.
diff_sections() {
	local ref=$1 ours=$2 work=$3 s n nr no first
	rm -rf "$work"
	mkdir -p "$work/ref" "$work/ours"
	tail -n +2 "$ref" | awk -v d="$work/ref" '{ f = d "/" $1; print > f }'
	tail -n +2 "$ours" | awk -v d="$work/ours" '{ f = d "/" $1; print > f }'
	for s in $SECTIONS; do
		if [ ! -s "$work/ref/$s" ]; then
			fail "diff/$s" "section missing from the reference output (probe bug?)"
			continue
		fi
		if [ ! -e "$work/ours/$s" ]; then
			fail "diff/$s" "section missing from our output ($(wc -l <"$work/ref/$s") reference lines)"
			continue
		fi
		if cmp -s "$work/ref/$s" "$work/ours/$s"; then
			pass "diff/$s ($(wc -l <"$work/ref/$s") lines)"
		else
			nr=$(wc -l <"$work/ref/$s")
			no=$(wc -l <"$work/ours/$s")
			n="$(diff "$work/ref/$s" "$work/ours/$s" | grep -c '^<') ref/$(diff "$work/ref/$s" "$work/ours/$s" | grep -c '^>') ours"
			first=$({ diff "$work/ref/$s" "$work/ours/$s" | grep -m1 '^<'
				diff "$work/ref/$s" "$work/ours/$s" | grep -m1 '^>'; } | cut -c1-220 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "diff/$s" "$n lines differ (of $nr ref, $no ours lines); first: $first"
		fi
	done
	for s in $(ls "$work/ours"); do
		case " $(echo $SECTIONS) " in
		*" $s "*) ;;
		*) fail "diff/$s" "unexpected section in our output: $(head -n1 "$work/ours/$s" | cut -c1-200)" ;;
		esac
	done
	# children (fork+exec of the probe) must have mapped the same library
	if grep -q 'child-maps DIFFERENT' "$ref" "$ours"; then
		fail "maps/children" "$(grep -h -m1 'child-maps DIFFERENT' "$ref" "$ours" | head -n1 | cut -c1-200)"
	else
		pass "maps/children"
	fi
}

# ------------------------------------------------------------------ build
rm -f "$PROBE"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/probe.c" -lbpf -ldl -o "$PROBE" \
	>"$SCRATCH/compile.log" 2>&1; then
	fail "compile" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile"

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_DIR=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")
OURS_REAL=$OURS_DIR/libbpf.so.1.1.2

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref diff "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	# 1. the diff check must catch an altered line, a dropped line, a
	#    missing section and an extra line
	alt=$SCRATCH/st_altered.out
	awk '!done && /^strerror 1 ret=/ { sub(/permitted/, "permitted!"); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	if echo "$out" | grep -q '^FAIL diff/strerror: 1 ref/1 ours lines differ' &&
		[ "$(echo "$out" | grep -c '^FAIL')" = 1 ]; then
		pass "selftest/diff-catches-altered-line"
	else
		fail "selftest/diff-catches-altered-line" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	fi
	grep -v '^type_str map 27 ' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/type_str' && pass "selftest/diff-catches-dropped-line" ||
		fail "selftest/diff-catches-dropped-line" "no FAIL for type_str"
	grep -v '^memlock\|^END' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/memlock: section missing from our output' &&
		pass "selftest/diff-catches-missing-section" ||
		fail "selftest/diff-catches-missing-section" "no FAIL for memlock"
	{ cat "$SCRATCH/st_ref.out"; echo "bogus extra"; } >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/bogus' && pass "selftest/diff-catches-extra-section" ||
		fail "selftest/diff-catches-extra-section" "no FAIL for bogus"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")
	! echo "$out" | grep -q '^FAIL' && pass "selftest/diff-identical-passes" ||
		fail "selftest/diff-identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	# 2. the maps check must catch a run where LD_LIBRARY_PATH points at a
	#    directory without our library (the loader silently falls back to
	#    the system libbpf), and one where LD_LIBRARY_PATH is not passed at all
	mkdir -p "$SCRATCH/st_empty"
	run_ours diff "$SCRATCH/st_fallback" "$SCRATCH/st_empty"
	out=$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")
	echo "$out" | grep -q "^FAIL maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'" &&
		pass "selftest/maps-catches-fallback-to-reference" ||
		fail "selftest/maps-catches-fallback-to-reference" "$out"
	out=$(check_maps "maps/ours" "$SCRATCH/st_ref.out" "$OURS_REAL")
	echo "$out" | grep -q '^FAIL maps/ours' && pass "selftest/maps-catches-ignored-LD_LIBRARY_PATH" ||
		fail "selftest/maps-catches-ignored-LD_LIBRARY_PATH" "$out"
	# 3. ... and the reference check must reject a non-reference library
	out=$(check_maps "maps/ref" "$SCRATCH/st_ref.out" "/nonexistent/libbpf.so.1.1.2")
	echo "$out" | grep -q '^FAIL maps/ref' && pass "selftest/maps-catches-wrong-reference" ||
		fail "selftest/maps-catches-wrong-reference" "$out"
	finish
fi

# ------------------------------------------------------------ differential
run_ref diff "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

ours_ok=1
if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "maps/ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	ours_ok=0
else
	run_ours diff "$SCRATCH/ours" "$SWIFTBPF_BUILD"
	before=$nfail
	check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
	[ "$nfail" -eq "$before" ] || ours_ok=0
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
run_ref expected "$SCRATCH/exp_ref"
if [ "$(cat "$SCRATCH/exp_ref.rc")" = 0 ] && grep -q '^EXPECTED-SUMMARY [0-9]* passed, 0 failed' "$SCRATCH/exp_ref.out"; then
	pass "selfcheck/expected-values-hold-for-reference ($(grep -c '^PASS' "$SCRATCH/exp_ref.out") checks)"
else
	fail "selfcheck/expected-values-hold-for-reference" "$(grep -m3 '^FAIL' "$SCRATCH/exp_ref.out" | tr '\n' ' ') rc=$(cat "$SCRATCH/exp_ref.rc")"
fi

if [ "$ours_ok" = 1 ]; then
	run_ours expected "$SCRATCH/exp_ours" "$SWIFTBPF_BUILD"
	check_maps "maps/ours-expected" "$SCRATCH/exp_ours.out" "$OURS_REAL"
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) name=${line#FAIL }; fail "${name%%: *}" "${name#*: }" ;;
		esac
	done < <(grep -E '^(PASS|FAIL) ' "$SCRATCH/exp_ours.out")
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
