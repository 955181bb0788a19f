#!/usr/bin/env bash
# bench/src/gen-text-order.sh -- regenerate bench/text-order.txt, the functions the
# Makefile places first (and in this order) in the library's .text.
#
# Why: a plain bpf_object__open_mem + close runs ~180 of the library's ~3,500
# functions (~150 KB). Spread over the whole .text, every 64 KiB window the
# kernel maps around a faulting page (fault-around) became resident: nearly all
# of .text counted in a consumer's RSS (open_close.sh's *_hwm figures,
# lib_rss= 560-600 KiB against the reference's ~250). Placed together they fill
# three such windows, and the hot path shares i-cache lines and TLB entries. The Makefile renames each listed function's section
# (.text.<symbol>, from -function-sections) to .text.sorted.<NNNNN>, which GNU
# ld's default linker script places first, sorted by name. Names no longer in
# the build are ignored (the function just stays where it was): regenerate
# after larger changes of the open path.
#
# How: links the build's objects (obj/swiftbpf.o, obj/glue.o, before any
# renaming) into a scratch library with a linker map, runs
# bench/src/open_close.c in -M mode (open every file, keep them open, close
# them) under callgrind against it on the open_close bench's inputs (the
# generated large object, Debian's libxdp objects), and load_cost.sh's trivial
# consumer (src/rss_consumer.c), and lists the input sections of the functions
# that ran, hottest first. (Sections, not symbols:
# some functions swiftc emits have no symbol, e.g. .text..L__unnamed_3.)
#
# usage: bash bench/src/gen-text-order.sh   (SWIFTBPF_BUILD: the build dir, as for the
#        benches; TEXT_ORDER_OUT: write there instead, for make TEXT_ORDER=...)
# Needs: valgrind, python3, clang with the BPF target (as open_close.sh).
set -eu
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
bench_init
OUT=${TEXT_ORDER_OUT:-$BENCH_SRC_DIR/text-order.txt}
OBJ=$SWIFTBPF_BUILD/obj
for f in "$OBJ/swiftbpf.o" "$OBJ/glue.o"; do
	[ -f "$f" ] || { echo "gen-text-order: $f missing (run make BUILD=... first)" >&2; exit 1; }
done
command -v valgrind >/dev/null || { echo "gen-text-order: valgrind is needed" >&2; exit 1; }
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi

PROG=$(bench_cc open_close open_close.c -lbpf -ldl 2>/dev/null ||
	bench_cc open_close open_close.c -l:libbpf.so.1 -ldl)
CONSUMER=$(bench_cc rss_consumer rss_consumer.c -lbpf -ldl 2>/dev/null ||
	bench_cc rss_consumer rss_consumer.c -l:libbpf.so.1 -ldl)
LARGE=$BENCH_DIR/open_large.o
if [ ! -s "$LARGE" ]; then
	python3 "$BENCH_SRC_DIR/src/gen_large_object.py" >"$BENCH_DIR/open_large.bpf.c"
	"$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c "$BENCH_DIR/open_large.bpf.c" -o "$LARGE"
fi
DIR=$BENCH_DIR/text-order
mkdir -p "$DIR/lib"
LIB=$DIR/lib/libbpf.so.1
${CC:-cc} -shared -o "$LIB" "$OBJ/swiftbpf.o" "$OBJ/glue.o" -Wl,-soname,libbpf.so.1 \
	-Wl,--version-script="$BENCH_REPO_DIR/libbpf.map" -Wl,--gc-sections -Wl,-z,now \
	-Wl,-Map="$DIR/lib.map" -lelf -lz -lc
cg() { valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no --callgrind-out-file="$@"; }
export LD_LIBRARY_PATH=$DIR/lib
cg "$DIR/large.cg" "$PROG" -M "$LARGE" >/dev/null 2>&1
cg "$DIR/xdp.cg" "$PROG" -M /usr/lib/x86_64-linux-gnu/bpf/*.o >/dev/null 2>&1
# a trivial consumer (load_cost.sh's peak_rss): what any process using the library runs
cg "$DIR/consumer.cg" "$CONSUMER" >/dev/null 2>&1 || true
unset LD_LIBRARY_PATH
python3 - "$DIR" "$LIB" "$OUT.tmp" <<'PY'
import bisect, re, sys
d, lib, out = sys.argv[1:]
# input sections of the output .text: (start, size, name)
secs, pending, in_text = [], None, False
for line in open(d + "/lib.map"):
    if re.match(r"^\.text\s", line) or line.rstrip() == ".text":
        in_text = True
        continue
    if in_text and re.match(r"^\.\S", line):
        break
    if not in_text:
        continue
    m = re.match(r"^ (\.text\S*)\s*$", line)
    if m:
        pending = m.group(1)
        continue
    m = re.match(r"^ (\.text\S*)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+\S", line)
    if m and (m.group(1) or pending):
        secs.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1) or pending))
    pending = None
secs.sort()
starts = [s[0] for s in secs]
# every instruction of our library that ran (callgrind --dump-instr: "0xADDR line Ir"
# lines, addresses relative to the object), charged to its input section
cost = {}
for set_ in ("large", "xdp", "consumer"):
    ours = False
    for line in open("%s/%s.cg" % (d, set_)):
        if line.startswith("ob="):
            ours = line[3:].strip() == lib
        elif ours and line.startswith("0x"):
            f = line.split()
            a = int(f[0], 16)
            i = bisect.bisect_right(starts, a) - 1
            if i < 0 or a >= secs[i][0] + secs[i][1]:
                continue
            sec = secs[i][2]
            if sec == ".text" or sec.startswith(".text.sorted."):
                continue
            cost[sec] = cost.get(sec, 0) + (int(f[2]) if len(f) > 2 and f[2].isdigit() else 1)
with open(out, "w") as f:
    for sec in sorted(cost, key=lambda s: (-cost[s], s)):
        f.write(sec + "\n")
PY
n=$(wc -l <"$OUT.tmp")
[ "$n" -gt 50 ] || { echo "gen-text-order: only $n functions found; not replacing $OUT" >&2; exit 1; }
mv -f "$OUT.tmp" "$OUT"
echo "gen-text-order: $n functions -> $OUT"
