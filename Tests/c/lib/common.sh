# SwiftBPF C test suites: shared pieces, sourced by Tests/c/<suite>/run.sh.
# This directory is not a suite: it has no run.sh, so scripts/run-c-tests.sh
# (which runs Tests/c/*/run.sh) never runs it.
#
# A suite does:
#   HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
#   . "$HERE/../lib/common.sh"
#   sbpf_setup <suite> [timeout-seconds [kill-after-seconds]]
# and then uses the functions below. sbpf_setup sets:
#   SWIFTBPF_BUILD  (default: <repo>/build)    REF_LIB (default Debian's libbpf.so.1)
#   CC (default cc)  SCRATCH=$SWIFTBPF_BUILD/tests/<suite> (created)
#   PROBE=$SCRATCH/probe  TIMEOUT=(timeout -k K S) when timeout(1) exists
#   REF_REAL (realpath of REF_LIB)  OURS_DIR (realpath of SWIFTBPF_BUILD)
#   OURS_REAL=$OURS_DIR/libbpf.so.1.1.2
#
# Running the probe (run_ref / run_ours / run_both) honours:
#   PROBE_ENV=(VAR=value ...)  extra environment for the probe
#   PROBE_WRAP=(cmd args ...)  a command the probe runs under (e.g. setpriv)
#   RUN_STDOUT                 where stdout goes (default PREFIX.out; "-": not
#                              redirected, for probes that write their own files)
# Every run writes PREFIX.out (stdout), PREFIX.err (stderr) and PREFIX.rc.
#
# Output conventions: PASS <name> / FAIL <name>: <why> / SKIP <name>: <why>,
# then "N passed, N failed" (finish); exit status non-zero on any FAIL.

SBPF_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SBPF_REPO=$(cd "$SBPF_LIB_DIR/../../.." && pwd)

# ----------------------------------------------------------------- counters
npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
skip() { echo "SKIP $1: $2"; }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

# tally [PREFIX]: "PASS x" / "FAIL x: why" lines on stdin become pass/fail
# (named PREFIX x); other lines are ignored.
tally() {
	local line name prefix=${1-}
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) pass "$prefix${line#PASS }" ;;
		"FAIL "*) name=${line#FAIL }; fail "$prefix${name%%: *}" "${name#*: }" ;;
		esac
	done
}

# ------------------------------------------------------------------- setup
# sbpf_setup SUITE [TIMEOUT_SECONDS [KILL_AFTER]]
sbpf_setup() {
	SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$SBPF_REPO/build}
	REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
	CC=${CC:-cc}
	SCRATCH=$SWIFTBPF_BUILD/tests/$1
	PROBE=$SCRATCH/probe
	TIMEOUT=()
	command -v timeout >/dev/null && TIMEOUT=(timeout -k "${3:-5}" "${2:-120}")
	PROBE_ENV=()
	PROBE_WRAP=()
	mkdir -p "$SCRATCH" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }
	REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
	OURS_DIR=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")
	OURS_REAL=$OURS_DIR/libbpf.so.1.1.2
}

# ------------------------------------------------------------------- tools
# find_bpf_cc: BPF_CC, else /opt/swift/usr/bin/clang, else clang.
find_bpf_cc() {
	if [ -z "${BPF_CC:-}" ]; then
		if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
	fi
}

# find_bpftool: BPFTOOL (default bpftool), /usr/sbin/bpftool, else installs
# Debian's bpftool package when root; returns 1 when there is none.
find_bpftool() {
	BPFTOOL=${BPFTOOL:-bpftool}
	if ! command -v "$BPFTOOL" >/dev/null && [ -x /usr/sbin/bpftool ]; then BPFTOOL=/usr/sbin/bpftool; fi
	if ! command -v "$BPFTOOL" >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null 2>&1; }
		[ -x /usr/sbin/bpftool ] && BPFTOOL=/usr/sbin/bpftool
	fi
	command -v "$BPFTOOL" >/dev/null
}

# compile_probe NAME SOURCE [FLAGS...]: builds $PROBE against the reference
# headers and libbpf (FLAGS after -lbpf: warnings, more libraries); PASS
# NAME, or FAIL NAME with the compiler's first lines
# and finish.
compile_probe() {
	local name=$1 src=$2
	shift 2
	rm -f "$PROBE"
	if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$src" -lbpf "$@" -o "$PROBE" \
		>"$SCRATCH/compile.log" 2>&1; then
		fail "$name" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
		finish
	fi
	pass "$name"
}

# ours_built NAME: FAIL NAME (and return 1) when the library is not built.
ours_built() {
	[ -e "$SWIFTBPF_BUILD/libbpf.so.1" ] && return 0
	fail "$1" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	return 1
}

# --------------------------------------------------------------- running
# ref_env: REF_ENV=(env ...) loading the reference: LD_LIBRARY_PATH unset when
# REF_LIB is in the default search path, else pointing at its directory.
ref_env() {
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu) REF_ENV=(env -u LD_LIBRARY_PATH) ;;
	*) REF_ENV=(env LD_LIBRARY_PATH="$dir") ;;
	esac
}

# sbpf_run PREFIX N ENV-COMMAND(N words) ARGS...: internal.
sbpf_run() {
	local prefix=$1 n=$2
	shift 2
	local envcmd=("${@:1:$n}")
	shift "$n"
	if [ "${RUN_STDOUT:-}" = - ]; then
		"${TIMEOUT[@]}" "${PROBE_WRAP[@]}" "${envcmd[@]}" "${PROBE_ENV[@]}" "$PROBE" "$@" 2>"$prefix.err"
	else
		"${TIMEOUT[@]}" "${PROBE_WRAP[@]}" "${envcmd[@]}" "${PROBE_ENV[@]}" "$PROBE" "$@" \
			>"${RUN_STDOUT:-$prefix.out}" 2>"$prefix.err"
	fi
	echo $? >"$prefix.rc"
}

# run_ref PREFIX ARGS...: the probe with ARGS against the reference.
run_ref() {
	local prefix=$1
	shift
	ref_env
	sbpf_run "$prefix" "${#REF_ENV[@]}" "${REF_ENV[@]}" "$@"
}

# run_ours PREFIX LIBDIR ARGS...: the probe with ARGS against the libbpf.so.1
# in LIBDIR (ours is $SWIFTBPF_BUILD; an empty directory shows the fallback).
run_ours() {
	local prefix=$1 lib=$2
	shift 2
	sbpf_run "$prefix" 2 env LD_LIBRARY_PATH="$lib" "$@"
}

# run_both REF_PREFIX OURS_PREFIX ARGS...: both libraries, same arguments.
run_both() {
	local r=$1 o=$2
	shift 2
	run_ref "$r" "$@"
	run_ours "$o" "$SWIFTBPF_BUILD" "$@"
}

# ---------------------------------------------------------------- checks
# check_maps NAME OUTFILE EXPECTED_REALPATH: the first line the probe printed
# must be "MAPPED <realpath of the one libbpf.so it mapped>". Returns 0/1.
check_maps() {
	local got
	got=$(head -n1 "$2" 2>/dev/null)
	if [ "$got" = "MAPPED $3" ]; then
		pass "$1"
		return 0
	elif [ -z "$got" ]; then
		fail "$1" "the probe printed nothing (rc=$(cat "${2%.out}.rc" 2>/dev/null); stderr: $(stderr_head "${2%.out}.err"))"
	else
		fail "$1" "expected 'MAPPED $3', got '$got'"
	fi
	return 1
}

# stderr_head FILE: the first 300 bytes on one line (a suite may redefine it,
# e.g. to drop timing lines).
stderr_head() { head -c 300 "$1" 2>/dev/null | tr '\n' ' '; }

# run_extra_ok PREFIX: hook for check_run (a suite may redefine it to reject
# outputs with setup-failure lines); prints a reason and returns 1 to fail.
run_extra_ok() { return 0; }

# check_run NAME PREFIX: exit status 0 and a final END line. Returns 0/1.
check_run() {
	local rc why
	rc=$(cat "$2.rc")
	if [ "$rc" = 0 ] && [ "$(tail -n1 "$2.out")" = "END" ] && why=$(run_extra_ok "$2"); then
		pass "$1"
		return 0
	fi
	why=$(run_extra_ok "$2")
	fail "$1" "rc=$rc, ${why:+$why }last line '$(tail -n1 "$2.out" | head -c 200)', stderr: $(stderr_head "$2.err")"
	return 1
}

# diff_detail FILE: what a passing section's name shows (hook).
diff_detail() { echo "$(wc -l <"$1") lines"; }

# diff_sections REF_OUT OURS_OUT WORKDIR: everything after the MAPPED line is
# split by its first word into sections; every section of $SECTIONS must be in
# the reference output, and be identical in ours; a section only in ours
# fails. Lines matching $DIFF_EXCLUDE (a grep -E pattern) are left out. With
# DIFF_CHILD_MAPS=1, "child-maps DIFFERENT" lines (a fork+exec'd child mapped
# another library) fail maps/children.
diff_sections() {
	local ref=$1 ours=$2 work=$3 s n nr no first
	rm -rf "$work"
	mkdir -p "$work/ref" "$work/ours"
	sbpf_sections "$ref" "$work/ref"
	sbpf_sections "$ours" "$work/ours"
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
			pass "diff/$s ($(diff_detail "$work/ref/$s"))"
		else
			nr=$(wc -l <"$work/ref/$s")
			no=$(wc -l <"$work/ours/$s")
			diff "$work/ref/$s" "$work/ours/$s" >"$work/$s.diff"
			n="$(grep -c '^<' "$work/$s.diff") ref/$(grep -c '^>' "$work/$s.diff") ours"
			first=$({ grep -m1 '^<' "$work/$s.diff"; grep -m1 '^>' "$work/$s.diff"; } | cut -c1-240 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "diff/$s" "$n lines differ (of $nr ref, $no ours lines; $work/$s.diff); first: $first"
		fi
	done
	for s in $(ls "$work/ours"); do
		case " $(echo $SECTIONS) " in
		*" $s "*) ;;
		*) fail "diff/$s" "unexpected section in our output: $(head -n1 "$work/ours/$s" | cut -c1-200)" ;;
		esac
	done
	if [ "${DIFF_CHILD_MAPS:-0}" = 1 ]; then
		if grep -q 'child-maps DIFFERENT' "$ref" "$ours"; then
			fail "maps/children" "$(grep -h -m1 'child-maps DIFFERENT' "$ref" "$ours" | head -n1 | cut -c1-200)"
		else
			pass "maps/children"
		fi
	fi
}

# sbpf_sections OUT DIR: internal; one file per section.
sbpf_sections() {
	if [ -n "${DIFF_EXCLUDE:-}" ]; then
		tail -n +2 "$1" | grep -Ev "$DIFF_EXCLUDE" | awk -v d="$2" '{ f = d "/" $1; print > f }'
	else
		tail -n +2 "$1" | awk -v d="$2" '{ f = d "/" $1; print > f }'
	fi
}

# ---------------------------------------------------------- selftest helpers
# A selftest runs a check on tampered input and asserts that it fails.

# st_expect_fail NAME OUTPUT PATTERN [COUNT]: PASS NAME when OUTPUT (a check's
# captured output) has a FAIL line matching grep pattern ^FAIL PATTERN, and,
# with COUNT, exactly COUNT FAIL lines.
st_expect_fail() {
	local name=$1 out=$2 pat=$3 count=${4-}
	if echo "$out" | grep -q "^FAIL $pat" &&
		{ [ -z "$count" ] || [ "$(echo "$out" | grep -c '^FAIL')" = "$count" ]; }; then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	fi
}

# st_expect_clean NAME OUTPUT: PASS NAME when OUTPUT has no FAIL line.
st_expect_clean() {
	if ! echo "$2" | grep -q '^FAIL'; then
		pass "$1"
	else
		fail "$1" "$(echo "$2" | grep -m1 FAIL)"
	fi
}

# st_maps_fallback NAME PREFIX ARGS...: runs the probe with LD_LIBRARY_PATH at
# an empty directory (the loader silently falls back to the system libbpf);
# check_maps for ours must fail and name the reference.
st_maps_fallback() {
	local name=$1 prefix=$2 out
	shift 2
	mkdir -p "$SCRATCH/st_empty"
	run_ours "$prefix" "$SCRATCH/st_empty" "$@"
	out=$(check_maps "maps/ours" "$prefix.out" "$OURS_REAL")
	st_expect_fail "$name" "$out" "maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'"
}

# st_maps_ignored NAME REF_OUT: a reference run presented as ours must fail.
st_maps_ignored() {
	st_expect_fail "$1" "$(check_maps "maps/ours" "$2" "$OURS_REAL")" "maps/ours"
}

# st_maps_wrong_ref NAME REF_OUT: the reference check must reject a library
# that is not the expected reference.
st_maps_wrong_ref() {
	st_expect_fail "$1" "$(check_maps "maps/ref" "$2" "/nonexistent/libbpf.so.1.1.2")" "maps/ref"
}
