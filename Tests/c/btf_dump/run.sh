#!/usr/bin/env bash
# SwiftBPF btf_dump: differential tests of btf_dump__dump_type and
# btf_dump__emit_type_decl (the BTF-to-C emitter) against the reference.
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# per mode twice: LD_LIBRARY_PATH unset (reference) and
# LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours). Each output starts with the realpath
# of the libbpf.so the probe mapped; both are verified, so the reference is
# never silently compared with itself. Then the whole printed text and the
# libbpf log lines of each mode are compared byte for byte.
#
# Modes (see probe.c): dump (every /sys/kernel/btf/vmlinux id in order, one
# dump object, as vmlinux.h generators do), dumprev (reverse order), decl
# (emit_type_decl for every id: field "x", indent 0/2, strip_mods off/on;
# "" / indent 1 / NULL opts for every 5th id), mixed (dump_type and
# emit_type_decl interleaved), hand (hand-built BTFs: naming conflicts,
# bitfields and padding, packed structs, anonymous and nested types, cycles,
# function pointers, qualifiers, type/decl tags, enum64, types added after the
# dump object was created, error returns). The vmlinux modes are skipped when
# /sys/kernel/btf/vmlinux is missing. Timing (best of 5 full vmlinux dumps into
# /dev/null, for information) is printed as an INFO line.
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/btf_dump/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the compare and maps checks can fail
# Output: PASS <name> / FAIL <name>: <why> / SKIP <name>: <why>, INFO lines,
# then "N passed, N failed"; exit status non-zero on any failure.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup btf_dump 120
VMLINUX=/sys/kernel/btf/vmlinux
RUN_STDOUT=- # the probe writes PREFIX.out and PREFIX.log itself

# ref_run MODE PREFIX / ours_run MODE PREFIX LIBDIR
ref_run() { run_ref "$2" "$1" "$2.out" "$2.log"; }
ours_run() { run_ours "$2" "$3" "$1" "$2.out" "$2.log"; }

# compare NAME REF OURS [SKIP_FIRST_LINE]: whole-file comparison; on a
# difference, the first differing line of each.
compare() {
	local name=$1 ref=$2 ours=$3 from=${4:-1} a b line nr no
	a=$SCRATCH/cmp.a
	b=$SCRATCH/cmp.b
	tail -n +"$from" "$ref" >"$a"
	tail -n +"$from" "$ours" >"$b"
	nr=$(wc -l <"$a")
	if cmp -s "$a" "$b"; then
		pass "$name ($nr lines, $(wc -c <"$a") bytes identical)"
		return 0
	fi
	no=$(wc -l <"$b")
	line=$(cmp "$a" "$b" 2>&1 | sed -n 's/.* line \([0-9]*\).*/\1/p')
	[ -n "$line" ] || line=$(($(wc -l <"$b") + 1))  # one is a prefix of the other
	fail "$name" "differs from line $((line + from - 1)) ($nr ref / $no ours lines, $(diff "$a" "$b" | grep -c '^<') ref lines not matched); ref: '$(sed -n "${line}p" "$a" | cut -c1-200)' ours: '$(sed -n "${line}p" "$b" | cut -c1-200)'"
	return 1
}

# ------------------------------------------------------------------ build
compile_probe "compile" "$HERE/probe.c"

if [ "${1:-}" = "--selftest" ]; then
	ref_run hand "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_alt.out
	# an altered byte deep inside, a dropped last line, an added line
	awk 'NR == 200 { $0 = $0 " " } { print }' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/compare-catches-altered-line" "$(compare x "$SCRATCH/st_ref.out" "$alt" 2)" \
		"x: differs from line 200 "
	head -n -1 "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/compare-catches-truncation" "$(compare x "$SCRATCH/st_ref.out" "$alt" 2)" "x"
	{ cat "$SCRATCH/st_ref.out"; echo extra; } >"$alt"
	st_expect_fail "selftest/compare-catches-extra-line" "$(compare x "$SCRATCH/st_ref.out" "$alt" 2)" "x"
	out=$(compare x "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" 2)
	echo "$out" | grep -q '^PASS x' && pass "selftest/compare-identical-passes" ||
		fail "selftest/compare-identical-passes" "$out"
	# LD_LIBRARY_PATH at a directory without our library: the loader falls
	# back to the system libbpf, which the maps check must catch
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" \
		hand "$SCRATCH/st_fallback.out" "$SCRATCH/st_fallback.log"
	finish
fi

ours_built "maps/ours" || finish

# ------------------------------------------------------------ differential
MODES="hand"
if [ -r "$VMLINUX" ]; then
	MODES="$MODES dump dumprev decl mixed"
else
	skip "vmlinux" "$VMLINUX not readable: only hand-built BTFs are compared"
fi

for m in $MODES; do
	ref_run "$m" "$SCRATCH/ref.$m"
	ours_run "$m" "$SCRATCH/ours.$m" "$SWIFTBPF_BUILD"
	check_maps "$m/maps/ref" "$SCRATCH/ref.$m.out" "$REF_REAL" || continue
	check_maps "$m/maps/ours" "$SCRATCH/ours.$m.out" "$OURS_REAL" || continue
	check_run "$m/run/ref" "$SCRATCH/ref.$m" || continue
	check_run "$m/run/ours" "$SCRATCH/ours.$m"
	compare "$m/text" "$SCRATCH/ref.$m.out" "$SCRATCH/ours.$m.out" 2
	compare "$m/log" "$SCRATCH/ref.$m.log" "$SCRATCH/ours.$m.log"
	t_ref=$(sed -n "s/^TIME $m //p" "$SCRATCH/ref.$m.err")
	t_ours=$(sed -n "s/^TIME $m //p" "$SCRATCH/ours.$m.err")
	[ -n "$t_ref" ] && echo "INFO $m: ref ${t_ref} ms, ours ${t_ours:-?} ms (one run, wall clock, printf callback to a file)"
done

# ----------------------------------------------------------------- timing
if [ -r "$VMLINUX" ]; then
	ref_run bench5 "$SCRATCH/ref.bench"
	ours_run bench5 "$SCRATCH/ours.bench" "$SWIFTBPF_BUILD"
	b_ref=$(sed -n 's/^BENCH //p' "$SCRATCH/ref.bench.out")
	b_ours=$(sed -n 's/^BENCH //p' "$SCRATCH/ours.bench.out")
	if [ -n "$b_ref" ] && [ -n "$b_ours" ]; then
		echo "INFO bench: full vmlinux dump_type, best of 5: ref $b_ref ms, ours $b_ours ms, ratio $(awk -v a="$b_ours" -v b="$b_ref" 'BEGIN { printf "%.2f", a / b }')"
	else
		echo "INFO bench: no timing (rc ref $(cat "$SCRATCH/ref.bench.rc"), ours $(cat "$SCRATCH/ours.bench.rc"))"
	fi
fi

finish
