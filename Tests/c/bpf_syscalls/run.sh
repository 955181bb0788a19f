#!/usr/bin/env bash
# SwiftBPF bpf_syscalls: differential + live-kernel tests of every function
# declared in <bpf/bpf.h> (maps, elements, batches, freeze, BTF and program
# loading with verifier logs, test_run, stats, bind_map, pinning, cgroup
# attach/query/detach, links, raw tracepoints, perf-event links with
# bpf_cookie, task_fd_query, id walks, get_fd_by_id, get_info_by_fd,
# iter_create error paths, fd hygiene with fds 0-2 closed).
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice on the live kernel: LD_LIBRARY_PATH unset (reference) and
# LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours). Each run first prints the realpath
# of the libbpf.so it mapped; both are verified. Every section of the two
# outputs is diffed line by line (fds and object ids are normalised by the
# probe), and the probe's second-path checks ("CHECK PASS|FAIL", raw bpf(2)
# syscalls and fork+exec'd children) are reported for both libraries.
#
# Env: SWIFTBPF_BUILD (default: <repo>/build, relative to this script)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc)
# Scratch: $SWIFTBPF_BUILD/tests/bpf_syscalls/ only. Creates (and removes on
# exit): a bpffs mount there when /sys/fs/bpf is not a bpffs (else a
# directory in /sys/fs/bpf), cgroup v2 directories, and a tracefs mount on
# /sys/kernel/tracing when tracefs is not mounted yet.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff, check and maps checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed".
# Needs: root, a C compiler, libbpf-dev, libbpf1, a kernel with BPF + BTF.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib/common.sh"
sbpf_setup bpf_syscalls 60
DIFF_EXCLUDE='^CHECK '
DIFF_CHILD_MAPS=1

SECTIONS="setup btf map_create elem queue percpu inmap freeze batch prog_load prog_log
test_run stats bind_map pin cgroup link raw_tp perf next_id fd_by_id info iter lowfd cleanup END"

# ------------------------------------------------------------ environment
BPFFS_ROOT= BPFFS_MOUNTED= CG_MNT= CG_MOUNTED= CG_ROOT= TRACING= TRACEFS_MOUNTED=

cleanup() {
	local d
	if [ -n "$BPFFS_ROOT" ] && [ -d "$BPFFS_ROOT" ]; then
		for d in "$BPFFS_ROOT"/ref "$BPFFS_ROOT"/ours "$BPFFS_ROOT"/st_*; do
			[ -d "$d" ] && rm -rf "$d"
		done
		[ -z "$BPFFS_MOUNTED" ] && rmdir "$BPFFS_ROOT" 2>/dev/null
	fi
	if [ -n "$BPFFS_MOUNTED" ]; then
		umount "$BPFFS_ROOT" 2>/dev/null && rmdir "$BPFFS_ROOT" 2>/dev/null
	fi
	if [ -n "$CG_ROOT" ] && [ -d "$CG_ROOT" ]; then
		for d in "$CG_ROOT"/*/; do
			[ -d "$d" ] && rmdir "$d" 2>/dev/null
		done
		rmdir "$CG_ROOT" 2>/dev/null
	fi
	if [ -n "$CG_MOUNTED" ]; then
		umount "$CG_MNT" 2>/dev/null && rmdir "$CG_MNT" 2>/dev/null
	fi
	if [ -n "$TRACEFS_MOUNTED" ]; then
		umount "$TRACING" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup_env() {
	if [ "$(id -u)" != 0 ]; then
		fail "setup/root" "must run as root (bpf(2), cgroups, mounts)"
		finish
	fi
	# bpffs
	if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ]; then
		BPFFS_ROOT=/sys/fs/bpf/swiftbpf_syscalls_$$
		mkdir -p "$BPFFS_ROOT" || { fail "setup/bpffs" "cannot mkdir $BPFFS_ROOT"; finish; }
	else
		BPFFS_ROOT=$SCRATCH/bpffs
		mountpoint -q "$BPFFS_ROOT" 2>/dev/null && umount "$BPFFS_ROOT" # stale, from a killed run
		mkdir -p "$BPFFS_ROOT" && mount -t bpf bpf "$BPFFS_ROOT" ||
			{ fail "setup/bpffs" "cannot mount bpffs on $BPFFS_ROOT"; finish; }
		BPFFS_MOUNTED=1
	fi
	# cgroup v2: prefer an existing mount under /sys/fs/cgroup
	CG_MNT=$(awk '$3 == "cgroup2" && $2 ~ "^/sys/fs/cgroup" { print $2; exit }' /proc/mounts)
	[ -z "$CG_MNT" ] && CG_MNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -z "$CG_MNT" ]; then
		CG_MNT=$SCRATCH/cgroup2
		mkdir -p "$CG_MNT" && mount -t cgroup2 none "$CG_MNT" ||
			{ fail "setup/cgroup2" "no cgroup2 mount and cannot mount one"; finish; }
		CG_MOUNTED=1
	fi
	CG_ROOT=$CG_MNT/swiftbpf_syscalls_$$
	mkdir "$CG_ROOT" || { fail "setup/cgroup2" "cannot mkdir $CG_ROOT"; finish; }
	# tracefs
	local t
	for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [ -r "$t/events/syscalls/sys_enter_getpid/id" ]; then
			TRACING=$t
			break
		fi
	done
	if [ -z "$TRACING" ]; then
		TRACING=/sys/kernel/tracing
		if mount -t tracefs nodev "$TRACING" 2>/dev/null; then
			TRACEFS_MOUNTED=1
		else
			fail "setup/tracefs" "cannot mount tracefs on $TRACING (perf section will fail)"
		fi
	fi
}

# run_probe PREFIX TAG [LIBDIR]: LIBDIR empty = reference
run_probe() {
	local prefix=$1 tag=$2 libdir=${3-}
	rm -rf "${BPFFS_ROOT:?}/$tag"
	rmdir "$CG_ROOT/$tag" 2>/dev/null
	mkdir -p "$BPFFS_ROOT/$tag" "$CG_ROOT/$tag" "$SCRATCH/plain"
	PROBE_ENV=(SYSCALLS_BPFFS="$BPFFS_ROOT/$tag" SYSCALLS_CGROUP="$CG_ROOT/$tag"
		SYSCALLS_TRACING="$TRACING" SYSCALLS_SCRATCH="$SCRATCH/plain")
	if [ -z "$libdir" ]; then
		run_ref "$prefix" diff
	else
		run_ours "$prefix" "$libdir" diff
	fi
	rm -rf "${BPFFS_ROOT:?}/$tag"
	rmdir "$CG_ROOT/$tag" 2>/dev/null
}

# report_checks TAG OUT [REF_OUT]: the probe's second-path checks; with
# REF_OUT, every check the reference ran must also have run here.
report_checks() {
	local tag=$1 o=$2 r=${3-} line name missing
	tally "check/$tag/" < <(grep -E '^CHECK (PASS|FAIL) ' "$o" | sed 's/^CHECK //')
	if [ -n "$r" ]; then
		missing=$(comm -23 <(grep -E '^CHECK (PASS|FAIL) ' "$r" | awk '{ sub(/:$/, "", $3); print $3 }' | sort -u) \
			<(grep -E '^CHECK (PASS|FAIL) ' "$o" | awk '{ sub(/:$/, "", $3); print $3 }' | sort -u) | paste -sd ' ' -)
		if [ -n "$missing" ]; then
			fail "check/$tag/all-ran" "checks not run: $missing"
		else
			pass "check/$tag/all-ran ($(grep -c '^CHECK ' "$r") checks)"
		fi
	fi
}

# ------------------------------------------------------------------ build
compile_probe "compile" "$HERE/probe.c"

setup_env

# --------------------------------------------------------------- selftest
if [ "${1:-}" = "--selftest" ]; then
	run_probe "$SCRATCH/st_ref" st_ref
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	check_run "selftest/ref-run" "$SCRATCH/st_ref"
	alt=$SCRATCH/st_altered.out
	# 1. the diff check must catch an altered value, a dropped line, a
	#    missing section and an extra section
	awk '!done && /^test_run xor repeat=5: / { sub(/retval=0x2/, "retval=0x1"); done = 1 } { print }' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-altered-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/test_run: 1 ref/1 ours lines differ" 1
	grep -v '^elem hash update k=1 v=111 NOEXIST' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-dropped-line" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/elem"
	grep -v '^iter ' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/diff-catches-missing-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/iter: section missing from our output"
	{ cat "$SCRATCH/st_ref.out"; echo "bogus extra"; } >"$alt"
	st_expect_fail "selftest/diff-catches-extra-section" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "diff/bogus"
	st_expect_clean "selftest/diff-identical-passes" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")"
	# 2. second-path checks: a failed check and a check that did not run
	sed 's/^CHECK PASS test_run\/xdp-data_out-is-transformed-input$/CHECK FAIL test_run\/xdp-data_out-is-transformed-input: tampered/' \
		"$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/checks-catch-failed-check" "$(report_checks ours "$alt" "$SCRATCH/st_ref.out")" \
		"check/ours/test_run/xdp-data_out-is-transformed-input: tampered"
	grep -v '^CHECK PASS pin/child-pinned-map-same-id' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/checks-catch-missing-check" "$(report_checks ours "$alt" "$SCRATCH/st_ref.out")" \
		"check/ours/all-ran: checks not run: pin/child-pinned-map-same-id"
	# 3. the maps check must catch a run where LD_LIBRARY_PATH points at a
	#    directory without our library (silent fallback to the system
	#    libbpf), and one where LD_LIBRARY_PATH is not passed at all
	mkdir -p "$SCRATCH/st_empty"
	run_probe "$SCRATCH/st_fallback" st_fb "$SCRATCH/st_empty"
	st_expect_fail "selftest/maps-catches-fallback-to-reference" \
		"$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")" \
		"maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'"
	st_maps_ignored "selftest/maps-catches-ignored-LD_LIBRARY_PATH" "$SCRATCH/st_ref.out"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st_ref.out"
	# 4. children must map the same library as their parent
	sed 's/^pin pinget child-maps same$/pin pinget child-maps DIFFERENT: MAPPED \/x/' "$SCRATCH/st_ref.out" >"$alt"
	st_expect_fail "selftest/maps-catches-child-mapping" \
		"$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")" "maps/children"
	finish
fi

# ------------------------------------------------------------ differential
run_probe "$SCRATCH/ref" ref
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
report_checks ref "$SCRATCH/ref.out"

ours_built "maps/ours" || finish
run_probe "$SCRATCH/ours" ours "$SWIFTBPF_BUILD"
if ! check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"; then
	fail "diff" "not run: our library was not the one mapped"
	finish
fi
check_run "run/ours" "$SCRATCH/ours"
diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
report_checks ours "$SCRATCH/ours.out" "$SCRATCH/ref.out"
if cmp -s "$SCRATCH/ref.err" "$SCRATCH/ours.err"; then
	pass "diff/stderr"
else
	fail "diff/stderr" "ref: $(head -c 200 "$SCRATCH/ref.err" | tr '\n' ' ') | ours: $(head -c 200 "$SCRATCH/ours.err" | tr '\n' ' ')"
fi
finish
