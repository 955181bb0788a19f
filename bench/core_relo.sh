#!/usr/bin/env bash
# bench/core_relo.sh -- CO-RE relocation cost, ours vs reference libbpf.so.1
# (src/core_bench.c).
#
#   core_relo_ms  CPU ms bpf_object__load spends on CO-RE relocation for an
#                 object with ~1000 relocations over ~200 kernel structs
#                 (Tests/c/core/gen_many.py against the running kernel's BTF):
#                 load of that object minus load of a baseline object, both
#                 stopping at a failing relocation right after the CO-RE stage.
#                 The reference rescans the whole vmlinux BTF for every local
#                 type; ours finds every type's candidates in one pass.
#
# Fresh processes, alternating ref/ours (after BENCH_WARMUP untimed ones per
# side), median over processes. Both sides run the same binary, the side
# chosen by LD_LIBRARY_PATH pointing at a scratch dir holding only a
# libbpf.so.1 symlink; each run's loader name and mapped libbpf are checked.
# Needs root (bpf()), kernel BTF, python3 and a BPF-capable clang (BPF_CC,
# default /opt/swift/usr/bin/clang, else clang); skipped otherwise.
#
# Run count: BENCH_CORE_N (9).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

T_CORE=0.2
N_CORE=$(bench_runs "${BENCH_CORE_N:-9}")
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
CORE_SRC=$BENCH_REPO_DIR/Tests/c/core
WORK=$BENCH_DIR/core
mkdir -p "$WORK"

OURS_REAL=$(bench_realpath "$OURS_LIB")
REF_REAL=$(bench_realpath "$REF_LIB")
bench_log "core_relo: ref=$REF_LIB -> ${REF_REAL:-(missing)}"
bench_log "core_relo: ours=$OURS_LIB -> ${OURS_REAL:-(missing)}"

if [ "$(id -u)" != 0 ]; then
	bench_skip core_relo_ms "$T_CORE" "needs root (bpf())"
	bench_finish
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	bench_skip core_relo_ms "$T_CORE" "no kernel BTF"
	bench_finish
fi
if ! command -v python3 >/dev/null || ! command -v "$BPF_CC" >/dev/null; then
	bench_skip core_relo_ms "$T_CORE" "needs python3 and $BPF_CC"
	bench_finish
fi
bench_check_libs core_relo_ms "$T_CORE" || bench_finish

# --- inputs: vmlinux.h (reference btf_dump), the two objects -----------------
GEN_H=$WORK/gen_vmlinux_h
if ! ${CC:-cc} -O1 -o "$GEN_H" "$CORE_SRC/gen_vmlinux_h.c" -lbpf >"$WORK/build.log" 2>&1 ||
	! "$GEN_H" "$WORK/vmlinux.h" >>"$WORK/build.log" 2>&1; then
	bench_fail core_relo_ms "$T_CORE" "could not generate vmlinux.h (see $WORK/build.log)"
	bench_finish
fi
build_object() { # NAME MODE
	local src=$WORK/$1.bpf.c l
	python3 "$CORE_SRC/gen_many.py" "$WORK/vmlinux.h" 1000 "$2" >"$src" || return 1
	for _ in 1 2 3 4 5 6; do
		"$BPF_CC" -target bpf -O2 -g -I"$WORK" -c "$src" -o "$WORK/$1.bpf.o" >"$WORK/$1.log" 2>&1 && return 0
		for l in $(grep -o "^[^:]*$1.bpf.c:[0-9]*" "$WORK/$1.log" | cut -d: -f2 | sort -u); do
			sed -i "${l}s/.*//" "$src"
		done
	done
	return 1
}
if ! build_object full fail || ! build_object base baseline; then
	bench_fail core_relo_ms "$T_CORE" "could not compile the benchmark objects (see $WORK/*.log)"
	bench_finish
fi
RELOS=$(grep -c BPF_CORE_READ "$WORK/full.bpf.c")
PROG=$(bench_cc core_bench core_bench.c -ldl -l:libbpf.so.1) || {
	bench_fail core_relo_ms "$T_CORE" "could not build src/core_bench.c"
	bench_finish
}

OURS_DIR=$BENCH_DIR/libdir.our REF_DIR=$BENCH_DIR/libdir.ref
mkdir -p "$OURS_DIR" "$REF_DIR"
ln -sfn "$OURS_REAL" "$OURS_DIR/libbpf.so.1"
ln -sfn "$REF_REAL" "$REF_DIR/libbpf.so.1"

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

measure_core() {
	local side=$1 real dir out loader mapped nlib
	if [ "$side" = ours ]; then real=$OURS_REAL dir=$OURS_DIR; else real=$REF_REAL dir=$REF_DIR; fi
	out=$(env LD_LIBRARY_PATH="$dir" "$PROG" "$WORK/full.bpf.o" "$WORK/base.bpf.o") ||
		{ bench_log "core_bench $side: failed"; return 1; }
	loader=$(field loader "$out") mapped=$(field mapped "$out") nlib=$(field nlibbpf "$out")
	if [ "$mapped" != "$real" ] || [ "$nlib" != 1 ] || [ "$loader" != "$dir/libbpf.so.1" ]; then
		bench_log "core_bench $side: loader '$loader', mapped '$mapped' (nlibbpf=$nlib); expected $dir/libbpf.so.1 -> $real"
		return 1
	fi
	field ms "$out"
}

bench_log "core_relo_ms: $RELOS relocations, $N_CORE interleaved fresh processes per side"
if bench_interleave "$N_CORE" measure_core "$BENCH_DIR/core.ref" "$BENCH_DIR/core.ours"; then
	ref=$(bench_median <"$BENCH_DIR/core.ref") ours=$(bench_median <"$BENCH_DIR/core.ours")
	bench_report core_relo_ms "$ref" "$ours" ms "$T_CORE" "$N_CORE" 2 "relocations=$RELOS"
else
	bench_fail core_relo_ms "$T_CORE" "core_bench failed (see log above)"
fi
bench_finish
