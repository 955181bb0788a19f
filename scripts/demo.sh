#!/usr/bin/env bash
# `make demo`: installs our build into build/demo-prefix, compiles a C consumer with
# `pkg-config libbpf` against that tree only, and runs it on our libbpf.so.1.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$PWD/build/demo-prefix
rm -rf "$prefix"
make -s install PREFIX="$prefix" >/dev/null
# Our .pc first; libelf/zlib still come from the system's .pc files.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --variable=prefix libbpf)" = "$prefix" ] || { echo "pkg-config did not pick our libbpf.pc"; exit 1; }
flags=$(pkg-config --cflags --libs libbpf)
echo "pkg-config libbpf: $(pkg-config --modversion libbpf): $flags"
cc -Wall -Wextra -Werror -H -o build/demo scripts/demo.c $flags 2> build/demo-headers.txt
echo "bpf headers used: $(grep -o '[^ ]*/bpf/[a-z_]*\.h' build/demo-headers.txt | sort -u | tr '\n' ' ')"
echo "--- running build/demo with LD_LIBRARY_PATH=$prefix/lib"
LD_LIBRARY_PATH=$prefix/lib ./build/demo

# The main job: a bpftool-skeleton tool (scripts/demo/syscount.*) built against the
# installed headers and run on our library: open, configure .rodata, load,
# attach a tracepoint and a uprobe from their SEC() names, run a known workload,
# read the counts back.
echo "--- skeleton tool: scripts/demo/syscount"
missing=""
command -v bpftool >/dev/null || [ -x /usr/sbin/bpftool ] || missing="$missing bpftool"
if [ -n "$missing" ]; then
	echo "installing:$missing"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
BPFTOOL=$(command -v bpftool || echo /usr/sbin/bpftool)
BPF_CC=${BPF_CC:-$( [ -x /opt/swift/usr/bin/clang ] && echo /opt/swift/usr/bin/clang || echo clang )}
out=build/demo-syscount
mkdir -p "$out"
"$BPF_CC" -target bpf -O2 -g -I/usr/include/x86_64-linux-gnu -c scripts/demo/syscount.bpf.c -o "$out/syscount.bpf.o"
"$BPFTOOL" gen skeleton "$out/syscount.bpf.o" name syscount_bpf > "$out/syscount.skel.h"
cc -Wall -Wextra -Werror -O2 -I"$out" -o "$out/syscount" scripts/demo/syscount.c $flags
# Tracepoints need tracefs; mount it for the run when the machine has not.
mounted_tracefs=0
if [ ! -e /sys/kernel/tracing/events ] && [ ! -e /sys/kernel/debug/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing && mounted_tracefs=1
fi
rc=0
LD_LIBRARY_PATH=$prefix/lib "$out/syscount" || rc=$?
[ "$mounted_tracefs" = 1 ] && umount /sys/kernel/tracing
exit $rc
