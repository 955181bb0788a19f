#!/usr/bin/env bash
# SwiftBPF usdt: differential test of bpf_program__attach_usdt and of
# SEC("usdt/<path>:<provider>:<name>") auto-attach (bpf_program__attach and a
# bpftool skeleton), on the live kernel. The probe (probe.c) has USDT probes of
# its own (sys/sdt.h: 12 arguments of every size and sign as stack memory
# references and constants, a probe inlined at several sites with register
# operands, a semaphore probe in sema.c) and links libusdt.so (lib.c,
# lib_sema.c: a plain and a semaphore probe), built here. It attaches BPF
# programs using usdt.bpf.h (bpf_usdt_arg, bpf_usdt_arg_cnt, bpf_usdt_cookie,
# BPF_USDT) with pid -1, its own pid and a child's pid, with and without
# usdt_cookie, fires the probes, and prints what the programs recorded (read
# with raw bpf(2)); the semaphores' values before/while/after attached; spec
# ids, dedup, exhaustion (E2BIG) and reuse on an object with room for 4 specs
# (raw dump of __bpf_usdt_specs); hand-written SDT notes (argument grammar
# edge cases, every register name, prelinked base, semaphore and IP checks);
# errors (unknown provider/name, missing/non-ELF/ET_REL/32-bit/big-endian
# binaries, no notes, missing usdt maps, unloaded program, NULL path, opts sz
# rules, bad pid); fd and spec-id leaks over 20 attach/destroy cycles.
#
# ONE probe, compiled once against the reference headers, runs twice:
# LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours);
# each run's first line is the realpath of the libbpf.so it mapped (verified).
# Every section of the two outputs (incl. the library's log: warnings, info and
# the USDT code's debug lines) is diffed, and hand-written expected values (the
# argument values the C code passes, pt_regs offsets, cookies, semaphore counts)
# are checked in both.
#
# Env: SWIFTBPF_BUILD (default <repo>/build), REF_LIB, CC, BPF_CC, BPFTOOL.
# Scratch: $SWIFTBPF_BUILD/tests/usdt/ only. Mounts tracefs when missing (and
# unmounts it again).
# Usage: run.sh | run.sh --selftest (proves the diff, maps and expected checks
# can fail). Output: PASS/FAIL lines, "N passed, N failed"; non-zero exit on
# failure. Needs: root, a kernel with BPF, BTF, uprobes.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup usdt 60
find_bpf_cc
SECTIONS="load args sema lib pid cookie auto skel specs parse errors leaks END"
GEN=$SCRATCH/gen

if [ "$(id -u)" != 0 ]; then
	fail "setup/root" "must run as root"
	finish
fi
SDT_H=/usr/include/x86_64-linux-gnu/sys/sdt.h
[ -e "$SDT_H" ] || SDT_H=/usr/include/sys/sdt.h
if [ ! -e "$SDT_H" ] && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemtap-sdt-dev >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemtap-sdt-dev >/dev/null 2>&1; }
	SDT_H=/usr/include/x86_64-linux-gnu/sys/sdt.h
fi
[ -e "$SDT_H" ] || { fail "setup/sdt.h" "sys/sdt.h not found and systemtap-sdt-dev could not be installed"; finish; }
find_bpftool || { fail "setup/bpftool" "bpftool not found and could not be installed"; finish; }

MOUNTED_TRACEFS=
T=/sys/kernel/tracing
if [ ! -e $T/uprobe_events ]; then
	mount -t tracefs nodev $T 2>/dev/null && MOUNTED_TRACEFS=1
fi
cleanup() {
	[ -n "$MOUNTED_TRACEFS" ] && umount $T 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ build
step() { # NAME COMMAND...
	local name=$1
	shift
	"$@" >"$SCRATCH/step.log" 2>&1 && return 0
	fail "$name" "$(head -c 600 "$SCRATCH/step.log" | tr '\n' ' ')"
	finish
}
rm -rf "$GEN"
mkdir -p "$GEN"
GEN=$(cd "$GEN" && pwd -P)
PROBE_REAL=$GEN/probe
PROBE=$PROBE_REAL
LIB=$GEN/libusdt.so
step "bpftool/vmlinux.h" sh -c "'$BPFTOOL' btf dump file /sys/kernel/btf/vmlinux format c >'$GEN/vmlinux.h'"
step "compile/libusdt.so" "$CC" -O2 -fPIC -shared -Wall "$HERE/lib.c" "$HERE/lib_sema.c" -o "$LIB"
for f in usdt skel small nomap; do
	step "compile/$f.bpf.c" "$BPF_CC" -target bpf -O2 -g -D__TARGET_ARCH_x86 -I"$GEN" -I"$HERE/src" \
		-I/usr/include/x86_64-linux-gnu -DPROBE_PATH="\"$PROBE_REAL\"" -DLIB_PATH="\"$LIB\"" \
		-c "$HERE/src/$f.bpf.c" -o "$GEN/$f.bpf.o"
done
step "bpftool/skeleton" sh -c "'$BPFTOOL' gen skeleton '$GEN/skel.bpf.o' name skel >'$GEN/skel.skel.h'"
compile_probe "compile/probe" "$HERE/probe.c" -Wno-unused-function -I"$GEN" -I"$HERE/src" "$HERE/sema.c" \
	-Wl,--no-as-needed -L"$GEN" -lusdt -Wl,-rpath,"$GEN"
# The hand-written notes must all be in the probe (the assembler keeps them).
n=$(readelf -n "$PROBE" | grep -c 'Provider: edge')
[ "$n" = 38 ] && pass "probe notes (38 edge notes)" || fail "probe notes" "expected 38 edge notes, readelf shows $n"
# Broken ELF copies: class 32-bit, big-endian data.
cp /bin/true "$GEN/elf32" && printf '\001' | dd of="$GEN/elf32" bs=1 seek=4 conv=notrunc 2>/dev/null
cp /bin/true "$GEN/elfbe" && printf '\002' | dd of="$GEN/elfbe" bs=1 seek=5 conv=notrunc 2>/dev/null
ARGS=("$GEN" "$LIB" "$HERE/probe.c" "$GEN/elf32" "$GEN/elfbe")

# ---------------------------------------------------------- expectations
# Values the C code passes (probe.c), hand-written: fire_args passes -5, 250,
# -1234, 60000, -100000, 4000000000, -5000000000000, 0xfedcba9876543210 (as a
# long: -81985529216486896), 42, -7, -300 and its argument.
R12="rets 0 0 0 0 0 0 0 0 0 0 0 0"
R2="rets 0 0 -2 -2 -2 -2 -2 -2 -2 -2 -2 -2"
R1="rets 0 -2 -2 -2 -2 -2 -2 -2 -2 -2 -2 -2"
FA="-5 250 -1234 60000 -100000 4000000000 -5000000000000 -81985529216486896 42 -7 -300"
EXPECTED=(
	"args expect args records 1"
	"args expect args rec #0 prog 1 pid self cnt 12 cookie 0xc0ffee $R12 args $FA 4660"
	"args expect after-destroy records 0"
	"args expect multi records 3"
	"args expect multi rec #0 prog 1 pid self cnt 2 cookie 0x0 $R2 args 6 10"
	"args expect multi rec #1 prog 1 pid self cnt 2 cookie 0x0 $R2 args 15 -20"
	"args expect multi rec #2 prog 1 pid self cnt 2 cookie 0x0 $R2 args 7 5"
	"args expect typed records 3"
	"args expect typed rec #0 prog 2 pid self cnt 2 cookie 0x0 args -3 10"
	"args expect typed rec #1 prog 2 pid self cnt 2 cookie 0x0 args -12 -20"
	"args expect typed rec #2 prog 2 pid self cnt 2 cookie 0x0 args 7 -4"
	"sema expect semaphore before 0"
	"sema expect semaphore attached 1"
	"sema expect sema records 1"
	"sema expect sema rec #0 prog 1 pid self cnt 2 cookie 0x0 $R2 args 21 42"
	"sema expect semaphore twice 1" # one breakpoint (inode, offset) per process: counted once
	"sema expect semaphore after 0"
	"sema expect sema-after records 0"
	"lib expect lib-add records 1"
	"lib expect lib-add rec #0 prog 1 pid self cnt 2 cookie 0x4d $R2 args -3 -4000000000"
	"lib expect lib semaphore before 0"
	"lib expect lib semaphore attached 1"
	"lib expect lib-sema records 1"
	"lib expect lib-sema rec #0 prog 1 pid self cnt 1 cookie 0x0 $R1 args 99"
	"lib expect lib semaphore after 0"
	"pid expect pid records 3"
	"pid expect pid rec #0 prog 1 pid child cnt 12 cookie 0x7 $R12 args $FA 2"
	"pid expect pid rec #1 prog 2 pid child cnt 2 cookie 0x0 args 1 2"
	"pid expect pid rec #2 prog 2 pid self cnt 12 cookie 0x0 args -5 250"
	"cookie expect cookie records 4"
	"cookie expect cookies 0x0 0x0 0x2 0x1111111111111111"
	"auto attach rec_auto -> ok errno 0"
	"auto attach rec_autolib -> ok errno 0"
	"auto expect auto records 4"
	"auto expect auto rec #0 prog 3 pid self cnt 2 cookie 0x0 args 11 10"
	"auto expect auto rec #1 prog 3 pid self cnt 2 cookie 0x0 args 30 -20"
	"auto expect auto rec #2 prog 3 pid self cnt 2 cookie 0x0 args 7 10"
	"auto expect auto rec #3 prog 4 pid self cnt 2 cookie 0x0 args 8 9"
	"auto attach rec_missing -> NULL errno 2"
	"auto attach rec_badsec -> NULL errno 22"
	"skel expect lib semaphore before 0"
	"skel attach 0 links set set"
	"skel expect lib semaphore attached 1"
	"skel expect skel records 2"
	"skel expect skel rec #0 prog 5 pid self cnt 12 cookie 0x0 args -5 250 -1234"
	"skel expect skel rec #1 prog 6 pid self cnt 1 cookie 0x0 args -8 0 0"
	"skel expect lib semaphore after 0"
	"specs L0 spec:dup c1 -> ok"
	"specs after L0 spec #0 cookie 0x1 cnt 1: [1 0x0 80 0 0]"
	"specs after L0 spec #1 cookie 0x1 cnt 1: [1 0x0 80 0 0]"
	"specs L1 spec:three c2 -> NULL errno 7 get_error -7"
	"parse edge:regs64 spec #0 cookie 0x100 cnt 12: [1 0x0 128 0 0] [1 0x0 80 0 0] [1 0x0 40 0 0] [1 0x0 88 0 0] [1 0x0 96 0 0] [1 0x0 104 0 0] [1 0x0 112 0 0] [1 0x0 32 0 0] [1 0x0 152 0 0] [1 0x0 72 0 0] [1 0x0 64 0 0] [1 0x0 56 0 0]"
	"parse edge:regs64b spec #0 cookie 0x101 cnt 6: [1 0x0 48 0 0] [1 0x0 24 0 0] [1 0x0 16 0 0] [1 0x0 8 0 0] [1 0x0 0 1 0] [1 0x0 128 1 0]"
	"parse edge:regs16 spec #0 cookie 0x103 cnt 12: [1 0x0 80 0 48] [1 0x0 40 0 48] [1 0x0 88 0 48] [1 0x0 96 0 48] [1 0x0 104 0 48] [1 0x0 112 0 48] [1 0x0 32 0 48] [1 0x0 152 0 48] [1 0x0 24 0 48] [1 0x0 16 0 48] [1 0x0 8 0 48] [1 0x0 0 0 48]"
	"parse edge:consts spec #0 cookie 0x105 cnt 10: [0 0x5 0 1 32] [0 0xfffffffffffffff7 0 0 0] [0 0x12c 0 0 56] [0 0xfffffffffffffff0 0 1 48] [0 0x4d 0 0 32] [0 0xffffffffffffffff 0 1 56] [0 0x10000 0 0 48] [0 0x7fffffffffffffff 0 0 0] [0 0x8000000000000000 0 1 0] [0 0x3 0 0 32]"
	"parse edge:mem spec #0 cookie 0x106 cnt 6: [2 0xfffffffffffffb4c 32 1 32] [2 0x0 80 0 0] [2 0x8 152 0 48] [2 0x3 40 0 56] [2 0x10 24 1 0] [2 0xfffffffffffffff0 112 0 32]"
	"parse edge:empty -> ok"
	"parse edge:bad-ah -> NULL errno 2 get_error -2"
	"parse edge:bad-size3 -> NULL errno 22 get_error -22"
	"parse edge:bad-13 -> NULL errno 7 get_error -7"
	"parse edge:no-such-name -> NULL errno 2 get_error -2"
	"errors unknown name -> NULL errno 2 get_error -2"
	"errors unknown provider -> NULL errno 2 get_error -2"
	"errors missing binary -> NULL errno 2 get_error -2"
	"errors NULL path -> NULL errno 22 get_error -22"
	"errors opts sz 0 -> NULL errno 22 get_error -22"
	"errors no usdt maps -> NULL errno 3 get_error -3"
	"errors unloaded program -> NULL errno 22 get_error -22"
	"leaks expect 20 attach/destroy cycles: ok 20 failed 0"
	"leaks expect fds equal yes"
	"leaks expect fds after close equal yes"
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

if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref" "${ARGS[@]}"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	sed '0,/^parse log0: libbpf: usdt: unrecognized register/s//parse log0: libbpf: usdt: unrecognised register/' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-altered-log-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/parse: 1 ref/1 ours lines differ" 1
	grep -v '^skel ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/skel: section missing from our output"
	st_expect_clean "selftest/diff-identical-passes" "$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" "${ARGS[@]}"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	sed 's/args -3 -4000000000$/args -3 -4000000001/' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/expected-catches-wrong-value" "$(check_expected expected "$alt")" \
		"expected: missing line: lib expect lib-add rec #0"
	sed 's/^sema expect semaphore attached 1$/sema expect semaphore attached 0/' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/expected-catches-semaphore" "$(check_expected expected "$alt")" \
		"expected: missing line: sema expect semaphore attached 1"
	finish
fi

run_ref "$SCRATCH/ref" "${ARGS[@]}"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"

ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" "${ARGS[@]}"
check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
check_run "run/ours" "$SCRATCH/ours"
check_expected "expected/ours" "$SCRATCH/ours.out"
diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
finish
