#!/usr/bin/env bash
# SwiftBPF btf_malformed: differential test of BTF and .BTF.ext parsing on
# malformed and accepted-but-odd input (btf__new, btf__parse_raw(_split),
# btf__parse, btf__parse_elf, btf_ext__new) and of the queries on what was
# accepted (type_by_id, name_by_offset, find_by_name(_kind), raw_data,
# resolve_size, resolve_type, align_of, pointer_size, btf_ext raw data).
#
# gen.py writes the blobs (~220 cases: bad magic, versions, truncated and lying
# headers, overlapping / out-of-range / unaligned sections, string-section
# faults, unknown kinds, truncated records, big-endian input, type-id and
# name-offset faults, reference loops, split BTF, and the .BTF.ext
# counterparts: header, alignment, bounds, record sizes, section headers,
# record counts, in each of func_info / line_info / core_relo; plus ELF files
# carrying them). ONE program (malformed.c) is compiled once against the
# reference headers and run twice: LD_LIBRARY_PATH unset (reference) and
# LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours); each run first prints the realpath
# of the libbpf.so it mapped, and both are verified. Every case's lines
# (result, errno, every log message with its level, every query answer) must
# be identical, except where the reference crashes or hangs on a query
# (align_of on a reference loop or past the last id): there ours must answer
# without crashing (compare.py).
#
# Env: SWIFTBPF_BUILD (default: the repo's build dir)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/btf_malformed/ only.
# Usage: run.sh             run the test
#        run.sh --selftest  prove that the comparison and the maps check can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed".
# Needs: a C compiler, python3, libbpf-dev, libbpf1.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup btf_malformed 300
PROBE=$SCRATCH/malformed
BLOBS=$SCRATCH/blobs
MIN_CASES=200

# compare REF_OUT OURS_OUT: per-case PASS/FAIL lines from compare.py
compare() {
	local line name
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) pass "case/${line#PASS }" ;;
		"FAIL "*) name=${line#FAIL }; fail "case/${name%%: *}" "${name#*: }" ;;
		*) fail "compare" "unexpected compare.py output: $line" ;;
		esac
	done < <(python3 "$HERE/compare.py" "$1" "$2" "$BLOBS/manifest" 2>&1)
}

# ------------------------------------------------------------------ build
rm -rf "$BLOBS"
if ! python3 "$HERE/gen.py" "$BLOBS" >"$SCRATCH/gen.log" 2>&1; then
	fail "generate" "$(head -c 600 "$SCRATCH/gen.log" | tr '\n' ' ')"
	finish
fi
ncases=$(grep -c . "$BLOBS/manifest")
if [ "$ncases" -ge "$MIN_CASES" ]; then
	pass "generate ($ncases cases)"
else
	fail "generate" "only $ncases cases (expected at least $MIN_CASES)"
fi
compile_probe "compile" "$HERE/malformed.c"

run_ref "$SCRATCH/ref" "$BLOBS/manifest"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	alt=$SCRATCH/st_altered.out clean=$SCRATCH/st_clean.out
	# "ours" = the reference output with an answer where the reference crashed
	sed 's/ CRASH sig=[0-9]*$/ ret=0 errno=22/' "$SCRATCH/ref.out" >"$clean"
	# an altered errno, a dropped log line, a crash of ours, and an extra case
	awk '!d && / call new ret=NULL errno=22$/ { sub(/errno=22$/, "errno=95"); d = 1 } { print }' "$clean" >"$alt"
	st_expect_fail "selftest/catches-altered-errno" \
		"$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")" "" 1
	awk '!d && / log 2 / { d = 1; next } { print }' "$clean" >"$alt"
	st_expect_fail "selftest/catches-dropped-log" \
		"$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")" "" 1
	awk '!d && / q resolve_size\(1\) ret=/ { sub(/ ret=.*/, " CRASH sig=11"); d = 1 } { print }' "$clean" >"$alt"
	st_expect_fail "selftest/catches-our-crash" \
		"$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")" ".*ours crashed"
	{ cat "$clean"; echo "bogus call new ret=obj"; } >"$alt"
	st_expect_fail "selftest/catches-extra-case" \
		"$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")" "bogus"
	st_expect_clean "selftest/identical-passes" \
		"$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$clean" "$BLOBS/manifest")"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" "$BLOBS/manifest"
	finish
fi

# ------------------------------------------------------------ differential
ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" "$BLOBS/manifest"
if ! check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	fail "compare" "not run: our library was not the one mapped"
	finish
fi
check_run "run/ours" "$SCRATCH/ours"
compare "$SCRATCH/ref.out" "$SCRATCH/ours.out"
finish
