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
