#!/usr/bin/env bash
# SwiftBPF fuzzing: libFuzzer target for bpf_object__open_mem (fuzz_object_open),
# built from the same sources as the library (Sources/BPFCore, Sources/LibBPF,
# the Sources/CBPF glue) in normal Swift with -sanitize=fuzzer,address plus
# fuzz_object_open.swift (the build approach of run.sh, its own binary), and run
# for FUZZ_SECONDS. Passes when libFuzzer ends without a crash, an ASan report,
# a Swift trap, a failed invariant (fuzz_object_open.swift), a leak, a timeout
# or an OOM.
#
# Seeds: the committed corpus-object/ (small objects of the object_open corpus,
# cuts of libxdp objects, and reproducers of crashes found so far: keep adding
# them there), plus, when available, every .o of libxdp1 and the object_open
# corpus (Tests/c/object_open/src) compiled now. libFuzzer writes new inputs to
# a scratch directory only, never to the repository.
#
# Other targets, picked by FUZZ_TARGET, are built and run the same way from
# their own entry file and seeds:
#   fuzz_linker  bpf_linker__new/__add_file/__finalize/__free on one file
#                (fuzz_linker.swift); seeds: corpus-linker/ plus the linker
#                and object_load test sources compiled now (and truncated cuts)
#   fuzz_usdt    SDT note descriptors and USDT argument specs (fuzz_usdt.swift);
#                seeds: corpus-usdt/
#
# Env: FUZZ_SECONDS    seconds (default 60)
#      FUZZ_TARGET     fuzz_object_open (default), fuzz_linker or fuzz_usdt
#      FUZZ_BIN_DIR    where the binary is built (default $FUZZ_BUILD); fuzz_linker
#                      and fuzz_usdt are one binary (fuzz_parsers, run under the
#                      target's name), so runs of both can share one build
#      FUZZ_BUILD      scratch dir (default $SWIFTBPF_BUILD/tests/fuzz_object for
#                      fuzz_object_open, else $SWIFTBPF_BUILD/tests/$FUZZ_TARGET)
#      SWIFTBPF_BUILD  (default: the repo's build dir)
#      BPF_CC          (default /opt/swift/usr/bin/clang, else clang) for the corpus
#      FUZZ_JOBS       parallel libFuzzer workers (default 1)
#      FUZZ_PLANTED    CRASH or LEAK (fuzz_linker, fuzz_usdt; for selftests): adds a
#                      seed on which the entry traps or leaks, so the run must FAIL
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
#         exit status non-zero on any failure. Crash inputs are kept in
#         $FUZZ_BUILD/artifacts/.
# Needs: Swift (swiftc and its clang, with the libFuzzer runtime), libelf-dev,
# zlib1g-dev.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$REPO/build}
TARGET=${FUZZ_TARGET:-fuzz_object_open}
case $TARGET in
fuzz_object_open) ENTRY=fuzz_object_open.swift CORPUS=corpus-object DEFAULT_BUILD=fuzz_object ;;
fuzz_linker) ENTRY="fuzz_linker.swift fuzz_usdt.swift" CORPUS=corpus-linker DEFAULT_BUILD=fuzz_linker ;;
fuzz_usdt) ENTRY="fuzz_linker.swift fuzz_usdt.swift" CORPUS=corpus-usdt DEFAULT_BUILD=fuzz_usdt ;;
*) echo "FAIL setup: unknown FUZZ_TARGET '$TARGET'"; echo "0 passed, 1 failed"; exit 1 ;;
esac
FUZZ_BUILD=${FUZZ_BUILD:-$SWIFTBPF_BUILD/tests/$DEFAULT_BUILD}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
SWIFTC=${SWIFTC:-swiftc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

mkdir -p "$FUZZ_BUILD" || { echo "FAIL setup: cannot create $FUZZ_BUILD"; echo "0 passed, 1 failed"; exit 1; }
case $FUZZ_SECONDS in '' | *[!0-9]*) fail "setup" "FUZZ_SECONDS must be a whole number, got '$FUZZ_SECONDS'"; finish ;; esac

if ! command -v "$SWIFTC" >/dev/null; then
	fail "toolchain" "swiftc not found"
	finish
fi
TOOLBIN=$(dirname "$(command -v "$SWIFTC")")
CLANG=$TOOLBIN/clang
[ -x "$CLANG" ] || CLANG=clang
RESOURCE=$("$SWIFTC" -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p' | head -n1)
if [ ! -f "$RESOURCE/clang/lib/linux/libclang_rt.fuzzer-x86_64.a" ]; then
	fail "runtime" "no libclang_rt.fuzzer in the Swift toolchain ($RESOURCE/clang/lib/linux)"
	finish
fi

# ------------------------------------------------------------------ build
BIN_DIR=${FUZZ_BIN_DIR:-$FUZZ_BUILD}
BINNAME=$TARGET
case $TARGET in fuzz_linker | fuzz_usdt) BINNAME=fuzz_parsers ;; esac
mkdir -p "$BIN_DIR"
BIN=$BIN_DIR/$BINNAME
# build products: build.stamp, build.log, glue.o as before for the object
# target; prefixed with the binary's name for the shared fuzz_parsers
BP=$BIN_DIR/
[ "$BINNAME" = fuzz_object_open ] || BP=$BIN_DIR/$BINNAME-
ENTRY_FILES=
for f in $ENTRY; do ENTRY_FILES="$ENTRY_FILES Tests/fuzz/$f"; done
SRCS=$(cd "$REPO" && find Sources/BPFCore Sources/LibBPF -name '*.swift' | LC_ALL=C sort)
stamp_inputs() {
	(cd "$REPO" && ls -l --time-style=+%s $SRCS Sources/CBPF/glue.c Sources/CBPF/include/*.h include/bpf/*.h \
		$ENTRY_FILES 2>/dev/null | awk '{ print $6, $7 }')
}
if [ -x "$BIN" ] && [ -f "${BP}build.stamp" ] && [ "$(stamp_inputs)" = "$(cat "${BP}build.stamp")" ]; then
	pass "build (up to date)"
else
	rm -f "$BIN" "${BP}build.stamp"
	start=$SECONDS
	# shellcheck disable=SC2086
	if (cd "$REPO" &&
		"$CLANG" -c -O1 -g -fsanitize=fuzzer-no-link,address -I Sources/CBPF/include Sources/CBPF/glue.c \
			-o "${BP}glue.o" &&
		"$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -module-name SwiftBPF -D SWIFTBPF_EMBEDDED \
			-I Sources/CBPF/include $SRCS $ENTRY_FILES "${BP}glue.o" \
			-lelf -lz -o "$BIN") >"${BP}build.log" 2>&1; then
		stamp_inputs >"${BP}build.stamp"
		pass "build ($((SECONDS - start))s)"
	else
		fail "build" "$(grep -m3 -E 'error|undefined' "${BP}build.log" | cut -c1-300 | tr '\n' ' ')"
		finish
	fi
fi

[ "$BINNAME" = "$TARGET" ] || ln -sf "$BINNAME" "$BIN_DIR/$TARGET"

# ------------------------------------------------------------------ seeds
SEEDS=$FUZZ_BUILD/seeds
rm -rf "$SEEDS"
mkdir -p "$SEEDS"
ncompiled=0
case $TARGET in
fuzz_object_open)
for src in "$REPO"/Tests/c/object_open/src/*.c; do
	name=$(basename "$src" .c)
	flags=$(sed -n '1s|^/\* cflags: \(.*\) \*/$|\1|p' "$src")
	# shellcheck disable=SC2086
	"$BPF_CC" -target bpf -O2 -g $flags -I/usr/include/x86_64-linux-gnu -c "$src" -o "$SEEDS/$name.o" \
		>/dev/null 2>&1 && ncompiled=$((ncompiled + 1))
done
# DWARF is skipped by the open path: without it the seeds are smaller and faster
if [ -x "$TOOLBIN/llvm-objcopy" ]; then
	for obj in "$SEEDS"/*.o; do "$TOOLBIN/llvm-objcopy" --strip-debug "$obj" 2>/dev/null; done
fi
nxdp=0
for obj in /usr/lib/x86_64-linux-gnu/bpf/*.o; do
	[ -e "$obj" ] || continue
	cp "$obj" "$SEEDS/libxdp-$(basename "$obj")" && nxdp=$((nxdp + 1))
	[ -x "$TOOLBIN/llvm-objcopy" ] && "$TOOLBIN/llvm-objcopy" --strip-debug "$SEEDS/libxdp-$(basename "$obj")" 2>/dev/null
done
pass "seeds ($(ls "$HERE/$CORPUS" | wc -l) committed, $ncompiled compiled, $nxdp libxdp)"
	;;
fuzz_linker)
	# the link test inputs and the load test objects, debug info stripped (the
	# linker skips .debug_*), plus cuts of each: inside the ELF header, inside
	# the section headers, and half of the file
	for src in "$REPO"/Tests/c/linker/src/*.bpf.c "$REPO"/Tests/c/object_load/src/*.c; do
		name=$(basename "$src" .c)
		name=${name%.bpf}
		case $src in */object_load/*) name=load-$name ;; esac
		"$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$src" -o "$SEEDS/$name.o" \
			>/dev/null 2>&1 || continue
		ncompiled=$((ncompiled + 1))
		[ -x "$TOOLBIN/llvm-objcopy" ] && "$TOOLBIN/llvm-objcopy" --strip-debug "$SEEDS/$name.o" 2>/dev/null
		size=$(stat -c %s "$SEEDS/$name.o")
		head -c 40 "$SEEDS/$name.o" >"$SEEDS/cut40-$name"
		head -c $((size / 2)) "$SEEDS/$name.o" >"$SEEDS/cuthalf-$name"
		head -c $((size - 64)) "$SEEDS/$name.o" >"$SEEDS/cutend-$name"
	done
	pass "seeds ($(ls "$HERE/$CORPUS" | wc -l) committed, $ncompiled compiled, $(ls "$SEEDS" | wc -l) in all)"
	;;
fuzz_usdt)
	pass "seeds ($(ls "$HERE/$CORPUS" | wc -l) committed)"
	;;
esac

case ${FUZZ_PLANTED:-} in
'') ;;
CRASH | LEAK) printf 'SWIFTBPF-PLANTED-%s' "$FUZZ_PLANTED" >"$SEEDS/planted-$FUZZ_PLANTED" ;;
*) fail "setup" "FUZZ_PLANTED must be CRASH or LEAK, got '$FUZZ_PLANTED'" ;;
esac

# ------------------------------------------------------------------- run
mkdir -p "$FUZZ_BUILD/artifacts"
work=$FUZZ_BUILD/work
rm -rf "$work"
mkdir -p "$work"
log=$FUZZ_BUILD/$TARGET.log
jobs=()
[ "$FUZZ_JOBS" -gt 1 ] && jobs=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
# the Swift runtime's backtracer would itself trip ASan: libFuzzer reports instead
(cd "$FUZZ_BUILD" && SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	timeout -k 10 $((FUZZ_SECONDS + 180)) "$BIN_DIR/$TARGET" \
	-max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/artifacts/$TARGET-" "${jobs[@]}" \
	"$work" "$HERE/$CORPUS" "$SEEDS") >"$log" 2>&1
rc=$?
[ "$FUZZ_JOBS" -gt 1 ] && cat "$FUZZ_BUILD"/fuzz-*.log >>"$log" 2>/dev/null
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
	pass "$TARGET (${FUZZ_SECONDS}s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) new)"
else
	why=$(grep -m1 -E 'ERROR|Fatal error|invariant violated|deadly signal|timeout|out-of-memory|leak' "$log" | cut -c1-240)
	art=$(grep -m1 -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //')
	fail "$TARGET" "rc=$rc ${why:-$(tail -n1 "$log" | cut -c1-200)}${art:+ (input: $art)}"
fi
finish
