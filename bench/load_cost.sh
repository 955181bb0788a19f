#!/usr/bin/env bash
# bench/load_cost.sh -- library load cost, ours vs reference libbpf.so.1.
#
#   dlopen_ms     median wall time of dlopen(RTLD_NOW)+dlsym+call in a fresh process
#   file_size     bytes of the real file (symlinks resolved)
#   text_data     text+data bytes as reported by size(1)
#   peak_rss      median peak RSS (VmHWM, see src/rss_consumer.c for why not
#                 ru_maxrss) of a trivial -lbpf consumer
#   dlopen_instr  instructions (callgrind Ir) inside the dlopen+dlsym+call only
#                 (skipped when valgrind is not installed)
#
# Run counts: BENCH_DLOPEN_N (500), BENCH_RSS_N (200), BENCH_INSTR_N (3).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

T_DLOPEN=1.0 T_SIZE=2.0 T_TEXT=2.0 T_RSS=1.0 T_INSTR=1.0
N_DLOPEN=$(bench_runs "${BENCH_DLOPEN_N:-500}")
N_RSS=$(bench_runs "${BENCH_RSS_N:-200}")
N_INSTR=${BENCH_INSTR_N:-3}

OURS_REAL=$(bench_realpath "$OURS_LIB")
REF_REAL=$(bench_realpath "$REF_LIB")
bench_log "load_cost: ref=$REF_LIB -> ${REF_REAL:-(missing)}"
bench_log "load_cost: ours=$OURS_LIB -> ${OURS_REAL:-(missing)}"

PROBE=$(bench_cc dlopen_probe dlopen_probe.c -ldl) || PROBE=
CONSUMER=$(bench_cc rss_consumer rss_consumer.c -lbpf -ldl 2>/dev/null ||
	bench_cc rss_consumer rss_consumer.c -l:libbpf.so.1 -ldl) || CONSUMER=

# --- 1. dlopen_ms --------------------------------------------------------
# probe prints "ns=<n> ... mapped=<real path>" and itself fails (exit 3) if the
# link map / /proc/self/maps do not show exactly the requested file; we check
# the mapped path again here.
measure_dlopen() {
	local lib real out ns mapped
	if [ "$1" = ours ]; then lib=$OURS_LIB real=$OURS_REAL; else lib=$REF_LIB real=$REF_REAL; fi
	out=$("$PROBE" "$lib") || return 1
	ns=${out#ns=}; ns=${ns%% *}
	mapped=${out##*mapped=}
	if [ "$mapped" != "$real" ]; then
		bench_log "dlopen_probe $1: mapped '$mapped', expected '$real'"
		return 1
	fi
	echo "$ns"
}

if [ -z "$PROBE" ]; then
	bench_fail dlopen_ms "$T_DLOPEN" "could not build src/dlopen_probe.c"
elif bench_check_libs dlopen_ms "$T_DLOPEN"; then
	bench_log "dlopen_ms: $N_DLOPEN interleaved fresh processes per side"
	bench_drop_cache "$REF_REAL" "$OURS_REAL"
	if bench_interleave "$N_DLOPEN" measure_dlopen "$BENCH_DIR/dlopen.ref" "$BENCH_DIR/dlopen.ours"; then
		ref=$(bench_median <"$BENCH_DIR/dlopen.ref")
		ours=$(bench_median <"$BENCH_DIR/dlopen.ours")
		bench_report dlopen_ms "$(awk -v v="$ref" 'BEGIN { print v / 1e6 }')" \
			"$(awk -v v="$ours" 'BEGIN { print v / 1e6 }')" ms "$T_DLOPEN" "$N_DLOPEN" 3 \
			"median_ns_ref=$ref median_ns_ours=$ours"
	else
		bench_fail dlopen_ms "$T_DLOPEN" "probe failed (see log above)"
	fi
fi

# --- 2. file_size / text_data --------------------------------------------
if bench_check_libs file_size "$T_SIZE"; then
	ref=$(stat -L -c %s -- "$REF_LIB") ours=$(stat -L -c %s -- "$OURS_LIB")
	bench_report file_size "$ref" "$ours" B "$T_SIZE" 1 0 "ref_file=$REF_REAL ours_file=$OURS_REAL"
fi

text_data() { size -B -- "$1" 2>/dev/null | awk 'NR == 2 { print $1 + $2; ok = 1 } END { exit !ok }'; }
if ! command -v size >/dev/null; then
	bench_fail text_data "$T_TEXT" "size(1) not installed (binutils)"
elif bench_check_libs text_data "$T_TEXT"; then
	if ref=$(text_data "$REF_REAL") && ours=$(text_data "$OURS_REAL"); then
		bench_report text_data "$ref" "$ours" B "$T_TEXT" 1 0
	else
		bench_fail text_data "$T_TEXT" "size(1) failed"
	fi
fi

# --- 3. peak_rss ------------------------------------------------------------
# Both sides load libbpf.so.1 through LD_LIBRARY_PATH pointing at a scratch dir
# holding only a libbpf.so.1 symlink (libdir.our -> ours, libdir.ref -> reference),
# so the loader does the same work for both. (Leaving LD_LIBRARY_PATH unset for
# the reference instead biases the median by ~2% -- the loader then reads
# ld.so.cache for libbpf too; BENCH_RSS_REF_UNSET=1 restores that mode.)
# The consumer prints the loader's name for libbpf and the mapped real file;
# both are checked.
OURS_DIR=$BENCH_DIR/libdir.our REF_DIR=$BENCH_DIR/libdir.ref
mkdir -p "$OURS_DIR" "$REF_DIR"
[ -n "$OURS_REAL" ] && ln -sfn "$OURS_REAL" "$OURS_DIR/libbpf.so.1"
[ -n "$REF_REAL" ] && ln -sfn "$REF_REAL" "$REF_DIR/libbpf.so.1"

measure_rss() {
	local out real dir rss loader mapped nlib
	if [ "$1" = ours ]; then
		real=$OURS_REAL dir=$OURS_DIR
		out=$(env LD_LIBRARY_PATH="$dir" "$CONSUMER") || return 1
	elif [ "${BENCH_RSS_REF_UNSET:-0}" = 1 ]; then
		real=$REF_REAL dir=
		out=$(env -u LD_LIBRARY_PATH "$CONSUMER") || return 1
	else
		real=$REF_REAL dir=$REF_DIR
		out=$(env LD_LIBRARY_PATH="$dir" "$CONSUMER") || return 1
	fi
	rss=${out#hwm_kb=}; rss=${rss%% *}
	loader=${out#* loader=}; loader=${loader%% *}
	mapped=${out#* mapped=}; mapped=${mapped%% *}
	nlib=${out#* nlibbpf=}; nlib=${nlib%% *}
	if [ "$mapped" != "$real" ] || [ "$nlib" != 1 ]; then
		bench_log "rss_consumer $1: mapped '$mapped' (nlibbpf=$nlib), expected only '$real'"
		return 1
	fi
	if [ -n "$dir" ] && [ "$loader" != "$dir/libbpf.so.1" ]; then
		bench_log "rss_consumer $1: loader found '$loader', expected '$dir/libbpf.so.1'"
		return 1
	fi
	echo "$rss"
}

if [ -z "$CONSUMER" ]; then
	bench_fail peak_rss "$T_RSS" "could not build src/rss_consumer.c against -lbpf"
elif bench_check_libs peak_rss "$T_RSS"; then
	bench_log "peak_rss: $N_RSS interleaved runs per side"
	bench_drop_cache "$REF_REAL" "$OURS_REAL"
	if bench_interleave "$N_RSS" measure_rss "$BENCH_DIR/rss.ref" "$BENCH_DIR/rss.ours"; then
		ref=$(bench_median <"$BENCH_DIR/rss.ref")
		ours=$(bench_median <"$BENCH_DIR/rss.ours")
		bench_report peak_rss "$ref" "$ours" KiB "$T_RSS" "$N_RSS" 0 \
			"mean_kb_ref=$(bench_mean <"$BENCH_DIR/rss.ref") mean_kb_ours=$(bench_mean <"$BENCH_DIR/rss.ours")"
	else
		bench_fail peak_rss "$T_RSS" "consumer failed (see log above)"
	fi
fi

# --- 4. dlopen_instr (optional) ---------------------------------------------
# Counts only bench_load() in the probe (dlopen+dlsym+call), so the probe's
# own process startup does not dilute the ratio.
measure_instr() {
	local lib err ir
	lib=$(bench_lib "$1")
	err=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=bench_load "$PROBE" "$lib" 2>&1 >/dev/null) || { echo "$err" >&2; return 1; }
	ir=$(printf '%s\n' "$err" | sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p')
	[ -n "$ir" ] && [ "$ir" -gt 0 ] || { echo "$err" >&2; return 1; }
	echo "$ir"
}

if ! command -v valgrind >/dev/null; then
	bench_skip dlopen_instr "$T_INSTR" "valgrind not installed"
elif [ -z "$PROBE" ]; then
	bench_fail dlopen_instr "$T_INSTR" "could not build src/dlopen_probe.c"
elif bench_check_libs dlopen_instr "$T_INSTR"; then
	bench_log "dlopen_instr: callgrind, $N_INSTR interleaved runs per side"
	if BENCH_WARMUP=0 bench_interleave "$N_INSTR" measure_instr "$BENCH_DIR/instr.ref" "$BENCH_DIR/instr.ours"; then
		ref=$(bench_median <"$BENCH_DIR/instr.ref")
		ours=$(bench_median <"$BENCH_DIR/instr.ours")
		bench_report dlopen_instr "$ref" "$ours" Ir "$T_INSTR" "$N_INSTR" 0
	else
		bench_fail dlopen_instr "$T_INSTR" "callgrind run failed (see log above)"
	fi
fi

bench_finish
