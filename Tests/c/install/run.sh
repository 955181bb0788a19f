#!/usr/bin/env bash
# make install: DESTDIR/PREFIX/LIBDIR/INCLUDEDIR honoured, the files and symlinks in
# place, libbpf.pc right, and a pkg-config consumer that builds against the installed
# headers only and runs on the installed library.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd)
B=${SWIFTBPF_BUILD:-$root/build}; W=$B/tests/install
rm -rf "$W"; mkdir -p "$W"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# 1. DESTDIR + custom PREFIX/LIBDIR/INCLUDEDIR: files land under DESTDIR, paths in .pc exclude it.
make -s -C "$root" install DESTDIR="$W/dest" PREFIX=/opt/sbpf LIBDIR=/opt/sbpf/lib64 INCLUDEDIR=/opt/sbpf/inc >/dev/null 2>"$W/install.err" \
  || fail install-destdir "make install failed: $(head -3 "$W/install.err")"
d=$W/dest/opt/sbpf
ok=1
for f in lib64/libbpf.so.1.1.2 lib64/libbpf.a lib64/pkgconfig/libbpf.pc \
         inc/bpf/libbpf.h inc/bpf/bpf.h inc/bpf/btf.h inc/bpf/libbpf_common.h inc/bpf/libbpf_legacy.h inc/bpf/libbpf_version.h; do
  [ -f "$d/$f" ] || { fail install-destdir "missing $f"; ok=0; }
done
[ "$(readlink "$d/lib64/libbpf.so.1")" = libbpf.so.1.1.2 ] || { fail install-destdir "libbpf.so.1 -> $(readlink "$d/lib64/libbpf.so.1")"; ok=0; }
[ "$(readlink "$d/lib64/libbpf.so")" = libbpf.so.1 ] || { fail install-destdir "libbpf.so -> $(readlink "$d/lib64/libbpf.so")"; ok=0; }
[ $ok = 1 ] && pass install-destdir

pc=$d/lib64/pkgconfig/libbpf.pc
exp=$(printf 'prefix=/opt/sbpf\nlibdir=/opt/sbpf/lib64\nincludedir=/opt/sbpf/inc')
if [ "$(head -3 "$pc")" = "$exp" ] && grep -qx 'Version: 1.1.2' "$pc" && grep -qx 'Requires.private: libelf zlib' "$pc" \
   && grep -qx 'Libs: -L${libdir} -lbpf' "$pc" && grep -qx 'Cflags: -I${includedir}' "$pc"; then
  pass pc-file
else
  fail pc-file "unexpected content: $(tr '\n' '|' < "$pc")"
fi

# 2. Default PREFIX is /usr/local (dry run: nothing is written).
dry=$(make -s -n -C "$root" install 2>&1)
if grep -q 'libbpf.so.1.1.2 /usr/local/lib/$' <<<"$dry" && grep -q 'libbpf.pc /usr/local/lib/pkgconfig/$' <<<"$dry" \
   && grep -q ' /usr/local/include/bpf/$' <<<"$dry"; then
  pass default-prefix
else
  fail default-prefix "install does not target /usr/local/{lib,include}: $(grep install <<<"$dry" | head -3)"
fi

# 3. A consumer built with pkg-config against an installed tree (no DESTDIR) compiles
#    with our headers only and runs on our .so.
p=$W/prefix
make -s -C "$root" install PREFIX="$p" >/dev/null 2>&1 || fail install-prefix "make install PREFIX=$p failed"
export PKG_CONFIG_PATH=$p/lib/pkgconfig
cat > "$W/consumer.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
int main(void)
{
	char line[4096], buf[64];
	FILE *m = fopen("/proc/self/maps", "r");
	while (m && fgets(line, sizeof(line), m))
		if (strstr(line, "libbpf.so")) { printf("map %s", strchr(line, '/')); break; }
	libbpf_strerror(-LIBBPF_ERRNO__FORMAT, buf, sizeof(buf));
	printf("%s %u.%u %s\n", libbpf_version_string(), libbpf_major_version(), libbpf_minor_version(), buf);
	return 0;
}
C
if [ "$(pkg-config --variable=prefix libbpf)" != "$p" ]; then
  fail pkgconfig-consumer "pkg-config picked $(pkg-config --variable=prefix libbpf)"
elif ! cc -Wall -Wextra -Werror -H -o "$W/consumer" "$W/consumer.c" $(pkg-config --cflags --libs libbpf) 2>"$W/headers.txt"; then
  fail pkgconfig-consumer "compile failed: $(grep -v '^\.' "$W/headers.txt" | head -5)"
else
  foreign=$(grep -o '[^ ]*/bpf/[a-z_]*\.h' "$W/headers.txt" | grep -v "^$p/include/bpf/" | sort -u)
  out=$(LD_LIBRARY_PATH=$p/lib "$W/consumer")
  if [ -n "$foreign" ]; then
    fail pkgconfig-consumer "headers from outside the installed tree: $foreign"
  elif ! grep -q "^map $p/lib/libbpf.so" <<<"$out"; then
    fail pkgconfig-consumer "did not map the installed library: $out"
  elif ! grep -qx 'v1.1 1.1 BPF object format invalid' <<<"$out"; then
    fail pkgconfig-consumer "unexpected output: $out"
  else
    pass pkgconfig-consumer
  fi
fi

# 4. Static: the consumer links against libbpf.a with -lelf -lz only, and runs.
if cc -static-libgcc -o "$W/consumer-static" "$W/consumer.c" -I"$p/include" "$p/lib/libbpf.a" -lelf -lz 2>"$W/static.err"; then
  out=$("$W/consumer-static")
  if grep -q 'map ' <<<"$out"; then fail static-link "a libbpf.so got mapped: $out"
  elif grep -qx 'v1.1 1.1 BPF object format invalid' <<<"$out"; then pass static-link
  else fail static-link "unexpected output: $out"; fi
else
  fail static-link "$(head -5 "$W/static.err")"
fi
# Only the API is global in the archive: nothing else a consumer could collide with.
extra=$(nm -g --defined-only "$p/lib/libbpf.a" 2>/dev/null | awk 'NF==3{print $3}' | sort | comm -23 - <(sed 's/@.*//' "$root/abi/reference-symbols.txt" | sort))
[ -z "$extra" ] && pass static-globals-api-only || fail static-globals-api-only "extra globals: $(echo $extra | head -c 300)"

exit $((fails > 0))
