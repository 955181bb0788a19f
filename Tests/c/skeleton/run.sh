#!/usr/bin/env bash
# SwiftBPF skeleton: differential test of bpf_object__open_skeleton,
# bpf_object__open_subskeleton, bpf_object__destroy_subskeleton and the
# load-free parts of bpf_object__detach_skeleton / bpf_object__destroy_skeleton.
#
# The BPF sources in src/ are compiled with $BPF_CC -target bpf -O2 -g, and
# bpftool (installed here when missing and we are root) makes the headers:
#   main.skel.h       bpftool gen skeleton main.bpf.o
#   linked.skel.h     bpftool gen skeleton of app.bpf.o + lib.bpf.o linked by
#                     bpftool gen object
#   lib.subskel.h     bpftool gen subskeleton lib.bpf.o (used on the linked object)
#   mainsub.subskel.h bpftool gen subskeleton main.bpf.o
#   badmap.skel.h / badprog.skel.h: main.skel.h renamed, with one map / one
#                     program name edited to a name the object lacks
# ONE probe (probe.c) is compiled once against the reference headers with those
# headers and run twice: LD_LIBRARY_PATH unset (reference) and
# LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours). Each run first prints the realpath of
# the libbpf.so it mapped; both are verified, so the reference is never silently
# compared with itself. Then every section of the two outputs (including the
# library's whole log) is diffed line by line, and a few reference-independent
# expected values are checked in both.
#
# load/attach_skeleton are not tested (they need the load pipeline and a kernel).
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the probe
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang) for src/
#      BPFTOOL        (default bpftool)
# Scratch: $SWIFTBPF_BUILD/tests/skeleton/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff and maps checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
BPFTOOL=${BPFTOOL:-bpftool}
SCRATCH=$SWIFTBPF_BUILD/tests/skeleton
GEN=$SCRATCH/gen
PROBE=$SCRATCH/probe
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 120)

SECTIONS="open modify detach destroy opts badmap badprog raw-stride raw-empty raw-mmaped-null
raw-partial raw-errors sub-linked sub-main sub-errors END"

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

rm -rf "$GEN"
mkdir -p "$SCRATCH" "$GEN" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# ------------------------------------------------------------------ tools
# bpftool is Debian's "bpftool" package (bookworm: 7.1.0, libbpf 1.1 inside).
if ! command -v "$BPFTOOL" >/dev/null && [ -x /usr/sbin/bpftool ]; then BPFTOOL=/usr/sbin/bpftool; fi
if ! command -v "$BPFTOOL" >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null 2>&1; }
	[ -x /usr/sbin/bpftool ] && BPFTOOL=/usr/sbin/bpftool
fi
if ! command -v "$BPFTOOL" >/dev/null; then
	fail "setup/bpftool" "bpftool not found and could not be installed (apt-get install bpftool)"
	finish
fi

# ------------------------------------------------------------------ build
step() { # NAME COMMAND...: run, FAIL with the log on error
	local name=$1
	shift
	if "$@" >"$SCRATCH/step.log" 2>&1; then
		return 0
	fi
	fail "$name" "$(head -c 600 "$SCRATCH/step.log" | tr '\n' ' ')"
	finish
}
gen() { # OUTPUT ARGS...: bpftool gen ARGS > OUTPUT
	local out=$1
	shift
	"$BPFTOOL" gen "$@" >"$out" 2>"$SCRATCH/step.log" && [ -s "$out" ]
}

for f in main lib app; do
	step "compile/$f.bpf.c" "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu \
		-c "$HERE/src/$f.bpf.c" -o "$GEN/$f.bpf.o"
done
step "compile/nobtf.bpf.c" "$BPF_CC" -target bpf -O2 -I/usr/include/x86_64-linux-gnu \
	-c "$HERE/src/nobtf.bpf.c" -o "$GEN/nobtf.bpf.o"
step "bpftool/gen-object" "$BPFTOOL" gen object "$GEN/linked.o" "$GEN/app.bpf.o" "$GEN/lib.bpf.o"
step "bpftool/skeleton-main" gen "$GEN/main.skel.h" skeleton "$GEN/main.bpf.o"
step "bpftool/skeleton-linked" gen "$GEN/linked.skel.h" skeleton "$GEN/linked.o" name linked
step "bpftool/subskeleton-lib" gen "$GEN/lib.subskel.h" subskeleton "$GEN/lib.bpf.o" name lib
step "bpftool/subskeleton-main" gen "$GEN/mainsub.subskel.h" subskeleton "$GEN/main.bpf.o" name mainsub
pass "generate (bpftool $("$BPFTOOL" version 2>/dev/null | head -n1 | awk '{print $2}'))"

# Hand-edited skeletons: main.skel.h under another C name, one record's name
# changed to one the object does not have.
hand_edit() { # NAME OLD NEW
	sed -e "s/main_bpf__/$1__/g" -e "s/struct main_bpf\\b/struct $1/g" \
		-e "s/__MAIN_BPF_SKEL_H__/__$(echo "$1" | tr a-z A-Z)_SKEL_H__/g" \
		-e "s/\\(s->[a-z]*\\[[0-9]*\\]\\.name = \\)\"$2\";/\\1\"$3\";/" \
		"$GEN/main.skel.h" >"$GEN/$1.skel.h"
	if grep -q "\.name = \"$3\";" "$GEN/$1.skel.h" && ! grep -q "\.name = \"$2\";" "$GEN/$1.skel.h"; then
		return 0
	fi
	fail "hand-edit/$1" "the edit of '$2' did not apply to main.skel.h"
	finish
}
hand_edit badmap arr no_such_map
hand_edit badprog tp_open no_such_prog
pass "hand-edited skeletons"

rm -f "$PROBE"
if ! "$CC" -std=gnu11 -O1 -Wall -Wno-unused-function -I/usr/include -I"$GEN" "$HERE/probe.c" -lbpf -o "$PROBE" \
	>"$SCRATCH/compile.log" 2>&1; then
	fail "compile/probe" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/probe"

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_DIR=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")
OURS_REAL=$OURS_DIR/libbpf.so.1.1.2

# Run the probe against the reference (output prefix $1).
run_ref() {
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$PROBE" "$GEN/nobtf.bpf.o" >"$1.out" 2>"$1.err" ;;
	*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$PROBE" "$GEN/nobtf.bpf.o" >"$1.out" 2>"$1.err" ;;
	esac
	echo $? >"$1.rc"
}

# Run the probe against ours (output prefix $1, library dir $2).
run_ours() {
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$2" "$PROBE" "$GEN/nobtf.bpf.o" >"$1.out" 2>"$1.err"
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
}

# Reference-independent facts that must hold in an output (NAME FILE).
EXPECTED=(
	"open main_bpf__open ok errno 0"
	"open maps.data map #3 'main_bpf.data' type 2 value_size 24 internal 1"
	"open maps.data_custom map #5 '.data.custom' type 2 value_size 4 internal 1"
	"open kconfig mmaped NULL (initial_value set)"
	"open data: data_var 42 data_str 'hello' data_long -5"
	"open rodata: ro_limit 7 ro_name 'rodata' ro_big 0x1122334455667788"
	"open progs.kp_off prog #2 'kp_off' sec 'kprobe/do_sys_open' type 2 autoload 0"
	"modify rodata initial value after write: ro_limit 99 ro_name 'changed' size 32"
	"modify set_initial_value(.rodata.custom) 0; skeleton sees 0x1234"
	"opts renamed: main_bpf__open_opts NULL errno 3"
	"badmap log 0 libbpf: failed to find skeleton map 'no_such_map'"
	"badprog badprog__open NULL errno 3"
	"raw-stride map[3] .kconfig mmaped untouched"
	"sub-linked skeleton sees lib_ro 77 lib_data 1234"
	"sub-errors no BTF (errno 77): open_subskeleton -77 errno 77"
	"sub-errors addr[2] untouched"
)
check_expected() {
	local line missing=0
	for line in "${EXPECTED[@]}"; do
		if ! grep -qxF "$line" "$2"; then
			fail "$1" "missing line: $line"
			missing=1
		fi
	done
	[ "$missing" = 0 ] && pass "$1 (${#EXPECTED[@]} lines)"
}

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	awk '!done && /^sub-main data_var @/ { sub(/@/, "@@"); done = 1 } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	if echo "$out" | grep -q '^FAIL diff/sub-main: 1 ref/1 ours lines differ' && [ "$(echo "$out" | grep -c '^FAIL')" = 1 ]; then
		pass "selftest/diff-catches-altered-line"
	else
		fail "selftest/diff-catches-altered-line" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	fi
	grep -v '^badprog ' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/badprog: section missing from our output' &&
		pass "selftest/diff-catches-missing-section" || fail "selftest/diff-catches-missing-section" "no FAIL for badprog"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")
	! echo "$out" | grep -q '^FAIL' && pass "selftest/diff-identical-passes" ||
		fail "selftest/diff-identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	mkdir -p "$SCRATCH/st_empty"
	run_ours "$SCRATCH/st_fallback" "$SCRATCH/st_empty"
	out=$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")
	echo "$out" | grep -q "^FAIL maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'" &&
		pass "selftest/maps-catches-fallback-to-reference" || fail "selftest/maps-catches-fallback-to-reference" "$out"
	grep -v '^sub-linked skeleton sees' "$SCRATCH/st_ref.out" >"$alt"
	out=$(check_expected "expected" "$alt")
	echo "$out" | grep -q '^FAIL expected: missing line: sub-linked' &&
		pass "selftest/expected-catches-missing-line" || fail "selftest/expected-catches-missing-line" "$out"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"

if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "maps/ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
before=$nfail
check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
if [ "$nfail" -eq "$before" ]; then
	check_run "run/ours" "$SCRATCH/ours"
	check_expected "expected/ours" "$SCRATCH/ours.out"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
else
	fail "diff" "not run: our library was not the one mapped"
fi

finish
