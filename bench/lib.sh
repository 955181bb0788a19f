# bench/lib.sh -- shared helpers for SwiftBPF benchmarks. Source it, don't run it.
#
# Every figure is a ratio ours/reference measured in the same run, with the
# two sides interleaved (ref, ours, ref, ours, ...) so that noise on the
# (2-core, shared) machine hits both sides alike.
#
# Environment (all optional):
#   SWIFTBPF_BUILD    build dir holding ours           (default: <repo>/build)
#   SWIFTBPF_OURS_LIB our libbpf.so.1                  (default: $SWIFTBPF_BUILD/libbpf.so.1)
#   SWIFTBPF_REF_LIB  reference libbpf.so.1            (default: /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#   BENCH_DIR         scratch dir                      (default: $SWIFTBPF_BUILD/bench)
#   BENCH_RESULTS     machine-readable results file    (default: $BENCH_DIR/results.txt)
#   BENCH_WARMUP      untimed runs per side before measuring (default: 5)
#   BENCH_QUICK=1     divide run counts by 4 (smoke test)
#
# A benchmark script (bench/<name>.sh) does:
#   . "$(dirname "$0")/lib.sh"; bench_init
#   ... measure, then bench_report / bench_fail / bench_skip per figure ...
#   bench_finish            # exit status: 0 unless something could not be measured
#
# Result line (stdout, human):
#   <name>  ref=<v><unit>  ours=<v><unit>  ratio=<x.xx>  target<=<t>  [MISSED]
# Result line ($BENCH_RESULTS, one per benchmark, replaced on re-run):
#   name=<name> ref=<v> ours=<v> unit=<unit> ratio=<x.xx> target=<t> status=ok|missed|error|skipped n=<runs> [key=value...]
#   (error/skipped lines end with reason=<free text to end of line>)

BENCH_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_REPO_DIR=$(cd "$BENCH_SRC_DIR/.." && pwd)
BENCH_ERRORS=${BENCH_ERRORS:-0}

bench_log() { printf '# %s\n' "$*" >&2; }

bench_init() {
	SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$BENCH_REPO_DIR/build}
	case $SWIFTBPF_BUILD in /*) ;; *) SWIFTBPF_BUILD=$(pwd)/$SWIFTBPF_BUILD ;; esac
	OURS_LIB=${SWIFTBPF_OURS_LIB:-$SWIFTBPF_BUILD/libbpf.so.1}
	REF_LIB=${SWIFTBPF_REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
	BENCH_DIR=${BENCH_DIR:-$SWIFTBPF_BUILD/bench}
	BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results.txt}
	BENCH_WARMUP=${BENCH_WARMUP:-5}
	mkdir -p "$BENCH_DIR" || { echo "bench: cannot create $BENCH_DIR" >&2; exit 2; }
	touch "$BENCH_RESULTS"
	BENCH_FINGERPRINT=$(bench_fingerprint)
	export SWIFTBPF_BUILD BENCH_DIR BENCH_RESULTS
	LC_ALL=C; export LC_ALL
}

# bench_runs N -> N, or N/4 (at least 3) under BENCH_QUICK=1
bench_runs() {
	if [ "${BENCH_QUICK:-0}" = 1 ]; then
		local n=$(($1 / 4)); [ "$n" -lt 3 ] && n=3; echo "$n"
	else
		echo "$1"
	fi
}

# bench_realpath PATH -> absolute path with symlinks resolved ("" if missing)
bench_realpath() { readlink -e -- "$1" 2>/dev/null || true; }

# bench_have_lib SIDE: is the library for "ref"/"ours" present?
bench_lib() { if [ "$1" = ours ]; then echo "$OURS_LIB"; else echo "$REF_LIB"; fi; }
bench_have_lib() { [ -f "$(bench_lib "$1")" ]; }

# bench_is_elf PATH: non-empty file starting with the ELF magic
bench_is_elf() { [ -s "$1" ] && [ "$(head -c 4 -- "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

# bench_fingerprint: size+mtime of both real files (to notice a rebuild mid-run)
bench_fingerprint() { stat -L -c '%s %Y' -- "$OURS_LIB" "$REF_LIB" 2>/dev/null | tr '\n' ' '; }

# bench_drop_cache FILE...: evict FILEs' pages from the page cache
# (posix_fadvise DONTNEED via GNU dd). Page-cache state decides how many pages
# a fault maps at once (fault-around, large folios on ext4), so it must be the
# same for both sides: a library that was just rebuilt (written) is fully
# cached in big folios and shows a different RSS from one read page by page.
# After the drop, the warm-up runs of bench_interleave fault both files back
# in the way the loader reads them.
bench_drop_cache() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		dd if="$f" iflag=nocache count=0 status=none 2>/dev/null ||
			bench_log "could not drop page cache of $f (figures may be noisier)"
	done
}

# bench_cc OUT SRC [extra cc args...]: compile a C helper into $BENCH_DIR
# (rebuilt when the source is newer). Echoes the binary path.
bench_cc() {
	local out=$BENCH_DIR/$1 src=$BENCH_SRC_DIR/src/$2; shift 2
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		${CC:-cc} -O2 -Wall -o "$out.tmp" "$src" "$@" >&2 || return 1
		mv -f "$out.tmp" "$out"
	fi
	echo "$out"
}

# bench_median < numbers (one per line) -> median (mean of the middle two if even)
bench_median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.17g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_mean < numbers -> arithmetic mean, 1 decimal
bench_mean() { awk '{ s += $1 } END { if (NR == 0) exit 1; printf "%.1f\n", s / NR }'; }

# bench_ratio OURS REF -> ours/ref formatted x.xx
bench_ratio() { awk -v o="$1" -v r="$2" 'BEGIN { if (r == 0) print "inf"; else printf "%.2f\n", o / r }'; }

# bench_fmt VALUE DECIMALS -> printf-formatted number
bench_fmt() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f\n", d, v }'; }

# bench_interleave N FUNC OUT_REF OUT_OURS
#   Calls "FUNC ref" and "FUNC ours" alternately N times each (ref first),
#   after BENCH_WARMUP untimed calls per side. FUNC prints one number on
#   stdout per call and returns non-zero on failure (its stderr is shown).
#   Numbers are appended to OUT_REF / OUT_OURS (truncated first).
#   Returns non-zero (after the first failing call) on failure.
bench_interleave() {
	local n=$1 fn=$2 out_ref=$3 out_ours=$4 i side v
	: >"$out_ref"; : >"$out_ours"
	for ((i = 0; i < BENCH_WARMUP; i++)); do
		for side in ref ours; do
			"$fn" "$side" >/dev/null || { bench_log "$fn $side failed (warm-up)"; return 1; }
		done
	done
	for ((i = 0; i < n; i++)); do
		for side in ref ours; do
			v=$("$fn" "$side") || { bench_log "$fn $side failed (run $i)"; return 1; }
			case $v in
			'' | *[!0-9.eE+-]*) bench_log "$fn $side: not a number: '$v'"; return 1 ;;
			esac
			if [ "$side" = ref ]; then echo "$v" >>"$out_ref"; else echo "$v" >>"$out_ours"; fi
		done
	done
}

# _bench_record NAME LINE: replace NAME's line in $BENCH_RESULTS
_bench_record() {
	local tmp=$BENCH_RESULTS.tmp.$$
	grep -v -e "^name=$1 " "$BENCH_RESULTS" >"$tmp" 2>/dev/null || true
	echo "$2" >>"$tmp"
	mv -f "$tmp" "$BENCH_RESULTS"
}

# bench_report NAME REF OURS UNIT TARGET N DECIMALS [EXTRA]
#   REF/OURS are raw numbers in UNIT; they are shown with DECIMALS decimals,
#   the ratio is computed from the raw values and compared (as shown, 2
#   decimals) against TARGET. A missed target is reported, not fatal.
#   EXTRA: "key=value ..." appended to the results line.
bench_report() {
	local name=$1 ref ours unit=$4 target=$5 n=$6 extra=${8:-} ratio status flag=""
	ratio=$(bench_ratio "$3" "$2")
	ref=$(bench_fmt "$2" "$7") ours=$(bench_fmt "$3" "$7")
	if awk -v r="$ratio" -v t="$target" 'BEGIN { exit !(r != "inf" && r + 0 <= t + 0) }'; then
		status=ok
	else
		status=missed; flag="  MISSED"
	fi
	printf '%-16s ref=%-14s ours=%-14s ratio=%-6s target<=%s%s\n' \
		"$name" "$ref$unit" "$ours$unit" "$ratio" "$target" "$flag"
	_bench_record "$name" "name=$name ref=$ref ours=$ours unit=$unit ratio=$ratio target=$target status=$status n=$n${extra:+ $extra}"
}

# bench_fail NAME TARGET REASON: the figure could not be measured (=> non-zero exit)
bench_fail() {
	printf '%-16s ref=%-14s ours=%-14s ratio=%-6s target<=%s  ERROR: %s\n' "$1" "?" "?" "n/a" "$2" "$3"
	_bench_record "$1" "name=$1 ref=? ours=? unit=? ratio=n/a target=$2 status=error n=0 reason=$3"
	BENCH_ERRORS=$((BENCH_ERRORS + 1))
}

# bench_skip NAME TARGET REASON: optional figure not measurable here (not an error)
bench_skip() {
	printf '%-16s skipped (%s)\n' "$1" "$3"
	_bench_record "$1" "name=$1 ref=- ours=- unit=- ratio=n/a target=$2 status=skipped n=0 reason=$3"
}

# bench_check_libs NAME TARGET: bench_fail and return 1 unless both libs exist
bench_check_libs() {
	local side
	for side in ref ours; do
		if ! bench_have_lib "$side"; then
			bench_fail "$1" "$2" "$side library missing: $(bench_lib "$side")"
			return 1
		fi
		if ! bench_is_elf "$(bench_lib "$side")"; then
			bench_fail "$1" "$2" "$side library is empty or not ELF: $(bench_lib "$side")"
			return 1
		fi
	done
}

bench_finish() {
	if [ "$(bench_fingerprint)" != "$BENCH_FINGERPRINT" ]; then
		bench_log "$(basename "$0"): a library changed during the run (rebuilt?); figures are not trustworthy"
		BENCH_ERRORS=$((BENCH_ERRORS + 1))
	fi
	if [ "$BENCH_ERRORS" -gt 0 ]; then
		bench_log "$(basename "$0"): $BENCH_ERRORS figure(s) could not be measured"
		exit 1
	fi
	exit 0
}
