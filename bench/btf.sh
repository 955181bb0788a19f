#!/usr/bin/env bash
# bench/btf.sh -- BTF costs, ours vs reference libbpf.so.1 (src/btf_bench.c),
# on the running kernel's BTF (BENCH_BTF_PATH, default /sys/kernel/btf/vmlinux).
#
#   btf_parse_vmlinux      ms of btf__parse(vmlinux) in a fresh process (median)
#   btf_parse_vmlinux_rss  peak RSS (VmHWM, KiB) of that process after the parse
#   btf_find_hit           ns per btf__find_by_name_kind that finds its type
#   btf_find_miss          ns per btf__find_by_name_kind of a missing name
#                          (the reference scans every type per lookup; ours
#                          answers from an index built on the first lookup,
#                          whose cost is recorded as first_ns_*)
#   btf_dump_vmlinux       ms of btf_dump__new + btf_dump__dump_type over every
#                          id + btf_dump__free; the output's FNV-1a hash of both
#                          sides is recorded (same_output=yes|no). Skipped
#                          ("not implemented") while ours answers -EOPNOTSUPP.
#
# Every figure: fresh processes, alternating ref/ours (after BENCH_WARMUP
# untimed ones per side), median over processes. Both sides run the same
# binary (DT_NEEDED libbpf.so.1), the side chosen by LD_LIBRARY_PATH pointing at
# a scratch dir holding only a libbpf.so.1 symlink (libdir.our / libdir.ref, as
# load_cost.sh); each run's loader name and mapped libbpf are checked.
#
# Run counts: BENCH_BTF_PARSE_N (30), BENCH_BTF_FIND_N (7 processes per side,
# BENCH_BTF_LOOKUPS (400) hits + as many misses each), BENCH_BTF_DUMP_N (9).
# Takes ~40 s on the 2-core machine (BENCH_QUICK=1: ~15 s).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

T_PARSE=0.8 T_RSS=1.0 T_FIND=0.01 T_DUMP=0.8
N_PARSE=$(bench_runs "${BENCH_BTF_PARSE_N:-30}")
N_FIND=$(bench_runs "${BENCH_BTF_FIND_N:-7}")
N_DUMP=$(bench_runs "${BENCH_BTF_DUMP_N:-9}")
LOOKUPS=${BENCH_BTF_LOOKUPS:-400}
BTF_PATH=${BENCH_BTF_PATH:-/sys/kernel/btf/vmlinux}
FIGURES="btf_parse_vmlinux btf_parse_vmlinux_rss btf_find_hit btf_find_miss btf_dump_vmlinux"

OURS_REAL=$(bench_realpath "$OURS_LIB")
REF_REAL=$(bench_realpath "$REF_LIB")
bench_log "btf: ref=$REF_LIB -> ${REF_REAL:-(missing)}"
bench_log "btf: ours=$OURS_LIB -> ${OURS_REAL:-(missing)}"
bench_log "btf: input $BTF_PATH"

target_of() {
	case $1 in
	btf_parse_vmlinux) echo "$T_PARSE" ;;
	btf_parse_vmlinux_rss) echo "$T_RSS" ;;
	btf_find_*) echo "$T_FIND" ;;
	*) echo "$T_DUMP" ;;
	esac
}
fail_all() {
	local f
	for f in $FIGURES; do bench_fail "$f" "$(target_of "$f")" "$1"; done
	bench_finish
}

if [ ! -r "$BTF_PATH" ]; then
	for f in $FIGURES; do bench_skip "$f" "$(target_of "$f")" "no kernel BTF at $BTF_PATH"; done
	bench_finish
fi
PROG=$(bench_cc btf_bench btf_bench.c -lbpf -ldl 2>/dev/null ||
	bench_cc btf_bench btf_bench.c -l:libbpf.so.1 -ldl) || PROG=
[ -n "$PROG" ] || fail_all "could not build src/btf_bench.c against -lbpf"
for side in ref ours; do
	bench_have_lib "$side" || fail_all "$side library missing: $(bench_lib "$side")"
	bench_is_elf "$(bench_lib "$side")" || fail_all "$side library is empty or not ELF: $(bench_lib "$side")"
done

OURS_DIR=$BENCH_DIR/libdir.our REF_DIR=$BENCH_DIR/libdir.ref
mkdir -p "$OURS_DIR" "$REF_DIR"
ln -sfn "$OURS_REAL" "$OURS_DIR/libbpf.so.1"
ln -sfn "$REF_REAL" "$REF_DIR/libbpf.so.1"

# field NAME LINE -> value of NAME= in LINE
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# run SIDE ARGS...: one fresh process; its output line, after checking that it
# used exactly the intended library
run() {
	local side=$1 real dir out loader mapped nlib
	shift
	if [ "$side" = ours ]; then real=$OURS_REAL dir=$OURS_DIR; else real=$REF_REAL dir=$REF_DIR; fi
	out=$(env LD_LIBRARY_PATH="$dir" "$PROG" "$@") || { bench_log "btf_bench $side $*: failed"; return 1; }
	loader=$(field loader "$out") mapped=$(field mapped "$out") nlib=$(field nlibbpf "$out")
	if [ "$mapped" != "$real" ] || [ "$nlib" != 1 ] || [ "$loader" != "$dir/libbpf.so.1" ]; then
		bench_log "btf_bench $side: loader '$loader', mapped '$mapped' (nlibbpf=$nlib); expected $dir/libbpf.so.1 -> $real"
		return 1
	fi
	printf '%s\n' "$out"
}

# --- 1. parse: time and peak RSS ---------------------------------------------
measure_parse() {
	local out
	out=$(run "$1" parse "$BTF_PATH") || return 1
	field hwm_kb "$out" >>"$BENCH_DIR/btf_rss.$1"
	field ms "$out"
}
: >"$BENCH_DIR/btf_rss.ref"
: >"$BENCH_DIR/btf_rss.ours"
bench_log "btf_parse_vmlinux: $N_PARSE interleaved fresh processes per side"
if bench_interleave "$N_PARSE" measure_parse "$BENCH_DIR/btf_parse.ref" "$BENCH_DIR/btf_parse.ours"; then
	# keep the RSS of the timed runs only (bench_interleave's warm-up runs come first)
	for side in ref ours; do
		tail -n "$N_PARSE" "$BENCH_DIR/btf_rss.$side" >"$BENCH_DIR/btf_rss.$side.t" && mv -f "$BENCH_DIR/btf_rss.$side.t" "$BENCH_DIR/btf_rss.$side"
	done
	ref=$(bench_median <"$BENCH_DIR/btf_parse.ref") ours=$(bench_median <"$BENCH_DIR/btf_parse.ours")
	bench_report btf_parse_vmlinux "$ref" "$ours" ms "$T_PARSE" "$N_PARSE" 2
	ref=$(bench_median <"$BENCH_DIR/btf_rss.ref") ours=$(bench_median <"$BENCH_DIR/btf_rss.ours")
	bench_report btf_parse_vmlinux_rss "$ref" "$ours" KiB "$T_RSS" "$N_PARSE" 0
else
	bench_fail btf_parse_vmlinux "$T_PARSE" "btf_bench parse failed (see log above)"
	bench_fail btf_parse_vmlinux_rss "$T_RSS" "btf_bench parse failed (see log above)"
fi

# --- 2. lookups ---------------------------------------------------------------
measure_find() {
	local out
	out=$(run "$1" find "$BTF_PATH" "$LOOKUPS") || return 1
	printf '%s %s %s\n' "$(field miss_ns "$out")" "$(field first_ns "$out")" "$(field checksum "$out")" >>"$BENCH_DIR/btf_find_more.$1"
	field hit_ns "$out"
}
rm -f "$BENCH_DIR/btf_find_more.ref" "$BENCH_DIR/btf_find_more.ours"
bench_log "btf_find: $N_FIND interleaved fresh processes per side, $LOOKUPS hits + $LOOKUPS misses each"
if bench_interleave "$N_FIND" measure_find "$BENCH_DIR/btf_find_hit.ref" "$BENCH_DIR/btf_find_hit.ours"; then
	for side in ref ours; do
		tail -n "$N_FIND" "$BENCH_DIR/btf_find_more.$side" >"$BENCH_DIR/btf_find_more.$side.t"
		awk '{ print $1 }' "$BENCH_DIR/btf_find_more.$side.t" >"$BENCH_DIR/btf_find_miss.$side"
		awk '{ print $2 }' "$BENCH_DIR/btf_find_more.$side.t" >"$BENCH_DIR/btf_find_first.$side"
	done
	sum_ref=$(awk '{ print $3 }' "$BENCH_DIR/btf_find_more.ref.t" | sort -u)
	sum_ours=$(awk '{ print $3 }' "$BENCH_DIR/btf_find_more.ours.t" | sort -u)
	same=yes
	[ "$sum_ref" = "$sum_ours" ] || { same=no; bench_log "btf_find: ids found differ (checksum ref $sum_ref, ours $sum_ours)"; }
	extra="first_ns_ref=$(bench_median <"$BENCH_DIR/btf_find_first.ref") first_ns_ours=$(bench_median <"$BENCH_DIR/btf_find_first.ours") same_ids=$same lookups=$LOOKUPS"
	# the ratio is far below the 2 decimals shown: record it exactly too
	exact() { awk -v o="$2" -v r="$1" 'BEGIN { printf "%.6f\n", o / r }'; }
	ref=$(bench_median <"$BENCH_DIR/btf_find_hit.ref") ours=$(bench_median <"$BENCH_DIR/btf_find_hit.ours")
	bench_report btf_find_hit "$ref" "$ours" ns "$T_FIND" "$N_FIND" 1 "ratio_exact=$(exact "$ref" "$ours") $extra"
	ref=$(bench_median <"$BENCH_DIR/btf_find_miss.ref") ours=$(bench_median <"$BENCH_DIR/btf_find_miss.ours")
	bench_report btf_find_miss "$ref" "$ours" ns "$T_FIND" "$N_FIND" 1 "ratio_exact=$(exact "$ref" "$ours") $extra"
else
	bench_fail btf_find_hit "$T_FIND" "btf_bench find failed (see log above)"
	bench_fail btf_find_miss "$T_FIND" "btf_bench find failed (see log above)"
fi

# --- 3. dump to C ---------------------------------------------------------------
if ! probe=$(run ours dump "$BTF_PATH"); then
	bench_fail btf_dump_vmlinux "$T_DUMP" "btf_bench dump failed on ours (see log above)"
elif [ "${probe%% *}" = unsupported ]; then
	bench_skip btf_dump_vmlinux "$T_DUMP" "not implemented (ours returns -EOPNOTSUPP)"
else
	measure_dump() {
		local out
		out=$(run "$1" dump "$BTF_PATH") || return 1
		printf '%s %s\n' "$(field fnv "$out")" "$(field bytes "$out")" >>"$BENCH_DIR/btf_dump_out.$1"
		field ms "$out"
	}
	rm -f "$BENCH_DIR/btf_dump_out.ref" "$BENCH_DIR/btf_dump_out.ours"
	bench_log "btf_dump_vmlinux: $N_DUMP interleaved fresh processes per side"
	if bench_interleave "$N_DUMP" measure_dump "$BENCH_DIR/btf_dump.ref" "$BENCH_DIR/btf_dump.ours"; then
		fnv_ref=$(awk '{ print $1 }' "$BENCH_DIR/btf_dump_out.ref" | sort -u | paste -sd, -)
		fnv_ours=$(awk '{ print $1 }' "$BENCH_DIR/btf_dump_out.ours" | sort -u | paste -sd, -)
		bytes_ref=$(awk '{ print $2 }' "$BENCH_DIR/btf_dump_out.ref" | sort -u | paste -sd, -)
		bytes_ours=$(awk '{ print $2 }' "$BENCH_DIR/btf_dump_out.ours" | sort -u | paste -sd, -)
		same=no
		[ "$fnv_ref" = "$fnv_ours" ] && same=yes
		[ "$same" = yes ] || bench_log "btf_dump_vmlinux: output differs (ref fnv $fnv_ref / $bytes_ref bytes, ours $fnv_ours / $bytes_ours bytes)"
		ref=$(bench_median <"$BENCH_DIR/btf_dump.ref") ours=$(bench_median <"$BENCH_DIR/btf_dump.ours")
		bench_report btf_dump_vmlinux "$ref" "$ours" ms "$T_DUMP" "$N_DUMP" 2 \
			"fnv_ref=$fnv_ref fnv_ours=$fnv_ours bytes_ref=$bytes_ref bytes_ours=$bytes_ours same_output=$same"
	else
		bench_fail btf_dump_vmlinux "$T_DUMP" "btf_bench dump failed (see log above)"
	fi
fi

bench_finish
