#!/usr/bin/env bash
# bench/run.sh -- run every SwiftBPF benchmark (bench/*.sh except lib.sh/run.sh).
#
# usage: bash bench/run.sh [--sanity] [--quick] [NAME...]
#   NAME...    only these benchmark scripts (e.g. load_cost)
#   --sanity   use the reference library as "ours" too (via a symlink under
#              $BENCH_DIR/sanity/): every ratio should come out ~1.00. Results go
#              to $BENCH_DIR/results-sanity.txt instead of results.txt.
#   --quick    fewer runs (BENCH_QUICK=1), for a smoke test
#
# Each figure is ours/reference measured interleaved in the same run; see lib.sh
# for the environment knobs (SWIFTBPF_BUILD, SWIFTBPF_OURS_LIB, SWIFTBPF_REF_LIB).
# Output: one line per benchmark on stdout; machine-readable lines in
# $SWIFTBPF_BUILD/bench/results.txt. Exit status: 0 if every figure was
# measured (missed targets are reported, not fatal), 1 otherwise.
set -u
BENCH_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_SRC_DIR/lib.sh"

sanity=0 only=()
for arg in "$@"; do
	case $arg in
	--sanity) sanity=1 ;;
	--quick) export BENCH_QUICK=1 ;;
	-h | --help) sed -n '2,16p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $arg" >&2; exit 2 ;;
	*) only+=("${arg%.sh}") ;;
	esac
done

bench_init
if [ "$sanity" = 1 ]; then
	mkdir -p "$BENCH_DIR/sanity"
	ln -sfn "$(bench_realpath "$REF_LIB")" "$BENCH_DIR/sanity/libbpf.so.1"
	export SWIFTBPF_OURS_LIB=$BENCH_DIR/sanity/libbpf.so.1
	export BENCH_RESULTS=$BENCH_DIR/results-sanity.txt
	bench_log "sanity mode: ours = $SWIFTBPF_OURS_LIB -> reference; expect ratios ~1.00"
fi
# fresh results file for a full run (a single script run on its own only
# replaces its own lines)
: >"$BENCH_RESULTS"

rc=0 ran=0 start=$SECONDS
for script in "$BENCH_SRC_DIR"/*.sh; do
	name=$(basename "$script" .sh)
	case $name in lib | run) continue ;; esac
	if [ "${#only[@]}" -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then continue; fi
	echo "== $name"
	ran=$((ran + 1))
	bash "$script" || rc=1
done
if [ "$ran" = 0 ]; then
	echo "run.sh: no benchmark matched: ${only[*]}" >&2
	exit 2
fi
bench_log "done in $((SECONDS - start))s; results in $BENCH_RESULTS"
if [ "$rc" != 0 ]; then
	echo "bench: some figures could not be measured (see ERROR lines)" >&2
fi
exit "$rc"
