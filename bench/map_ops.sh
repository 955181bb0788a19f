#!/usr/bin/env bash
# bench/map_ops.sh -- per-operation cost of the bpf.h map wrappers, ours vs
# reference libbpf.so.1 (src/map_ops.c; u32 keys, u64 values, 1024 entries).
#
#   map_array_update  ns per bpf_map_update_elem on an ARRAY map
#   map_array_lookup  ns per bpf_map_lookup_elem on an ARRAY map
#   map_hash_update   ns per bpf_map_update_elem on a HASH map (existing keys)
#   map_hash_lookup   ns per bpf_map_lookup_elem on a HASH map
#   map_batch_call    ns per bpf_map_lookup_batch call (count=64) on a HASH map
#   map_batch_elem    ns per element returned by those calls
#
# Time: BENCH_MAPOPS_N fresh processes per side, alternating ref/ours (after
# BENCH_MAPOPS_WARMUP untimed ones per side). Both sides run the same binary,
# which needs libbpf.so.1 (DT_NEEDED); the side is chosen by LD_LIBRARY_PATH
# pointing at a scratch dir holding only a libbpf.so.1 symlink (libdir.our /
# libdir.ref, as load_cost.sh), and every run's loader name and the libbpf in
# its /proc/self/maps are checked. Each process pins itself to one CPU
# (sched_setaffinity; BENCH_MAPOPS_CPU, default the highest allowed), warms up,
# then runs BENCH_MAPOPS_OPS ops per kind in 20 blocks round-robin over the
# kinds and reports each kind's median block. Figure = median over processes;
# pair_ratio= (median of the per-pair ours/ref ratios) is recorded as a check.
#
# Instructions (informational, no target; needs valgrind): callgrind Ir of the
# user-space part only (the kernel is not counted), from one process per side
# that calls each noinline bench_<kind>(2000) once; per op = inclusive Ir of
# bench_<kind> / ops minus the same for bench_none (the harness loop calling an
# empty function). Deterministic, so it shows small user-space differences that
# the syscall (~0.6 us here) hides in the time. Recorded on the time lines as
# ir_ref= ir_ours= ir_ratio= (net) and ir_raw_ref= ir_raw_ours= (incl. loop).
#
# Run counts: BENCH_MAPOPS_N (36), BENCH_MAPOPS_OPS (100000),
# BENCH_MAPOPS_WARMUP (1), BENCH_MAPOPS_INSTR (1; 0 skips callgrind).
# Takes ~28 s on the 2-core machine (BENCH_QUICK=1: ~8 s).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

T=1.02
N=$(bench_runs "${BENCH_MAPOPS_N:-36}")
OPS=${BENCH_MAPOPS_OPS:-100000}
WARM_OPS=$((OPS / 10))
WARM_PROCS=${BENCH_MAPOPS_WARMUP:-1}
DO_INSTR=${BENCH_MAPOPS_INSTR:-1}
INSTR_OPS=2000
CPU=${BENCH_MAPOPS_CPU:-$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' | tail -n1 | sed 's/.*-//')}
CPU=${CPU:-0}

# figure name -> field printed by map_ops
KINDS="array_update array_lookup hash_update hash_lookup batch_call batch_elem"

OURS_REAL=$(bench_realpath "$OURS_LIB")
REF_REAL=$(bench_realpath "$REF_LIB")
bench_log "map_ops: ref=$REF_LIB -> ${REF_REAL:-(missing)}"
bench_log "map_ops: ours=$OURS_LIB -> ${OURS_REAL:-(missing)}"

fail_all() {
	local k
	for k in $KINDS; do bench_fail "map_$k" "$T" "$1"; done
	bench_finish
}

PROG=$(bench_cc map_ops map_ops.c -lbpf -ldl 2>/dev/null ||
	bench_cc map_ops map_ops.c -l:libbpf.so.1 -ldl) || PROG=
[ -n "$PROG" ] || fail_all "could not build src/map_ops.c against -lbpf"
for side in ref ours; do
	bench_have_lib "$side" || fail_all "$side library missing: $(bench_lib "$side")"
	bench_is_elf "$(bench_lib "$side")" || fail_all "$side library is empty or not ELF: $(bench_lib "$side")"
done

OURS_DIR=$BENCH_DIR/libdir.our REF_DIR=$BENCH_DIR/libdir.ref
mkdir -p "$OURS_DIR" "$REF_DIR"
ln -sfn "$OURS_REAL" "$OURS_DIR/libbpf.so.1"
ln -sfn "$REF_REAL" "$REF_DIR/libbpf.so.1"

# check_lib SIDE OUTPUT: the run used exactly the intended library
check_lib() {
	local real dir loader mapped nlib
	if [ "$1" = ours ]; then real=$OURS_REAL dir=$OURS_DIR; else real=$REF_REAL dir=$REF_DIR; fi
	loader=${2#* loader=}; loader=${loader%% *}
	mapped=${2#* mapped=}; mapped=${mapped%% *}
	nlib=${2#* nlibbpf=}; nlib=${nlib%% *}
	if [ "$mapped" != "$real" ] || [ "$nlib" != 1 ]; then
		bench_log "map_ops $1: mapped '$mapped' (nlibbpf=$nlib), expected only '$real'"
		return 1
	fi
	if [ "$loader" != "$dir/libbpf.so.1" ]; then
		bench_log "map_ops $1: loader found '$loader', expected '$dir/libbpf.so.1'"
		return 1
	fi
}

# field NAME LINE -> value of NAME= in LINE
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# --- 1. instructions (callgrind) ---------------------------------------------
declare -A IR IR_RAW
measure_instr() {
	local side=$1 dir out cg ann none k v calls
	if [ "$side" = ours ]; then dir=$OURS_DIR; else dir=$REF_DIR; fi
	cg=$BENCH_DIR/map_ops.cg.$side
	out=$(env LD_LIBRARY_PATH="$dir" valgrind --tool=callgrind --callgrind-out-file="$cg" \
		--collect-atstart=no --toggle-collect='bench_*' \
		"$PROG" -i -n "$INSTR_OPS" -w 200 2>"$cg.log") || { cat "$cg.log" >&2; return 1; }
	check_lib "$side" "$out" || return 1
	calls=$(field batch_calls "$out")
	ann=$(callgrind_annotate --inclusive=yes --threshold=100 "$cg" 2>&1) || { echo "$ann" >&2; return 1; }
	# lines like "104,023 (23.51%)  ???:bench_array_lookup [/path/map_ops]"
	ann=$(printf '%s\n' "$ann" | awk '{ if (match($0, /:bench_[a-z_]+ /)) {
		n = $1; gsub(",", "", n); print substr($0, RSTART + 7, RLENGTH - 8), n } }')
	none=$(printf '%s\n' "$ann" | awk '$1 == "none" { print $2 }')
	[ -n "$none" ] || { bench_log "map_ops instr $side: no bench_none in callgrind output"; return 1; }
	for k in array_update array_lookup hash_update hash_lookup batch; do
		v=$(printf '%s\n' "$ann" | awk -v k="$k" '$1 == k { print $2 }')
		[ -n "$v" ] || { bench_log "map_ops instr $side: no bench_$k in callgrind output"; return 1; }
		if [ "$k" = batch ]; then
			IR_RAW[$side,batch_call]=$(awk -v v="$v" -v c="$calls" 'BEGIN { printf "%.1f\n", v / c }')
			IR[$side,batch_call]=$(awk -v v="$v" -v c="$calls" -v z="$none" -v n="$INSTR_OPS" \
				'BEGIN { printf "%.1f\n", v / c - z / n }')
		else
			IR_RAW[$side,$k]=$(awk -v v="$v" -v n="$INSTR_OPS" 'BEGIN { printf "%.1f\n", v / n }')
			IR[$side,$k]=$(awk -v v="$v" -v z="$none" -v n="$INSTR_OPS" 'BEGIN { printf "%.1f\n", (v - z) / n }')
		fi
	done
}

HAVE_IR=0
if [ "$DO_INSTR" = 0 ]; then
	bench_log "map_ops: instruction counts skipped (BENCH_MAPOPS_INSTR=0)"
elif ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
	bench_log "map_ops: valgrind/callgrind_annotate not installed; no instruction counts"
else
	bench_log "map_ops: callgrind, $INSTR_OPS ops per kind, 1 process per side"
	if measure_instr ref && measure_instr ours; then
		HAVE_IR=1
	else
		bench_log "map_ops: callgrind run failed; reporting time only"
	fi
fi

# --- 2. time -------------------------------------------------------------------
RAW_REF=$BENCH_DIR/map_ops.ref.raw RAW_OURS=$BENCH_DIR/map_ops.ours.raw
: >"$RAW_REF"; : >"$RAW_OURS"
measure_time() {
	local side=$1 dir out
	if [ "$side" = ours ]; then dir=$OURS_DIR; else dir=$REF_DIR; fi
	out=$(env LD_LIBRARY_PATH="$dir" "$PROG" -n "$OPS" -w "$WARM_OPS" -b 20 -c "$CPU") || return 1
	check_lib "$side" "$out" || return 1
	if [ "$side" = ours ]; then echo "$out" >>"$RAW_OURS"; else echo "$out" >>"$RAW_REF"; fi
	field array_update "$out"
}

bench_log "map_ops: $N interleaved processes per side, $OPS ops per kind each, pinned to CPU $CPU"
if ! BENCH_WARMUP=$WARM_PROCS bench_interleave "$N" measure_time "$BENCH_DIR/map_ops.ref" "$BENCH_DIR/map_ops.ours"; then
	fail_all "map_ops run failed (see log above)"
fi

# the measured runs are the last N lines (the first ones are the warm-up)
tail -n "$N" "$RAW_REF" >"$RAW_REF.n"; tail -n "$N" "$RAW_OURS" >"$RAW_OURS.n"
for k in $KINDS; do
	sed -n "s/.*\<$k=\([0-9.]*\).*/\1/p" "$RAW_REF.n" >"$BENCH_DIR/map_ops.$k.ref"
	sed -n "s/.*\<$k=\([0-9.]*\).*/\1/p" "$RAW_OURS.n" >"$BENCH_DIR/map_ops.$k.ours"
	ref=$(bench_median <"$BENCH_DIR/map_ops.$k.ref") ours=$(bench_median <"$BENCH_DIR/map_ops.$k.ours")
	if [ -z "$ref" ] || [ -z "$ours" ] || [ "$(wc -l <"$BENCH_DIR/map_ops.$k.ref")" != "$N" ]; then
		bench_fail "map_$k" "$T" "could not parse $k from map_ops output"
		continue
	fi
	pair=$(paste "$BENCH_DIR/map_ops.$k.ref" "$BENCH_DIR/map_ops.$k.ours" |
		awk '$1 > 0 { print $2 / $1 }' | bench_median)
	extra="pair_ratio=$(bench_fmt "$pair" 3) ops=$OPS cpu=$CPU"
	[ "$k" = batch_elem ] && extra="$extra elems_per_call=$(field elems_per_call "$(tail -n1 "$RAW_REF.n")")"
	ir=
	if [ "$HAVE_IR" = 1 ] && [ -n "${IR[ref,$k]:-}" ]; then
		ir_ratio=$(bench_ratio "${IR[ours,$k]}" "${IR[ref,$k]}")
		extra="$extra ir_ref=${IR[ref,$k]} ir_ours=${IR[ours,$k]} ir_ratio=$ir_ratio ir_raw_ref=${IR_RAW[ref,$k]} ir_raw_ours=${IR_RAW[ours,$k]}"
		ir=$(printf '  %-14s ref=%-14s ours=%-14s ratio=%-6s (user-space Ir per op, callgrind; informational)' \
			"" "${IR[ref,$k]}Ir" "${IR[ours,$k]}Ir" "$ir_ratio")
	fi
	dec=1; [ "$k" = batch_elem ] && dec=2
	bench_report "map_$k" "$ref" "$ours" ns "$T" "$N" "$dec" "$extra"
	[ -n "$ir" ] && echo "$ir"
done

bench_finish
