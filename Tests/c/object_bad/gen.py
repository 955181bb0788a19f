#!/usr/bin/env python3
"""Malformed BPF objects for the object_bad differential test.

usage: gen.py OUTDIR BASE.o...     writes OUTDIR/<case>.o and OUTDIR/list
                                   ("<case> <path>" per line)

Every case is a good object of the corpus (BASE.o, named by its file name
without .o) with one mutation:
  trunc-*     the file cut at many lengths (inside the ELF header, at and around
              every section's start and end, the section header table)
  hdr-*       ELF header fields: class, data encoding, version, type, machine,
              e_shnum / e_shstrndx / e_shoff / e_shentsize out of range, magic
  symtab-*    no .symtab, two .symtabs, wrong sh_entsize / sh_link, size past
              the file or not a multiple of the entry size
  sec-*       .BTF / .BTF.ext / .maps / license / version / maps sections
              missing (renamed), duplicated, of the wrong type or size;
              section offsets and sizes past the end of the file
  sym-*       symbols with a bad st_shndx, st_name, st_value, st_size, type
  rel-*       relocation entries with a bad symbol index / offset / type;
              relocation sections with a bad sh_info / sh_link / sh_entsize /
              a huge entry count
  btf-*       .BTF header counts past the section
  flip-*      random byte flips (fixed seed)
Section headers are edited in place or, to add sections or names, a new
header table (and a new section-name table) is appended to the file.
"""
import os
import random
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
REL = struct.Struct("<QQ")

SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA = 0, 1, 2, 3, 4
SHT_NOBITS, SHT_REL = 8, 9
SHF_EXECINSTR = 4


class Elf:
    def __init__(self, data):
        self.data = bytearray(data)
        (self.ident, self.type, self.machine, self.version, self.entry, self.phoff, self.shoff,
         self.flags, self.ehsize, self.phentsize, self.phnum, self.shentsize, self.shnum,
         self.shstrndx) = EHDR.unpack_from(data, 0)
        self.sh = [list(SHDR.unpack_from(data, self.shoff + i * 64)) for i in range(self.shnum)]

    # --- reading
    def strtab(self, index):
        h = self.sh[index]
        return bytes(self.data[h[4]:h[4] + h[5]])

    def name(self, i):
        tab = self.strtab(self.shstrndx)
        off = self.sh[i][0]
        return tab[off:tab.index(b"\0", off)].decode("latin1")

    def find(self, name=None, type=None, pred=None):
        for i in range(1, self.shnum):
            if name is not None and self.name(i) != name:
                continue
            if type is not None and self.sh[i][1] != type:
                continue
            if pred is not None and not pred(i):
                continue
            return i
        return None

    def find_all(self, pred):
        return [i for i in range(1, self.shnum) if pred(i)]

    def symtab(self):
        return self.find(type=SHT_SYMTAB)

    def syms(self):
        st = self.symtab()
        h = self.sh[st]
        return [(h[4] + k * 24, list(SYM.unpack_from(self.data, h[4] + k * 24))) for k in range(h[5] // 24)]

    def sym_name(self, sym):
        st = self.symtab()
        tab = self.strtab(self.sh[st][6])
        return tab[sym[0]:tab.index(b"\0", sym[0])].decode("latin1")

    def rel_sections(self):
        return self.find_all(lambda i: self.sh[i][1] == SHT_REL and not self.name(i).startswith((".rel.BTF", ".rel.debug")))

    def exec_sections(self):
        return self.find_all(lambda i: self.sh[i][1] == SHT_PROGBITS and self.sh[i][2] & SHF_EXECINSTR and self.sh[i][5] > 0)

    # --- writing
    def put_shdr(self, i, h):
        SHDR.pack_into(self.data, self.shoff + i * 64, *h)

    def set_field(self, i, field, value):
        h = list(self.sh[i])
        h[field] = value
        self.sh[i] = h
        self.put_shdr(i, h)
        return self

    def set_ehdr(self, **kw):
        vals = dict(ident=self.ident, type=self.type, machine=self.machine, version=self.version,
                    entry=self.entry, phoff=self.phoff, shoff=self.shoff, flags=self.flags,
                    ehsize=self.ehsize, phentsize=self.phentsize, phnum=self.phnum,
                    shentsize=self.shentsize, shnum=self.shnum, shstrndx=self.shstrndx)
        vals.update(kw)
        EHDR.pack_into(self.data, 0, *[vals[k] for k in ("ident", "type", "machine", "version", "entry",
                                                        "phoff", "shoff", "flags", "ehsize", "phentsize",
                                                        "phnum", "shentsize", "shnum", "shstrndx")])
        return self

    def rebuilt(self, headers, extra_names=()):
        """A copy with a new section header table `headers` appended (8-aligned),
        and, when `extra_names` is given, a new section-name table holding the
        old names plus those (returns (bytes, {name: offset}))."""
        data = bytearray(self.data)
        offsets = {}
        headers = [list(h) for h in headers]
        if extra_names:
            tab = bytearray(self.strtab(self.shstrndx))
            for n in extra_names:
                offsets[n] = len(tab)
                tab += n.encode() + b"\0"
            while len(data) % 8:
                data.append(0)
            headers[self.shstrndx][4] = len(data)
            headers[self.shstrndx][5] = len(tab)
            data += tab
        while len(data) % 8:
            data.append(0)
        shoff = len(data)
        for h in headers:
            data += SHDR.pack(*h)
        EHDR.pack_into(data, 0, self.ident, self.type, self.machine, self.version, self.entry, self.phoff,
                       shoff, self.flags, self.ehsize, self.phentsize, self.phnum, self.shentsize,
                       len(headers), self.shstrndx)
        return bytes(data), offsets


def renamed(e, index, new):
    headers = [list(h) for h in e.sh]
    data, offs = e.rebuilt(headers, [new])
    e2 = Elf(data)
    e2.set_field(index, 0, offs[new])
    return bytes(e2.data)


def duplicated(e, index, edit=None):
    headers = [list(h) for h in e.sh] + [list(e.sh[index])]
    if edit:
        edit(headers[-1])
    return e.rebuilt(headers)[0]


def appended_section(e, name, type, payload, flags=0, link=0, info=0, entsize=0, align=1):
    """A new section `name` holding `payload` (bytes appended to the file)."""
    data = bytearray(e.data)
    while len(data) % 8:
        data.append(0)
    off = len(data)
    data += payload
    e2 = Elf(bytes(data))
    h = [0, type, flags, 0, off, len(payload), link, info, align, entsize]
    out, offs = e2.rebuilt([list(x) for x in e2.sh] + [h], [name])
    e3 = Elf(out)
    e3.set_field(e3.shnum - 1, 0, offs[name])
    return bytes(e3.data)


def mutate_copy(e):
    return Elf(bytes(e.data))


def gen_cases(base_name, raw, cases, rng, full):
    e = Elf(raw)
    size = len(raw)
    add = lambda tag, data: cases.append(("%s-%s" % (tag, base_name), bytes(data)))

    # ---- truncation
    lens = set(range(0, 70, 1 if full else 7)) | {size - 1, size - 8, size - 64, size // 2}
    for i in range(1, e.shnum):
        h = e.sh[i]
        if h[1] == SHT_NOBITS:
            continue
        for d in (0, 1) if full else (1,):
            lens.add(h[4] + d)
            lens.add(h[4] + h[5] - d)
    lens.add(e.shoff)
    lens.add(e.shoff + 64 * (e.shnum // 2) + 3)
    for n in sorted(x for x in lens if 0 <= x < size):
        add("trunc-%06d" % n, raw[:n])

    # ---- ELF header
    if full:
        def ident(pos, val):
            d = bytearray(raw)
            d[pos] = val
            return d
        add("hdr-class32", ident(4, 1))
        add("hdr-classnone", ident(4, 0))
        add("hdr-class3", ident(4, 3))
        add("hdr-bigendian", ident(5, 2))
        add("hdr-datanone", ident(5, 0))
        add("hdr-data3", ident(5, 3))
        add("hdr-identversion0", ident(6, 0))
        add("hdr-identversion2", ident(6, 2))
        add("hdr-magic", ident(1, ord("F")))
        add("hdr-osabi", ident(7, 0x61))
        for t in (0, 1 + 1, 3, 4, 0xfe00):
            add("hdr-type%x" % t, mutate_copy(e).set_ehdr(type=t).data)
        for m in (0, 62, 3, 0xf7 + 1, 0xffff):
            add("hdr-machine%x" % m, mutate_copy(e).set_ehdr(machine=m).data)
        add("hdr-version0", mutate_copy(e).set_ehdr(version=0).data)
        add("hdr-version2", mutate_copy(e).set_ehdr(version=2).data)
        for n in (0, 1, e.shnum - 1, e.shnum + 1, e.shnum + 100, 0xff00, 0xffff):
            add("hdr-shnum%d" % n, mutate_copy(e).set_ehdr(shnum=n).data)
        for n in (0, e.shnum, e.shnum + 5, 0xfeff, 0xffff, e.symtab()):
            add("hdr-shstrndx%d" % n, mutate_copy(e).set_ehdr(shstrndx=n).data)
        # SHN_XINDEX with the real index (valid) or a bad one in section 0's sh_link
        for link in (e.shstrndx, e.shnum + 3, 0):
            m = mutate_copy(e).set_ehdr(shstrndx=0xffff)
            m.set_field(0, 6, link)
            add("hdr-xindex%d" % link, m.data)
        # e_shnum 0 with the real count in section 0's sh_size
        m = mutate_copy(e).set_ehdr(shnum=0)
        m.set_field(0, 5, e.shnum)
        add("hdr-shnum0-ext", m.data)
        m = mutate_copy(e).set_ehdr(shnum=0)
        m.set_field(0, 5, 0x7fffffff)
        add("hdr-shnum0-exthuge", m.data)
        for off in (0, 1, 7, size, size - 10, size - 64 * e.shnum + 8, 1 << 40, (1 << 64) - 64):
            add("hdr-shoff%x" % off, mutate_copy(e).set_ehdr(shoff=off).data)
        for n in (0, 40, 63, 65, 128):
            add("hdr-shentsize%d" % n, mutate_copy(e).set_ehdr(shentsize=n).data)
        add("hdr-ehsize0", mutate_copy(e).set_ehdr(ehsize=0).data)
        add("hdr-phnum", mutate_copy(e).set_ehdr(phnum=3, phoff=size + 100, phentsize=56).data)
        add("hdr-shstrndx-notstrtab", mutate_copy(e).set_ehdr(shstrndx=e.symtab()).data)

    # ---- the symbol table
    st = e.symtab()
    if st is not None:
        add("symtab-missing-null", mutate_copy(e).set_field(st, 1, SHT_NULL).data)
        if full:
            add("symtab-missing-progbits", mutate_copy(e).set_field(st, 1, SHT_PROGBITS).data)
            add("symtab-missing-dynsym", mutate_copy(e).set_field(st, 1, 11).data)
        add("symtab-two", duplicated(e, st))
        add("symtab-entsize0", mutate_copy(e).set_field(st, 9, 0).data)
        add("symtab-entsize16", mutate_copy(e).set_field(st, 9, 16).data)
        add("symtab-size-odd", mutate_copy(e).set_field(st, 5, e.sh[st][5] - 5).data)
        add("symtab-size-past", mutate_copy(e).set_field(st, 5, e.sh[st][5] + 24 * 1000).data)
        add("symtab-size-huge", mutate_copy(e).set_field(st, 5, (1 << 62)).data)
        add("symtab-size0", mutate_copy(e).set_field(st, 5, 0).data)
        add("symtab-offset-past", mutate_copy(e).set_field(st, 4, size + 8).data)
        add("symtab-link0", mutate_copy(e).set_field(st, 6, 0).data)
        add("symtab-link-self", mutate_copy(e).set_field(st, 6, st).data)
        add("symtab-link-past", mutate_copy(e).set_field(st, 6, e.shnum + 2).data)
        add("symtab-link-shstrtab", mutate_copy(e).set_field(st, 6, e.shstrndx).data)
        strtab = e.sh[st][6]
        add("strtab-size0", mutate_copy(e).set_field(strtab, 5, 0).data)
        add("strtab-size-past", mutate_copy(e).set_field(strtab, 5, size).data)
        add("strtab-type-progbits", mutate_copy(e).set_field(strtab, 1, SHT_PROGBITS).data)
        d = bytearray(raw)
        h = e.sh[strtab]
        if h[5] > 0:
            d[h[4] + h[5] - 1] = ord("x")  # no final NUL
            add("strtab-unterminated", d)

    # ---- section-name table
    ss = e.shstrndx
    add("shstrtab-size0", mutate_copy(e).set_field(ss, 5, 0).data)
    add("shstrtab-size-past", mutate_copy(e).set_field(ss, 5, size * 2).data)
    add("shstrtab-offset-past", mutate_copy(e).set_field(ss, 4, size + 100).data)
    if full:
        add("shstrtab-type-progbits", mutate_copy(e).set_field(ss, 1, SHT_PROGBITS).data)
        add("shstrtab-type-nobits", mutate_copy(e).set_field(ss, 1, SHT_NOBITS).data)
        d = bytearray(raw)
        h = e.sh[ss]
        d[h[4] + h[5] - 1] = ord("x")
        add("shstrtab-unterminated", d)
        for i in (1, e.shnum - 1):
            add("secname-past%d" % i, mutate_copy(e).set_field(i, 0, e.sh[ss][5] + 10).data)
            add("secname-huge%d" % i, mutate_copy(e).set_field(i, 0, 0xffffffff).data)

    # ---- special sections: missing, duplicated, wrong type/size, past the file
    for sec in (".BTF", ".BTF.ext", ".maps", "license", "version", ".data", ".rodata", ".bss",
                ".text", ".kconfig", ".struct_ops", ".rel.maps", ".rel.struct_ops"):
        i = e.find(name=sec)
        if i is None:
            continue
        tag = sec.strip(".").replace(".", "_")
        add("sec-%s-missing" % tag, renamed(e, i, "Z" + sec[1:] if sec.startswith(".") else sec + "_x"))
        add("sec-%s-dup" % tag, duplicated(e, i))
        if e.sh[i][1] != SHT_NOBITS:
            add("sec-%s-offset-past" % tag, mutate_copy(e).set_field(i, 4, size + 16).data)
            add("sec-%s-size-past" % tag, mutate_copy(e).set_field(i, 5, size - e.sh[i][4] + 1).data)
            add("sec-%s-size-huge" % tag, mutate_copy(e).set_field(i, 5, 1 << 60).data)
            add("sec-%s-size0" % tag, mutate_copy(e).set_field(i, 5, 0).data)
            add("sec-%s-nobits" % tag, mutate_copy(e).set_field(i, 1, SHT_NOBITS).data)
        else:
            add("sec-%s-size-huge" % tag, mutate_copy(e).set_field(i, 5, 1 << 40).data)
            add("sec-%s-size-4g" % tag, mutate_copy(e).set_field(i, 5, 1 << 32).data)
            add("sec-%s-progbits" % tag, mutate_copy(e).set_field(i, 1, SHT_PROGBITS).data)
        if full:
            add("sec-%s-type-note" % tag, mutate_copy(e).set_field(i, 1, 7).data)
            add("sec-%s-offset-unaligned" % tag, mutate_copy(e).set_field(i, 4, e.sh[i][4] + 1).data)
        if sec == "version":
            for n in (0, 2, 3, 5, 8):
                add("sec-version-size%d" % n, mutate_copy(e).set_field(i, 5, n).data)
        if sec == "license":
            add("sec-license-long", appended_section(e, "license", SHT_PROGBITS, b"G" * 100 + b"\0"))
            add("sec-license-unterminated",
                appended_section(e, "license", SHT_PROGBITS, b"Dual BSD/GPL"))
    if full:
        add("sec-version-added4", appended_section(e, "version", SHT_PROGBITS, b"\x01\x02\x03\x04"))
        add("sec-version-added2", appended_section(e, "version", SHT_PROGBITS, b"\x01\x02"))
        add("sec-version-added-nobits", appended_section(e, "version", SHT_NOBITS, b"\x01\x02\x03\x04"))
        add("sec-maps-legacy", appended_section(e, "maps", SHT_PROGBITS, b"\0" * 20))
        add("sec-maps-legacy-empty", appended_section(e, "maps", SHT_PROGBITS, b""))
        add("sec-license-added", appended_section(e, "license", SHT_PROGBITS, b"GPL\0"))
        add("sec-btf-garbage", appended_section(e, ".BTF", SHT_PROGBITS, b"\x9f\xeb\x01\0" + b"\xff" * 40))
        add("sec-btfext-garbage", appended_section(e, ".BTF.ext", SHT_PROGBITS, b"\x9f\xeb\x01\0" + b"\xff" * 40))
        add("sec-text-odd", appended_section(e, "xdp/odd", SHT_PROGBITS, b"\x95" + b"\0" * 10,
                                              flags=SHF_EXECINSTR | 2))
        add("sec-rel-dangling", appended_section(e, ".rel.nothing", SHT_REL, b"\0" * 16, info=e.shnum + 50,
                                                 link=st or 0, entsize=16))
        add("sec-rela", appended_section(e, ".rela.text", SHT_RELA, b"\0" * 24, info=1, link=st or 0,
                                         entsize=24))

    # ---- symbols
    if st is not None:
        syms = e.syms()
        funcs = [(o, s) for o, s in syms if s[1] & 0xf == 2 and s[3] not in (0, 0xfff1)]
        objs = [(o, s) for o, s in syms if s[1] & 0xf == 1 and s[3] not in (0, 0xfff1)]
        secsyms = [(o, s) for o, s in syms if s[1] & 0xf == 3]
        externs = [(o, s) for o, s in syms if s[3] == 0 and s[1] >> 4 in (1, 2) and s[1] & 0xf == 0]
        picks = []
        if funcs:
            picks.append(("func", funcs[0]))
            if full and len(funcs) > 1:
                picks.append(("funclast", funcs[-1]))
        if objs:
            picks.append(("obj", objs[0]))
        if secsyms and full:
            picks.append(("secsym", secsyms[0]))
        if externs:
            picks.append(("extern", externs[0]))
        strsize = e.sh[e.sh[st][6]][5]
        for tag, (off, s) in picks:
            def symmod(field, value, name):
                d = bytearray(raw)
                s2 = list(s)
                s2[field] = value
                SYM.pack_into(d, off, *s2)
                add("sym-%s-%s" % (tag, name), d)
            for v in (e.shnum, e.shnum + 7, 0xff00, 0xfff1, 0xfff2, 0xffff, e.symtab()):
                if full or v in (e.shnum, 0xfff2):
                    symmod(3, v, "shndx%x" % v)
            symmod(0, strsize + 3, "name-past")
            symmod(0, 0xffffffff, "name-huge")
            if full:
                symmod(0, strsize - 1, "name-last")
                symmod(0, 0, "name-empty")
            symmod(4, s[4] + 3, "value-odd")
            symmod(4, 1 << 40, "value-huge")
            symmod(5, s[5] + 3, "size-odd")
            symmod(5, 1 << 40, "size-huge")
            symmod(5, (1 << 64) - 8 - s[4], "size-wrap0")    # st_value + st_size == 2^64
            d = bytearray(raw)                                # value 8, size 2^64 - 8
            s2 = list(s)
            s2[4], s2[5] = 8, (1 << 64) - 8
            SYM.pack_into(d, off, *s2)
            add("sym-%s-size-wrap8" % tag, d)
            symmod(5, (1 << 64) - 16, "size-wrap-16")
            if full:
                symmod(5, 0, "size0")
                for t in (0, 1, 2, 3, 4, 6, 0xf):
                    symmod(1, (s[1] & 0xf0) | t, "type%d" % t)
                for b in (0, 1, 2, 0xa):
                    symmod(1, (s[1] & 0xf) | (b << 4), "bind%d" % b)
                symmod(2, 2, "hidden")

    # ---- relocations
    for ri in e.rel_sections()[: (3 if full else 1)]:
        h = e.sh[ri]
        rname = e.name(ri).strip(".").replace(".", "_").replace("/", "_")
        n = h[5] // 16
        if n == 0:
            continue
        nsym = e.sh[st][5] // 24 if st is not None else 0
        for k in sorted({0, n - 1}):
            def relmod(offset=None, sym=None, type=None, name=""):
                d = bytearray(raw)
                r_off, r_info = REL.unpack_from(raw, h[4] + 16 * k)
                if offset is not None:
                    r_off = offset
                if sym is not None:
                    r_info = (sym << 32) | (r_info & 0xffffffff)
                if type is not None:
                    r_info = (r_info & ~0xffffffff) | type
                REL.pack_into(d, h[4] + 16 * k, r_off, r_info)
                add("rel-%s-%d-%s" % (rname, k, name), d)
            relmod(sym=nsym, name="sym-past")
            relmod(sym=0xffffffff, name="sym-huge")
            relmod(sym=0, name="sym0")
            r_off, _ = REL.unpack_from(raw, h[4] + 16 * k)
            relmod(offset=r_off + 3, name="off-odd")
            relmod(offset=r_off + 8, name="off-next")
            relmod(offset=e.sh[h[7]][5] if h[7] < e.shnum else 1 << 20, name="off-end")
            relmod(offset=1 << 62, name="off-huge")
            relmod(type=0, name="type0")
            relmod(type=10, name="type10")
            relmod(type=0xffff, name="typeffff")
            if full:
                relmod(offset=0, name="off0")
                for j in range(1, min(nsym, 12)):
                    relmod(sym=j, name="sym%d" % j)
        add("rel-%s-info-past" % rname, mutate_copy(e).set_field(ri, 7, e.shnum).data)
        add("rel-%s-info0" % rname, mutate_copy(e).set_field(ri, 7, 0).data)
        add("rel-%s-info-symtab" % rname, mutate_copy(e).set_field(ri, 7, st or 0).data)
        add("rel-%s-info-self" % rname, mutate_copy(e).set_field(ri, 7, ri).data)
        add("rel-%s-entsize0" % rname, mutate_copy(e).set_field(ri, 9, 0).data)
        add("rel-%s-entsize24" % rname, mutate_copy(e).set_field(ri, 9, 24).data)
        add("rel-%s-entsize8" % rname, mutate_copy(e).set_field(ri, 9, 8).data)
        add("rel-%s-size-odd" % rname, mutate_copy(e).set_field(ri, 5, h[5] - 3).data)
        add("rel-%s-size-past" % rname, mutate_copy(e).set_field(ri, 5, h[5] + 16 * 100).data)
        add("rel-%s-size-huge" % rname, mutate_copy(e).set_field(ri, 5, 16 << 40).data)
        add("rel-%s-link0" % rname, mutate_copy(e).set_field(ri, 6, 0).data)
        add("rel-%s-link-past" % rname, mutate_copy(e).set_field(ri, 6, e.shnum + 1).data)
        add("rel-%s-dup" % rname, duplicated(e, ri))

    # ---- BTF header counts
    bi = e.find(name=".BTF")
    if bi is not None:
        off = e.sh[bi][4]
        for field, fname in ((8, "type_off"), (12, "type_len"), (16, "str_off"), (20, "str_len"), (4, "hdr_len")):
            for v in (0xffffffff, e.sh[bi][5]):
                d = bytearray(raw)
                struct.pack_into("<I", d, off + field, v)
                add("btf-%s-%x" % (fname, v), d)
    be = e.find(name=".BTF.ext")
    if be is not None:
        off = e.sh[be][4]
        for field, fname in ((8, "func_off"), (12, "func_len"), (16, "line_off"), (20, "line_len"), (4, "hdr_len")):
            d = bytearray(raw)
            struct.pack_into("<I", d, off + field, 0xfffffff0)
            add("btfext-%s" % fname, d)

    # ---- random byte flips
    nflips = 120 if full else 40
    for k in range(nflips):
        d = bytearray(raw)
        count = rng.choice((1, 1, 2, 4, 8))
        for _ in range(count):
            r = rng.random()
            if r < 0.3:
                pos = rng.randrange(min(64, size))          # ELF header
            elif r < 0.6:
                pos = e.shoff + rng.randrange(64 * e.shnum)  # section headers
            else:
                pos = rng.randrange(size)
            d[pos] = rng.randrange(256) if rng.random() < 0.5 else d[pos] ^ (1 << rng.randrange(8))
        add("flip-%03d" % k, d)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".o"):
            os.unlink(os.path.join(out, f))
    rng = random.Random(20240515)
    cases = []
    for k, path in enumerate(sys.argv[2:]):
        base = os.path.basename(path)[:-2]
        with open(path, "rb") as f:
            raw = f.read()
        # the first base gets every mutation, the others a lighter set
        gen_cases(base, raw, cases, rng, full=(k < 2))
    seen = set()
    with open(os.path.join(out, "list"), "w") as lst:
        for name, data in cases:
            if name in seen:
                continue
            seen.add(name)
            path = os.path.join(out, name + ".o")
            with open(path, "wb") as f:
                f.write(data)
            lst.write("%s %s\n" % (name, path))
    print("%d cases" % len(seen))


if __name__ == "__main__":
    main()
