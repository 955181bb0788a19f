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
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$(cd "$HERE/../../.." && pwd)/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
SCRATCH=$SWIFTBPF_BUILD/tests/btf_dump_data
PROBE=$SCRATCH/probe
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 60)

SECTIONS="setup types combos unaligned sizes ptr4 errors vmlinux vmsmall END"

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

# run_ref PREFIX: the probe against the reference
run_ref() {
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$PROBE" >"$1.out" 2>"$1.err" ;;
	*) # a reference outside the default search path: point the loader at it
		"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$PROBE" >"$1.out" 2>"$1.err" ;;
	esac
	echo $? >"$1.rc"
}

# run_ours PREFIX LIBDIR
run_ours() {
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$2" "$PROBE" >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
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
			pass "diff/$s ($(grep -c ' ret=' "$work/ref/$s") calls, $(wc -l <"$work/ref/$s") lines)"
		else
			nr=$(wc -l <"$work/ref/$s")
			no=$(wc -l <"$work/ours/$s")
			diff "$work/ref/$s" "$work/ours/$s" >"$work/$s.diff"
			n="$(grep -c '^<' "$work/$s.diff") ref/$(grep -c '^>' "$work/$s.diff") ours"
			first=$({ grep -m1 '^<' "$work/$s.diff"; grep -m1 '^>' "$work/$s.diff"; } | cut -c1-220 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "diff/$s" "$n lines differ (of $nr ref, $no ours lines; $work/$s.diff); first: $first"
		fi
	done
	for s in $(ls "$work/ours"); do
		case " $(echo $SECTIONS) " in
		*" $s "*) ;;
		*) fail "diff/$s" "unexpected section in our output: $(head -n1 "$work/ours/$s" | cut -c1-200)" ;;
		esac
	done
}

# ------------------------------------------------------------------ build
rm -f "$PROBE"
if ! "$CC" -std=gnu11 -O1 -Wall -Wno-format-truncation -I/usr/include "$HERE/probe.c" -lbpf -o "$PROBE" \
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
	run_ref "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	# an altered value, a dropped line, a missing section, an extra section
	awk '!done && /^types .* \| .*\(int\)/ { sub(/\(int\)/, "(int) "); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/types: 1 ref/1 ours lines differ' && [ "$(echo "$out" | grep -c '^FAIL')" = 1 ] &&
		pass "selftest/diff-catches-altered-line" ||
		fail "selftest/diff-catches-altered-line" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	awk '!done && /^errors .* ret=/ { done = 1; next } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/errors' && pass "selftest/diff-catches-dropped-line" ||
		fail "selftest/diff-catches-dropped-line" "no FAIL for errors"
	grep -v '^ptr4 ' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/ptr4: section missing from our output' &&
		pass "selftest/diff-catches-missing-section" ||
		fail "selftest/diff-catches-missing-section" "no FAIL for ptr4"
	{ cat "$SCRATCH/st_ref.out"; echo "bogus extra"; } >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/bogus' && pass "selftest/diff-catches-extra-section" ||
		fail "selftest/diff-catches-extra-section" "no FAIL for bogus"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")
	! echo "$out" | grep -q '^FAIL' && pass "selftest/diff-identical-passes" ||
		fail "selftest/diff-identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	# the maps check must catch a fallback to the system libbpf
	mkdir -p "$SCRATCH/st_empty"
	run_ours "$SCRATCH/st_fallback" "$SCRATCH/st_empty"
	out=$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")
	echo "$out" | grep -q "^FAIL maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'" &&
		pass "selftest/maps-catches-fallback-to-reference" ||
		fail "selftest/maps-catches-fallback-to-reference" "$out"
	out=$(check_maps "maps/ref" "$SCRATCH/st_ref.out" "/nonexistent/libbpf.so.1.1.2")
	echo "$out" | grep -q '^FAIL maps/ref' && pass "selftest/maps-catches-wrong-reference" ||
		fail "selftest/maps-catches-wrong-reference" "$out"
	rm -f "$SCRATCH"/st_*.out "$alt"
	rm -rf "$SCRATCH/st_cmp"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "maps/ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
before=$nfail
check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
if [ "$nfail" -ne "$before" ]; then
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
