#!/usr/bin/env bash
# SwiftBPF btf_dedup: differential tests of btf__dedup against the reference.
# The deduplicated raw BTF (btf__raw_data) must be byte-identical, with the same
# return value and errno, the same libbpf log lines, the same view through the
# query API afterwards (every type by id, names, lookups by name), and the same
# results when strings and types are added after dedup; with opts->btf_ext, the
# rewritten .BTF.ext bytes must be identical too.
#
# ONE probe (probe.c) is compiled once against the reference headers and run per
# mode twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours). Each output starts with the realpath of the libbpf.so the probe mapped;
# both are verified, so the reference is never silently compared with itself.
#
# Inputs:
#   hand     hand-built BTFs (btf__add_*): duplicates of every kind, FWD against
#            full struct/union/enum, enum64, self-referencing and mutually
#            recursive structs, anonymous types, func protos, var/datasec, tags,
#            identical arrays/structs within one unit, candidate-order cases,
#            reference loops and other errors, opts checks, split BTF on small
#            bases (one with duplicates). Each as built (strings unique, no string
#            dedup), parsed back with every string reference exploded into its own
#            copy (string dedup), the same byte-swapped, and with a 32-byte header;
#            with and without force_collisions; then modified and deduped again.
#   objs     the .BTF (+ .BTF.ext) of BPF objects compiled here from bpf/*.c with
#            clang -target bpf -g -O2, and of libxdp's objects when installed; one
#            BTF made of all of them with btf__add_btf (as built, exploded, forced).
#   vmlinux  /sys/kernel/btf/vmlinux, vmlinux added twice to one BTF, and a
#            module-like split BTF (the objects' types) on top of vmlinux (as
#            built and exploded). Skipped when /sys/kernel/btf/vmlinux is missing.
# Timing of the vmlinux dedups is reported (INFO) and must not be much slower
# than the reference's (perf/* checks, 1.5x + 5 ms slack).
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
#      BPF_CLANG      (default: the first of clang, /opt/swift/usr/bin/clang that
#                      supports -target bpf)
# Scratch: $SWIFTBPF_BUILD/tests/btf_dedup/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the compare and maps checks can fail
# Output: PASS <name> / FAIL <name>: <why> / SKIP <name>: <why>, INFO lines,
# then "N passed, N failed"; exit status non-zero on any failure.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup btf_dedup 120
VMLINUX=/sys/kernel/btf/vmlinux

# the probe's stderr carries timing lines: not part of failure messages
stderr_head() { grep -v '^time ' "$1" 2>/dev/null | head -c 300 | tr '\n' ' '; }

# ref_run MODE PREFIX ARGS... / ours_run MODE PREFIX LIBDIR ARGS...: the probe
# writes raw BTF files into PREFIX.d
ref_run() {
	local mode=$1 prefix=$2
	shift 2
	rm -rf "$prefix.d" && mkdir -p "$prefix.d"
	run_ref "$prefix" "$mode" "$prefix.d" "$@"
}
ours_run() {
	local mode=$1 prefix=$2 lib=$3
	shift 3
	rm -rf "$prefix.d" && mkdir -p "$prefix.d"
	run_ours "$prefix" "$lib" "$mode" "$prefix.d" "$@"
}

# compare MODE REF_PREFIX OURS_PREFIX: per case, every output line (log lines
# belong to the case printed last) and every raw file, byte for byte.
compare() {
	local mode=$1 ref=$2 ours=$3 work=$SCRATCH/cmp-$1 c n f base first off
	rm -rf "$work"
	mkdir -p "$work/ref" "$work/ours"
	split_cases() {
		tail -n +2 "$1" | awk -v d="$2" '
			$1 == "case" { cur = $2 }
			$1 == "END" { next }
			{ f = d "/" (cur == "" ? "(none)" : cur); print > f }'
	}
	split_cases "$ref.out" "$work/ref"
	split_cases "$ours.out" "$work/ours"
	n=0
	for c in $(ls "$work/ref"); do
		n=$((n + 1))
		if [ ! -e "$work/ours/$c" ]; then
			fail "$mode/$c" "case missing from our output"
			continue
		fi
		if ! cmp -s "$work/ref/$c" "$work/ours/$c"; then
			first=$({ diff "$work/ref/$c" "$work/ours/$c" | grep -m1 '^<'
				diff "$work/ref/$c" "$work/ours/$c" | grep -m1 '^>'; } | cut -c1-240 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "$mode/$c" "$(diff "$work/ref/$c" "$work/ours/$c" | grep -c '^<') of $(wc -l <"$work/ref/$c") lines differ; first: $first"
			continue
		fi
		# the raw files of this case (NAME.WHAT.btf)
		local bad="" files=0
		for f in "$ref.d/$c".*.btf; do
			[ -e "$f" ] || continue
			base=$(basename "$f")
			[ "${base%.*.btf}" = "$c" ] || continue
			files=$((files + 1))
			if [ ! -e "$ours.d/$base" ]; then
				bad="$bad $base: missing;"
			elif ! cmp -s "$f" "$ours.d/$base"; then
				off=$(cmp "$f" "$ours.d/$base" 2>&1 | head -n1)
				bad="$bad $base: $off (sizes $(stat -c %s "$f")/$(stat -c %s "$ours.d/$base"));"
			fi
		done
		if [ -n "$bad" ]; then
			fail "$mode/$c" "raw bytes differ:$bad"
		else
			pass "$mode/$c ($(wc -l <"$work/ref/$c") lines, $files raw files identical)"
		fi
	done
	for c in $(ls "$work/ours"); do
		[ -e "$work/ref/$c" ] || fail "$mode/$c" "unexpected case in our output: $(head -n1 "$work/ours/$c" | cut -c1-200)"
	done
	[ "$n" -gt 0 ] || fail "$mode" "no cases in the reference output"
}

# perf NAME REF_PREFIX OURS_PREFIX: "time NAME usec" lines of both runs
perf() {
	local r o
	r=$(awk -v n="$1" '$1 == "time" && $2 == n { print $3 }' "$2.err")
	o=$(awk -v n="$1" '$1 == "time" && $2 == n { print $3 }' "$3.err")
	if [ -z "$r" ] || [ -z "$o" ]; then
		fail "perf/$1" "no timing (ref '$r', ours '$o')"
		return
	fi
	echo "INFO time $1: reference $((r / 1000)) ms, ours $((o / 1000)) ms (ours/ref $(awk -v a="$o" -v b="$r" 'BEGIN { printf "%.2f", a / (b ? b : 1) }'))"
	if [ "$o" -le $((r * 3 / 2 + 5000)) ]; then
		pass "perf/$1"
	else
		fail "perf/$1" "ours $o us, reference $r us"
	fi
}

# ------------------------------------------------------------------ build
compile_probe "compile" "$HERE/probe.c"

if [ "${1:-}" = "--selftest" ]; then
	ref_run hand "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	# a copy of the reference run with one output line altered
	rm -rf "$SCRATCH/st_alt.d" && cp -r "$SCRATCH/st_ref.d" "$SCRATCH/st_alt.d"
	awk '!done && / dedup ret=0 / { sub(/ret=0/, "ret=1"); done = 1 } { print }' "$SCRATCH/st_ref.out" >"$SCRATCH/st_alt.out"
	st_expect_fail "selftest/compare-catches-altered-line" "$(compare hand "$SCRATCH/st_ref" "$SCRATCH/st_alt")" \
		"hand/.*1 of .* lines differ" 1
	# ... and one raw file with one byte changed
	cp "$SCRATCH/st_ref.out" "$SCRATCH/st_alt.out"
	f=$(ls "$SCRATCH/st_alt.d"/structs.exploded.after.btf)
	printf '\x55' | dd of="$f" bs=1 seek=40 conv=notrunc status=none
	st_expect_fail "selftest/compare-catches-altered-raw-byte" "$(compare hand "$SCRATCH/st_ref" "$SCRATCH/st_alt")" \
		"hand/structs.exploded: raw bytes differ: structs.exploded.after.btf: .* byte 41" 1
	st_expect_clean "selftest/compare-identical-passes" "$(compare hand "$SCRATCH/st_ref" "$SCRATCH/st_ref")"
	# the maps check must catch a fallback to the system libbpf
	rm -rf "$SCRATCH/st_fallback.d" && mkdir -p "$SCRATCH/st_fallback.d"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" hand "$SCRATCH/st_fallback.d"
	finish
fi

# --------------------------------------------------------------- objects
OBJDIR=$SCRATCH/obj
rm -rf "$OBJDIR" && mkdir -p "$OBJDIR"
BPF_CLANG=${BPF_CLANG:-}
if [ -z "$BPF_CLANG" ]; then
	for c in clang /opt/swift/usr/bin/clang; do
		if command -v "$c" >/dev/null && "$c" -print-targets 2>/dev/null | grep -qw bpf; then
			BPF_CLANG=$c
			break
		fi
	done
fi
MULTIARCH=$("$CC" -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
OBJS=()
if [ -n "$BPF_CLANG" ]; then
	for src in "$HERE"/bpf/*.c; do
		o=$OBJDIR/$(basename "${src%.c}").o
		if "$BPF_CLANG" -target bpf -g -O2 -I"/usr/include/$MULTIARCH" -c "$src" -o "$o" >"$o.log" 2>&1; then
			OBJS+=("$o")
		else
			fail "bpf-compile/$(basename "$src")" "$(head -c 400 "$o.log" | tr '\n' ' ')"
		fi
	done
	[ "${#OBJS[@]}" -gt 0 ] && pass "bpf-compile (${#OBJS[@]} objects, $BPF_CLANG)"
else
	skip "bpf-compile" "no clang with the bpf target (install clang, or set BPF_CLANG)"
fi
XDP=$(ls /usr/lib/*/bpf/*.o /usr/lib/bpf/*.o /usr/share/libxdp/*.o 2>/dev/null | sort -u)
if [ -n "$XDP" ]; then
	for o in $XDP; do OBJS+=("$o"); done
	echo "INFO using $(echo "$XDP" | wc -l) libxdp objects"
else
	skip "libxdp-objects" "none installed (apt-get install libxdp1 adds some)"
fi

# ------------------------------------------------------------ differential
ours_ok=1
ours_built "maps/ours" || ours_ok=0

MODES="hand"
[ "${#OBJS[@]}" -gt 0 ] && MODES="$MODES objs"
if [ -r "$VMLINUX" ]; then
	MODES="$MODES vmlinux"
else
	skip "vmlinux" "$VMLINUX is missing"
fi

for mode in $MODES; do
	args=()
	case $mode in
	objs) args=("${OBJS[@]}") ;;
	vmlinux) args=("$VMLINUX" "${OBJS[@]}") ;;
	esac
	ref_run "$mode" "$SCRATCH/ref-$mode" "${args[@]}"
	check_maps "maps/ref-$mode" "$SCRATCH/ref-$mode.out" "$REF_REAL"
	check_run "run/ref-$mode" "$SCRATCH/ref-$mode"
	[ "$ours_ok" = 1 ] || continue
	ours_run "$mode" "$SCRATCH/ours-$mode" "$SWIFTBPF_BUILD" "${args[@]}"
	if check_maps "maps/ours-$mode" "$SCRATCH/ours-$mode.out" "$OURS_REAL"; then
		check_run "run/ours-$mode" "$SCRATCH/ours-$mode"
		compare "$mode" "$SCRATCH/ref-$mode" "$SCRATCH/ours-$mode"
		if [ "$mode" = vmlinux ]; then
			for c in vmlinux vmlinux.twice vmsplit.built vmsplit.exploded; do
				perf "$c" "$SCRATCH/ref-$mode" "$SCRATCH/ours-$mode"
			done
		fi
	fi
done

finish
