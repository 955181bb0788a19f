#!/usr/bin/env bash
# SwiftBPF sec_names: differential tests for libbpf 1.1's ELF section-name table
# (libbpf_prog_type_by_name, libbpf_attach_type_by_name) and the custom program
# handlers (libbpf_register_prog_handler, libbpf_unregister_prog_handler).
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# against the reference (LD_LIBRARY_PATH unset) and against ours
# (LD_LIBRARY_PATH=$SWIFTBPF_BUILD). Each run first prints the realpath of the
# libbpf.so it mapped; both are verified, so the reference is never silently
# compared with itself. Then every section of the two outputs is diffed.
#
#   probe diff   every table entry and its variants (name/foo, namefoo, name
#                minus its last char, '+' and '/' stripped, upper case), legacy
#                spellings, "", NULL arguments: return, errno, types, log text;
#                then register/unregister scenarios, each in a forked child.
#   probe crash  calls where the reference crashes (NULL output pointers after
#                a match; registering again after the last handler was
#                unregistered): the reference must crash (which is why they
#                are not diffed) and ours must return -EINVAL / keep working.
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/sec_names/ only.
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup sec_names 300

SECTIONS="table legacy nullargs reg_plus reg_slash reg_exact reg_override reg_order
reg_fallback reg_dup reg_types reg_opts reg_ids reg_strings reg_many END"

compile_probe "compile" "$HERE/probe.c"

run_ref "$SCRATCH/ref" diff
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"

ours_ok=1
if ! ours_built "maps/ours"; then
	ours_ok=0
else
	run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD" diff
	check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL" || ours_ok=0
fi
if [ "$ours_ok" = 1 ]; then
	check_run "run/ours" "$SCRATCH/ours"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
else
	fail "diff" "not run: our library was not the one mapped"
fi

# The table the reference prints must be the one the probe iterates over (so
# that a stale probe table cannot hide a missing entry).
list=$(grep -m1 -o 'supported section(type) names are:[^\\]*' "$SCRATCH/ref.out" | sed 's/.*are://')
probe_list=$(awk '/^static const char \*table\[\] = \{/ { on = 1; next } on && /^};/ { exit } on' "$HERE/probe.c" |
	grep -o '"[^"]*"' | tr -d '"' | tr '\n' ' ' | sed 's/ $//')
if [ -n "$list" ] && [ "$list" = " $probe_list" ]; then
	pass "selfcheck/probe-table-is-reference-table ($(echo $list | wc -w) entries)"
else
	fail "selfcheck/probe-table-is-reference-table" "reference:$list | probe: $probe_list"
fi

# ------------------------------------------------------------- crash cases
CRASH_CASES="ptype(xdp,NULL,&at) ptype(xdp,&pt,NULL) ptype(kprobe/x,NULL,NULL) atype(xdp,NULL)
atype(cgroup/bind4,NULL) fallback+ptype(zzz,NULL,NULL)"
run_ref "$SCRATCH/crash_ref" crash
check_maps "maps/ref-crash" "$SCRATCH/crash_ref.out" "$REF_REAL"
for c in $CRASH_CASES; do
	if grep -qxF "crash $c signal=11" "$SCRATCH/crash_ref.out"; then
		pass "crash/ref-segfaults/$c"
	else
		fail "crash/ref-segfaults/$c" "$(grep -F "crash $c " "$SCRATCH/crash_ref.out" | head -n1)"
	fi
done
if [ "$ours_ok" = 1 ]; then
	run_ours "$SCRATCH/crash_ours" "$SWIFTBPF_BUILD" crash
	check_maps "maps/ours-crash" "$SCRATCH/crash_ours.out" "$OURS_REAL"
	check_run "run/ours-crash" "$SCRATCH/crash_ours"
	for c in $CRASH_CASES; do
		want="crash $c ret=-22 errno=22 prog_type=23130 attach_type=23130"
		if grep -qxF "$want" "$SCRATCH/crash_ours.out"; then
			pass "crash/ours-einval/$c"
		else
			fail "crash/ours-einval/$c" "want '$want', got '$(grep -F "crash $c " "$SCRATCH/crash_ours.out" | head -n1)'"
		fi
	done
	# registering after the last handler was unregistered: the reference's
	# first round (before its heap corruption shows) and our 8 rounds
	r0=$(grep -F 'crash reregister-after-empty round=0 ' "$SCRATCH/crash_ref.out")
	o0=$(grep -F 'crash reregister-after-empty round=0 ' "$SCRATCH/crash_ours.out")
	[ -n "$r0" ] && [ "$r0" = "$o0" ] && pass "crash/reregister-round0-as-reference" ||
		fail "crash/reregister-round0-as-reference" "ref '$r0', ours '$o0'"
	want=""
	for i in 0 1 2 3 4 5 6 7; do
		want="${want}crash reregister-after-empty round=$i ids=$((3 * i + 1)),0,$((3 * i + 2)),$((3 * i + 3)) lookups=0/2,0/3
"
	done
	got=$(grep -F 'crash reregister-after-empty round=' "$SCRATCH/crash_ours.out")
	[ "$got" = "${want%
}" ] && pass "crash/ours-reregister-8-rounds" ||
		fail "crash/ours-reregister-8-rounds" "$(echo "$got" | tr '\n' '|' | cut -c1-300)"
else
	fail "crash" "not run: our library was not the one mapped"
fi

finish
