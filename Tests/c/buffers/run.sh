#!/usr/bin/env bash
# SwiftBPF buffers: differential test of ring_buffer__*, user_ring_buffer__* and
# perf_buffer__* (22 functions).
#
# src/buffers.bpf.c is compiled with $BPF_CC -target bpf -O2 -g. Its XDP programs
# write records into two BPF_MAP_TYPE_RINGBUFs (bpf_ringbuf_output, reserve/submit,
# reserve/discard) and a PERF_EVENT_ARRAY (bpf_perf_event_output, BPF_F_CURRENT_CPU),
# and a SEC("syscall") program drains a USER_RINGBUF (bpf_user_ringbuf_drain); the
# probe runs them with bpf_prog_test_run_opts (no attach), pinned to CPU 0.
# ONE probe (probe.c) is compiled against the reference headers and run twice:
# LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours).
# Each run prints the realpath of the libbpf.so it mapped (verified), then every
# section of the two outputs (including the library's whole log) is diffed line
# by line, and reference-independent expected values (record counts and payloads
# that the BPF program wrote, fd/mapping balance, the kernel's perf header sizes)
# are checked in both.
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the probe
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang) for src/
# Scratch: $SWIFTBPF_BUILD/tests/buffers/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff, maps and expected checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
SCRATCH=$SWIFTBPF_BUILD/tests/buffers
GEN=$SCRATCH/gen
PROBE=$SCRATCH/probe
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 60)

SECTIONS="rb-basic rb-reserve rb-discard rb-wrap rb-multi rb-stop rb-epoll rb-errors
urb-basic urb-order urb-full urb-sizes urb-errors
pb-basic pb-wrap pb-lost pb-nocb pb-raw pb-errors free-errptr END"

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

rm -rf "$GEN"
mkdir -p "$SCRATCH" "$GEN" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# ------------------------------------------------------------------ build
if ! "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$HERE/src/buffers.bpf.c" \
	-o "$GEN/buffers.bpf.o" >"$SCRATCH/step.log" 2>&1; then
	fail "compile/buffers.bpf.c" "$(head -c 600 "$SCRATCH/step.log" | tr '\n' ' ')"
	finish
fi
pass "compile/buffers.bpf.c"
rm -f "$PROBE"
if ! "$CC" -std=gnu11 -O1 -Wall -Wno-unused-function -I/usr/include "$HERE/probe.c" -lbpf -o "$PROBE" \
	>"$SCRATCH/compile.log" 2>&1; then
	fail "compile/probe" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/probe"

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_DIR=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")
OURS_REAL=$OURS_DIR/libbpf.so.1.1.2

run_ref() {
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$PROBE" "$GEN/buffers.bpf.o" >"$1.out" 2>"$1.err" ;;
	*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$PROBE" "$GEN/buffers.bpf.o" >"$1.out" 2>"$1.err" ;;
	esac
	echo $? >"$1.rc"
}

run_ours() {
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$2" "$PROBE" "$GEN/buffers.bpf.o" >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
}

# check_maps NAME OUTFILE EXPECTED_REALPATH
check_maps() {
	local got
	got=$(head -n1 "$2" 2>/dev/null)
	if [ "$got" = "MAPPED $3" ]; then
		pass "$1"
	elif [ -z "$got" ]; then
		fail "$1" "the probe printed nothing (rc=$(cat "${2%.out}.rc" 2>/dev/null); stderr: $(head -c 300 "${2%.out}.err" 2>/dev/null | tr '\n' ' '))"
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

# diff_sections REF_OUT OURS_OUT WORKDIR: per-section line-by-line comparison
# of everything after the MAPPED line.
diff_sections() {
	local ref=$1 ours=$2 work=$3 s n nr no first
	rm -rf "$work"
	mkdir -p "$work/ref" "$work/ours"
	tail -n +2 "$ref" | awk -v d="$work/ref" '{ f = d "/" $1; print > f }'
	tail -n +2 "$ours" | awk -v d="$work/ours" '{ f = d "/" $1; print > f }'
	for s in $SECTIONS; do
		if [ ! -s "$work/ref/$s" ]; then
			fail "diff/$s" "section missing from the reference output (probe bug?)"
			continue
		fi
		if [ ! -e "$work/ours/$s" ]; then
			fail "diff/$s" "section missing from our output ($(wc -l <"$work/ref/$s") reference lines)"
			continue
		fi
		if cmp -s "$work/ref/$s" "$work/ours/$s"; then
			pass "diff/$s ($(wc -l <"$work/ref/$s") lines)"
		else
			nr=$(wc -l <"$work/ref/$s")
			no=$(wc -l <"$work/ours/$s")
			n="$(diff "$work/ref/$s" "$work/ours/$s" | grep -c '^<') ref/$(diff "$work/ref/$s" "$work/ours/$s" | grep -c '^>') ours"
			first=$({ diff "$work/ref/$s" "$work/ours/$s" | grep -m1 '^<'
				diff "$work/ref/$s" "$work/ours/$s" | grep -m1 '^>'; } | cut -c1-220 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "diff/$s" "$n lines differ (of $nr ref, $no ours lines); first: $first"
		fi
	done
	for s in $(ls "$work/ours"); do
		case " $(echo $SECTIONS) " in
		*" $s "*) ;;
		*) fail "diff/$s" "unexpected section in our output: $(head -n1 "$work/ours/$s" | cut -c1-200)" ;;
		esac
	done
}

# Reference-independent facts that must hold in an output: what the BPF program
# wrote (counts, sequence numbers; each record's bytes are checked by the probe
# against the payload formula), mapping sizes from the map definitions, the
# perf mmap header the kernel fills, fd/mapping balance after free.
EXPECTED=(
	"rb-basic fds +1 pages +4"
	"rb-basic rb1 records 10 bad 0 next_seq 10"
	"rb-reserve rb1 records 17 bad 0 next_seq 17"
	"rb-discard consume 9 written, odd discarded = 4 errno 0"
	"rb-discard rb1 records 22 bad 0 next_seq 30"
	"rb-discard consume only-discarded = 0 errno 0"
	"rb-wrap round 5 consume = 50 errno 0"
	"rb-wrap rb1 records 322 bad 0 next_seq 400"
	"rb-multi fds +1 pages +10"
	"rb-multi consume 3+4 = 7 errno 0"
	"rb-multi poll both 5+5 = 10 errno 0"
	"rb-multi rb2 records 11 bad 0 next_seq 11"
	"rb-stop consume stops at 3rd with -7 = -7 errno 7"
	"rb-stop rb1 records 408 bad 0 next_seq 513"
	"rb-stop rb1 records 411 bad 0 next_seq 516"
	"rb-stop poll stops with INT_MIN = -2147483648 errno -2147483648"
	"rb-epoll epoll_fd valid 1 cloexec 1"
	"rb-epoll poll 60ms empty = 0 waited>=50ms 1 waited<1000ms 1"
	"rb-epoll poll with closed epoll fd = -9 errno 9"
	"rb-errors add array map = -22 errno 22"
	"rb-errors after free fds +0 pages +0"
	"rb-errors end fds +0 pages +0"
	"urb-basic fds +1 pages +4"
	"urb-basic expect drained 4 sum 6005"
	"urb-basic drain run 0 retval 0 drained 4 sum 6005 read-failures 0"
	"urb-order drain run 0 retval 0 drained 2 sum 3 read-failures 0"
	"urb-full reserved 256 x 8 bytes until NULL errno 28"
	"urb-full reserve_blocking -2 = NULL errno 22"
	"urb-full drain run 0 retval 0 drained 256 sum 256 read-failures 0"
	"urb-full waited>=45ms 1 <1000ms 1"
	"urb-sizes reserve 4088 = ptr errno 0"
	"urb-sizes reserve 4089 = NULL errno 7"
	"urb-sizes reserve 2147483648 = NULL errno 7"
	"urb-sizes after free fds +0 pages +0"
	"urb-errors end fds +0 pages +0"
	"pb-basic buffer_cnt 2"
	"pb-basic buffer(0) = 0 size 32768 data_offset 4096 data_size 32768"
	"pb-basic buffer(2) = -22 errno 22 base-untouched 1 size 77"
	"pb-basic pb samples 10 bad 0 other-cpu 0 next_seq 10 lost 0 in 0 calls"
	"pb-basic pb samples 17 bad 0 other-cpu 0 next_seq 17 lost 0 in 0 calls"
	"pb-basic after free fds +0 pages +0"
	"pb-basic after free: delete map slot 0 = -2 errno 2"
	"pb-wrap wrap samples 240 bad 0 other-cpu 0 next_seq 1240 lost 0 in 0 calls"
	"pb-lost delivered+lost of 101 = 101"
	"pb-raw new_raw NULL attr = NULL errno 22"
	"pb-errors log 0 libbpf: page count should be power of two, but is 3"
	"pb-errors log 0 libbpf: map 'rb1' should be BPF_MAP_TYPE_PERF_EVENT_ARRAY"
	"pb-errors buffer_cnt 1"
	"pb-errors end fds +0 pages +0"
	"free-errptr perf_buffer__free((void *)-22) child exit 0"
)
check_expected() {
	local line
	for line in "${EXPECTED[@]}"; do
		if grep -qxF "$line" "$2"; then
			pass "$1: $line"
		else
			fail "$1" "missing line: $line"
		fi
	done
}

# Every record callback line must say ok 1 (payload = formula), in both runs.
check_records() {
	local bad n
	n=$(grep -c -E ' (cb|sample|event) .* ok [01]$' "$2")
	bad=$(grep -E ' (cb|sample|event) .* ok 0$' "$2" | head -n3 | tr '\n' '|')
	if [ -n "$bad" ]; then
		fail "$1" "records with wrong bytes: $bad"
	elif [ "$n" -lt 50 ]; then
		fail "$1" "only $n record lines"
	else
		pass "$1 ($n records)"
	fi
}

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	awk '!done && /^pb-raw event / { sub(/ok 1/, "ok 2"); done = 1 } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	if echo "$out" | grep -q '^FAIL diff/pb-raw: 1 ref/1 ours lines differ' && [ "$(echo "$out" | grep -c '^FAIL')" = 1 ]; then
		pass "selftest/diff-catches-altered-line"
	else
		fail "selftest/diff-catches-altered-line" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	fi
	grep -v '^urb-order ' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/urb-order: section missing from our output' &&
		pass "selftest/diff-catches-missing-section" || fail "selftest/diff-catches-missing-section" "no FAIL for urb-order"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")
	! echo "$out" | grep -q '^FAIL' && pass "selftest/diff-identical-passes" ||
		fail "selftest/diff-identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	mkdir -p "$SCRATCH/st_empty"
	run_ours "$SCRATCH/st_fallback" "$SCRATCH/st_empty"
	out=$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")
	echo "$out" | grep -q "^FAIL maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'" &&
		pass "selftest/maps-catches-fallback-to-reference" || fail "selftest/maps-catches-fallback-to-reference" "$out"
	sed 's/^pb-lost delivered+lost of 101 = 101$/pb-lost delivered+lost of 101 = 100/' "$SCRATCH/st_ref.out" >"$alt"
	out=$(check_expected "expected" "$alt")
	echo "$out" | grep -q '^FAIL expected: missing line: pb-lost delivered+lost' &&
		pass "selftest/expected-catches-changed-line" || fail "selftest/expected-catches-changed-line" "$out"
	awk '!done && /^rb-basic cb rb1 / { sub(/ok 1$/, "ok 0"); done = 1 } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(check_records "records" "$alt")
	echo "$out" | grep -q '^FAIL records: records with wrong bytes' &&
		pass "selftest/records-catches-bad-payload" || fail "selftest/records-catches-bad-payload" "$out"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"
check_records "records/ref" "$SCRATCH/ref.out"

if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "maps/ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
before=$nfail
check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
if [ "$nfail" -eq "$before" ]; then
	check_run "run/ours" "$SCRATCH/ours"
	check_expected "expected/ours" "$SCRATCH/ours.out"
	check_records "records/ours" "$SCRATCH/ours.out"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
else
	fail "diff" "not run: our library was not the one mapped"
fi

finish
