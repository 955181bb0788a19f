#!/usr/bin/env bash
# SwiftBPF bad-input test: table-driven differential test of the bpf.h API
# with bad arguments (NULL pointers, bad/closed/non-BPF fds, wrong sizes,
# unknown flags, too-small / non-zero-tailed opts structs, invalid option
# combinations, ...). The table and the list of calls deliberately left out
# (those that crash the reference) are in bad_input.c.
#
# ONE program (bad_input.c) is compiled once against the reference headers
# (/usr/include, -lbpf) and run twice: LD_LIBRARY_PATH unset (reference) and
# LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours). Each run first prints the realpath
# of the libbpf.so it mapped; run 1 must be the reference, run 2 must be
# $SWIFTBPF_BUILD/libbpf.so.1.1.2. Every row prints
#   row <name>: ret=<r> errno=<e> fds=<same|+N|-N>[ out=<output params>]
# (errno is set to 12345 before each call; fds = change of the number of
# /proc/self/fd entries across the call), and the rows are compared one by
# one: return value, errno, fd-count change and output parameters.
#
# Env: SWIFTBPF_BUILD (default: the repo's build dir, ../../../build relative
#                      to this script)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/bad_input/ only (a private bpffs is mounted
#          under it inside a private mount namespace of the test process).
# Usage: run.sh             run the test
#        run.sh --selftest  prove that the row comparison and the maps check
#                           can fail
# Output: PASS <row> / FAIL <row>: ref=<ret,errno> ours=<ret,errno> [...],
#         then "N passed, N failed"; exit status non-zero on any failure.
# Needs: a C compiler, libbpf-dev, libbpf1, root (bpf(), unshare, mount).

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup bad_input 15 2
PROBE=$SCRATCH/bad_input
PROBE_ENV=(BAD_INPUT_SCRATCH="$SCRATCH")
MIN_ROWS=45

# check_run also rejects an output with SETUP lines (a failed setup step).
run_extra_ok() {
	grep -m1 '^SETUP' "$1.out" && return 1
	return 0
}

# compare_rows REF_OUT OURS_OUT: one PASS/FAIL line per reference row, plus
# FAIL lines for rows only in ours, duplicated rows and a too-short table.
compare_rows() {
	awk -v min="$MIN_ROWS" '
	function parse(line, a,    rest, m) {
		# a["name"], a["ret"], a["errno"], a["fds"], a["out"]
		rest = substr(line, 5)
		m = index(rest, ": ")
		a["name"] = substr(rest, 1, m - 1)
		rest = substr(rest, m + 2)
		a["ret"] = a["errno"] = a["fds"] = a["out"] = "?"
		if (match(rest, /^ret=[^ ]*/)) a["ret"] = substr(rest, 5, RLENGTH - 4)
		if (match(rest, / errno=[^ ]*/)) a["errno"] = substr(rest, RSTART + 7, RLENGTH - 7)
		if (match(rest, / fds=[^ ]*/)) a["fds"] = substr(rest, RSTART + 5, RLENGTH - 5)
		a["out"] = ""
		if ((m = index(rest, " out=")) > 0) a["out"] = substr(rest, m + 5)
	}
	FNR == NR {
		if ($1 != "row") next
		parse($0, a)
		if (a["name"] in ref) { print "FAIL " a["name"] ": duplicated row in the reference output"; next }
		order[++n] = a["name"]
		ref[a["name"]] = $0
		next
	}
	$1 == "row" {
		parse($0, a)
		if (a["name"] in ours) { print "FAIL " a["name"] ": duplicated row in our output"; next }
		ours[a["name"]] = $0
	}
	END {
		if (n < min) print "FAIL row-count: only " n " rows in the reference output (need >= " min ")"
		for (i = 1; i <= n; i++) {
			name = order[i]
			parse(ref[name], r)
			if (!(name in ours)) {
				print "FAIL " name ": ref=" r["ret"] "," r["errno"] " ours=<row missing>"
				continue
			}
			parse(ours[name], o)
			if (r["ret"] == o["ret"] && r["errno"] == o["errno"] && r["fds"] == o["fds"] && r["out"] == o["out"]) {
				print "PASS " name
				continue
			}
			msg = "FAIL " name ": ref=" r["ret"] "," r["errno"] " ours=" o["ret"] "," o["errno"]
			if (r["fds"] != o["fds"]) msg = msg " fds: ref=" r["fds"] " ours=" o["fds"]
			if (r["out"] != o["out"]) msg = msg " out: ref=" r["out"] " ours=" o["out"]
			print msg
		}
		for (name in ours)
			if (!(name in ref)) print "FAIL " name ": row only in our output: " substr(ours[name], 1, 200)
	}' "$1" "$2"
}

# ------------------------------------------------------------------ build
compile_probe "compile" "$HERE/bad_input.c" -Wno-format-truncation

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	check_run "selftest/ref-run" "$SCRATCH/st_ref"
	alt=$SCRATCH/st_altered.out
	# 1. a tampered errno in one row must give exactly one FAIL, for that row
	awk '!done && /^row map_create_value0: / { sub(/errno=[0-9]+/, "errno=999"); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/catches-tampered-errno" "$(compare_rows "$SCRATCH/st_ref.out" "$alt")" \
		'map_create_value0: ref=-22,22 ours=-22,999$' 1
	# 2. ... a tampered return value, fd-count change and output parameter
	awk '/^row lookup_fd_m1: / { sub(/ret=-9/, "ret=0") }
	     /^row map_create_long_name: / { sub(/fds=\+1/, "fds=+2") }
	     /^row info_len_4: / { sub(/info_len=4/, "info_len=8") } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(compare_rows "$SCRATCH/st_ref.out" "$alt")
	if echo "$out" | grep -q '^FAIL lookup_fd_m1: ref=-9,9 ours=0,9$' &&
		echo "$out" | grep -q '^FAIL map_create_long_name: .* fds: ref=+1 ours=+2' &&
		echo "$out" | grep -q '^FAIL info_len_4: .* out: ref=info_len=4' &&
		[ "$(echo "$out" | grep -c '^FAIL')" = 3 ]; then
		pass "selftest/catches-tampered-ret-fds-out"
	else
		fail "selftest/catches-tampered-ret-fds-out" "$(echo "$out" | grep -m4 FAIL | tr '\n' ' ')"
	fi
	# 3. a missing row and an extra row
	{ grep -v '^row enable_stats_99: ' "$SCRATCH/st_ref.out"; echo "row bogus_row: ret=0 errno=0 fds=same"; } >"$alt"
	out=$(compare_rows "$SCRATCH/st_ref.out" "$alt")
	if echo "$out" | grep -q '^FAIL enable_stats_99: .*<row missing>' &&
		echo "$out" | grep -q '^FAIL bogus_row: row only in our output'; then
		pass "selftest/catches-missing-and-extra-row"
	else
		fail "selftest/catches-missing-and-extra-row" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	fi
	# 4. identical outputs pass, and the table is long enough
	out=$(compare_rows "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out")
	if ! echo "$out" | grep -q '^FAIL' && [ "$(echo "$out" | grep -c '^PASS')" -ge "$MIN_ROWS" ]; then
		pass "selftest/identical-passes ($(echo "$out" | grep -c '^PASS') rows)"
	else
		fail "selftest/identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	fi
	# 5. the maps check must catch a run without LD_LIBRARY_PATH (the
	#    reference is mapped) and one with LD_LIBRARY_PATH pointing at a
	#    directory without our library (the loader falls back silently)
	st_expect_fail "selftest/maps-catches-run-without-LD_LIBRARY_PATH" \
		"$(check_maps "maps/ours" "$SCRATCH/st_ref.out" "$OURS_REAL")" \
		"maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
if ! check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	fail "rows" "not compared: our library was not the one mapped"
	finish
fi
check_run "run/ours" "$SCRATCH/ours"
tally < <(compare_rows "$SCRATCH/ref.out" "$SCRATCH/ours.out")
finish
