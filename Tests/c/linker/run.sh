#!/usr/bin/env bash
# SwiftBPF linker: differential test of bpf_linker__new, __add_file, __finalize
# and __free (the BPF static linker, what `bpftool gen object` does).
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours); /proc/self/maps proves which libbpf.so each run mapped. Inputs:
#   src/a,b,c.bpf.c  global functions calling across files, static functions
#                    with the same name, weak/strong definitions, extern
#                    functions/variables/maps, .data/.rodata/.bss/.data.*,
#                    .kconfig/.ksyms externs, CO-RE relocations, programs in
#                    the same SEC() in two files, a second identical license
#   bad/*.bpf.c      duplicate strong symbols, incompatible extern types and
#                    maps, a different license
#   truncated.o (first 300 bytes of a.o), text.o, empty.o, /bin/true, a
#   missing file; opts sz rules and NULL free.
# Checks:
#   diff/<section>   the probe's output (return values, errno, log lines)
#   bytes/<scenario> the two linked files are byte-identical (else readelf and
#                    bpftool btf dump diffs are shown)
#   bpftool/<name>   Debian's bpftool gen object (libbpf built in) on the same
#                    inputs gives the same bytes as the reference run
#   load/<file>      the linked files of both runs opened, loaded and test-run
#                    through the REFERENCE library: hand-written return values
#   expected/<run>   hand-written result lines of the link scenarios
#
# Env: SWIFTBPF_BUILD (default <repo>/build), REF_LIB, CC, BPF_CC, BPFTOOL
# Scratch: $SWIFTBPF_BUILD/tests/linker/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff, maps, bytes and expected checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed".
# Needs: root (program loads), a kernel with BPF and BTF.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup linker 60
find_bpf_cc
OBJ=$SCRATCH/obj
SECTIONS="link opts log END"

# ------------------------------------------------------------------ build
rm -rf "$OBJ" "$SCRATCH/out-ref" "$SCRATCH/out-ours" "$SCRATCH/bpftool"
mkdir -p "$OBJ" "$SCRATCH/out-ref" "$SCRATCH/out-ours" "$SCRATCH/bpftool"
nobj=0
for src in "$HERE"/src/*.bpf.c "$HERE"/bad/*.bpf.c; do
	o=$OBJ/$(basename "$src" .bpf.c).o
	if "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$src" -o "$o" >"$o.log" 2>&1; then
		nobj=$((nobj + 1))
	else
		fail "compile/$(basename "$src")" "$(head -c 400 "$o.log" | tr '\n' ' ')"
	fi
done
head -c 300 "$OBJ/a.o" >"$OBJ/truncated.o"
echo "not an ELF file" >"$OBJ/text.o"
: >"$OBJ/empty.o"
pass "compile/bpf ($nobj objects)"
compile_probe "compile/probe" "$HERE/probe.c"

# Hand-written expectations, from the sources:
#  - a.o + b.o resolve each other: every add succeeds; c.o adds weak_only and
#    sys_c and declares shared_map extern, so a, b, c link in any order;
#  - dup1/dup2 both define dup_fn strongly, dup1/dupvar both define dup_var:
#    -EINVAL with "conflicting non-weak symbol"; ext_long declares dup_var
#    long (8 bytes) against int (4); ext_fn declares dup_fn with 2 params
#    against 1; map_bad's extern shared_map has max_entries 8 against 4;
#    license_bsd's license differs from a's;
#  - /bin/true is not a relocatable BPF object: -EOPNOTSUPP; a missing file
#    -ENOENT; finalize twice and add after finalize: -EINVAL;
#  - opts: sz 4 < sizeof(size_t) and non-zero bytes past the known size: EINVAL.
EXPECTED=(
	"link ab add b.o = 0 errno 4242"
	"link ab finalize = 0 errno 4242"
	"link ab finalize-again = -22 errno 22"
	"link ab add-after-finalize = -22 errno 22"
	"link abc add c.o = 0 errno 4242"
	"link cba add a.o = 0 errno 4242"
	"link bac add c.o = 0 errno 4242"
	"link self_twice add c.o = -22 errno 22"
	"link relink add @ab.o = 0 errno 4242"
	"link dup_strong add dup2.o = -22 errno 22"
	"link dup_var add dupvar.o = -22 errno 22"
	"link ext_long add ext_long.o = -22 errno 22"
	"link ext_long_first add dup1.o = -22 errno 22"
	"link ext_fn add dup1.o = -22 errno 22"
	"link map_bad add map_bad.o = -22 errno 22"
	"link map_bad_first add b.o = -22 errno 22"
	"link license_bad add license_bsd.o = -22 errno 22"
	"link not_bpf add @/bin/true = -95 errno 95"
	"link missing add missing.o = -2 errno 2"
	"link truncated add truncated.o = -22 errno 22"
	"opts new sz=4 NULL errno 22"
	"opts new sz=32 zero tail ok errno 4242"
	"opts new sz=32 nonzero tail NULL errno 22"
	"opts new in missing dir NULL errno 2"
	"opts add sz=4 = -22 errno 22"
	"opts add sz=32 nonzero tail = -22 errno 22"
	"opts add sz=32 zero tail = 0 errno 4242"
	"opts add NULL filename = -14 errno 14"
)
EXPECTED_RE=(
	"^log dup_strong: 0 libbpf: conflicting non-weak symbol #[0-9]+ \(dup_fn\) definition in '.*/dup2.o'$"
	"^log dup_var: 0 libbpf: conflicting non-weak symbol #[0-9]+ \(dup_var\) definition in '.*/dupvar.o'$"
	"^log ext_long: 0 libbpf: global 'dup_var': incompatible int '.*' size 4 and 8$"
	"^log ext_fn: 0 libbpf: global 'dup_fn': incompatible number of func_proto params 2 and 1$"
	"^log map_bad: 0 libbpf: global 'shared_map': map max_entries mismatch$"
	"^log license_bad: 0 libbpf: non-identical contents of section 'license' are not supported$"
	"^log missing: 0 libbpf: failed to open file '.*/missing.o': -2$"
	"^log ab: 2 libbpf: linker: adding object file '.*/a.o'...$"
)
check_expected() { # NAME FILE
	local line missing=0
	for line in "${EXPECTED[@]}"; do
		if ! grep -qxF "$line" "$2"; then
			fail "$1" "missing line: $line"
			missing=1
		fi
	done
	for line in "${EXPECTED_RE[@]}"; do
		if ! grep -qE "$line" "$2"; then
			fail "$1" "no line matching: $line"
			missing=1
		fi
	done
	[ "$missing" = 0 ] && pass "$1 (${#EXPECTED[@]} lines, ${#EXPECTED_RE[@]} patterns)"
}

# compare_bytes NAME REF_FILE OTHER_FILE: byte-identical, else the first
# readelf / btf dump differences.
compare_bytes() {
	local name=$1 r=$2 o=$3 d
	if [ ! -e "$r" ] || [ ! -e "$o" ]; then
		fail "$name" "missing file ($( [ -e "$r" ] || echo "$r")$( [ -e "$o" ] || echo " $o"))"
		return 1
	fi
	if cmp -s "$r" "$o"; then
		pass "$name ($(stat -c %s "$r") bytes)"
		return 0
	fi
	d=$(diff <(readelf -a -W "$r" 2>&1 | tail -n +2) <(readelf -a -W "$o" 2>&1 | tail -n +2) | grep '^[<>]' | head -4 | tr '\n' '|')
	if [ -z "$d" ] && [ -n "${BPFTOOL:-}" ]; then
		d=$(diff <("$BPFTOOL" btf dump file "$r" 2>&1) <("$BPFTOOL" btf dump file "$o" 2>&1) | grep '^[<>]' | head -4 | tr '\n' '|')
	fi
	fail "$name" "files differ ($(cmp "$r" "$o" 2>&1 | head -1)); ${d:-readelf and btf dump agree}"
	return 1
}

# Load results: sys_a adds 1000 when the weak ksym bpf_prog_active resolves,
# which depends on this kernel's kallsyms.
if grep -qw bpf_prog_active /proc/kallsyms; then SYS_A=1111031; else SYS_A=111031; fi
# xdp_a: helper(1)=13 + add_b(1)=25 + weak_fn(1)=3 (b's strong) + 100 + 101 - 200
#   == 42 -> XDP_PASS (2); xdp_b: XDP_PASS when the CO-RE field exists and
#   LINUX_KERNEL_VERSION != 0; tc_b: add_b(0) = 24; sys_a: r*1000 + add_a(1)
#   (1+7+3) + b_counter (20); sys_c: add_b(5) (29) + c_weak_var (30) + 1 (map
#   found) + c_helper(2) (6) = 66.
load_expected() { # SCENARIO -> expected lines (without the "load <file>" prefix)
	case $1 in
	ba) printf '%s\n' "load = 0" "prog xdp_b run = 0 retval 2" "prog xdp_a run = 0 retval 2" \
		"prog tc_b run = 0 retval 24" "prog sys_a run = 0 retval $SYS_A" ;;
	bac) printf '%s\n' "load = 0" "prog xdp_b run = 0 retval 2" "prog xdp_a run = 0 retval 2" \
		"prog tc_b run = 0 retval 24" "prog sys_a run = 0 retval $SYS_A" "prog sys_c run = 0 retval 66" ;;
	relink) printf '%s\n' "load = 0" "prog xdp_a run = 0 retval 2" "prog xdp_b run = 0 retval 2" \
		"prog sys_a run = 0 retval $SYS_A" "prog sys_c run = 0 retval 66" "prog tc_b run = 0 retval 24" ;;
	# a's extern shared_map comes first: the reference linker leaves both maps
	# at DATASEC offset 0, and the reference loader then cannot place the
	# second map (a reference quirk; ours must produce the same file)
	ab) printf '%s\n' "open failed errno 4005" ;;
	esac
}
check_load() { # NAME FILE SCENARIO
	local got want
	run_ref "$SCRATCH/load" --load "$2"
	got=$(grep '^load ' "$SCRATCH/load.out" | sed "s|^load $2 ||")
	want=$(load_expected "$3")
	if [ "$got" = "$want" ]; then
		pass "$1"
	else
		fail "$1" "got '$(echo "$got" | tr '\n' '|')', want '$(echo "$want" | tr '\n' '|')' $(grep '^log load: 0' "$SCRATCH/load.out" | head -2 | tr '\n' ' ')"
	fi
}
LOADED="ab ba bac relink"

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_ref "$SCRATCH/st_ref" "$SCRATCH/out-ref" "$OBJ"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	sed 's/^link dup_strong add dup2.o = -22 errno 22$/link dup_strong add dup2.o = 0 errno 4242/' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-altered-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/link: 1 ref/1 ours lines differ" 1
	grep -v '^log ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/log: section missing from our output"
	st_expect_clean "selftest/diff-identical-passes" "$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	st_expect_fail "selftest/expected-catches-missing-line" \
		"$(check_expected expected "$alt")" "expected: no line matching"
	st_maps_fallback "selftest/maps-catches-fallback-to-reference" "$SCRATCH/st_fallback" "$SCRATCH/out-ours" "$OBJ"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	cp "$SCRATCH/out-ref/ab.o" "$SCRATCH/st_flip.o"
	printf '\x01' | dd of="$SCRATCH/st_flip.o" bs=1 seek=$(($(stat -c %s "$SCRATCH/st_flip.o") - 200)) conv=notrunc 2>/dev/null
	st_expect_fail "selftest/bytes-catches-one-byte" "$(compare_bytes bytes/ab "$SCRATCH/out-ref/ab.o" "$SCRATCH/st_flip.o")" "bytes/ab: files differ"
	st_expect_fail "selftest/load-catches-wrong-result" \
		"$(load_expected() { echo "load = 0"; echo "prog xdp_b run = 0 retval 3"; }; check_load load/x "$SCRATCH/out-ref/ba.o" ba)" "load/x: got"
	finish
fi

# ------------------------------------------------------------ differential
run_ref "$SCRATCH/ref" "$SCRATCH/out-ref" "$OBJ"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"

ours_built "maps/ours" || finish
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" "$SCRATCH/out-ours" "$OBJ"
if check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	check_run "run/ours" "$SCRATCH/ours"
	check_expected "expected/ours" "$SCRATCH/ours.out"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
	find_bpftool >/dev/null 2>&1 || BPFTOOL=
	n=0
	for r in "$SCRATCH"/out-ref/*.o; do
		compare_bytes "bytes/$(basename "$r" .o)" "$r" "$SCRATCH/out-ours/$(basename "$r")"
		n=$((n + 1))
	done
	[ "$n" -ge 20 ] || fail "bytes/count" "only $n output files from the reference run"
	for s in $LOADED; do
		check_load "load/ref-linked/$s" "$SCRATCH/out-ref/$s.o" "$s"
		check_load "load/ours-linked/$s" "$SCRATCH/out-ours/$s.o" "$s"
	done
else
	fail "diff" "not run: our library was not the one mapped"
fi

# Third oracle: bpftool gen object (its own copy of libbpf's linker).
if [ -n "${BPFTOOL:-}" ] || find_bpftool; then
	for spec in "ab a b" "ba b a" "bac b a c" "abc a b c" "cba c b a"; do
		set -- $spec
		name=$1
		shift
		ins=()
		for f in "$@"; do ins+=("$OBJ/$f.o"); done
		if "$BPFTOOL" gen object "$SCRATCH/bpftool/$name.o" "${ins[@]}" >"$SCRATCH/bpftool/$name.log" 2>&1; then
			compare_bytes "bpftool/$name-vs-reference" "$SCRATCH/bpftool/$name.o" "$SCRATCH/out-ref/$name.o"
			compare_bytes "bpftool/$name-vs-ours" "$SCRATCH/bpftool/$name.o" "$SCRATCH/out-ours/$name.o"
		else
			fail "bpftool/$name" "$(head -c 300 "$SCRATCH/bpftool/$name.log" | tr '\n' ' ')"
		fi
	done
else
	skip "bpftool" "no bpftool"
fi
[ "$nfail" -eq 0 ] && rm -rf "$SCRATCH/cmp"
finish
