#!/usr/bin/env python3
"""Build tool: gives the libbpf API symbols of an ELF64 relocatable object default
visibility. swiftc marks public symbols STV_PROTECTED, which the linker keeps in the
.so; the reference exports them STV_DEFAULT (interposable, canonical function
addresses for executables that take them). Edits the object in place.

Usage: set-default-visibility.py OBJECT SYMBOL-LIST-FILE
"""
import struct, sys

obj, listfile = sys.argv[1], sys.argv[2]
wanted = {l.strip().split("@")[0] for l in open(listfile) if l.strip()}
data = bytearray(open(obj, "rb").read())
if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
    sys.exit(f"{obj}: not a little-endian ELF64 file")
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
changed = 0
for sh in sections:
    if sh[1] != 2:  # SHT_SYMTAB
        continue
    offset, size, link, entsize = sh[4], sh[5], sh[6], sh[9]
    strtab = sections[link][4]
    for pos in range(offset, offset + size, entsize):
        name_off, info, other = struct.unpack_from("<IBB", data, pos)
        end = data.index(0, strtab + name_off)
        name = data[strtab + name_off:end].decode()
        if name in wanted and (info >> 4) == 1 and (other & 3) != 0:  # GLOBAL, not default
            data[pos + 5] = other & ~3
            changed += 1
open(obj, "wb").write(data)
print(f"{obj}: {changed} symbols set to default visibility", file=sys.stderr)
