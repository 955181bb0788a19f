#!/usr/bin/env bash
# SwiftBPF externs: differential test of extern resolution at bpf_object__load
# (.kconfig values from the kconfig open option, /boot/config-$(uname -r) or
# /proc/config.gz; the virtual LINUX_* externs; typeless ksyms from
# /proc/kallsyms; typed ksyms and kfuncs from kernel BTF; weak/strong rules).
#
# ONE probe (probe.c) is compiled once against the reference headers and run,
# for every case, against the reference (LD_LIBRARY_PATH unset) and against
# ours (LD_LIBRARY_PATH=$SWIFTBPF_BUILD). Each run first prints the realpath of
# the libbpf.so it mapped; both are verified, so the reference is never
# silently compared with itself.
#
# Cases: every object of src/*.c ($BPF_CC -target bpf -O2 -g) opened without
# the kconfig option; every kconfig/NAME.kconfig with each object its
# "# objects: ..." line names (the file's text is the option); and one object
# with kconfig = "" (@EMPTY).
#
# Checks per case:
#   extern/<case>  must be identical: open/load results, the .kconfig map's
#                  bytes after load (bpf_map__initial_value), the relocated
#                  ld_imm64/kfunc-call instructions extern values end up in,
#                  and every log line about externs, Kconfig, kallsyms or
#                  kernel BTF lookups (the EXTERN_LOG pattern below);
#   log/<case>     the whole library log must be identical too (other load
#                  stages included).
# The reference's own results are also checked against values known from
# this machine (selfcheck/*), so a probe that printed nothing useful fails.
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the probe
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang) for src/
# Scratch: $SWIFTBPF_BUILD/tests/externs/ only.
# Usage: run.sh [NAME...]   only the cases whose name contains one of NAME
#        run.sh --selftest  prove that the comparisons can fail
# Output: PASS <name> / FAIL <name>: <why> / SKIP <name>: <why>, then
# "N passed, N failed"; exit status non-zero when anything failed.
# Needs root (loading programs, kallsyms addresses), kernel BTF, and a kernel
# Kconfig (/boot/config-* or /proc/config.gz) for the system-Kconfig cases.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
SCRATCH=$SWIFTBPF_BUILD/tests/externs
PROBE=$SCRATCH/probe
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 120)

# Log lines extern resolution (and what it calls) prints.
EXTERN_LOG='extern|Kconfig|kallsyms|ksym|failed to parse|as integer|BTF object|module|syscall wrapper|BPF cookie|kprobe/type|failed to load object'

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

mkdir -p "$SCRATCH/objs" "$SCRATCH/ref" "$SCRATCH/ours" ||
	{ echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

selected() { # name filters...: true when no filter was given or the name matches one
	local name=$1 f
	shift
	[ "$#" -eq 0 ] && return 0
	for f in "$@"; do case "$name" in *"$f"*) return 0 ;; esac; done
	return 1
}

# ------------------------------------------------------------------ build
rm -f "$PROBE"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/probe.c" -lbpf -o "$PROBE" >"$SCRATCH/compile.log" 2>&1; then
	fail "compile/probe" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/probe"

OBJECTS=()
for src in "$HERE"/src/*.c; do
	name=$(basename "$src" .c)
	obj=$SCRATCH/objs/$name.o
	rm -f "$obj"
	if "$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj" \
		>"$SCRATCH/objs/$name.log" 2>&1; then
		OBJECTS+=("$name")
	else
		fail "compile/$name" "$(head -c 400 "$SCRATCH/objs/$name.log" | tr '\n' ' ')"
	fi
done

# CASES: "case-name object kconfig-arg" (kconfig-arg "-": no option)
CASES=()
for name in "${OBJECTS[@]}"; do
	CASES+=("$name $name -")
done
for kc in "$HERE"/kconfig/*.kconfig; do
	[ -e "$kc" ] || continue
	kname=$(basename "$kc" .kconfig)
	for name in $(sed -n '1s/^# objects: *//p' "$kc"); do
		[ -e "$SCRATCH/objs/$name.o" ] || { fail "case/$name+$kname" "no object $name"; continue; }
		CASES+=("$name+$kname $name $kc")
	done
done
CASES+=("kcfg_all+empty kcfg_all @EMPTY")

have_config=0
[ -r "/boot/config-$(uname -r)" ] || [ -r /proc/config.gz ] && have_config=1
[ "$have_config" = 1 ] || skip "system-kconfig" "no /boot/config-$(uname -r) nor /proc/config.gz: cases reading it only compare the failure"

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_REAL=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")/libbpf.so.1.1.2
if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi

run_ref() { # obj kconfig out
	local dir args=("$1")
	[ "$2" = - ] || args+=("$2")
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$PROBE" "${args[@]}" >"$3" 2>"$3.err" ;;
	*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$PROBE" "${args[@]}" >"$3" 2>"$3.err" ;;
	esac
	echo $? >"$3.rc"
}

run_ours() { # obj kconfig out
	local args=("$1")
	[ "$2" = - ] || args+=("$2")
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$SWIFTBPF_BUILD" "$PROBE" "${args[@]}" >"$3" 2>"$3.err"
	echo $? >"$3.rc"
}

# extern_view FILE: results, kconfig bytes, instructions, extern log lines
extern_view() { tail -n +2 "$1" | grep -E -v '^log ' ; tail -n +2 "$1" | grep -E '^log ' | grep -E "$EXTERN_LOG"; }
# log_view FILE: the whole log
log_view() { tail -n +2 "$1" | grep -E '^log '; }

compare() { # check-name view ref ours
	local d n first
	if cmp -s <($2 "$3") <($2 "$4"); then
		pass "$1 ($($2 "$3" | wc -l) lines)"
		return 0
	fi
	d=$(diff <($2 "$3") <($2 "$4"))
	n="$(echo "$d" | grep -c '^<') ref/$(echo "$d" | grep -c '^>') ours"
	first=$({ echo "$d" | grep -m1 '^<'; echo "$d" | grep -m1 '^>'; } | cut -c1-240 |
		sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
	fail "$1" "$n lines differ; first: $first (diff $3 $4)"
	return 1
}

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	st=$SCRATCH/selftest
	mkdir -p "$st"
	run_ref "$SCRATCH/objs/kcfg_all.o" - "$st/ref.out"
	[ "$(head -n1 "$st/ref.out")" = "MAPPED $REF_REAL" ] && pass "selftest/ref-maps" ||
		fail "selftest/ref-maps" "got '$(head -n1 "$st/ref.out")'"
	# an altered kconfig byte, an altered extern log line, a dropped log line
	sed '/^kconfig-bytes/s/ad/ae/' "$st/ref.out" >"$st/alt1.out"
	sed "/'CONFIG_HZ': set to/s/250/251/" "$st/ref.out" >"$st/alt2.out"
	grep -v "(weak): not resolved" "$st/ref.out" >"$st/alt3.out"
	for i in 1 2 3; do
		out=$(compare "x" extern_view "$st/ref.out" "$st/alt$i.out")
		echo "$out" | grep -q '^FAIL x' && pass "selftest/extern-view-catches-change-$i" ||
			fail "selftest/extern-view-catches-change-$i" "$out"
	done
	# a non-extern log line is outside the extern view but inside the log view
	sed '/^log 2 libbpf: elf: section/s/section/SECTION/' "$st/ref.out" >"$st/alt4.out"
	out=$(compare "x" extern_view "$st/ref.out" "$st/alt4.out")
	echo "$out" | grep -q '^PASS x' && pass "selftest/extern-view-ignores-other-stages" ||
		fail "selftest/extern-view-ignores-other-stages" "$out"
	out=$(compare "x" log_view "$st/ref.out" "$st/alt4.out")
	echo "$out" | grep -q '^FAIL x' && pass "selftest/log-view-catches-change" ||
		fail "selftest/log-view-catches-change" "$out"
	# our run must map our library, and a fallback to the reference is caught
	mkdir -p "$st/empty"
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$st/empty" "$PROBE" "$SCRATCH/objs/kcfg_all.o" >"$st/fallback.out" 2>/dev/null
	[ "$(head -n1 "$st/fallback.out")" != "MAPPED $OURS_REAL" ] && pass "selftest/maps-catches-fallback" ||
		fail "selftest/maps-catches-fallback" "the fallback run claims to have mapped ours"
	finish
fi

# ------------------------------------------------------------ differential
maps_bad=""
nsame=0
ncases=0
for entry in "${CASES[@]}"; do
	read -r case obj kconfig <<<"$entry"
	selected "$case" "$@" || continue
	ncases=$((ncases + 1))
	ref=$SCRATCH/ref/$case.out
	ours=$SCRATCH/ours/$case.out
	run_ref "$SCRATCH/objs/$obj.o" "$kconfig" "$ref"
	run_ours "$SCRATCH/objs/$obj.o" "$kconfig" "$ours"
	if [ "$(head -n1 "$ref")" != "MAPPED $REF_REAL" ]; then
		maps_bad=1
		fail "extern/$case" "the reference run did not map $REF_REAL (rc=$(cat "$ref.rc"))"
		continue
	fi
	if [ "$(head -n1 "$ours")" != "MAPPED $OURS_REAL" ]; then
		maps_bad=1
		fail "extern/$case" "our run did not map $OURS_REAL (rc=$(cat "$ours.rc"); stderr: $(head -c 300 "$ours.err" | tr '\n' ' '))"
		continue
	fi
	if [ "$(cat "$ref.rc")" != 0 ] || [ "$(tail -n1 "$ref")" != END ]; then
		fail "extern/$case" "the reference run failed (rc=$(cat "$ref.rc"), last line '$(tail -n1 "$ref" | cut -c1-200)')"
		continue
	fi
	if [ "$(cat "$ours.rc")" != 0 ] || [ "$(tail -n1 "$ours")" != END ]; then
		fail "extern/$case" "our run failed (rc=$(cat "$ours.rc"), last line '$(tail -n1 "$ours" | cut -c1-200)'; stderr: $(head -c 300 "$ours.err" | tr '\n' ' '))"
		continue
	fi
	compare "extern/$case" extern_view "$ref" "$ours" && nsame=$((nsame + 1))
	compare "log/$case" log_view "$ref" "$ours"
done
[ -z "$maps_bad" ] && [ "$ncases" -gt 0 ] && pass "maps ($ncases cases: reference and ours mapped as expected)"
echo "extern views identical: $nsame/$ncases"

# ------------------------------------------------------ reference selfcheck
# Facts of the reference's results that hold on any kernel, so an empty or
# broken probe output cannot pass as "identical".
selfcheck() { # name case grep-pattern
	local f=$SCRATCH/ref/$2.out
	[ -e "$f" ] || return 0
	if grep -qE "$3" "$f"; then pass "selfcheck/$1"; else fail "selfcheck/$1" "no line matching '$3' in $f"; fi
}
selfcheck kcfg-virtual-loads kcfg_virtual_only '^load ret=0$'
selfcheck kcfg-kernel-version kcfg_virtual_only "extern \(kcfg\) 'LINUX_KERNEL_VERSION': set to 0x"
selfcheck kcfg-strong-missing err_kcfg_strong_missing "^load ret=-3$"
selfcheck kcfg-complete-bytes kcfg_all+complete '^kconfig-bytes ffffffffffffffff ffffffffffffffff 02000000e8030000 01000000'
selfcheck kcfg-range err_kcfg_u8_kernel_version '^load ret=-34$'
selfcheck ksym-typeless ksym_typeless "extern \(ksym\) 'bpf_jit_compile': set to 0x"
selfcheck ksym-weak ksym_typeless "extern 'swiftbpf_missing_sym' \(weak\): not resolved, defaulting to zero"
selfcheck ksym-typed ksym_typed "extern \(var ksym\) 'runqueues': resolved to \[[0-9]+\] var runqueues"
selfcheck kfunc kfunc "extern \(func ksym\) 'bpf_task_acquire': resolved to kernel \[[0-9]+\]"
finish
