#!/usr/bin/env bash
# SwiftBPF gen_loader: differential test of bpf_object__gen_loader (the loader
# program generator behind `bpftool gen skeleton -L` light skeletons).
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours); /proc/self/maps proves which libbpf.so each run mapped. For each
# object of src/ ($BPF_CC -target bpf -O2 -g) the probe prints (probe.c):
#   gen    return values and errno of bpf_object__gen_loader and of the load
#          that generates, insns_sz and data_sz
#   insn   the generated loader program, one instruction per line (hex)
#   data   the generated data blob, 16 bytes per line (hex)
#   run    the loader run by skel_internal.h's bpf_load_and_run() in the probe:
#          each created map (kernel info, value after the test runs) and
#          program (kernel info, BPF_PROG_TEST_RUN retval for XDP, tc and
#          syscall programs)
#   run+   the same with a ctx that overrides .rodata's initial value (first
#          u32 = 9) and map 'h''s max_entries (64)
#   err    opts sz rules, NULL opts, gen_loader after load and twice
#   log    the library's print-callback output (incl. "gen: ..." lines)
# Both outputs are diffed per section: insns and data must be identical BYTE
# FOR BYTE. Hand-written expected lines (values computed from src/*.bpf.c) must
# be in both. `probe unsupported src/ksym` runs against ours only: our
# generator does not handle ksyms/kfuncs (the reference does), load must fail
# with -EOPNOTSUPP and leave opts unfilled.
#
# Env: SWIFTBPF_BUILD (default <repo>/build), REF_LIB, CC, BPF_CC
# Scratch: $SWIFTBPF_BUILD/tests/gen_loader/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff, maps and expected checks can fail
# Needs: root, a kernel with BPF, BTF, JIT and BPF_PROG_TYPE_SYSCALL.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup gen_loader 60
find_bpf_cc
OBJ=$SCRATCH/obj
SECTIONS="gen insn data run run+ err log END"

# ------------------------------------------------------------------ build
rm -rf "$OBJ"
mkdir -p "$OBJ"
for name in map1 global multi core queue ksym; do
	src=$HERE/src/$name.bpf.c
	if "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$src" -o "$OBJ/$name.o" >"$OBJ/$name.log" 2>&1; then
		:
	else
		fail "compile/$name" "$(head -c 400 "$OBJ/$name.log" | tr '\n' ' ')"
	fi
done
pass "compile/bpf"
OBJS=("$OBJ/map1.o" "$OBJ/global.o" "$OBJ/multi.o" "$OBJ/core.o" "$OBJ/queue.o")
compile_probe "compile/probe" "$HERE/probe.c"

# Reference-independent facts, computed by hand from src/*.bpf.c.
EXPECTED=(
	"gen map1.o gen_loader 0 errno 4242"
	"run map1.o load_and_run 0 errstr none"
	"run map1.o map 0 counts type 2 key 4 value 8 max 4 flags 0 btf-value 11"
	"run map1.o prog 0 xdp_count type 6 btf 1 run 0 retval 2"
	"run map1.o map 0 value 0 0100000000000000"
	"run global.o prog 0 sum_globals type 31 btf 1 run 0 retval 7340"
	"run+ global.o prog 0 sum_globals type 31 btf 1 run 0 retval 9340"
	"run global.o map 0 value 0 0700000064000000c80000002c01000090010000"
	"run global.o map 1 value 0 28000000"
	"run global.o map 2 value 0 01000000"
	"run multi.o prog 0 xdp_a type 6 btf 1 run 0 retval 2"
	"run multi.o prog 1 sys_b type 31 btf 1 run 0 retval 41"
	"run multi.o prog 2 tc_c type 3 btf 1 run 0 retval 6"
	"run multi.o map 0 value 0 0b000000"
	"run core.o load_and_run 0 errstr none"
	"run core.o prog 0 core_kp type 2 btf 1 run -1 retval 0"
	"run queue.o map 0 q type 22 key 0 value 4 max 8 flags 0 btf-value 0"
	"run queue.o map 1 h type 1 key 8 value 4 max 32 flags 0x1 btf-value 8"
	"run+ queue.o map 1 h type 1 key 8 value 4 max 64 flags 0x1 btf-value 8"
	"run queue.o prog 0 push_magic type 31 btf 1 run 0 retval 4661"
	"run queue.o map 0 value 0 34120000"
	"run+ queue.o prog 0 push_magic type 31 btf 1 run 0 retval 10"
	"err null-opts -14 errno 4242"
	"err sz-4 -22 errno 4242"
	"err sz-big-nonzero -22 errno 4242"
	"err sz-big-zero 0 errno 4242"
	"err after-load 0 errno 4242 insns 0"
	"err twice second 0 errno 4242"
	"log 0 libbpf: gen_loader_opts size (4) is too small"
	"log 0 libbpf: gen_loader_opts has non-zero extra bytes"
	"log 2 libbpf: gen: finish 0"
)
check_expected() { # NAME FILE
	local line missing=0
	for line in "${EXPECTED[@]}"; do
		if ! grep -qxF "$line" "$2"; then
			fail "$1" "missing line: $line"
			missing=1
		fi
	done
	[ "$missing" = 0 ] && pass "$1 (${#EXPECTED[@]} lines)"
}
UNSUPPORTED_EXPECTED="unsupported ksym.o gen 0 load -95 errno 95 insns 0 data 0"

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref" all "${OBJS[@]}"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	# one byte of the loader program changed
	awk '!done && /^insn 0010 / { $3 = "0701000070ffffff"; done = 1 } { print }' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-one-insn" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/insn: 1 ref/1 ours lines differ" 1
	awk '!done && /^data 0500 / { sub(/9feb/, "9fec"); done = 1 } { print }' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-one-data-byte" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/data: 1 ref/1 ours lines differ" 1
	grep -v '^log ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/log: section missing from our output"
	st_expect_clean "selftest/diff-identical-passes" "$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" all "${OBJS[@]}"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	sed 's/retval 7340/retval 7341/' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/expected-catches-wrong-retval" "$(check_expected expected "$alt")" \
		"expected: missing line: run global.o prog 0 sum_globals"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref" all "${OBJS[@]}"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"

ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" all "${OBJS[@]}"
if check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	check_run "run/ours" "$SCRATCH/ours"
	check_expected "expected/ours" "$SCRATCH/ours.out"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
	run_ours "$SCRATCH/unsup" "$SWIFTBPF_BUILD" unsupported "$OBJ/ksym.o"
	if check_maps "maps/ours-unsupported" "$SCRATCH/unsup.out" "$OURS_REAL"; then
		got=$(grep '^unsupported ' "$SCRATCH/unsup.out")
		[ "$got" = "$UNSUPPORTED_EXPECTED" ] && pass "unsupported/ours (ksym object refused)" ||
			fail "unsupported/ours" "$got"
		# The refusal names what is not supported (a warning, like every stub).
		grep -q '^log 0 libbpf: gen_loader: not supported yet: ksym and kfunc externs$' "$SCRATCH/unsup.out" &&
			pass "unsupported/ours-warning" || fail "unsupported/ours-warning" "no 'not supported yet' warning in the log"
	fi
else
	fail "diff" "not run: our library was not the one mapped"
fi
[ "$nfail" -eq 0 ] && rm -rf "$SCRATCH/cmp"
finish
