#!/usr/bin/env bash
# SwiftBPF attach: differential test of attaching BPF programs and of the
# bpf_link API, on the live kernel: tracepoint (explicit, _opts with
# bpf_cookie, auto), raw_tp, uprobe/uretprobe on the probe's own functions
# (func_name, file offset, pid filter, cookie, ref_ctr_offset, auto-attach from
# SEC("uprobe//proc/self/exe:fn")), perf_event (cpu-clock sampling and a
# tracepoint event with cookie), cgroup (sock_create from a process in a test
# cgroup), netns (sk_lookup), xdp (veth pair in a private netns, real frames),
# iter (task, bpf_map_elem), struct_ops (a tcp_congestion_ops seen in
# net.ipv4.tcp_available_congestion_control and by setsockopt TCP_CONGESTION);
# the kinds this kernel refuses (kprobe, ksyscall, kprobe.multi; fentry, fexit,
# fmod_ret, lsm, tp_btf, freplace never loaded under lockdown) must fail
# identically; bpf_link fd/pin/pin_path/unpin/open/update_program/detach/
# disconnect/destroy; bpf_program__attach on every section kind; custom
# handlers (libbpf_register_prog_handler with an attach callback);
# set_attach_target, set_ifindex, libbpf_find_vmlinux_btf_id; attach/detach/
# destroy_skeleton with a bpftool skeleton (auto-attachable, non-attachable,
# autoload-off, autoattach-off programs, a pre-filled link slot, a failing
# kprobe in the middle); opts with a non-zero tail; fd leaks around every call.
#
# ONE probe (probe.c) is compiled once against the reference headers and run
# twice: LD_LIBRARY_PATH unset (reference) and LD_LIBRARY_PATH=$SWIFTBPF_BUILD
# (ours). Each run happens in a fresh private mount + network namespace
# (unshare -m -n) with a bpffs mounted on $SCRATCH/bpffs, tracefs, lo up and a
# veth pair; the same paths are used by both runs, so pins and mounts vanish
# with the namespace. Each run first prints the realpath of the libbpf.so it
# mapped; both are verified. Every section of the two outputs (the library's
# whole log through a print callback, normalised for pid/fds/ids by the probe)
# is diffed line by line, and hand-written expected values (counters the BPF
# programs increment a known number of times, BTF ids from bpftool's dump of
# /sys/kernel/btf/vmlinux, ...) are checked in both.
#
# Env: SWIFTBPF_BUILD (default: <repo>/build, relative to this script)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the probe
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang) for src/
#      BPFTOOL        (default bpftool; installed with apt when missing)
# Scratch: $SWIFTBPF_BUILD/tests/attach/ only. Creates (and removes on exit) a
# cgroup v2 directory swiftbpf_attach_<pid> under the cgroup2 mount; removes
# any tracefs probe event the probe's libbpf left behind.
# Usage: run.sh             differential run (reference and ours)
#        run.sh --ref-only  only the reference run and the expected values
#        run.sh --selftest  prove that the diff, maps and expected checks can fail
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.
# Needs: root, unshare, ip (iproute2), a kernel with BPF, BTF, uprobes, XDP.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ----------------------------------------------------------- inner (netns)
# run.sh --inner SCRATCH PIDFILE PROBE: runs inside unshare -m -n.
if [ "${1:-}" = "--inner" ]; then
	S=$2
	mount --make-rprivate / 2>/dev/null
	mkdir -p "$S/bpffs" "$S/plain" || exit 90
	mount -t bpf bpf "$S/bpffs" || exit 91
	T=/sys/kernel/tracing
	if [ ! -r $T/events/syscalls/sys_enter_getppid/id ]; then
		mount -t tracefs nodev $T 2>/dev/null || exit 92
	fi
	ip link set lo up || exit 93
	ip link add sbpf_tx type veth peer name sbpf_rx || exit 94
	ip link set sbpf_tx up && ip link set sbpf_rx up || exit 95
	export ATTACH_BPFFS=$S/bpffs ATTACH_PLAIN=$S/plain ATTACH_TRACING=$T ATTACH_VETH_TX=sbpf_tx ATTACH_VETH_RX=sbpf_rx
	echo $$ >"$3"
	exec "$4"
fi

SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$(cd "$HERE/../../.." && pwd)/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
BPFTOOL=${BPFTOOL:-bpftool}
SCRATCH=$SWIFTBPF_BUILD/tests/attach
GEN=$SCRATCH/gen
PROBE=$SCRATCH/probe
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 60)
MODE=${1:-diff}

SECTIONS="custom load tp raw_tp uprobe perf cgroup netns xdp iter struct_ops_load struct_ops fail noload
target target_load auto link skel_load skel skelfail skelso errors null cleanup END"

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

mkdir -p "$SCRATCH" || { echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# ------------------------------------------------------------ environment
CG_MNT= CG_ROOT= PIDS=()

# Tracefs probe events named after one of our probe pids (libbpf's legacy
# kprobe/uprobe events are "libbpf_<pid>_...") are removed.
clean_tracefs_events() {
	[ ${#PIDS[@]} -eq 0 ] && return
	local pat
	pat=$(printf 'libbpf_%s_|' "${PIDS[@]}")
	pat=${pat%|}
	unshare -m sh -c '
		T=/sys/kernel/tracing
		[ -w $T/uprobe_events ] || mount -t tracefs nodev $T 2>/dev/null
		for f in kprobe_events uprobe_events; do
			[ -w $T/$f ] || continue
			grep -E "$1" $T/$f 2>/dev/null | sed -n "s/^[pr][^:]*:\([^ ]*\).*/\1/p" |
				while read -r ev; do echo "-:$ev" >>$T/$f; done
		done' sh "$pat" 2>/dev/null
}

cleanup() {
	if [ -n "$CG_ROOT" ] && [ -d "$CG_ROOT" ]; then
		rmdir "$CG_ROOT" 2>/dev/null
	fi
	clean_tracefs_events
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" != 0 ] || ! unshare -m -n true 2>/dev/null; then
	fail "setup/root" "must run as root with mount and network namespaces (unshare -m -n)"
	finish
fi
if ! command -v ip >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null 2>&1; }
	command -v ip >/dev/null || { fail "setup/iproute2" "ip not found and could not be installed"; finish; }
fi
# bpftool is Debian's "bpftool" package (bookworm: 7.1.0, libbpf 1.1 inside).
if ! command -v "$BPFTOOL" >/dev/null && [ -x /usr/sbin/bpftool ]; then BPFTOOL=/usr/sbin/bpftool; fi
if ! command -v "$BPFTOOL" >/dev/null && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftool >/dev/null 2>&1; }
	[ -x /usr/sbin/bpftool ] && BPFTOOL=/usr/sbin/bpftool
fi
command -v "$BPFTOOL" >/dev/null || { fail "setup/bpftool" "bpftool not found and could not be installed"; finish; }

CG_MNT=$(awk '$3 == "cgroup2" && $2 ~ "^/sys/fs/cgroup" { print $2; exit }' /proc/mounts)
[ -z "$CG_MNT" ] && CG_MNT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -z "$CG_MNT" ] && { fail "setup/cgroup2" "no cgroup2 mount"; finish; }
CG_ROOT=$CG_MNT/swiftbpf_attach_$$

# ------------------------------------------------------------------ build
step() { # NAME COMMAND...: run, FAIL with the log on error
	local name=$1
	shift
	if "$@" >"$SCRATCH/step.log" 2>&1; then
		return 0
	fi
	fail "$name" "$(head -c 600 "$SCRATCH/step.log" | tr '\n' ' ')"
	finish
}
rm -rf "$GEN"
mkdir -p "$GEN"
step "bpftool/vmlinux.h" sh -c "'$BPFTOOL' btf dump file /sys/kernel/btf/vmlinux format c >'$GEN/vmlinux.h'"
step "bpftool/btf-dump" sh -c "'$BPFTOOL' btf dump file /sys/kernel/btf/vmlinux >'$GEN/btf.txt'"
for f in attach skel so; do
	step "compile/$f.bpf.c" "$BPF_CC" -target bpf -O2 -g -D__TARGET_ARCH_x86 -I"$GEN" -I"$HERE/src" \
		-c "$HERE/src/$f.bpf.c" -o "$GEN/$f.bpf.o"
done
step "bpftool/skeleton" sh -c "'$BPFTOOL' gen skeleton '$GEN/skel.bpf.o' name skel >'$GEN/skel.skel.h'"
step "bpftool/skeleton-so" sh -c "'$BPFTOOL' gen skeleton '$GEN/so.bpf.o' name so >'$GEN/so.skel.h'"
rm -f "$PROBE"
step "compile/probe" "$CC" -std=gnu11 -O1 -Wall -Wno-unused-function -I/usr/include -I"$GEN" -I"$HERE/src" \
	"$HERE/probe.c" -lbpf -o "$PROBE"
pass "build (bpftool $("$BPFTOOL" version 2>/dev/null | head -n1 | awk '{print $2}'))"

# BTF ids the kernel's BTF gives (bpftool's dump, not libbpf_find_vmlinux_btf_id).
btf_id() { # KIND NAME
	awk -v k="$1" -v n="'$2'" '$2 == k && $3 == n { gsub(/[][]/, "", $1); print $1; exit }' "$GEN/btf.txt"
}
ID_LSM=$(btf_id FUNC bpf_lsm_file_open)
ID_RAWTP=$(btf_id TYPEDEF btf_trace_sys_enter)
ID_ITER=$(btf_id FUNC bpf_iter_task)
ID_ITER_MAP=$(btf_id FUNC bpf_iter_bpf_map)
ID_FTEST=$(btf_id FUNC bpf_fentry_test1)
ID_OPENAT2=$(btf_id FUNC do_sys_openat2)

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_DIR=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")
OURS_REAL=$OURS_DIR/libbpf.so.1.1.2

# run_probe PREFIX [LIBDIR]: LIBDIR empty = reference
run_probe() {
	local prefix=$1 libdir=${2-} dir envv
	rmdir "$CG_ROOT" 2>/dev/null
	mkdir "$CG_ROOT" || { echo "cannot mkdir $CG_ROOT" >"$prefix.err"; echo 99 >"$prefix.rc"; : >"$prefix.out"; return; }
	envv=(ATTACH_GEN="$GEN" ATTACH_CGROUP="$CG_ROOT")
	if [ -z "$libdir" ]; then
		dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
		case "$dir" in
		/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu) envv=(-u LD_LIBRARY_PATH "${envv[@]}") ;;
		*) envv=(LD_LIBRARY_PATH="$dir" "${envv[@]}") ;;
		esac
	else
		envv=(LD_LIBRARY_PATH="$libdir" "${envv[@]}")
	fi
	rm -f "$prefix.pid"
	(cd "$SCRATCH" && "${TIMEOUT[@]}" env "${envv[@]}" unshare -m -n bash "$HERE/run.sh" --inner "$SCRATCH" "$prefix.pid" "$PROBE") \
		>"$prefix.out" 2>"$prefix.err"
	echo $? >"$prefix.rc"
	[ -s "$prefix.pid" ] && PIDS+=("$(cat "$prefix.pid")")
	rmdir "$CG_ROOT" 2>/dev/null
}

# check_maps NAME OUTFILE EXPECTED_REALPATH
check_maps() {
	local got
	got=$(head -n1 "$2" 2>/dev/null)
	if [ "$got" = "MAPPED $3" ]; then
		pass "$1"
	elif [ -z "$got" ]; then
		fail "$1" "the probe printed nothing (rc=$(cat "${2%.out}.rc" 2>/dev/null); stderr: $(head -c 300 "${2%.out}.err" 2>/dev/null | tr '\n' ' '))"
	else
		fail "$1" "expected 'MAPPED $3', got '$got'"
	fi
}

# check_run NAME PREFIX: exit status 0 and a final END line
check_run() {
	local rc
	rc=$(cat "$2.rc")
	if [ "$rc" = 0 ] && [ "$(tail -n1 "$2.out")" = "END" ]; then
		pass "$1"
	else
		fail "$1" "rc=$rc, last line '$(tail -n1 "$2.out" | head -c 200)', stderr: $(head -c 300 "$2.err" | tr '\n' ' ')"
	fi
}

# diff_sections REF_OUT OURS_OUT WORKDIR: per-section line-by-line comparison
# of everything after the MAPPED line.
diff_sections() {
	local ref=$1 ours=$2 work=$3 s n nr no first
	rm -rf "$work"
	mkdir -p "$work/ref" "$work/ours"
	tail -n +2 "$ref" | awk -v d="$work/ref" '{ f = d "/" $1; print > f }'
	tail -n +2 "$ours" | awk -v d="$work/ours" '{ f = d "/" $1; print > f }'
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
			pass "diff/$s ($(wc -l <"$work/ref/$s") lines)"
		else
			nr=$(wc -l <"$work/ref/$s")
			no=$(wc -l <"$work/ours/$s")
			n="$(diff "$work/ref/$s" "$work/ours/$s" | grep -c '^<') ref/$(diff "$work/ref/$s" "$work/ours/$s" | grep -c '^>') ours"
			first=$({ diff "$work/ref/$s" "$work/ours/$s" | grep -m1 '^<'
				diff "$work/ref/$s" "$work/ours/$s" | grep -m1 '^>'; } | cut -c1-220 |
				sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
			fail "diff/$s" "$n lines differ (of $nr ref, $no ours lines); first: $first"
		fi
	done
	for s in $(ls "$work/ours"); do
		case " $(echo $SECTIONS) " in
		*" $s "*) ;;
		*) fail "diff/$s" "unexpected section in our output: $(head -n1 "$work/ours/$s" | cut -c1-200)" ;;
		esac
	done
}

# Values fixed by the test itself, not taken from either library: how many
# times each program was triggered, cookies the probe chose, the return value
# of the probe's own function, what the kernel shows (congestion controls,
# setsockopt), the BTF ids in bpftool's dump, the documented semantics of
# pinning/disconnect (a pinned or disconnected link stays attached).
EXPECTED=(
	# tracepoint
	"tp expect count 3 cookie 0"
	"tp expect after destroy count 3"
	"tp expect opts count 4 cookie 0x1234abcd5678"
	"tp expect auto counts tp 5 tracepoint 5 cookie 0"
	"tp expect twice count 2"
	# raw_tp
	"raw_tp expect counts named 3 by-name 3"
	"raw_tp expect after destroy named 3 by-name 3"
	# uprobe: attach_target_fn(x) returns 2x+1
	"uprobe expect offsets known: func 1 sema 1"
	"uprobe expect by name count 3 arg 7 cookie 0x77"
	"uprobe expect after destroy count 3"
	"uprobe expect by offset count 2 arg 10 cookie 0"
	"uprobe expect pid 0 count 1"
	"uprobe expect retprobe count 3 rc 21 cookie 0x99"
	"uprobe expect retprobe by offset count 2 rc 9"
	"uprobe expect other-pid count 0"
	"uprobe expect auto counts uprobe 3 uretprobe 3"
	"uprobe expect sema before 0"
	"uprobe expect sema attached 1"
	"uprobe expect ref_ctr count 1"
	"uprobe expect sema after destroy 0"
	# perf_event
	"perf expect cpu-clock samples>0 1 cookie 0"
	"perf expect tracepoint event count 5 cookie 0xabcdef"
	"perf expect after destroy count 5"
	# cgroup, netns, xdp
	"cgroup expect sockets counted 4"
	"cgroup expect after update old 4 new 3"
	"cgroup expect after detach old 4 new 3"
	"netns expect udp received 3 lookups 3"
	"netns expect after update old 3 new 2"
	"netns expect after detach old 3 new 2"
	"xdp expect frames counted 4"
	"xdp expect after update old 4 new 3"
	"xdp expect after detach old 4 new 3"
	# iter
	"iter expect task output: task-of-probe tgid==pid 1"
	"iter expect task auto output: task-of-probe tgid==pid 1"
	"iter expect map elem output: key 0 value 1"
	"iter expect map elem output: key 1 value 11"
	"iter expect map elem output: key 2 value 21"
	"iter expect map elem output: key 3 value 31"
	# struct_ops (setsockopt TCP_CONGESTION: 0 when registered, -ENOENT when not)
	"struct_ops expect before: available 0 setsockopt -2"
	"struct_ops expect attached: available 1 setsockopt 0"
	"struct_ops expect after destroy: available 0 setsockopt -2"
	# failing kinds leave no tracefs event behind
	"fail expect no leftover probe events: kprobe_events 0 uprobe_events 0"
	# BTF ids
	"target expect find_vmlinux_btf_id('file_open', 27) = $ID_LSM"
	"target expect find_vmlinux_btf_id('sys_enter', 23) = $ID_RAWTP"
	"target expect find_vmlinux_btf_id('task', 28) = $ID_ITER"
	"target expect find_vmlinux_btf_id('bpf_map', 28) = $ID_ITER_MAP"
	"target expect find_vmlinux_btf_id('bpf_fentry_test1', 24) = $ID_FTEST"
	"target expect find_vmlinux_btf_id('do_sys_openat2', 25) = $ID_OPENAT2"
	"target expect find_vmlinux_btf_id('bpf_fentry_test1', 26) = $ID_FTEST"
	# custom handler
	"custom expect custom count 3"
	"custom callback calls 1 prog is cust_one 1 cookie 0xc0ffee"
	# bpf_link
	"link expect pinned file exists 1"
	"link expect pinned file exists after unpin 0"
	"link expect l1 exists 1"
	"link expect count while linked 2"
	"link expect count after destroy of pinned link 5"
	"link expect count increase after unlink of pin 0"
	"link expect count after disconnect+destroy 3"
	"link expect pin l3 exists 1"
	"link expect count after detach 4"
	"link expect pin l3 exists after unpin 0"
	"link expect count after destroy of the opened link 6"
	"link leaked link fds of pe_tp closed: 1"
	"link expect count after closing them 6"
	"link expect count after unpinned disconnect+destroy 2"
	"link leaked link fds of tp_long closed: 1"
	"link expect count after closing them 2"
	"link expect count after raw_tp disconnect+destroy 2"
	"link leaked link fds of raw_named closed: 1"
	"link expect counts old 2 new 0"
	"link expect counts after detach 3"
	"link expect sockets counted after destroy of pinned link 2"
	"link expect after update old 2 new 1"
	"link expect after unlink+destroy old 2 new 1"
	# skeleton: auto-attached tp, raw, tp2 + the pre-filled sk_pre
	"skel expect links of this object before attach 1"
	"skel expect links of this object after attach 4"
	"skel expect hits tp 3 raw 3 noattach 0 pre 3 (cookie 0x5e1f) tp2 3 noload 0"
	"skel expect links of this object after second attach 4"
	"skel expect links of this object after detach 0"
	"skel expect hits after detach tp 3 raw 3 pre 3 tp2 3"
	"skel expect links of this object after destroy 0"
	# skeleton whose kprobe fails: programs before it attached, none after
	"skelfail expect links of this object after failed attach 4"
	"skelfail expect hits tp 2 raw 2 noattach 2 tp2 0"
	"skelfail expect links of this object after destroy 0"
	# struct_ops through a skeleton: registered while the link exists
	"skelso expect after attach_struct_ops: available 1"
	"skelso expect after destroy: available 0"
	# opts.sz 8: the cookie field lies beyond sz and is ignored
	"errors expect cookie seen 0 count 1"
)
check_expected() {
	local line missing=0 got
	for line in "${EXPECTED[@]}"; do
		if ! grep -qxF "$line" "$2"; then
			got=$(grep -F "$(echo "$line" | cut -d' ' -f1-4)" "$2" | head -n2 | cut -c1-160 | paste -sd '|' -)
			fail "$1" "missing line: $line (have: ${got:-nothing})"
			missing=1
		fi
	done
	[ "$missing" = 0 ] && pass "$1 (${#EXPECTED[@]} lines)"
}

if [ -z "$ID_LSM" ] || [ -z "$ID_RAWTP" ] || [ -z "$ID_ITER" ] || [ -z "$ID_ITER_MAP" ] || [ -z "$ID_FTEST" ] || [ -z "$ID_OPENAT2" ]; then
	fail "setup/btf-ids" "bpftool's BTF dump lacks one of bpf_lsm_file_open btf_trace_sys_enter bpf_iter_task bpf_iter_bpf_map bpf_fentry_test1 do_sys_openat2"
fi

# --------------------------------------------------------------- selftest
if [ "$MODE" = "--selftest" ]; then
	run_probe "$SCRATCH/st_ref"
	check_maps "selftest/ref-maps" "$SCRATCH/st_ref.out" "$REF_REAL"
	alt=$SCRATCH/st_altered.out
	awk '!done && /^uprobe expect by name count/ { sub(/count 3/, "count 4"); done = 1 } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	if echo "$out" | grep -q '^FAIL diff/uprobe: 1 ref/1 ours lines differ' && [ "$(echo "$out" | grep -c '^FAIL')" = 1 ]; then
		pass "selftest/diff-catches-altered-line"
	else
		fail "selftest/diff-catches-altered-line" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	fi
	awk '!done && /^link log / { done = 1; next } { print }' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/link: 1 ref/0 ours lines differ' &&
		pass "selftest/diff-catches-missing-log-line" || fail "selftest/diff-catches-missing-log-line" "$(echo "$out" | grep -m3 FAIL | tr '\n' ' ')"
	grep -v '^xdp ' "$SCRATCH/st_ref.out" >"$alt"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$alt" "$SCRATCH/st_cmp")
	echo "$out" | grep -q '^FAIL diff/xdp: section missing from our output' &&
		pass "selftest/diff-catches-missing-section" || fail "selftest/diff-catches-missing-section" "no FAIL for xdp"
	out=$(diff_sections "$SCRATCH/st_ref.out" "$SCRATCH/st_ref.out" "$SCRATCH/st_cmp")
	! echo "$out" | grep -q '^FAIL' && pass "selftest/diff-identical-passes" ||
		fail "selftest/diff-identical-passes" "$(echo "$out" | grep -m1 FAIL)"
	mkdir -p "$SCRATCH/st_empty"
	run_probe "$SCRATCH/st_fallback" "$SCRATCH/st_empty"
	out=$(check_maps "maps/ours" "$SCRATCH/st_fallback.out" "$OURS_REAL")
	echo "$out" | grep -q "^FAIL maps/ours: expected 'MAPPED $OURS_REAL', got 'MAPPED $REF_REAL'" &&
		pass "selftest/maps-catches-fallback-to-reference" || fail "selftest/maps-catches-fallback-to-reference" "$out"
	sed 's/^xdp expect frames counted 4$/xdp expect frames counted 3/' "$SCRATCH/st_ref.out" >"$alt"
	out=$(check_expected "expected" "$alt")
	echo "$out" | grep -q '^FAIL expected: missing line: xdp expect frames counted 4' &&
		pass "selftest/expected-catches-wrong-count" || fail "selftest/expected-catches-wrong-count" "$out"
	finish
fi

# ------------------------------------------------------------ differential
run_probe "$SCRATCH/ref"
check_maps "maps/ref" "$SCRATCH/ref.out" "$REF_REAL"
check_run "run/ref" "$SCRATCH/ref"
check_expected "expected/ref" "$SCRATCH/ref.out"
if [ "$MODE" = "--ref-only" ]; then
	finish
fi

if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "maps/ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi
run_probe "$SCRATCH/ours" "$SWIFTBPF_BUILD"
before=$nfail
check_maps "maps/ours" "$SCRATCH/ours.out" "$OURS_REAL"
if [ "$nfail" -eq "$before" ]; then
	check_run "run/ours" "$SCRATCH/ours"
	check_expected "expected/ours" "$SCRATCH/ours.out"
	diff_sections "$SCRATCH/ref.out" "$SCRATCH/ours.out" "$SCRATCH/cmp"
else
	fail "diff" "not run: our library was not the one mapped"
fi

finish
