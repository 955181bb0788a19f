#!/usr/bin/env bash
# SwiftBPF object_load: differential test of bpf_object__load (feature probes,
# BTF upload, map creation with initial values, freezing, map-in-map and program
# array slots, auto-pinning and pin reuse, CO-RE, subprogram linking, data and
# extern relocations, program load with func/line info and verifier logs) and of
# the post-load API (bpf_map__*_elem size checks, map/program/object pinning,
# bpf_map__reuse_fd, bpf_program__unload).
#
# ONE loader (loader.c) is compiled once against the reference headers and run,
# for every object of the corpus, against the reference (LD_LIBRARY_PATH unset)
# and against ours (LD_LIBRARY_PATH=$SWIFTBPF_BUILD), each in a private mount
# namespace with a fresh bpffs on /sys/fs/bpf (pins never leak between runs or
# into the machine). Each run first prints the realpath of the libbpf.so it
# mapped; both are verified. Then the two outputs (the library's whole log
# through a print callback, load results and errnos, every program's loaded
# instructions with map fds shown as map indices, the kernel's view of every
# program and map, map contents, pins, post-load API results) must be identical;
# fd numbers, kernel ids and verifier timings are masked.
#
# Corpus: the sources of Tests/c/object_open/src (*.c compiled with $BPF_CC
# -target bpf -O2 -g, "/* cflags: ... */" honoured; *.link linked with the
# reference's static linker), this directory's src/*.c, and every .o of
# Debian's libxdp1 package.
#
# Env: SWIFTBPF_BUILD (default /work/main/build)
#      REF_LIB        (default /usr/lib/x86_64-linux-gnu/libbpf.so.1)
#      CC             (default cc) for the loader
#      BPF_CC         (default /opt/swift/usr/bin/clang, else clang) for the corpus
# Scratch: $SWIFTBPF_BUILD/tests/object_load/ only.
# Usage: run.sh [NAME...]   only the objects whose name contains one of NAME
# Output: PASS <name> / FAIL <name>: <why>, then "N passed, N failed";
# exit status non-zero when anything failed.
# Needs: root (bpf(), unshare -m, mount -t bpf).

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPEN_SRC=$(cd "$HERE/../object_open" && pwd)
SWIFTBPF_BUILD=${SWIFTBPF_BUILD:-/work/main/build}
REF_LIB=${REF_LIB:-/usr/lib/x86_64-linux-gnu/libbpf.so.1}
CC=${CC:-cc}
if [ -z "${BPF_CC:-}" ]; then
	if [ -x /opt/swift/usr/bin/clang ]; then BPF_CC=/opt/swift/usr/bin/clang; else BPF_CC=clang; fi
fi
SCRATCH=$SWIFTBPF_BUILD/tests/object_load
LOADER=$SCRATCH/loader
XDP_DIR=/usr/lib/x86_64-linux-gnu/bpf
TIMEOUT=()
command -v timeout >/dev/null && TIMEOUT=(timeout -k 5 300)

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

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	echo "SKIP object_load: needs root and mount namespaces"
	finish
fi

# libxdp1 ships prebuilt BPF objects (a real-world corpus); install it if missing.
if ! dpkg -s libxdp1 >/dev/null 2>&1 && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxdp1 >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libxdp1 >/dev/null 2>&1; }
fi

# ------------------------------------------------------------------ build
rm -f "$LOADER"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$HERE/loader.c" -lbpf -o "$LOADER" >"$SCRATCH/compile.log" 2>&1; then
	fail "compile/loader" "$(head -c 600 "$SCRATCH/compile.log" | tr '\n' ' ')"
	finish
fi
pass "compile/loader"
if ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include "$OPEN_SRC/linker.c" -lbpf -o "$SCRATCH/linker" >"$SCRATCH/compile-linker.log" 2>&1; then
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
compile_dir() { # dir filters...
	local dir=$1 src name obj flags
	shift
	for src in "$dir"/src/*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		obj=$SCRATCH/objs/$name.o
		flags=$(sed -n '1s|^/\* cflags: \(.*\) \*/$|\1|p' "$src")
		rm -f "$obj"
		# shellcheck disable=SC2086
		if "$BPF_CC" -target bpf -O2 -g $flags -I/usr/include/x86_64-linux-gnu -c "$src" -o "$obj" \
			>"$SCRATCH/objs/$name.log" 2>&1; then
			selected "$name" "$@" && OBJECTS+=("$name=$obj")
		else
			fail "compile/$name" "$(head -c 400 "$SCRATCH/objs/$name.log" | tr '\n' ' ')"
		fi
	done
}
compile_dir "$OPEN_SRC" "$@"
compile_dir "$HERE" "$@"
# src/btf_rejected.c: a struct name the kernel's BTF checks refuse (see the source).
if [ -e "$SCRATCH/objs/btf_rejected.o" ]; then
	python3 -c 'import sys; p = sys.argv[1]; d = open(p, "rb").read(); open(p, "wb").write(d.replace(b"sbpf_reject_me", b"sbpf-reject-me"))' \
		"$SCRATCH/objs/btf_rejected.o" || fail "patch/btf_rejected" "python3 failed"
fi
for spec in "$OPEN_SRC"/src/*.link; do
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

# run_in_ns LIBDIR PROGRAM ARG OUT: PROGRAM ARG in a private mount namespace with
# a fresh bpffs on /sys/fs/bpf; LIBDIR empty means the system's (reference) library.
run_in_ns() {
	local libdir=$1 program=$2 arg=$3 out=$4 envs
	if [ -n "$libdir" ]; then envs="LD_LIBRARY_PATH=$libdir"; else envs="-u LD_LIBRARY_PATH"; fi
	# shellcheck disable=SC2086
	"${TIMEOUT[@]}" unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount -t bpf bpf /sys/fs/bpf || exit 97; exec env '"$envs"' "$0" "$1"' \
		"$program" "$arg" >"$out" 2>"$out.err"
	echo $? >"$out.rc"
}

run_ref() { # program arg out
	local dir
	dir=$(cd "$(dirname "$REF_LIB")" 2>/dev/null && pwd -P)
	case "$dir" in
	/usr/lib/x86_64-linux-gnu | /lib/x86_64-linux-gnu) run_in_ns "" "$1" "$2" "$3" ;;
	*) run_in_ns "$dir" "$1" "$2" "$3" ;;
	esac
}

run_ours() { run_in_ns "$SWIFTBPF_BUILD" "$1" "$2" "$3"; }

# ------------------------------------------------------------ differential
maps_bad=""
nsame=0
for entry in "${OBJECTS[@]}"; do
	name=${entry%%=*}
	obj=${entry#*=}
	file=${name//\//_}
	ref=$SCRATCH/ref/$file.out
	ours=$SCRATCH/ours/$file.out
	run_ref "$LOADER" "$obj" "$ref"
	run_ours "$LOADER" "$obj" "$ours"
	if [ "$(head -n1 "$ref")" != "MAPPED $REF_REAL" ]; then
		maps_bad="$name: reference run mapped '$(head -n1 "$ref" | cut -c1-200)'"
		fail "object/$name" "the reference run did not map $REF_REAL (rc=$(cat "$ref.rc"); stderr: $(head -c 300 "$ref.err" | tr '\n' ' '))"
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
	# both load or both refuse, with the same errno (the first load line)
	rl=$(grep -m1 '^load = ' "$ref")
	ol=$(grep -m1 '^load = ' "$ours")
	if [ "$rl" != "$ol" ]; then
		fail "object/$name" "load result differs: ref '$rl', ours '$ol' (diff $ref $ours)"
		continue
	fi
	if cmp -s <(tail -n +2 "$ref") <(tail -n +2 "$ours"); then
		pass "object/$name ($(wc -l <"$ref") lines, ${rl#load = })"
		nsame=$((nsame + 1))
	else
		n="$(diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -c '^<') ref/$(diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -c '^>') ours"
		first=$({ diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -m1 '^<'
			diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -m1 '^>'; } | cut -c1-240 |
			sed 's/^</ref: /; s/^>/ours:/' | paste -sd '|' -)
		fail "object/$name" "$n lines differ; first: $first (diff $ref $ours)"
	fi
done

# ------------------------------------------------------------- skeleton
# bpf_object__load_skeleton on a bpftool-generated skeleton of src/skel_globals.c.
if selected skeleton "$@" || [ "$#" -eq 0 ]; then
	if ! command -v bpftool >/dev/null; then
		echo "SKIP skeleton: no bpftool"
	elif [ ! -e "$SCRATCH/objs/skel_globals.o" ]; then
		fail "skeleton" "src/skel_globals.c was not compiled"
	elif ! bpftool gen skeleton "$SCRATCH/objs/skel_globals.o" name skel_globals >"$SCRATCH/skel_globals.skel.h" 2>"$SCRATCH/skel-gen.log"; then
		fail "skeleton/gen" "$(head -c 400 "$SCRATCH/skel-gen.log" | tr '\n' ' ')"
	elif ! "$CC" -std=gnu11 -O1 -Wall -I/usr/include -I"$SCRATCH" "$HERE/skel_test.c" -lbpf -o "$SCRATCH/skel_test" \
		>"$SCRATCH/compile-skel.log" 2>&1; then
		fail "skeleton/compile" "$(head -c 600 "$SCRATCH/compile-skel.log" | tr '\n' ' ')"
	else
		run_ref "$SCRATCH/skel_test" "" "$SCRATCH/ref/skeleton.out"
		run_ours "$SCRATCH/skel_test" "" "$SCRATCH/ours/skeleton.out"
		ref=$SCRATCH/ref/skeleton.out
		ours=$SCRATCH/ours/skeleton.out
		if [ "$(head -n1 "$ref")" != "MAPPED $REF_REAL" ] || [ "$(head -n1 "$ours")" != "MAPPED $OURS_REAL" ]; then
			fail "skeleton" "wrong libraries mapped: ref '$(head -n1 "$ref")', ours '$(head -n1 "$ours")'"
		elif [ "$(tail -n1 "$ref")" != END ] || [ "$(tail -n1 "$ours")" != END ]; then
			fail "skeleton" "a run did not finish (rc ref=$(cat "$ref.rc") ours=$(cat "$ours.rc"))"
		elif cmp -s <(tail -n +2 "$ref") <(tail -n +2 "$ours"); then
			pass "skeleton ($(wc -l <"$ref") lines, $(grep -m1 '^load = ' "$ref"))"
		else
			fail "skeleton" "$(diff <(tail -n +2 "$ref") <(tail -n +2 "$ours") | grep -m2 '^[<>]' | cut -c1-200 | paste -sd '|' -) (diff $ref $ours)"
		fi
	fi
fi

if [ -z "$maps_bad" ]; then
	pass "maps (${#OBJECTS[@]} objects: reference and ours mapped as expected)"
fi
echo "objects identical: $nsame/${#OBJECTS[@]}"
finish
