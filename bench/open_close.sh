#!/usr/bin/env bash
# bench/open_close.sh -- bpf_object__open_mem + bpf_object__close throughput and
# peak memory, ours vs reference libbpf.so.1 (src/open_close.c).
#
#   open_large       ns per open+close of a large generated object
#                    (src/gen_large_object.py: ~240 programs, ~140 maps, global
#                    data, CO-RE reads; clang -target bpf -O2 -g, ~1.4 MB);
#                    target ratio <= 0.50, i.e. ours >= 2x the reference's opens/s
#   open_libxdp      ns per open+close over every .o of Debian's libxdp1 in turn;
#                    target <= 0.80 (>= 1.25x opens/s)
#   open_large_hwm   peak RSS (VmHWM, KiB) of a process that opens the large object
#                    and keeps it open (the 1.4 MB file buffer counts on both sides);
#                    target <= 1.0
#   open_libxdp_hwm  the same with all libxdp objects open at once; target <= 1.0
#                    (VmHWM includes the library's own resident pages: the result
#                    line also records heap_ref/heap_ours, the malloc'ed KiB the
#                    open objects hold, and lib_rss_ref/lib_rss_ours)
# The opens/s figures are recorded on the result lines (opens_ref= opens_ours=
# speedup=); the ratio compared with the target is time per open, ours/reference.
#
# Time: BENCH_OPEN_N fresh processes per side, alternating ref/ours after
# BENCH_WARMUP untimed ones per side; each pins itself to one CPU
# (BENCH_OPEN_CPU, default the highest allowed), reads the files, warms up, then
# opens and closes for 7 blocks of BENCH_OPEN_MS ms and reports its median block.
# Figure = median over processes. Memory: BENCH_OPEN_RSS_N processes per side in
# -M mode, median VmHWM. The library's print callback stays the default printer
# (warnings and info to stderr, which is discarded here), as in a plain consumer.
# Both sides run the same binary; LD_LIBRARY_PATH points at a scratch dir holding
# only a libbpf.so.1 symlink, and every run's loader and mapped libbpf are checked.
#
# Needs: python3 and clang with the BPF target (BPF_CC, default
# /opt/swift/usr/bin/clang, else clang) for the large object; libxdp1 (installed
# here when missing and root) for the libxdp figures.
# Run counts: BENCH_OPEN_N (15), BENCH_OPEN_RSS_N (15), BENCH_OPEN_MS (60).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

T_LARGE=0.50 T_XDP=0.80 T_HWM=1.0
N=$(bench_runs "${BENCH_OPEN_N:-15}")
N_RSS=$(bench_runs "${BENCH_OPEN_RSS_N:-15}")
MS=${BENCH_OPEN_MS:-60}
CPU=${BENCH_OPEN_CPU:-$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' | tail -n1 | sed 's/.*-//')}
CPU=${CPU:-0}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
XDP_DIR=/usr/lib/x86_64-linux-gnu/bpf

OURS_REAL=$(bench_realpath "$OURS_LIB")
REF_REAL=$(bench_realpath "$REF_LIB")
bench_log "open_close: ref=$REF_LIB -> ${REF_REAL:-(missing)}"
bench_log "open_close: ours=$OURS_LIB -> ${OURS_REAL:-(missing)}"

fail_all() {
	bench_fail open_large "$T_LARGE" "$1"
	bench_fail open_libxdp "$T_XDP" "$1"
	bench_fail open_large_hwm "$T_HWM" "$1"
	bench_fail open_libxdp_hwm "$T_HWM" "$1"
	bench_finish
}

PROG=$(bench_cc open_close open_close.c -lbpf -ldl 2>/dev/null ||
	bench_cc open_close open_close.c -l:libbpf.so.1 -ldl) || PROG=
[ -n "$PROG" ] || fail_all "could not build src/open_close.c against -lbpf"
for side in ref ours; do
	bench_have_lib "$side" || fail_all "$side library missing: $(bench_lib "$side")"
	bench_is_elf "$(bench_lib "$side")" || fail_all "$side library is empty or not ELF: $(bench_lib "$side")"
done
OURS_DIR=$BENCH_DIR/libdir.our REF_DIR=$BENCH_DIR/libdir.ref
mkdir -p "$OURS_DIR" "$REF_DIR"
ln -sfn "$OURS_REAL" "$OURS_DIR/libbpf.so.1"
ln -sfn "$REF_REAL" "$REF_DIR/libbpf.so.1"

# --- inputs ----------------------------------------------------------------------
LARGE=$BENCH_DIR/open_large.o
LARGE_ERR=
gen=$BENCH_SRC_DIR/src/gen_large_object.py
if [ ! -s "$LARGE" ] || [ "$gen" -nt "$LARGE" ]; then
	rm -f "$LARGE"
	if ! python3 "$gen" >"$BENCH_DIR/open_large.bpf.c" 2>"$BENCH_DIR/open_large.log"; then
		LARGE_ERR="gen_large_object.py failed: $(head -c 200 "$BENCH_DIR/open_large.log")"
	elif ! "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$BENCH_DIR/open_large.bpf.c" \
		-o "$LARGE" >"$BENCH_DIR/open_large.log" 2>&1; then
		LARGE_ERR="$BPF_CC -target bpf failed: $(head -c 200 "$BENCH_DIR/open_large.log" | tr '\n' ' ')"
		rm -f "$LARGE"
	fi
fi
[ -s "$LARGE" ] && bench_log "open_close: large object $(stat -c %s "$LARGE") bytes"

if ! ls "$XDP_DIR"/*.o >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	bench_log "open_close: installing libxdp1"
	{ DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxdp1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxdp1; }; } >/dev/null 2>&1
fi
XDP_OBJS=()
for obj in "$XDP_DIR"/*.o; do [ -e "$obj" ] && XDP_OBJS+=("$obj"); done

# check_lib SIDE OUTPUT: the run used exactly the intended library
check_lib() {
	local real dir loader mapped nlib
	if [ "$1" = ours ]; then real=$OURS_REAL dir=$OURS_DIR; else real=$REF_REAL dir=$REF_DIR; fi
	loader=${2#* loader=}; loader=${loader%% *}
	mapped=${2#* mapped=}; mapped=${mapped%% *}
	nlib=${2#* nlibbpf=}; nlib=${nlib%% *}
	if [ "$mapped" != "$real" ] || [ "$nlib" != 1 ]; then
		bench_log "open_close $1: mapped '$mapped' (nlibbpf=$nlib), expected only '$real'"
		return 1
	fi
	if [ "$loader" != "$dir/libbpf.so.1" ]; then
		bench_log "open_close $1: loader found '$loader', expected '$dir/libbpf.so.1'"
		return 1
	fi
}

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

FILES=()
measure_time() {
	local side=$1 dir out
	if [ "$side" = ours ]; then dir=$OURS_DIR; else dir=$REF_DIR; fi
	out=$(env LD_LIBRARY_PATH="$dir" "$PROG" -b 7 -m "$MS" -w 3 -c "$CPU" "${FILES[@]}" 2>/dev/null) || return 1
	check_lib "$side" "$out" || return 1
	field ns_per_open "$out"
}
measure_hwm() {
	local side=$1 dir out
	if [ "$side" = ours ]; then dir=$OURS_DIR; else dir=$REF_DIR; fi
	out=$(env LD_LIBRARY_PATH="$dir" "$PROG" -M "${FILES[@]}" 2>/dev/null) || return 1
	check_lib "$side" "$out" || return 1
	echo "$(field heap_kb "$out") $(field lib_rss_kb "$out")" >>"$BENCH_DIR/$HWM_NAME.$side.detail"
	field hwm_kb "$out"
}

# run_set NAME TARGET HWM_NAME FILE...
run_set() {
	local name=$1 target=$2 hwm_name=$3 ref ours
	shift 3
	FILES=("$@")
	bench_drop_cache "$REF_REAL" "$OURS_REAL"
	bench_log "$name: $N interleaved processes per side, ${#FILES[@]} file(s)"
	if bench_interleave "$N" measure_time "$BENCH_DIR/$name.ref" "$BENCH_DIR/$name.ours"; then
		ref=$(bench_median <"$BENCH_DIR/$name.ref")
		ours=$(bench_median <"$BENCH_DIR/$name.ours")
		bench_report "$name" "$(awk -v v="$ref" 'BEGIN { print v / 1000 }')" "$(awk -v v="$ours" 'BEGIN { print v / 1000 }')" \
			us "$target" "$N" 1 \
			"opens_ref=$(awk -v v="$ref" 'BEGIN { printf "%.0f", 1e9 / v }') opens_ours=$(awk -v v="$ours" 'BEGIN { printf "%.0f", 1e9 / v }') speedup=$(bench_ratio "$ref" "$ours") files=${#FILES[@]}"
	else
		bench_fail "$name" "$target" "a run failed (see log above)"
	fi
	bench_log "$hwm_name: $N_RSS interleaved processes per side"
	HWM_NAME=$hwm_name
	rm -f "$BENCH_DIR/$hwm_name.ref.detail" "$BENCH_DIR/$hwm_name.ours.detail"
	if bench_interleave "$N_RSS" measure_hwm "$BENCH_DIR/$hwm_name.ref" "$BENCH_DIR/$hwm_name.ours"; then
		ref=$(bench_median <"$BENCH_DIR/$hwm_name.ref")
		ours=$(bench_median <"$BENCH_DIR/$hwm_name.ours")
		local heap_ref heap_ours lib_ref lib_ours
		heap_ref=$(awk '{ print $1 }' "$BENCH_DIR/$hwm_name.ref.detail" | bench_median)
		heap_ours=$(awk '{ print $1 }' "$BENCH_DIR/$hwm_name.ours.detail" | bench_median)
		lib_ref=$(awk '{ print $2 }' "$BENCH_DIR/$hwm_name.ref.detail" | bench_median)
		lib_ours=$(awk '{ print $2 }' "$BENCH_DIR/$hwm_name.ours.detail" | bench_median)
		bench_log "$hwm_name: heap held by the open objects ref=${heap_ref}KiB ours=${heap_ours}KiB; libbpf.so resident ref=${lib_ref}KiB ours=${lib_ours}KiB"
		bench_report "$hwm_name" "$ref" "$ours" KiB "$T_HWM" "$N_RSS" 0 \
			"heap_ref=$heap_ref heap_ours=$heap_ours heap_ratio=$(bench_ratio "$heap_ours" "$heap_ref") lib_rss_ref=$lib_ref lib_rss_ours=$lib_ours"
	else
		bench_fail "$hwm_name" "$T_HWM" "a run failed (see log above)"
	fi
}

if [ -s "$LARGE" ]; then
	run_set open_large "$T_LARGE" open_large_hwm "$LARGE"
else
	bench_fail open_large "$T_LARGE" "${LARGE_ERR:-no large object}"
	bench_fail open_large_hwm "$T_HWM" "${LARGE_ERR:-no large object}"
fi
if [ "${#XDP_OBJS[@]}" -gt 0 ]; then
	run_set open_libxdp "$T_XDP" open_libxdp_hwm "${XDP_OBJS[@]}"
else
	bench_fail open_libxdp "$T_XDP" "no libxdp objects in $XDP_DIR (libxdp1 not installed)"
	bench_fail open_libxdp_hwm "$T_HWM" "no libxdp objects in $XDP_DIR (libxdp1 not installed)"
fi
bench_finish
