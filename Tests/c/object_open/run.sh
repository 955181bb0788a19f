#!/usr/bin/env bash
# SwiftBPF object_open: differential test of bpf_object__open* (ELF collection,
# externs, BTF finalisation, BTF-defined and internal maps, program types from
# SEC(), relocation collection) and of the map accessors/setters of libbpf.h.
#
# ONE dumper (dumper.c) is compiled once against the reference headers and run,
# for every object of the corpus, against the reference (LD_LIBRARY_PATH unset)
# and against ours (LD_LIBRARY_PATH=$SWIFTBPF_BUILD). Each run first prints the
# realpath of the libbpf.so it mapped; both are verified, so the reference is
# never silently compared with itself. Then the two outputs (the library's whole
# log through a print callback, open results, every program and map property,
# the object's BTF after open, accessor/setter results) must be identical.
#
# Corpus: src/*.c, compiled with $BPF_CC -target bpf -O2 -g (a first line
# "/* cflags: ... */" adds flags); src/NAME.link files, each a line of src/
# object names that the reference's static linker (linker.c, bpf_linker__*)
# links into NAME; plus every .o of Debian's libxdp1 package (installed here
# when missing and we are root).
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the dumper
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang) for the corpus
# Scratch: $SWIFTBPF_BUILD/tests/object_open/ only.
# Usage: run.sh [NAME...]   only the objects whose name contains one of NAME
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
SCRATCH=$SWIFTBPF_BUILD/tests/object_open
DUMPER=$SCRATCH/dumper
XDP_DIR=/usr/lib/x86_64-linux-gnu/bpf
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 120)

npass=0
nfail=0
pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }
finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
	exit $?
}

mkdir -p "$SCRATCH/objs" "$SCRATCH/ref" "$SCRATCH/ours" ||
	{ echo "FAIL setup: cannot create $SCRATCH"; echo "0 passed, 1 failed"; exit 1; }

# libxdp1 ships prebuilt BPF objects (a real-world corpus); install it if missing.
if ! dpkg -s libxdp1 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxdp1 >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxdp1 >/dev/null 2>&1; }
fi

# ------------------------------------------------------------------ build
rm -f "$DUMPER"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/dumper.c" -lbpf -o "$DUMPER" >"$SCRATCH/compile.log" 2>&1; then
	fail "compile/dumper" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/dumper"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/linker.c" -lbpf -o "$SCRATCH/linker" >"$SCRATCH/compile-linker.log" 2>&1; then
	fail "compile/linker" "$(head -c 600 "$SCRATCH/compile-linker.log" | tr '\n' ' ')"
fi

selected() { # name: true when no filter was given or the name matches one
	[ "$#" -gt 0 ] || return 1
	local name=$1 f
	shift
	[ "$#" -eq 0 ] && return 0
	for f in "$@"; do case "$name" in *"$f"*) return 0 ;; esac; done
	return 1
}

OBJECTS=()
for src in "$HERE"/src/*.c; do
	name=$(basename "$src" .c)
	obj=$SCRATCH/objs/$name.o
	flags=$(sed -n '1s|^/\* cflags: \(.*\) \*/$|\1|p' "$src")
	rm -f "$obj"
	# shellcheck disable=SC2086
	if "$BPF_CC" -target bpf -O2 -g $flags -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj" \
		>"$SCRATCH/objs/$name.log" 2>&1; then
		# every source is compiled (linked objects need them), only selected ones are compared
		selected "$name" "$@" && OBJECTS+=("$name=$obj")
	else
		fail "compile/$name" "$(head -c 400 "$SCRATCH/objs/$name.log" | tr '\n' ' ')"
	fi
done
# Linked objects: always linked by the reference library.
for spec in "$HERE"/src/*.link; do
	[ -e "$spec" ] || continue
	name=$(basename "$spec" .link)
	selected "$name" "$@" || continue
	obj=$SCRATCH/objs/$name.o
	inputs=()
	for part in $(cat "$spec"); do inputs+=("$SCRATCH/objs/$part.o"); done
	rm -f "$obj"
	if [ -x "$SCRATCH/linker" ] && env -u LD_LIBRARY_PATH "$SCRATCH/linker" "$obj" "${inputs[@]}" \
		>"$SCRATCH/objs/$name.log" 2>&1; then
		OBJECTS+=("$name=$obj")
	else
		fail "link/$name" "$(head -c 400 "$SCRATCH/objs/$name.log" | tr '\n' ' ')"
	fi
done
nxdp=0
for obj in "$XDP_DIR"/*.o; do
	[ -e "$obj" ] || continue
	name=libxdp/$(basename "$obj" .o)
	selected "$name" "$@" || continue
	OBJECTS+=("$name=$obj")
	nxdp=$((nxdp + 1))
done
[ "$nxdp" -gt 0 ] || [ "$#" -gt 0 ] || echo "SKIP libxdp: no objects in $XDP_DIR (libxdp1 not installed)"

REF_REAL=$(realpath "$REF_LIB" 2>/dev/null || echo "$REF_LIB")
OURS_REAL=$(realpath "$SWIFTBPF_BUILD" 2>/dev/null || echo "$SWIFTBPF_BUILD")/libbpf.so.1.1.2
if [ ! -e "$SWIFTBPF_BUILD/libbpf.so.1" ]; then
	fail "ours" "$SWIFTBPF_BUILD/libbpf.so.1 does not exist (not built yet?)"
	finish
fi

run_ref() { # obj out
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu)
		"${TIMEOUT[@]}" env -u LD_LIBRARY_PATH "$DUMPER" "$1" >"$2" 2>"$2.err" ;;
	*) "${TIMEOUT[@]}" env LD_LIBRARY_PATH="$dir" "$DUMPER" "$1" >"$2" 2>"$2.err" ;;
	esac
	echo $? >"$2.rc"
}

run_ours() { # obj out
	"${TIMEOUT[@]}" env LD_LIBRARY_PATH="$SWIFTBPF_BUILD" "$DUMPER" "$1" >"$2" 2>"$2.err"
	echo $? >"$2.rc"
}

# ------------------------------------------------------------ differential
maps_bad=""
nsame=0
for entry in "${OBJECTS[@]}"; do
	name=${entry%%=*}
	obj=${entry#*=}
	file=${name//\//_}
	ref=$SCRATCH/ref/$file.out
	ours=$SCRATCH/ours/$file.out
	run_ref "$obj" "$ref"
	run_ours "$obj" "$ours"
	if [ "$(head -n1 "$ref")" != "MAPPED $REF_REAL" ]; then
		maps_bad="$name: reference run mapped '$(head -n1 "$ref" | cut -c1-200)'"
		fail "object/$name" "the reference run did not map $REF_REAL (rc=$(cat "$ref.rc"))"
		continue
	fi
	if [ "$(head -n1 "$ours")" != "MAPPED $OURS_REAL" ]; then
		maps_bad="$name: our run mapped '$(head -n1 "$ours" | cut -c1-200)'"
		fail "object/$name" "our run did not map $OURS_REAL (rc=$(cat "$ours.rc"); stderr: $(head -c 300 "$ours.err" | tr '\n' ' '))"
		continue
	fi
	if [ "$(cat "$ref.rc")" != 0 ] || [ "$(tail -n1 "$ref")" != END ]; then
		fail "object/$name" "the reference run failed (rc=$(cat "$ref.rc"), last line '$(tail -n1 "$ref" | cut -c1-200)')"
		continue
	fi
	if [ "$(cat "$ours.rc")" != 0 ] || [ "$(tail -n1 "$ours")" != END ]; then
		fail "object/$name" "our run failed (rc=$(cat "$ours.rc"), last line '$(tail -n1 "$ours" | cut -c1-200)'; stderr: $(head -c 300 "$ours.err" | tr '\n' ' '))"
		continue
	fi
	if cmp -s <(tail -n +2 "$ref") <(tail -n +2 "$ours"); then
		pass "object/$name ($(wc -l <"$ref") lines)"
		nsame=$((nsame + 1))
	else
		n="$(diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -c '^<') ref/$(diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -c '^>') ours"
		first=$({ diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -m1 '^<'
			diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -m1 '^>'; } | cut -c1-240 |
			sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
		fail "object/$name" "$n lines differ; first: $first (diff $ref $ours)"
	fi
done

if [ -z "$maps_bad" ]; then
	pass "maps (${#OBJECTS[@]} objects: reference and ours mapped as expected)"
fi
echo "objects identical: $nsame/${#OBJECTS[@]}"
finish
