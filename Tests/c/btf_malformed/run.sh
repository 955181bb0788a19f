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
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$(cd "$HERE/../../.." && pwd)/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
SCRATCH=$SWIFTBPF_BUILD/tests/btf_malformed
PROBE=$SCRATCH/malformed
BLOBS=$SCRATCH/blobs
MIN_CASES=200
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 300)

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

mkdir -p "$SCRATCH" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

run_ref() {
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$PROBE" "$BLOBS/manifest" >"$1.out" 2>"$1.err" ;;
	*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$PROBE" "$BLOBS/manifest" >"$1.out" 2>"$1.err" ;;
	esac
	echo $? >"$1.rc"
}

run_ours() {
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$2" "$PROBE" "$BLOBS/manifest" >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
}

# check_maps NAME OUTFILE EXPECTED_REALPATH
check_maps() {
	local got
	got=$(head -n1 "$2" 2>/dev/null)
	if [ "$got" = "MAPPED $3" ]; then
		pass "$1"
	elif [ -z "$got" ]; then
		fail "$1" "the program printed nothing (rc=$(cat "${2%.out}.rc" 2>/dev/null); stderr: $(head -c 300 "${2%.out}.err" 2>/dev/null | tr '\n' ' '))"
	else
		fail "$1" "expected 'MAPPED $3', got '$got'"
	fi
}

# check_run NAME PREFIX: exit status 0 and a final END line
check_run() {
	local rc
	rc=$(cat "$2.rc")
	if [ "$rc" = 0 ] && [ "$(tail -n1 "$2.out")" = "END" ]; then
		pass "$1"
	else
		fail "$1" "rc=$rc, last line '$(tail -n1 "$2.out" | head -c 200)', stderr: $(head -c 300 "$2.err" | tr '\n' ' ')"
	fi
}

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
rm -f "$PROBE"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/malformed.c" -lbpf -o "$PROBE" \
	>"$SCRATCH/compile.log" 2>&1; then
	fail "compile" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile"

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_DIR=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")
OURS_REAL=$OURS_DIR/libbpf.so.1.1.2

run_ref "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	alt=$SCRATCH/st_altered.out clean=$SCRATCH/st_clean.out
	# "ours" = the reference output with an answer where the reference crashed
	sed 's/ CRASH sig=[0-9]*$/ ret=0 errno=22/' "$SCRATCH/ref.out" >"$clean"
	# an altered errno, a dropped log line, a crash of ours, and an extra case
	awk '!d && / call new ret=NULL errno=22$/ { sub(/errno=22$/, "errno=95"); d = 1 } { print }' "$clean" >"$alt"
	out=$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")
	[ "$(echo "$out" | grep -c '^FAIL')" = 1 ] && pass "selftest/catches-altered-errno" ||
		fail "selftest/catches-altered-errno" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	awk '!d && / log 2 / { d = 1; next } { print }' "$clean" >"$alt"
	out=$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")
	[ "$(echo "$out" | grep -c '^FAIL')" = 1 ] && pass "selftest/catches-dropped-log" ||
		fail "selftest/catches-dropped-log" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	awk '!d && / q resolve_size\(1\) ret=/ { sub(/ ret=.*/, " CRASH sig=11"); d = 1 } { print }' "$clean" >"$alt"
	out=$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")
	echo "$out" | grep -q '^FAIL .*ours crashed' && pass "selftest/catches-our-crash" ||
		fail "selftest/catches-our-crash" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	{ cat "$clean"; echo "bogus call new ret=obj"; } >"$alt"
	out=$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$alt" "$BLOBS/manifest")
	echo "$out" | grep -q '^FAIL bogus' && pass "selftest/catches-extra-case" ||
		fail "selftest/catches-extra-case" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	out=$(python3 "$HERE/compare.py" "$SCRATCH/ref.out" "$clean" "$BLOBS/manifest")
	! echo "$out" | grep -q '^FAIL' && pass "selftest/identical-passes" ||
		fail "selftest/identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	mkdir -p "$SCRATCH/st_empty"
	run_ours "$SCRATCH/st_fallback" "$SCRATCH/st_empty"
	out=$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")
	echo "$out" | grep -q "^FAIL maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'" &&
		pass "selftest/maps-catches-fallback-to-reference" ||
		fail "selftest/maps-catches-fallback-to-reference" "$out"
	finish
fi

# ------------------------------------------------------------ differential
if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "maps/ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
before=$nfail
check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
if [ "$nfail" -ne "$before" ]; then
	fail "compare" "not run: our library was not the one mapped"
	finish
fi
check_run "run/ours" "$SCRATCH/ours"
compare "$SCRATCH/ref.out" "$SCRATCH/ours.out"
finish
