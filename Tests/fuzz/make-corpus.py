#!/usr/bin/env python3
"""Regenerates the committed fuzz seed corpus (Tests/fuzz/corpus/{btf,ext}).

usage: make-corpus.py [--vmlinux PATH] [--out DIR]

Seeds:
  btf/malformed-*, ext/malformed-*   the blobs of Tests/c/btf_malformed/gen.py
  btf/vmlinux-*                      small, self-consistent cuts of the running
                                     kernel's BTF (/sys/kernel/btf/vmlinux):
                                     chosen types, references outside the cut
                                     set to void, strings rebuilt; one in
                                     big-endian byte order
  btf/bpfobj, ext/bpfobj             .BTF / .BTF.ext of sample.bpf.c built with
                                     clang -target bpf -O2 -g (func_info,
                                     line_info, CO-RE relocations)
The whole corpus stays well under 1 MB (each vmlinux cut under 24 KB).
"""
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, \
    FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64 = range(1, 20)
REF_KINDS = {PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, VAR, DECL_TAG, TYPE_TAG, FUNC_PROTO}


def trailing(kind, vlen):
    return {INT: 1, VAR: 1, DECL_TAG: 1, ARRAY: 3, ENUM: 2 * vlen, FUNC_PROTO: 2 * vlen,
            STRUCT: 3 * vlen, UNION: 3 * vlen, DATASEC: 3 * vlen, ENUM64: 3 * vlen}.get(kind, 0)


def parse(blob):
    magic, ver, flags, hl, to, tl, so, sl = struct.unpack_from("<HBBIIIII", blob)
    assert magic == 0xEB9F, "not little-endian BTF"
    tdata = blob[hl + to: hl + to + tl]
    strs = blob[hl + so: hl + so + sl]
    types = [None]
    off = 0
    while off < len(tdata):
        name_off, info, st = struct.unpack_from("<III", tdata, off)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        n = trailing(kind, vlen)
        rest = list(struct.unpack_from("<%dI" % n, tdata, off + 12))
        types.append([name_off, info, st] + rest)
        off += 12 + 4 * n
    return types, strs


def name(strs, off):
    end = strs.index(b"\0", off)
    return strs[off:end]


def refs(rec):
    """Indices (into the record's words) holding type ids."""
    kind, vlen = (rec[1] >> 24) & 0x1F, rec[1] & 0xFFFF
    out = [2] if kind in REF_KINDS else []
    if kind == ARRAY:
        out += [3, 4]
    elif kind in (STRUCT, UNION):
        out += [3 + 3 * i + 1 for i in range(vlen)]
    elif kind == FUNC_PROTO:
        out += [3 + 2 * i + 1 for i in range(vlen)]
    elif kind == DATASEC:
        out += [3 + 3 * i for i in range(vlen)]
    return out


def names(rec):
    """Indices holding string offsets."""
    kind, vlen = (rec[1] >> 24) & 0x1F, rec[1] & 0xFFFF
    out = [0]
    if kind in (STRUCT, UNION):
        out += [3 + 3 * i for i in range(vlen)]
    elif kind == ENUM:
        out += [3 + 2 * i for i in range(vlen)]
    elif kind == ENUM64:
        out += [3 + 3 * i for i in range(vlen)]
    elif kind == FUNC_PROTO:
        out += [3 + 2 * i for i in range(vlen)]
    return out


def cut(types, strs, ids, endian="<"):
    """A BTF holding the given ids (renumbered in order)."""
    ids = sorted(set(i for i in ids if 0 < i < len(types)))
    new_id = {old: n + 1 for n, old in enumerate(ids)}
    table = bytearray(b"\0")
    seen = {b"": 0}
    out = b""
    for old in ids:
        rec = list(types[old])
        for i in refs(rec):
            rec[i] = new_id.get(rec[i], 0)
        for i in names(rec):
            s = name(strs, rec[i])
            if s not in seen:
                seen[s] = len(table)
                table += s + b"\0"
            rec[i] = seen[s]
        out += struct.pack(endian + "%dI" % len(rec), *rec)
    hdr = struct.pack(endian + "HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(out), len(out), len(table))
    return hdr + out + bytes(table)


def closure(types, start, depth):
    ids = set(start)
    frontier = set(start)
    for _ in range(depth):
        nxt = set()
        for i in frontier:
            for w in refs(types[i]):
                r = types[i][w]
                if 0 < r < len(types) and r not in ids:
                    nxt.add(r)
        ids |= nxt
        frontier = nxt
    return ids


def find(types, strs, want, kind=None):
    for i in range(1, len(types)):
        if name(strs, types[i][0]) == want and (kind is None or (types[i][1] >> 24) & 0x1F == kind):
            return i
    return None


def vmlinux_seeds(path):
    blob = open(path, "rb").read()
    types, strs = parse(blob)
    seeds = {}
    seeds["vmlinux-first-200"] = cut(types, strs, range(1, 201))
    first_of_kind = {}
    for i in range(1, len(types)):
        first_of_kind.setdefault((types[i][1] >> 24) & 0x1F, i)
    seeds["vmlinux-each-kind"] = cut(types, strs, closure(types, first_of_kind.values(), 1))
    lh = find(types, strs, b"list_head", STRUCT)
    if lh:
        seeds["vmlinux-list-head"] = cut(types, strs, closure(types, [lh], 4))
        seeds["vmlinux-list-head-be"] = cut(types, strs, closure(types, [lh], 4), endian=">")
    for want in (b"file_operations", b"sk_buff", b"task_struct"):
        i = find(types, strs, want, STRUCT)
        if i:
            s = cut(types, strs, closure(types, [i], 1))
            if len(s) < 24 * 1024:
                seeds["vmlinux-" + want.decode().replace("_", "-")] = s
                break
    enums = [i for i in range(1, len(types)) if (types[i][1] >> 24) & 0x1F in (ENUM, ENUM64)][:40]
    seeds["vmlinux-enums"] = cut(types, strs, enums)
    funcs = [i for i in range(1, len(types)) if (types[i][1] >> 24) & 0x1F == FUNC][:60]
    seeds["vmlinux-funcs"] = cut(types, strs, closure(types, funcs, 2))
    secs = [i for i in range(1, len(types)) if (types[i][1] >> 24) & 0x1F == DATASEC][:1]
    if secs:
        s = cut(types, strs, closure(types, secs, 1))
        if len(s) < 24 * 1024:
            seeds["vmlinux-datasec"] = s
    return seeds


def elf_sections(path):
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    secs = []
    for i in range(shnum):
        secs.append(struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize))
    stroff, strsize = secs[shstrndx][4], secs[shstrndx][5]
    out = {}
    for s in secs:
        n = data[stroff + s[0]: data.index(b"\0", stroff + s[0])].decode()
        out[n] = data[s[4]: s[4] + s[5]]
    return out


def bpf_seeds():
    cc = os.environ.get("BPF_CLANG", "clang")
    with tempfile.TemporaryDirectory() as d:
        obj = os.path.join(d, "sample.bpf.o")
        r = subprocess.run([cc, "-target", "bpf", "-O2", "-g", "-I/usr/include/x86_64-linux-gnu", "-c",
                            os.path.join(HERE, "sample.bpf.c"), "-o", obj], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write("make-corpus: cannot build sample.bpf.c (skipping its seeds):\n" + r.stderr)
            return {}, {}
        s = elf_sections(obj)
        return {"bpfobj": s[".BTF"]}, {"bpfobj": s[".BTF.ext"]}


def main():
    vmlinux = "/sys/kernel/btf/vmlinux"
    out = os.path.join(HERE, "corpus")
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--vmlinux":
            vmlinux = args.pop(0)
        elif a == "--out":
            out = args.pop(0)
        else:
            sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(REPO, "Tests/c/btf_malformed/gen.py"), "--corpus", d], check=True)
        btf = {"malformed-" + n: open(os.path.join(d, "btf", n), "rb").read() for n in os.listdir(os.path.join(d, "btf"))}
        ext = {"malformed-" + n: open(os.path.join(d, "ext", n), "rb").read() for n in os.listdir(os.path.join(d, "ext"))}
    if os.path.exists(vmlinux):
        btf.update(vmlinux_seeds(vmlinux))
    else:
        sys.stderr.write(f"make-corpus: {vmlinux} missing: no vmlinux seeds\n")
    b, e = bpf_seeds()
    btf.update(b)
    ext.update(e)
    for sub, seeds in (("btf", btf), ("ext", ext)):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
        for n, blob in sorted(seeds.items()):
            open(os.path.join(out, sub, n), "wb").write(blob)
    total = sum(len(v) for v in btf.values()) + sum(len(v) for v in ext.values())
    print(f"make-corpus: {len(btf)} btf seeds, {len(ext)} ext seeds, {total} bytes in {out}")


if __name__ == "__main__":
    main()
