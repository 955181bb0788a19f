#!/usr/bin/env bash
# bench/ringbuf.sh -- consume throughput of the buffers subsystem, ours vs
# reference libbpf.so.1 (src/ringbuf_bench.c, BPF side src/ringbuf_bench.bpf.c).
#
#   ringbuf_consume  ns per event delivered by ring_buffer__consume (4 MiB
#                    BPF_MAP_TYPE_RINGBUF, 16-byte records, 160000 per call)
#   perfbuf_consume  ns per event delivered by perf_buffer__consume (1024-page
#                    per-CPU perf buffer, 16-byte samples, 120000 per call)
#
# Each process pins itself to one CPU, fills the buffer with an XDP program run by
# bpf_prog_test_run_opts (repeat), and times only the consume calls (a trivial
# callback that sums a field), BENCH_RINGBUF_ROUNDS (3) fills per process.
# BENCH_RINGBUF_N (9) fresh processes per side, alternating ref/ours, after
# BENCH_RINGBUF_WARMUP (1) untimed ones; figure = median over processes. The fills
# dominate the run time (~4 s per process; ~90 s in all). ns/event is the
# inverse of events/s, so target<=1.00 means ours >= the reference's throughput;
# events/s of both sides are recorded as ref_eps= ours_eps= (and the per-pair
# median ratio as pair_ratio=). Both sides run the same binary; the side is
# chosen by LD_LIBRARY_PATH pointing at a dir with only a libbpf.so.1 symlink,
# and every run's mapped libbpf is checked.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

T=1.00
N=$(bench_runs "${BENCH_RINGBUF_N:-9}")
ROUNDS=${BENCH_RINGBUF_ROUNDS:-3}
WARM_PROCS=${BENCH_RINGBUF_WARMUP:-1}
CPU=${BENCH_RINGBUF_CPU:-$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status | tr ',' '\n' | tail -n1 | sed 's/.*-//')}
CPU=${CPU:-0}
FIGS="ringbuf_consume perfbuf_consume"

fail_all() {
	local f
	for f in $FIGS; do bench_fail "$f" "$T" "$1"; done
	bench_finish
}

if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
OBJ=$BENCH_DIR/ringbuf_bench.bpf.o
if [ ! -s "$OBJ" ] || [ "$BENCH_SRC_DIR/src/ringbuf_bench.bpf.c" -nt "$OBJ" ]; then
	"$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$BENCH_SRC_DIR/src/ringbuf_bench.bpf.c" \
		-o "$OBJ" >&2 || fail_all "could not compile src/ringbuf_bench.bpf.c"
fi
PROG=$(bench_cc ringbuf_bench ringbuf_bench.c -lbpf 2>/dev/null ||
	bench_cc ringbuf_bench ringbuf_bench.c -l:libbpf.so.1) || PROG=
[ -n "$PROG" ] || fail_all "could not build src/ringbuf_bench.c against -lbpf"
bench_check_libs ringbuf_consume "$T" || fail_all "library missing"

OURS_REAL=$(bench_realpath "$OURS_LIB") REF_REAL=$(bench_realpath "$REF_LIB")
OURS_DIR=$BENCH_DIR/libdir.our REF_DIR=$BENCH_DIR/libdir.ref
mkdir -p "$OURS_DIR" "$REF_DIR"
ln -sfn "$OURS_REAL" "$OURS_DIR/libbpf.so.1"
ln -sfn "$REF_REAL" "$REF_DIR/libbpf.so.1"

field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

RAW_REF=$BENCH_DIR/ringbuf.ref.raw RAW_OURS=$BENCH_DIR/ringbuf.ours.raw
: >"$RAW_REF"; : >"$RAW_OURS"
measure() {
	local side=$1 dir real out
	if [ "$side" = ours ]; then dir=$OURS_DIR real=$OURS_REAL; else dir=$REF_DIR real=$REF_REAL; fi
	out=$(env LD_LIBRARY_PATH="$dir" "$PROG" "$OBJ" "$ROUNDS" "$CPU") || return 1
	if [ "$(field mapped "$out")" != "$real" ] || [ "$(field nlibbpf "$out")" != 1 ]; then
		bench_log "ringbuf $side: mapped '$(field mapped "$out")', expected only '$real'"
		return 1
	fi
	if [ "$side" = ours ]; then echo "$out" >>"$RAW_OURS"; else echo "$out" >>"$RAW_REF"; fi
	field rb_ns "$out"
}

bench_log "ringbuf: $N interleaved processes per side, $ROUNDS fills each, pinned to CPU $CPU"
BENCH_WARMUP=$WARM_PROCS bench_interleave "$N" measure "$BENCH_DIR/ringbuf.rb.ref" "$BENCH_DIR/ringbuf.rb.ours" ||
	fail_all "ringbuf_bench run failed (see log above)"

tail -n "$N" "$RAW_REF" >"$RAW_REF.n"; tail -n "$N" "$RAW_OURS" >"$RAW_OURS.n"
for fig in $FIGS; do
	case $fig in ringbuf_consume) k=rb_ns ;; perfbuf_consume) k=pb_ns ;; esac
	sed -n "s/.*\<$k=\([0-9.]*\).*/\1/p" "$RAW_REF.n" >"$BENCH_DIR/ringbuf.$k.ref"
	sed -n "s/.*\<$k=\([0-9.]*\).*/\1/p" "$RAW_OURS.n" >"$BENCH_DIR/ringbuf.$k.ours"
	ref=$(bench_median <"$BENCH_DIR/ringbuf.$k.ref") ours=$(bench_median <"$BENCH_DIR/ringbuf.$k.ours")
	if [ -z "$ref" ] || [ -z "$ours" ] || [ "$(wc -l <"$BENCH_DIR/ringbuf.$k.ref")" != "$N" ]; then
		bench_fail "$fig" "$T" "could not parse $k from ringbuf_bench output"
		continue
	fi
	pair=$(paste "$BENCH_DIR/ringbuf.$k.ref" "$BENCH_DIR/ringbuf.$k.ours" | awk '$1 > 0 { print $2 / $1 }' | bench_median)
	eps_ref=$(awk -v v="$ref" 'BEGIN { printf "%.0f\n", 1e9 / v }')
	eps_ours=$(awk -v v="$ours" 'BEGIN { printf "%.0f\n", 1e9 / v }')
	bench_report "$fig" "$ref" "$ours" ns "$T" "$N" 3 \
		"ref_eps=$eps_ref ours_eps=$eps_ours throughput_ratio=$(bench_ratio "$eps_ours" "$eps_ref") pair_ratio=$(bench_fmt "$pair" 3) rounds=$ROUNDS cpu=$CPU"
	printf '  %-14s events/s ref=%s ours=%s (throughput ours/ref %s)\n' "" "$eps_ref" "$eps_ours" "$(bench_ratio "$eps_ours" "$eps_ref")"
done

bench_finish
