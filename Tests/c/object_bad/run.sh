#!/usr/bin/env bash
# SwiftBPF object_bad: differential test of bpf_object__open_mem and
# bpf_object__open_file on malformed objects: good objects of the object_open
# corpus, each mutated by gen.py (truncations, ELF header fields, missing or
# duplicated .symtab/.BTF/.maps/license/version sections, sections past the
# file, bad symbols and relocations, huge counts, random byte flips with a
# fixed seed), plus the fuzzer's crash reproducers (Tests/fuzz/corpus-object/crash-*).
#
# ONE program (bad_object.c) is compiled once against the reference headers and
# run over every case against the reference (LD_LIBRARY_PATH unset) and against
# ours (LD_LIBRARY_PATH=$SWIFTBPF_BUILD). Each run first prints the realpath of
# the libbpf.so it mapped; both are verified. Every call runs in a forked child;
# per case and call the two outputs (the whole log with levels, NULL + errno or
# the opened object's programs and maps, the open-fd count after close) must be
# identical. When the reference crashes or hangs on a case, ours must only
# neither crash nor hang (reported as "PASS ... (reference crashed ...)").
# Ours must never leave an fd open. Finally a subset of the cases runs in one
# process under valgrind --leak-check=full against ours (no leaks, no invalid
# accesses); skipped with SKIP when valgrind is missing and cannot be installed.
#
# Env: SWIFTBPF_BUILD  (default: the repo's build dir)
#      REF_LIB         (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC              (default cc) for the probe
#      BPF_CC          (default /opt/swift/usr/bin/clang, else clang)
#      OBJECT_BAD_VALGRIND_CASES  cases run under valgrind (default 150; 0: none)
# Scratch: $SWIFTBPF_BUILD/tests/object_bad/ only.
# Usage: run.sh [FILTER...]   only the cases whose name contains one of FILTER
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$(cd "$HERE/../../.." && pwd)/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
VG_CASES=${OBJECT_BAD_VALGRIND_CASES:-150}
SCRATCH=$SWIFTBPF_BUILD/tests/object_bad
PROBE=$SCRATCH/bad_object
CORPUS_SRC=$HERE/../object_open/src
XDP_DIR=/usr/lib/x86_64-linux-gnu/bpf
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 1200)
# the corpus objects mutated: the first two get every mutation, the others a lighter set
BASES="map_in_map globals struct_ops ksyms kconfig prog_array callbacks license_version multi_prog no_btf no_btf_data sections"
XDP_BASES="xdp-dispatcher xdpfilt_alw_tcp"

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

rm -rf "$SCRATCH/objs" "$SCRATCH/cases" "$SCRATCH/cmp"
mkdir -p "$SCRATCH/objs" "$SCRATCH/cases" "$SCRATCH/cmp" ||
	{ echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# ------------------------------------------------------------------ build
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/bad_object.c" -lbpf -o "$PROBE" >"$SCRATCH/compile.log" 2>&1; then
	fail "compile/probe" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/probe"

inputs=()
for name in $BASES; do
	src=$CORPUS_SRC/$name.c
	obj=$SCRATCH/objs/$name.o
	flags=$(sed -n '1s|^/\* cflags: \(.*\) \*/$|\1|p' "$src" 2>/dev/null)
	# shellcheck disable=SC2086
	if "$BPF_CC" -target bpf -O2 -g $flags -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj" \
		>"$SCRATCH/objs/$name.log" 2>&1; then
		inputs+=("$obj")
	else
		fail "compile/$name" "$(head -c 400 "$SCRATCH/objs/$name.log" | tr '\n' ' ')"
	fi
done
for name in $XDP_BASES; do
	if [ -e "$XDP_DIR/$name.o" ]; then
		cp "$XDP_DIR/$name.o" "$SCRATCH/objs/$name.o" && inputs+=("$SCRATCH/objs/$name.o")
	else
		echo "SKIP base/$name: $XDP_DIR/$name.o missing (libxdp1 not installed)"
	fi
done
if ! python3 "$HERE/gen.py" "$SCRATCH/cases" "${inputs[@]}" >"$SCRATCH/gen.log" 2>&1; then
	fail "generate" "$(tail -c 600 "$SCRATCH/gen.log" | tr '\n' ' ')"
	finish
fi
# the fuzzer's crash reproducers (Tests/fuzz/corpus-object/crash-*) are cases too
for f in "$HERE"/../../fuzz/corpus-object/crash-*; do
	[ -e "$f" ] || continue
	cp "$f" "$SCRATCH/cases/fuzz-$(basename "$f").o" &&
		echo "fuzz-$(basename "$f") $SCRATCH/cases/fuzz-$(basename "$f").o" >>"$SCRATCH/cases/list"
done
LIST=$SCRATCH/cases/list
if [ "$#" -gt 0 ]; then
	for f in "$@"; do grep -F -- "$f" "$SCRATCH/cases/list"; done | sort -u >"$SCRATCH/list.selected"
	LIST=$SCRATCH/list.selected
fi
ncases=$(wc -l <"$LIST")
pass "generate ($ncases cases from ${#inputs[@]} objects)"
[ "$ncases" -gt 0 ] || finish

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_REAL=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")/libbpf.so.1.1.2
if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi

# ------------------------------------------------------------------- runs
ref_dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
case "$ref_dir" in
/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
	"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$PROBE" diff "$LIST" >"$SCRATCH/ref.out" 2>"$SCRATCH/ref.err" ;;
*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$ref_dir" "$PROBE" diff "$LIST" >"$SCRATCH/ref.out" 2>"$SCRATCH/ref.err" ;;
esac
ref_rc=$?
"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$SWIFTBPF_BUILD" "$PROBE" diff "$LIST" >"$SCRATCH/ours.out" 2>"$SCRATCH/ours.err"
ours_rc=$?

maps_ok=1
if [ "$(head -n1 "$SCRATCH/ref.out")" = "MAPPED $REF_REAL" ]; then pass "maps/ref"; else
	fail "maps/ref" "expected 'MAPPED $REF_REAL', got '$(head -n1 "$SCRATCH/ref.out" | cut -c1-200)'"; maps_ok=0; fi
if [ "$(head -n1 "$SCRATCH/ours.out")" = "MAPPED $OURS_REAL" ]; then pass "maps/ours"; else
	fail "maps/ours" "expected 'MAPPED $OURS_REAL', got '$(head -n1 "$SCRATCH/ours.out" | cut -c1-200)'"; maps_ok=0; fi
for side in ref ours; do
	rc=$ref_rc; [ "$side" = ours ] && rc=$ours_rc
	if [ "$rc" = 0 ] && [ "$(tail -n1 "$SCRATCH/$side.out")" = END ]; then pass "run/$side"; else
		fail "run/$side" "rc=$rc, last line '$(tail -n1 "$SCRATCH/$side.out" | cut -c1-200)'; stderr: $(head -c 300 "$SCRATCH/$side.err" | tr '\n' ' ')"; fi
done
[ "$maps_ok" = 1 ] || finish

# ------------------------------------------------------------ differential
# Split both outputs into one file per "case NAME API" block.
split_cases() { # OUT DIR
	awk -v d="$2" '/^case / { f = d "/" $2 "." $3; next } /^(MAPPED|END)/ { next } f { print > f }' "$1"
}
mkdir -p "$SCRATCH/cmp/ref" "$SCRATCH/cmp/ours"
split_cases "$SCRATCH/ref.out" "$SCRATCH/cmp/ref"
split_cases "$SCRATCH/ours.out" "$SCRATCH/cmp/ours"

nsame=0 nrefcrash=0 ncalls=0
while read -r name _; do
	for api in mem file; do
		ncalls=$((ncalls + 1))
		ref=$SCRATCH/cmp/ref/$name.$api
		ours=$SCRATCH/cmp/ours/$name.$api
		if [ ! -s "$ours" ]; then
			fail "case/$name/$api" "no output from our run"
			continue
		fi
		last_ours=$(tail -n1 "$ours")
		if grep -q '^fds [+-]' "$ours"; then
			fail "case/$name/$api" "ours leaked fds: $(grep -m1 '^fds' "$ours")"
			continue
		fi
		case $last_ours in
		"crash "* | hang)
			fail "case/$name/$api" "ours: $last_ours (reference: $(tail -n1 "$ref" 2>/dev/null)); last log: $(grep '^log' "$ours" | tail -n1 | cut -c1-200)"
			continue ;;
		esac
		last_ref=$(tail -n1 "$ref" 2>/dev/null)
		case $last_ref in
		"crash "* | hang)
			pass "case/$name/$api (reference: $last_ref; ours: $(grep -m1 '^result' "$ours" | cut -c1-100))"
			nrefcrash=$((nrefcrash + 1))
			continue ;;
		esac
		if cmp -s "$ref" "$ours"; then
			nsame=$((nsame + 1))
			pass "case/$name/$api"
		else
			first=$({ diff "$ref" "$ours" | grep -m1 '^<'
				diff "$ref" "$ours" | grep -m1 '^>'; } | cut -c1-240 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "case/$name/$api" "$(diff "$ref" "$ours" | grep -c '^<') ref/$(diff "$ref" "$ours" | grep -c '^>') ours lines differ; first: $first"
		fi
	done
done <"$LIST"
echo "calls identical: $nsame/$ncalls (reference crashed or hung on $nrefcrash)"

# --------------------------------------------------------------- valgrind
if [ "$VG_CASES" -gt 0 ] && ! command -v valgrind >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind; }; } >"$SCRATCH/apt.log" 2>&1
fi
if [ "$VG_CASES" -le 0 ]; then
	echo "SKIP valgrind: OBJECT_BAD_VALGRIND_CASES=0"
elif ! command -v valgrind >/dev/null; then
	echo "SKIP valgrind: not installed"
else
	# an even spread over the whole list, minus the cases that crash the reference
	# (they are the least interesting for leaks and are in the list for ours anyway)
	total=$(wc -l <"$LIST")
	awk -v n="$VG_CASES" -v t="$total" 'BEGIN { s = t / n; if (s < 1) s = 1 } NR == 1 || NR >= next_ { print; next_ = NR + s }' \
		"$LIST" >"$SCRATCH/list.valgrind"
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$SWIFTBPF_BUILD" valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --track-fds=no \
		"$PROBE" leak "$SCRATCH/list.valgrind" >"$SCRATCH/valgrind.out" 2>"$SCRATCH/valgrind.log"
	rc=$?
	n=$(wc -l <"$SCRATCH/list.valgrind")
	if [ "$rc" = 0 ] && grep -q '^END' "$SCRATCH/valgrind.out"; then
		pass "valgrind ($n cases x 2 calls: no leaks, no memory errors; $(grep -m1 'total heap usage' "$SCRATCH/valgrind.log" | sed 's/.*total heap usage: //'))"
	else
		fail "valgrind" "rc=$rc: $(grep -m3 -E 'definitely lost|indirectly lost|possibly lost|Invalid|uninitialised|ERROR SUMMARY' "$SCRATCH/valgrind.log" | tr '\n' ' ' | cut -c1-400) (see $SCRATCH/valgrind.log)"
	fi
fi
finish
