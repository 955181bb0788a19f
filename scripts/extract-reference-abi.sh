#!/usr/bin/env bash
# Extracts the exported function set of the reference libbpf.so.1 as "name@VERSION"
# lines (sorted), and its version-node chain as "NODE PARENT" lines.
# Usage: scripts/extract-reference-abi.sh [path/to/libbpf.so.1] [outdir]
set -euo pipefail
lib=${1:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
out=${2:-abi}
mkdir -p "$out"
# objdump -T columns: addr flags section size version name; functions are 'DF .text'.
objdump -T "$lib" | awk '$3 == "DF" && $4 == ".text" { v=$(NF-1); gsub(/[()]/, "", v); print $NF "@" v }' \
  | LC_ALL=C sort > "$out/reference-symbols.txt"
# Version definitions with their parent, in definition order.
readelf -V "$lib" | awk '
  /Version definition/ { indef=1; next }
  /Version needs/      { indef=0 }
  indef && /Name: LIBBPF_/ { if (cur != "") print cur, parent; cur=$NF; parent="-" }
  indef && /Parent 1:/     { parent=$NF }
  END { if (cur != "") print cur, parent }' > "$out/reference-version-nodes.txt"
echo "$(wc -l < "$out/reference-symbols.txt") functions, $(wc -l < "$out/reference-version-nodes.txt") version nodes" >&2
