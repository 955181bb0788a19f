#!/usr/bin/env bash
# SwiftBPF prog_linfo: differential test of bpf_prog_linfo__new, __free,
# __lfind and __lfind_addr_func.
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours); /proc/self/maps proves which libbpf.so each run mapped. The probe
# prints (see probe.c):
#   synth  ~90 hand-built struct bpf_prog_info shapes with synthetic arrays (no
#          kernel): record sizes 0..40, every way the jited data can be
#          incomplete or inconsistent, function splitting, unsorted input,
#          nr_skip and func_idx out of range; every lookup's record (offset in
#          the library's copy + bytes) or NULL + errno. The info buffers are
#          overwritten and freed right after new.
#   load   src/*.bpf.c ($BPF_CC -target bpf -O2 -g) opened and loaded through
#          bpf_object__open_file/load; per program the info is read twice
#          (counts, then arrays) and every instruction index and every jited
#          line address (-1/0/+1, in its own function, several nr_skip) and each
#          function's bounds are looked up.
#   log    the library's print-callback output.
# Both outputs are diffed per section; hand-written expected lines (below) must
# be in both; probe --null (calls the reference crashes on: NULL info, NULL
# line_info with records, NULL prog_linfo) runs against ours only and must give
# the hand-written answers.
#
# Env: SWIFTBPF_BUILD (default <repo>/build), REF_LIB, CC, BPF_CC
# Scratch: $SWIFTBPF_BUILD/tests/prog_linfo/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff, maps and expected checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed".
# Needs: root (program loads), a kernel with BPF, BTF and the JIT.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup prog_linfo 120
find_bpf_cc
OBJ=$SCRATCH/obj
SECTIONS="synth load log END"

# ------------------------------------------------------------------ build
rm -rf "$OBJ"
mkdir -p "$OBJ"
OBJS=()
for src in "$HERE"/src/*.bpf.c; do
	o=$OBJ/$(basename "$src" .bpf.c).o
	if "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$src" -o "$o" >"$o.log" 2>&1; then
		OBJS+=("$o")
	else
		fail "compile/$(basename "$src")" "$(head -c 400 "$o.log" | tr '\n' ' ')"
	fi
done
[ "${#OBJS[@]}" -gt 0 ] && pass "compile/bpf (${#OBJS[@]} objects)"
compile_probe "compile/probe" "$HERE/probe.c"

# Reference-independent facts (from the rules of line lookup and the sources in
# src/): a record prints as "rec @<byte offset from record 0> <its bytes>";
# synthetic record i is insn_off, 100+i, 0x10+i, 0x4400+i (then 0xa0+i bytes).
R0=00000000640000001000000000440000
R1=03000000650000001100000001440000
R2=05000000660000001200000002440000
R3=09000000670000001300000003440000
EXPECTED=(
	"synth full new ok errno 4242"
	"synth full lfind insn 0 skip 0: rec @0 $R0"
	"synth full lfind insn 4 skip 0: rec @16 $R1"
	"synth full lfind insn 4 skip 1: rec @16 $R1"
	"synth full lfind insn 4 skip 2: NULL errno 2"
	"synth full lfind insn 12 skip 0: rec @48 $R3"
	"synth full lfind insn 12 skip 4: NULL errno 2"
	"synth full lfind insn 12 skip 4294967295: NULL errno 2"
	"synth full addr jli[0]-1 func 0 skip 0: NULL errno 2"
	"synth full addr jli[1]+1 func 0 skip 0: rec @16 $R1"
	"synth full addr jli[2]+0 func 0 skip 0: rec @16 $R1"
	"synth full addr jli[0]+0 func 0 skip 2: NULL errno 2"
	"synth full addr jli[2]-1 func 1 skip 0: NULL errno 2"
	"synth full addr jli[2]+0 func 1 skip 0: rec @32 $R2"
	"synth full addr jli[3]+1 func 1 skip 1: rec @48 $R3"
	"synth full addr jli[0]+0 func 2 skip 0: NULL errno 2"
	"synth full stable 1 own-copy 1"
	"synth empty new NULL errno 22"
	"synth rec3 new NULL errno 22"
	"synth rec4 new ok errno 4242"
	"synth rec8 lfind insn 9 skip 0: rec @24 0900000067000000"
	"synth rec24 lfind insn 5 skip 0: rec @48 ${R2}a2a2a2a2a2a2a2a2"
	"synth jli-fewer new ok errno 4242"
	"synth jli-fewer lfind insn 4 skip 0: rec @16 $R1"
	"synth jli-fewer addr jli[0]+0 func 0 skip 0: NULL errno 2"
	"synth ks-null addr jli[0]+0 func 0 skip 0: NULL errno 2"
	"synth one-func-len1 addr jli[3]+0 func 0 skip 0: rec @48 $R3"
	"synth ks1-between new NULL errno 22"
	"synth len0-0x10 new NULL errno 22"
	"synth len0-0x11 new ok errno 4242"
	"synth insn-unsorted lfind insn 4 skip 0: rec @0 $R0"
	"load multi.o load 0"
	"load multi.o/xdp_multi funcs 4"
	"load multi.o/sock_two funcs 3"
	"load multi.o/tc_single funcs 1"
	"load chain.o load 0"
	"load chain.o/chain funcs 7"
	"load chain.o/chain func 6 entry-consistent yes"
)
check_expected() { # NAME FILE
	local line missing=0
	for line in "${EXPECTED[@]}"; do
		if ! grep -qxF "$line" "$2"; then
			fail "$1" "missing line: $line"
			missing=1
		fi
	done
	if grep -q 'entry-consistent no' "$2"; then
		fail "$1" "$(grep -m1 'entry-consistent no' "$2")"
		missing=1
	fi
	[ "$missing" = 0 ] && pass "$1 (${#EXPECTED[@]} lines)"
}
NULL_EXPECTED="null new(NULL) NULL errno 22
null new(line_info 0, nr 4) NULL errno 22
null lfind(NULL) NULL errno 2
null lfind_addr_func(NULL) NULL errno 2
null free(NULL) returned
END"

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref" "${OBJS[@]}"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	awk '!done && /^synth full lfind insn 4 skip 0: / { sub(/@16/, "@32"); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-altered-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/synth: 1 ref/1 ours lines differ" 1
	grep -v '^log ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/log: section missing from our output"
	{ cat "$SCRATCH/st_ref.out"; echo "bogus extra"; } >"$alt"
	st_expect_fail "selftest/diff-catches-extra-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/bogus"
	st_expect_clean "selftest/diff-identical-passes" "$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" "${OBJS[@]}"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	grep -v '^synth full addr jli\[2\]+0 func 0 skip 0: ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/expected-catches-missing-line" "$(check_expected expected "$alt")" \
		"expected: missing line: synth full addr jli"
	sed 's/entry-consistent yes/entry-consistent no/' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/expected-catches-inconsistent-entry" "$(check_expected expected "$alt")" \
		"expected: .*entry-consistent no"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref" "${OBJS[@]}"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"

ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" "${OBJS[@]}"
if check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	check_run "run/ours" "$SCRATCH/ours"
	check_expected "expected/ours" "$SCRATCH/ours.out"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
	run_ours "$SCRATCH/null" "$SWIFTBPF_BUILD" --null
	if check_maps "maps/ours-null" "$SCRATCH/null.out" "$OURS_REAL"; then
		got=$(tail -n +2 "$SCRATCH/null.out")
		[ "$got" = "$NULL_EXPECTED" ] && pass "null/ours (5 calls the reference crashes on)" ||
			fail "null/ours" "$(echo "$got" | tr '\n' '|' | cut -c1-300)"
	fi
else
	fail "diff" "not run: our library was not the one mapped"
fi
[ "$nfail" -eq 0 ] && rm -rf "$SCRATCH/cmp"
finish
