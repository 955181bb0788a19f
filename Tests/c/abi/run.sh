#!/usr/bin/env bash
# ABI/API conformance tests of SwiftBPF against the reference libbpf 1.1.2.
#
# Usage: Tests/c/abi/run.sh [--update-manifest] [GROUP ...]
#   GROUP: symbols headers layout enums macros decls compile static
#          (default: all).  --update-manifest rewrites abi/layout-manifest.txt
#          from the reference headers (and then checks it as usual).
#
# Environment (defaults in brackets):
#   SWIFTBPF_BUILD    dir with our libbpf.so.1 / libbpf.a      [/work/main/build]
#   SWIFTBPF_INCLUDE  our include dir (contains bpf/*.h)       [/work/main/include]
#   REF_INCLUDE       reference include dir                    [/usr/include]
#   REF_LIB           reference shared library   [/usr/lib/x86_64-linux-gnu/libbpf.so.1]
#   ABI_DIR           dir with reference-symbols.txt, reference-version-nodes.txt,
#                     layout-manifest.txt                      [<repo>/abi]
#   ABI_CC ABI_CXX ABI_CLANG ABI_CLANGXX   compilers [gcc g++ /opt/swift/usr/bin/clang clang++]
#
# Output: one `PASS <name>`, `FAIL <name>: <why>` (+ indented excerpt) or
# `SKIP <name>: <why>` line per check, `# ...` info lines, and a summary.
# Exit status: 0 if no check failed, 1 otherwise (2 on usage error).
# Scratch files go to $SWIFTBPF_BUILD/tests/abi/ only.
#
# The checks themselves live in abi_check.py (orchestration, symbol checks,
# probe generators) and astscan.py (header declarations from clang's JSON AST).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)

export SWIFTBPF_BUILD="${SWIFTBPF_BUILD:-$root/build}"
export SWIFTBPF_INCLUDE="${SWIFTBPF_INCLUDE:-$root/include}"
export REF_INCLUDE="${REF_INCLUDE:-/usr/include}"
export REF_LIB="${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}"
export ABI_DIR="${ABI_DIR:-$root/abi}"

for tool in python3 readelf gcc; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL abi.setup: required tool '$tool' not found"; exit 1; }
done

# abi_check.py collects every check's result itself and exits non-zero if any failed.
export PYTHONDONTWRITEBYTECODE=1
exec python3 "$here/abi_check.py" "$@"
