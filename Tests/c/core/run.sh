#!/usr/bin/env bash
# SwiftBPF core: differential test of CO-RE relocation (bpf_object__load's
# bpf_object__relocate_core stage) against libbpf 1.1.
#
# BPF C programs (src/*.bpf.c) using BPF_CORE_READ, bpf_core_field_exists,
# bpf_core_type_exists/size/matches, bpf_core_type_id_*, bpf_core_enum_value*,
# bitfield reads and direct loads/stores are compiled with $BPF_CC -target bpf
# -O2 -g, against the running kernel (vmlinux.h is generated from
# /sys/kernel/btf/vmlinux with the reference library's btf_dump) or against
# hand-built target BTFs (gen_btf.c, loaded through btf_custom_path). A
# generated object with ~1000 relocations over ~200 kernel structs (gen_many.py)
# runs against vmlinux and against a copy of it given as btf_custom_path; two
# objects linked with the reference's static linker (link.c) leave the CO-RE
# relocations of an eliminated __weak subprogram behind.
#
# ONE loader (loader.c) is compiled once against the reference headers and run
# for every case twice: LD_LIBRARY_PATH unset (reference) and
# LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours). Each run first prints the realpath of
# the libbpf.so it mapped; both are verified. Per case, these must be identical:
#   core-log  the CO-RE log lines (candidates, local/candidate specs, patches,
#             poisoning, warnings and errors), in order
#   load      bpf_object__load's result
#   insns     every program's instructions after load (map fds masked)
#   fixup     the verifier-log lines explaining a poisoned instruction
#             ("failed to resolve CO-RE relocation <spec>"), when the
#             reference prints any
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the loader and generators
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang)
# Scratch: $SWIFTBPF_BUILD/tests/core/ only.
# Usage: run.sh [NAME...]   only the cases whose name contains one of NAME
#        run.sh --selftest  prove that every comparison can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed"; exit
# status non-zero when anything failed.
# Needs: root (bpf()), libbpf-dev, python3, a BPF-capable clang, kernel BTF.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
SCRATCH=$SWIFTBPF_BUILD/tests/core
LOADER=$SCRATCH/loader
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

mkdir -p "$SCRATCH/objs" "$SCRATCH/runs" ||
	{ echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

if [ "$(id -u)" != 0 ]; then
	echo "SKIP core: needs root (bpf())"
	finish
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "SKIP core: no kernel BTF (/sys/kernel/btf/vmlinux)"
	finish
fi

# The CO-RE lines of a run: what bpf_object__relocate_core and the engine log
# (ELF relocation collection, "relo #N: insn #M against 'x'", is not CO-RE).
CORE_PATTERN="CO-RE|: relo #[0-9]+: (<|matching|non-matching|no matching|patched|substituting|failed to|unexpected insn|insn #|target candidate|parsing|error matching|field offset|relocation decision|trying|unrecognized)|relo for \[|unexpected kind|relo [0-9]+ at insn|target BTF"
core_lines() { grep -E '^LOG' "$1" | grep -E "$CORE_PATTERN" | grep -v " against '"; }
fixup_lines() { grep -E '^CONT .*(invalid CO-RE relocation|failed to resolve CO-RE relocation)' "$1"; }
insn_lines() { grep -E '^(PROG|INSN) ' "$1"; }

# compare KIND CASE REF OURS: one comparison (KIND = core-log|load|insns|fixup)
compare() {
	local kind=$1 name=$2 ref=$3 ours=$4 a b n first
	a=$SCRATCH/runs/$name.$kind.ref b=$SCRATCH/runs/$name.$kind.ours
	case $kind in
	core-log) core_lines "$ref" >"$a"; core_lines "$ours" >"$b" ;;
	load) grep -E '^(LOAD|OPEN) ' "$ref" >"$a"; grep -E '^(LOAD|OPEN) ' "$ours" >"$b" ;;
	insns) insn_lines "$ref" >"$a"; insn_lines "$ours" >"$b" ;;
	fixup) fixup_lines "$ref" >"$a"; fixup_lines "$ours" >"$b"; [ -s "$a" ] || return 0 ;;
	esac
	if [ "$kind" != fixup ] && [ ! -s "$a" ] && [ "$kind" != core-log ]; then
		fail "$kind/$name" "nothing to compare in the reference output (loader bug?)"
	elif cmp -s "$a" "$b"; then
		pass "$kind/$name ($(wc -l <"$a") lines)"
	else
		n="$(diff "$a" "$b" | grep -c '^<') ref/$(diff "$a" "$b" | grep -c '^>') ours"
		first=$({ diff "$a" "$b" | grep -m1 '^<'; diff "$a" "$b" | grep -m1 '^>'; } | cut -c1-240 |
			sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
		fail "$kind/$name" "$n lines differ (of $(wc -l <"$a") ref, $(wc -l <"$b") ours); first: $first"
	fi
}

# check_maps NAME OUTFILE EXPECTED_REALPATH
check_maps() {
	local got
	got=$(grep -m1 '^MAPPED ' "$2" 2>/dev/null)
	if [ "$got" = "MAPPED $3" ]; then
		return 0
	fi
	fail "$1" "expected 'MAPPED $3', got '${got:-nothing}' (stderr: $(head -c 200 "${2%.out}.err" 2>/dev/null | tr '\n' ' '))"
	return 1
}

run_side() { # SIDE OUTPREFIX ARGS...
	local side=$1 out=$2 dir
	shift 2
	if [ "$side" = ours ]; then
		"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$SWIFTBPF_BUILD" "$LOADER" "$@" >"$out.out" 2>"$out.err"
	else
		dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
		case "$dir" in
		/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
			"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$LOADER" "$@" >"$out.out" 2>"$out.err" ;;
		*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$LOADER" "$@" >"$out.out" 2>"$out.err" ;;
		esac
	fi
	echo $? >"$out.rc"
}

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_REAL=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")/libbpf.so.1.1.2

# ------------------------------------------------------------------ build
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/loader.c" -lbpf -o "$LOADER" >"$SCRATCH/compile.log" 2>&1; then
	fail "compile/loader" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/loader"

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	ST=$SCRATCH/runs/selftest
	{
		echo "MAPPED $REF_REAL"
		echo "LOG2 libbpf: prog 'p': relo #0: <byte_off> [2] struct s.a (0:0 @ offset 0)"
		echo "LOG2 libbpf: prog 'p': relo #0: patched insn #3 (LDX/ST/STX) off 0 -> 8"
		echo "LOAD 0"
		echo "PROG p 2 loaded"
		echo "INSN p 0 61 1 2 8 0"
		echo "INSN p 1 95 0 0 0 0"
		echo "CONT 1: <invalid CO-RE relocation>"
		echo "END"
	} >"$ST.ref.out"
	check() { # DESCRIPTION KIND SED-EXPRESSION EXPECT(pass|fail)
		local out
		sed "$3" "$ST.ref.out" >"$ST.alt.out"
		out=$(compare "$2" selftest "$ST.ref.out" "$ST.alt.out")
		case "$4:$out" in
		fail:FAIL*) pass "selftest/$1" ;;
		pass:PASS*) pass "selftest/$1" ;;
		*) fail "selftest/$1" "got: $out" ;;
		esac
	}
	check core-log-catches-altered-line core-log 's/offset 0)/offset 4)/' fail
	check core-log-catches-dropped-line core-log '/patched insn/d' fail
	check core-log-ignores-other-lines core-log '/^INSN p 1/d' pass
	check load-catches-other-result load 's/^LOAD 0/LOAD -22/' fail
	check insns-catches-altered-insn insns 's/^INSN p 0 61 1 2 8 0/INSN p 0 61 1 2 4 0/' fail
	check insns-catches-missing-insn insns '/^INSN p 1/d' fail
	check fixup-catches-missing-line fixup '/^CONT/d' fail
	check identical-passes insns 's/x/x/' pass
	out=$(check_maps maps/selftest "$ST.ref.out" "/nonexistent/libbpf.so.1.1.2" && echo OK)
	case $out in FAIL*) pass "selftest/maps-catches-wrong-library" ;; *) fail "selftest/maps-catches-wrong-library" "$out" ;; esac
	finish
fi

# ------------------------------------------------------------- test inputs
GEN=$SCRATCH/objs
if ! "$CC" -O1 -Wall "$HERE/gen_btf.c" -lbpf -o "$GEN/gen_btf" >"$SCRATCH/compile.log" 2>&1 ||
	! "$GEN/gen_btf" "$GEN" >>"$SCRATCH/compile.log" 2>&1; then
	fail "compile/gen_btf" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
if ! "$CC" -O1 -Wall "$HERE/gen_vmlinux_h.c" -lbpf -o "$GEN/gen_vmlinux_h" >"$SCRATCH/compile.log" 2>&1 ||
	! "$GEN/gen_vmlinux_h" "$GEN/vmlinux.h" >>"$SCRATCH/compile.log" 2>&1; then
	fail "compile/vmlinux.h" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/generators"
cp /sys/kernel/btf/vmlinux "$GEN/vmlinux.btf"

bpf_compile() { # NAME SOURCE
	"$BPF_CC" -target bpf -O2 -g -I"$GEN" -I/usr/include/x86_64-linux-gnu -c "$2" -o "$GEN/$1.bpf.o" \
		>"$GEN/$1.log" 2>&1
}
for src in "$HERE"/src/*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	bpf_compile "$name" "$src" || fail "compile/$name" "$(head -c 400 "$GEN/$name.log" | tr '\n' ' ')"
done
# a __weak subprogram replaced at link time (reference static linker)
if "$CC" -O1 -Wall "$HERE/link.c" -lbpf -o "$GEN/link" >"$GEN/link.log" 2>&1 &&
	"$GEN/link" "$GEN/weak.bpf.o" "$GEN/link_a.bpf.o" "$GEN/link_b.bpf.o" >>"$GEN/link.log" 2>&1; then
	pass "compile/weak (linked)"
else
	fail "compile/weak" "$(head -c 400 "$GEN/link.log" | tr '\n' ' ')"
fi
# the generated object: recompile, blanking the lines clang rejects
python3 "$HERE/gen_many.py" "$GEN/vmlinux.h" 1000 >"$GEN/many.bpf.c"
for _ in 1 2 3 4 5 6; do
	bpf_compile many "$GEN/many.bpf.c" && break
	for l in $(grep -o '^[^:]*many.bpf.c:[0-9]*' "$GEN/many.log" | cut -d: -f2 | sort -u); do
		sed -i "${l}s/.*//" "$GEN/many.bpf.c"
	done
done
[ -f "$GEN/many.bpf.o" ] && pass "compile/many ($(grep -c BPF_CORE_READ "$GEN/many.bpf.c") reads)" ||
	fail "compile/many" "$(head -c 400 "$GEN/many.log" | tr '\n' ' ')"

# ------------------------------------------------------------------ cases
# name | object | target BTF (- = the kernel's) | programs with autoload off
CASES="
basic|vmlinux_basic|-|
subprog|vmlinux_subprog|-|
subprog_noautoload|vmlinux_subprog|-|a
weak|weak|-|
kinds|vmlinux_kinds|-|
many|many|-|
many_custom_path|many|$GEN/vmlinux.btf|
custom_main|custom_main|$GEN/main.btf|
custom_main_noautoload|custom_main|$GEN/main.btf|fields types
custom_optional|custom_optional|$GEN/main.btf|
custom_anon|custom_anon|$GEN/main.btf|
custom_ambig_off|custom_ambig_off|$GEN/ambig_offset.btf|
custom_ambig_val|custom_ambig_val|$GEN/ambig_value.btf|
custom_array|custom_array|$GEN/main.btf|
custom_bitfield|custom_bitfield|$GEN/bad_fields.btf|
custom_far|custom_far|$GEN/bad_fields.btf|
custom_missing_btf|custom_main|$GEN/does-not-exist.btf|
custom_not_btf|custom_main|$HERE/loader.c|
"

selected() {
	[ $# -le 1 ] && return 0
	local name=$1 f
	shift
	for f in "$@"; do case $name in *"$f"*) return 0 ;; esac; done
	return 1
}

maps_ok=1
while IFS='|' read -r name obj target noauto; do
	[ -n "$name" ] || continue
	selected "$name" "$@" || continue
	if [ ! -f "$GEN/$obj.bpf.o" ]; then
		fail "case/$name" "object $obj did not compile"
		continue
	fi
	# shellcheck disable=SC2086
	run_side ref "$SCRATCH/runs/$name.ref" "$GEN/$obj.bpf.o" "$target" $noauto
	# shellcheck disable=SC2086
	run_side ours "$SCRATCH/runs/$name.ours" "$GEN/$obj.bpf.o" "$target" $noauto
	check_maps "maps/$name/ref" "$SCRATCH/runs/$name.ref.out" "$REF_REAL" || { maps_ok=0; continue; }
	check_maps "maps/$name/ours" "$SCRATCH/runs/$name.ours.out" "$OURS_REAL" || { maps_ok=0; continue; }
	if [ "$(tail -n1 "$SCRATCH/runs/$name.ours.out")" != END ]; then
		fail "run/$name" "our run did not finish (rc=$(cat "$SCRATCH/runs/$name.ours.rc"), stderr: $(head -c 300 "$SCRATCH/runs/$name.ours.err" | tr '\n' ' '))"
		continue
	fi
	for kind in core-log load insns fixup; do
		compare "$kind" "$name" "$SCRATCH/runs/$name.ref.out" "$SCRATCH/runs/$name.ours.out"
	done
done <<<"$CASES"
[ "$maps_ok" = 1 ] && pass "maps (every run mapped the intended library)"

finish
