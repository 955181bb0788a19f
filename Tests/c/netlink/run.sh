#!/usr/bin/env bash
# SwiftBPF netlink: differential test of the XDP and TC attach functions that
# talk rtnetlink: bpf_xdp_attach, bpf_xdp_detach, bpf_xdp_query,
# bpf_xdp_query_id, bpf_tc_hook_create, bpf_tc_hook_destroy, bpf_tc_attach,
# bpf_tc_detach, bpf_tc_query.
#
# ONE probe (probe.c) is compiled against the reference headers and run twice,
# each time in a fresh anonymous network namespace (unshare -n: it disappears
# with the probe, whatever happens) holding lo and a veth pair sbpf_a/sbpf_b:
# LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD (ours).
# Both runs also preload nlshim.so, a fault injector around the socket calls
# (socket, setsockopt, bind, getsockname, send, recvmsg) that the probe arms for
# single calls in its fault_* sections (failing calls, foreign port ids and
# sequence numbers, rewritten extended acks and filter replies, ...); unarmed it
# passes everything through.
#
# Checks:
#   maps/ref, maps/ours     the library each run mapped (/proc/self/maps)
#   run/*, fds/*            the probe completed; no fd left open overall
#   diff/<section>          every section identical between the two runs:
#                           return values, errno, fd changes per call, opts
#                           written back, the print callback's log lines
#   expect/<who>/<name>     values that come from neither library: the devices'
#                           state read back with ip(8)/tc(8), program ids read
#                           with raw bpf(2), and what kernel semantics give
#                           (EEXIST for an exclusive create of an existing
#                           qdisc, ...), in both runs
# Env: SWIFTBPF_BUILD, REF_LIB, CC (see ../lib/common.sh)
# Scratch: $SWIFTBPF_BUILD/tests/netlink/ only.
# Usage: run.sh             run the tests
#        run.sh --selftest  prove that the diff, maps and expect checks can fail
#        run.sh --inner CMD...  (internal) set up the namespace's devices, exec CMD
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.
# Needs: root, unshare(1), ip(8) and tc(8) (iproute2), a kernel with XDP and clsact.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ----------------------------------------------------- inner (new netns)
if [ "${1:-}" = "--inner" ]; then
	shift
	ip link set lo up || exit 90
	ip link add sbpf_a type veth peer name sbpf_b || exit 91
	ip link set sbpf_a up && ip link set sbpf_b up || exit 92
	exec "$@"
fi

. "$HERE/../lib/common.sh"
sbpf_setup netlink 60
MODE=${1:-run}

cleanup() { rm -f "$SCRATCH"/*.tmp; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
	fail "setup/root" "must run as root with network namespaces (unshare -n)"
	finish
fi
if ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null 2>&1; }
	if ! command -v ip >/dev/null || ! command -v tc >/dev/null; then
		fail "setup/iproute2" "ip/tc not found and could not be installed"
		finish
	fi
fi

# ------------------------------------------------------------------ build
if ! "$CC" -shared -fPIC -O1 -Wall "$HERE/nlshim.c" -o "$SCRATCH/nlshim.so" -ldl >"$SCRATCH/shim.log" 2>&1; then
	fail "compile/nlshim" "$(head -c 600 "$SCRATCH/shim.log" | tr '\n' ' ')"
	finish
fi
pass "compile/nlshim"
compile_probe "compile/probe" "$HERE/probe.c" -ldl
ours_built "build" || finish

MODES=$(sed -n '/MODES-BEGIN/,/MODES-END/p' "$HERE/probe.c" | grep -o '"[a-z0-9_]*"' | tr -d '"')
SECTIONS="init xdp_args xdp_skb xdp_replace xdp_drv tc_args tc_noqdisc tc_hook tc_attach tc_query tc_detach tc_destroy
$(for m in $MODES; do printf 'fault_%s ' "$m"; done) faults end END"

PROBE_WRAP=(unshare -n bash "$HERE/run.sh" --inner)
PROBE_ENV=(LD_PRELOAD="$SCRATCH/nlshim.so")

# check_probe WHO PREFIX EXPECTED_LIB: maps, completion, fds, expect lines.
check_probe() {
	local who=$1 prefix=$2 lib=$3 line name
	check_maps "maps/$who" "$prefix.out" "$lib"
	check_run "run/$who" "$prefix"
	if grep -q '^end fds same$' "$prefix.out"; then
		pass "fds/$who"
	else
		fail "fds/$who" "$(grep '^end fds' "$prefix.out" || echo 'no end line')"
	fi
	if ! grep -q '^init shim loaded$' "$prefix.out"; then
		fail "shim/$who" "the fault injector was not loaded: $(grep -m1 '^init shim' "$prefix.out")"
	fi
	check_expects "$who" "$prefix.out"
}

# check_expects WHO OUT: one check per expect line
check_expects() {
	local who=$1 out=$2 n=0 line name
	while IFS= read -r line; do
		n=$((n + 1))
		name=${line#* expect }
		name=${name%% *}
		case "$line" in
		*" expect $name ok") pass "expect/$who/$name" ;;
		*) fail "expect/$who/$name" "${line#* expect $name }" ;;
		esac
	done < <(grep '^[a-z_]* expect ' "$out")
	[ "$n" -gt 0 ] || fail "expect/$who" "no expect lines"
}

# ------------------------------------------------------------------ selftest
if [ "$MODE" = "--selftest" ]; then
	run_ref "$SCRATCH/st.ref"
	check_run "selftest/reference-runs" "$SCRATCH/st.ref" >/dev/null || { fail "selftest/setup" "the reference run failed"; finish; }
	pass "selftest/reference-runs"
	# a changed return value in one section must fail that section's diff
	sed '0,/^xdp_skb call /s/^\(xdp_skb call .*\) = 0 /\1 = -1 /' "$SCRATCH/st.ref.out" >"$SCRATCH/st.tampered.out"
	st_expect_fail "selftest/diff-catches-return-value" \
		"$(diff_sections "$SCRATCH/st.ref.out" "$SCRATCH/st.tampered.out" "$SCRATCH/st.diff")" "diff/xdp_skb" 1
	# a missing log line must fail its section
	grep -v -m1 -n 'fault_tlvdup log' "$SCRATCH/st.ref.out" >/dev/null
	awk '/^fault_tlvdup log/ && !d { d = 1; next } { print }' "$SCRATCH/st.ref.out" >"$SCRATCH/st.nolog.out"
	st_expect_fail "selftest/diff-catches-missing-log" \
		"$(diff_sections "$SCRATCH/st.ref.out" "$SCRATCH/st.nolog.out" "$SCRATCH/st.diff")" "diff/fault_tlvdup" 1
	# identical outputs pass
	st_expect_clean "selftest/diff-identical-passes" \
		"$(diff_sections "$SCRATCH/st.ref.out" "$SCRATCH/st.ref.out" "$SCRATCH/st.diff")"
	# a FAILED expect line is reported
	sed '0,/ expect \([a-z/_-]*\) ok$/s// expect \1 FAILED tampered/' "$SCRATCH/st.ref.out" >"$SCRATCH/st.exp.out"
	st_expect_fail "selftest/expect-catches-failure" "$(check_expects st "$SCRATCH/st.exp.out")" "expect/st/" 1
	# maps: ours silently replaced by the reference, or the reference by another library
	st_maps_fallback "selftest/maps-catches-fallback" "$SCRATCH/st.fallback"
	st_maps_ignored "selftest/maps-catches-reference-as-ours" "$SCRATCH/st.ref.out"
	st_maps_wrong_ref "selftest/maps-catches-wrong-reference" "$SCRATCH/st.ref.out"
	finish
fi

# ------------------------------------------------------------------ run
run_ref "$SCRATCH/ref"
run_ours "$SCRATCH/ours" "$SWIFTBPF_BUILD"
check_probe ref "$SCRATCH/ref" "$REF_REAL"
check_probe ours "$SCRATCH/ours" "$OURS_REAL"
diff_detail() { echo "$(grep -c ' call ' "$1") calls, $(wc -l <"$1") lines"; }
diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/diff"
finish
