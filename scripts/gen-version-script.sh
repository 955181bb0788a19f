#!/usr/bin/env bash
# Writes libbpf.map (GNU ld version script) from abi/reference-symbols.txt and
# abi/reference-version-nodes.txt: one node per LIBBPF_x.y.z, each inheriting from
# the previous one exactly as in the reference, and everything else local.
set -euo pipefail
syms=${1:-abi/reference-symbols.txt}
nodes=${2:-abi/reference-version-nodes.txt}
first=1
while read -r node parent; do
  echo "$node {"
  echo "	global:"
  grep "@$node\$" "$syms" | sed 's/@.*//' | LC_ALL=C sort | sed 's/^/		/; s/$/;/'
  if [ $first = 1 ]; then echo "	local: *;"; first=0; fi
  if [ "$parent" = "-" ]; then echo "};"; else echo "} $parent;"; fi
done < "$nodes"
