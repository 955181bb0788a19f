#!/usr/bin/env bash
# SwiftBPF fuzzing: libFuzzer targets for btf__new (fuzz_btf) and btf_ext__new
# (fuzz_btf_ext), built from the same sources as the library (Sources/BPFCore,
# Sources/LibBPF, the Sources/CBPF glue) in normal Swift with
# -sanitize=fuzzer,address plus FuzzEntry.swift, and run for FUZZ_SECONDS each.
# A target passes when libFuzzer ends without a crash, an ASan report, a Swift
# trap, a failed invariant (FuzzEntry.swift), a leak, a timeout or an OOM.
#
# Seeds: the committed corpus (corpus/btf, corpus/ext: the btf_malformed blobs,
# cuts of the kernel's vmlinux BTF, a compiled BPF object's .BTF/.BTF.ext; see
# make-corpus.py) plus the btf_malformed blobs regenerated now. libFuzzer
# writes new inputs to a scratch copy only, never to the repository.
#
# Env: FUZZ_SECONDS    seconds per target (default 60)
#      FUZZ_BUILD      scratch dir (default $SWIFTBPF_BUILD/tests/fuzz)
#      SWIFTBPF_BUILD  (default: the repo's build dir)
#      FUZZ_TARGETS    targets to run (default "fuzz_btf fuzz_btf_ext")
#      FUZZ_FORCE_SYSTEM_RT=1  link Debian's libFuzzer even if the Swift toolchain has one
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
#         exit status non-zero on any failure. Crash inputs are kept in
#         $FUZZ_BUILD/artifacts/.
# Needs: Swift (swiftc and its clang), libelf-dev, zlib1g-dev, python3; the
# libFuzzer runtime: the Swift toolchain's, else Debian's libclang-rt-dev
# (installed here when missing).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-$REPO/build}
FUZZ_BUILD=${FUZZ_BUILD:-$SWIFTBPF_BUILD/tests/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-"fuzz_btf fuzz_btf_ext"}
SWIFTC=${SWIFTC:-swiftc}

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

# ------------------------------------------------------- libFuzzer runtime
# swiftc -sanitize=fuzzer links the toolchain's libclang_rt.fuzzer; without it,
# Debian's copy (libclang-rt-dev) is linked by hand with coverage flags that
# libFuzzer understands.
RESOURCE=$("$SWIFTC" -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p' | head -n1)
NATIVE_RT=$RESOURCE/clang/lib/linux/libclang_rt.fuzzer-x86_64.a
SYSTEM_RT=
find_system_rt() { ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null | sort -V | tail -n1; }
if [ -f "$NATIVE_RT" ] && [ "${FUZZ_FORCE_SYSTEM_RT:-0}" != 1 ]; then
	pass "runtime (Swift toolchain: $NATIVE_RT)"
else
	SYSTEM_RT=$(find_system_rt)
	if [ -z "$SYSTEM_RT" ]; then
		echo "# installing libclang-rt-dev (libFuzzer runtime)" >&2
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libclang-rt-dev; } \
			>"$FUZZ_BUILD/apt.log" 2>&1
		SYSTEM_RT=$(find_system_rt)
	fi
	if [ -n "$SYSTEM_RT" ]; then
		pass "runtime (Debian: $SYSTEM_RT)"
	else
		fail "runtime" "no libclang_rt.fuzzer in the Swift toolchain ($NATIVE_RT) and libclang-rt-dev gave none ($(tail -c 300 "$FUZZ_BUILD/apt.log" 2>/dev/null | tr '\n' ' '))"
		finish
	fi
fi

# ------------------------------------------------------------------ build
BIN=$FUZZ_BUILD/fuzz_btf
SRCS=$(cd "$REPO" && find Sources/BPFCore Sources/LibBPF -name '*.swift' | LC_ALL=C sort)
stamp_inputs() {
	(cd "$REPO" && ls -l --time-style=+%s $SRCS Sources/CBPF/glue.c Sources/CBPF/include/*.h include/bpf/*.h \
		Tests/fuzz/FuzzEntry.swift Tests/fuzz/run.sh 2>/dev/null | awk '{ print $6, $7 }'; echo "rt=$SYSTEM_RT")
}
if [ -x "$BIN" ] && [ -f "$FUZZ_BUILD/build.stamp" ] && [ "$(stamp_inputs)" = "$(cat "$FUZZ_BUILD/build.stamp")" ]; then
	pass "build (up to date)"
else
	rm -f "$BIN" "$FUZZ_BUILD/build.stamp"
	start=$SECONDS
	# Objects are always instrumented for libFuzzer (-sanitize=fuzzer only adds
	# coverage when compiling); the link takes the runtime from the toolchain
	# (-sanitize=fuzzer) or, failing that, Debian's archive by hand.
	if [ -z "$SYSTEM_RT" ]; then
		LINK=(-sanitize=fuzzer,address)
	else
		LINK=(-sanitize=address -Xlinker "$SYSTEM_RT" -lstdc++)
	fi
	# shellcheck disable=SC2086
	if (cd "$REPO" &&
		"$CLANG" -c -O1 -g -fsanitize=fuzzer-no-link,address -I Sources/CBPF/include Sources/CBPF/glue.c \
			-o "$FUZZ_BUILD/glue.o" &&
		"$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -wmo -c -module-name SwiftBPF \
			-D SWIFTBPF_EMBEDDED -I Sources/CBPF/include $SRCS Tests/fuzz/FuzzEntry.swift -o "$FUZZ_BUILD/swiftbpf.o" &&
		"$SWIFTC" "${LINK[@]}" "$FUZZ_BUILD/swiftbpf.o" "$FUZZ_BUILD/glue.o" -lelf -lz -o "$BIN") \
		>"$FUZZ_BUILD/build.log" 2>&1; then
		stamp_inputs >"$FUZZ_BUILD/build.stamp"
		pass "build ($((SECONDS - start))s)"
	else
		fail "build" "$(grep -m3 -E 'error|undefined' "$FUZZ_BUILD/build.log" | cut -c1-300 | tr '\n' ' ')"
		finish
	fi
fi
ln -sf fuzz_btf "$FUZZ_BUILD/fuzz_btf_ext"

# ------------------------------------------------------------------ seeds
rm -rf "$FUZZ_BUILD/seeds"
mkdir -p "$FUZZ_BUILD/seeds"
if python3 "$REPO/Tests/c/btf_malformed/gen.py" --corpus "$FUZZ_BUILD/seeds/generated" >"$FUZZ_BUILD/seeds.log" 2>&1; then
	pass "seeds ($(ls "$HERE/corpus/btf" | wc -l)+$(ls "$FUZZ_BUILD/seeds/generated/btf" | wc -l) btf, $(ls "$HERE/corpus/ext" | wc -l)+$(ls "$FUZZ_BUILD/seeds/generated/ext" | wc -l) ext)"
else
	fail "seeds" "gen.py failed: $(head -c 300 "$FUZZ_BUILD/seeds.log" | tr '\n' ' ')"
fi

# ------------------------------------------------------------------- runs
mkdir -p "$FUZZ_BUILD/artifacts"
for target in $FUZZ_TARGETS; do
	case $target in
	fuzz_btf) sub=btf ;;
	fuzz_btf_ext) sub=ext ;;
	*) fail "$target" "unknown target"; continue ;;
	esac
	work=$FUZZ_BUILD/work/$sub
	rm -rf "$work"
	mkdir -p "$work"
	log=$FUZZ_BUILD/$target.log
	# the Swift runtime's backtracer would itself trip ASan: libFuzzer reports instead
	SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
		timeout -k 10 $((FUZZ_SECONDS + 120)) "$FUZZ_BUILD/$target" \
		-max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$FUZZ_BUILD/artifacts/$target-" \
		"$work" "$HERE/corpus/$sub" "$FUZZ_BUILD/seeds/generated/$sub" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
	if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
		pass "$target (${FUZZ_SECONDS}s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) new)"
	else
		why=$(grep -m1 -E 'ERROR|Fatal error|invariant violated|deadly signal|timeout|out-of-memory|leak' "$log" | cut -c1-240)
		art=$(grep -m1 -oE "Test unit written to [^ ]+" "$log" | sed 's/Test unit written to //')
		fail "$target" "rc=$rc ${why:-$(tail -n1 "$log" | cut -c1-200)}${art:+ (input: $art)}"
	fi
done
finish
