#!/usr/bin/env python3
"""Generates the malformed (and accepted-but-odd) BTF / .BTF.ext blobs of the
btf_malformed test, plus a manifest the test program (malformed.c) reads.

usage: gen.py OUTDIR            writes OUTDIR/<case>.bin files and OUTDIR/manifest
       gen.py --corpus OUTDIR   writes only the blobs, as fuzz seeds:
                                OUTDIR/btf/<case> and OUTDIR/ext/<case>

Manifest lines:  <api> <case> <file> [<base-file>]
  api: new | ext_new | parse_raw | parse_raw_split | parse | parse_elf
  file "-" for ext_new means a NULL data pointer with size 0; for parse_* the
  file is a path (possibly missing, or a directory).

Layouts follow include/uapi/linux/btf.h (struct btf_header, btf_type and the
per-kind trailing records) and libbpf's struct btf_ext_header.
"""
import os
import struct
import sys

MAGIC = 0xEB9F

# kinds
INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, \
    FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64 = range(1, 20)


class Strings:
    """A string section builder: offsets of added strings."""

    def __init__(self, leading_nul=True):
        self.data = b"\0" if leading_nul else b""
        self.offs = {}

    def __call__(self, s):
        if s == "":
            return 0
        if s not in self.offs:
            self.offs[s] = len(self.data)
            self.data += s.encode() + b"\0"
        return self.offs[s]


def info(kind, vlen=0, kflag=0):
    return (kflag << 31) | (kind << 24) | vlen


def t(name_off, kind, vlen, size_or_type, *extra, kflag=0):
    """One type record as a list of u32 words."""
    return [name_off, info(kind, vlen, kflag), size_or_type] + list(extra)


def words(recs, endian="<"):
    out = b""
    for r in recs:
        out += struct.pack(endian + "%dI" % len(r), *[w & 0xFFFFFFFF for w in r])
    return out


def btf(types=b"", strs=b"\0", *, endian="<", magic=MAGIC, version=1, flags=0,
        hdr_len=24, pad=0, gap=b"", tail=b"", header_extra=b"", **lie):
    """A BTF blob: the 24-byte header, header_extra, `pad` zero bytes, types, gap,
    strings, tail. The header's offsets describe that layout relative to its
    hdr_len unless `lie` overrides them (h_type_off, h_type_len, h_str_off, h_str_len)."""
    if isinstance(types, list):
        types = words(types, endian)
    type_off = max(0, 24 + len(header_extra) + pad - hdr_len)
    f = dict(h_type_off=type_off, h_type_len=len(types), h_str_off=type_off + len(types) + len(gap),
             h_str_len=len(strs))
    f.update(lie)
    hdr = struct.pack(endian + "HBBIIIII", magic, version, flags, hdr_len,
                      f["h_type_off"], f["h_type_len"], f["h_str_off"], f["h_str_len"])
    return hdr + header_extra + b"\0" * pad + types + gap + strs + tail


# ------------------------------------------------------------------ base BTF

def base_types(S):
    """A base BTF with one type of every kind (ids in comments)."""
    return [
        t(S("int"), INT, 0, 4, 0x01000020),                       # 1 int
        t(0, PTR, 0, 1),                                          # 2 int *
        t(0, ARRAY, 0, 0, 1, 1, 4),                               # 3 int[4]
        t(S("s"), STRUCT, 2, 8, S("a"), 1, 0, S("b"), 1, 32),     # 4 struct s
        t(S("t"), TYPEDEF, 0, 4),                                 # 5 typedef struct s t
        t(0, CONST, 0, 5),                                        # 6 const t
        t(S("e"), ENUM, 2, 4, S("A"), 0, S("B"), 7),              # 7 enum e
        t(0, FUNC_PROTO, 1, 1, S("x"), 1),                        # 8 int (*)(int x)
        t(S("f"), FUNC, 0, 8),                                    # 9 func f
        t(S("long int"), INT, 0, 8, 0x01000040),                  # 10 long int
        t(S("fw"), FWD, 0, 0),                                    # 11 struct fw;
        t(S("v"), VAR, 0, 1, 1),                                  # 12 var v
        t(S(".data"), DATASEC, 1, 4, 12, 0, 4),                   # 13 datasec
        t(S("float"), FLOAT, 0, 4),                               # 14 float
        t(S("tag"), DECL_TAG, 0, 4, 0xFFFFFFFF),                  # 15 decl tag
        t(S("tt"), TYPE_TAG, 0, 2),                               # 16 type tag
        t(S("e64"), ENUM64, 1, 8, S("C"), 1, 2),                  # 17 enum64
        t(S("u"), UNION, 1, 4, S("m"), 1, 0),                     # 18 union u
        t(0, VOLATILE, 0, 1),                                     # 19 volatile int
        t(0, RESTRICT, 0, 2),                                     # 20 restrict
        t(S("bf"), STRUCT, 2, 4, S("x"), 1, (3 << 24) | 0, S("y"), 1, (5 << 24) | 3, kflag=1),  # 21 bitfields
        t(S("pk"), STRUCT, 2, 5, S("c"), 23, 0, S("i"), 1, 8),    # 22 packed struct of char, int
        t(S("char"), INT, 0, 1, 0x02000008),                      # 23 char
    ]


def make_base(endian="<"):
    S = Strings()
    return btf(base_types(S), S.data, endian=endian)


# ------------------------------------------------------------------ cases

def btf_cases():
    """(api, name, blob) for btf__new and (split on the base) btf__parse_raw_split."""
    out = []
    base = make_base()

    def new(name, blob):
        out.append(("new", name, blob))

    # btf__new_split is not exported by libbpf 1.1.2 (missing from its version
    # script): split blobs go through btf__parse_raw_split, which parses the
    # file's bytes the same way (btf_new with the base).
    def split(name, blob):
        out.append(("parse_raw_split", name, blob))

    S = Strings()
    one = [t(S("int"), INT, 0, 4, 0x01000020)]
    ones = S.data

    # --- accepted, well-formed
    new("valid_all_kinds", base)
    new("valid_big_endian", make_base(">"))
    new("valid_minimal_strings", btf([], b"\0"))
    new("valid_one_int", btf(one, ones))

    # --- header
    new("empty", b"")
    new("truncated_header_2", b"\x9f\xeb")
    new("truncated_header_23", btf(one, ones)[:23])
    new("bad_magic", btf(one, ones, magic=0x1234))
    new("bad_magic_zero", b"\0" * 64)
    new("version_2", btf(one, ones, version=2))
    new("version_0_flags_ff", btf(one, ones, version=0, flags=0xFF))
    new("hdr_len_larger_than_size", btf(one, ones, hdr_len=4096))
    new("hdr_len_0", btf(one, ones, hdr_len=0))   # section offsets count from the start of the data
    new("hdr_len_8", btf(one, ones, hdr_len=8))
    new("hdr_len_16_unaligned_types", btf(one, ones, hdr_len=16, pad=2))
    new("hdr_len_32_zero_tail", btf(one, ones, hdr_len=32, header_extra=b"\0" * 8))
    new("hdr_len_32_nonzero_tail", btf(one, ones, hdr_len=32, header_extra=b"\xff" * 8))
    new("hdr_len_25_odd", btf(one, ones, hdr_len=25, header_extra=b"\0"))  # misaligned records
    new("hdr_len_max", btf(one, ones, hdr_len=0xFFFFFFFF))

    # --- section layout
    new("strings_beyond_end", btf(one, ones, h_str_len=len(ones) + 1))
    new("strings_off_beyond_end", btf(one, ones, h_str_off=1000))
    new("strings_off_overflow", btf(one, ones, h_str_off=0xFFFFFFFF, h_str_len=2))
    new("types_overlap_strings", btf(one, ones, h_str_off=8))
    new("types_len_overflow", btf(one, ones, h_type_len=0xFFFFFFFC))
    new("types_after_strings", btf(one, ones, h_str_off=0))
    new("types_off_past_strings_empty", btf([], ones, h_type_off=100, h_str_off=0))
    new("type_section_unaligned", btf(one, ones, pad=2))
    new("type_section_off_4", btf(one, ones, pad=4))
    new("gap_between_sections", btf(one, ones, gap=b"\xaa" * 12))
    new("trailing_garbage", btf(one, ones, tail=b"\xde\xad\xbe\xef" * 3))
    new("no_types_len_0", btf([], ones))

    # --- string section
    new("strings_empty", btf(one, b""))
    new("strings_no_trailing_nul", btf(one, b"\0int"))
    new("strings_not_leading_nul", btf([t(0, INT, 0, 4, 0x01000020)], b"int\0"))
    new("strings_single_byte_nonnul", btf([], b"x"))
    new("strings_only_nuls", btf([t(0, PTR, 0, 0)], b"\0\0\0\0"))

    # --- type records
    new("kind_0", btf([t(0, 0, 0, 0)], ones))
    new("kind_20", btf([t(0, 20, 0, 0)], ones))
    new("kind_31", btf(one + [t(0, 31, 0, 0)], ones))
    new("kind_20_kflag", btf([t(0, 20, 0, 0, kflag=1)], ones))
    new("truncated_int", btf([t(S("int"), INT, 0, 4)], ones))
    new("truncated_struct_vlen", btf([t(0, STRUCT, 3, 8, 0, 1, 0)], ones))
    new("struct_vlen_max", btf(one + [t(0, STRUCT, 0xFFFF, 8, 0, 1, 0)], ones))
    new("enum_vlen_too_big", btf([t(0, ENUM, 2, 4, 0, 0)], ones))
    new("enum64_truncated", btf([t(0, ENUM64, 1, 8, 0, 0)], ones))
    new("func_proto_truncated", btf([t(0, FUNC_PROTO, 2, 0, 0, 0)], ones))
    new("datasec_truncated", btf([t(0, DATASEC, 1, 4, 1, 0)], ones))
    new("array_truncated", btf([t(0, ARRAY, 0, 0, 1, 1)], ones))
    new("types_tail_8_bytes", btf(words(one) + b"\0" * 8, ones))
    new("types_len_not_multiple_of_4", btf(words(one) + b"\0\0", ones))
    new("types_len_short_of_header", btf(b"\0" * 8, ones))
    new("type_len_cuts_record", btf(one, ones, h_type_len=12))

    # --- accepted but odd: ids, names, loops (queried after parsing)
    L = Strings()
    new("typedef_loop", btf([t(L("a"), TYPEDEF, 0, 2), t(L("b"), TYPEDEF, 0, 1)], L.data))
    new("const_self_loop", btf([t(0, CONST, 0, 1)], b"\0"))
    new("volatile_loop_3", btf([t(0, VOLATILE, 0, 2), t(0, CONST, 0, 3), t(0, RESTRICT, 0, 1)], b"\0"))
    new("ptr_self_loop", btf([t(0, PTR, 0, 1)], b"\0"))
    new("array_self_loop_n2", btf([t(0, ARRAY, 0, 0, 1, 1, 2)], b"\0"))
    new("array_self_loop_n1", btf([t(0, ARRAY, 0, 0, 1, 1, 1)], b"\0"))
    new("array_self_loop_n0", btf([t(0, ARRAY, 0, 0, 1, 1, 0)], b"\0"))
    new("array_huge", btf(one + [t(0, ARRAY, 0, 0, 1, 1, 0x40000000), t(0, ARRAY, 0, 0, 2, 1, 8)], ones))
    new("struct_contains_itself", btf([t(L("s"), STRUCT, 1, 4, L("m"), 1, 0)], L.data))
    new("struct_member_typedef_loop", btf([t(L("s"), STRUCT, 1, 4, L("m"), 2, 0), t(L("a"), TYPEDEF, 0, 3),
                                          t(L("b"), TYPEDEF, 0, 2)], L.data))
    new("var_loop", btf([t(L("v"), VAR, 0, 2, 0), t(L("w"), VAR, 0, 1, 0)], L.data))
    new("decl_tag_loop", btf([t(L("tag"), DECL_TAG, 0, 1, 0)], L.data))
    new("type_tag_loop", btf([t(L("tt"), TYPE_TAG, 0, 1)], L.data))
    new("typedef_to_func", btf(one + [t(0, FUNC_PROTO, 0, 1), t(L("f"), FUNC, 0, 2), t(L("t"), TYPEDEF, 0, 3)], ones))
    new("typedef_to_fwd", btf([t(L("fw"), FWD, 0, 0), t(L("t"), TYPEDEF, 0, 1)], L.data))
    new("typedef_to_datasec", btf(one + [t(L("v"), VAR, 0, 1, 0), t(L(".d"), DATASEC, 1, 4, 2, 0, 4),
                                         t(L("t"), TYPEDEF, 0, 3)], ones))
    new("ids_out_of_range", btf([t(0, PTR, 0, 999), t(L("t"), TYPEDEF, 0, 999), t(0, ARRAY, 0, 0, 999, 999, 3),
                                t(L("s"), STRUCT, 1, 4, L("m"), 999, 0), t(0, CONST, 0, 0xFFFFFFFF),
                                t(L("v"), VAR, 0, 12345, 0)], L.data))
    new("names_out_of_range", btf([t(1000, INT, 0, 4, 0x20), t(0xFFFFFFFF, STRUCT, 1, 4, 0x7FFFFFFF, 1, 0),
                                  t(len(b"\0int\0") - 1, TYPEDEF, 0, 1), t(2, TYPEDEF, 0, 1)], b"\0int\0"))
    new("int_weird_sizes", btf([t(L("i0"), INT, 0, 0, 0), t(L("i3"), INT, 0, 3, 0x18), t(L("i64"), INT, 0, 64, 0x200),
                               t(L("long"), INT, 0, 5, 0x28), t(L("long"), INT, 0, 4, 0x20)], L.data))
    new("enum_vlen_0", btf([t(L("e"), ENUM, 0, 4)], L.data))
    new("struct_size_0_vlen_0", btf([t(L("s"), STRUCT, 0, 0)], L.data))
    new("struct_unaligned_member", btf(one + [t(L("s"), STRUCT, 1, 8, L("m"), 1, 8)], ones + b"s\0m\0"))
    new("ptr_to_void_and_ptrsz_4", btf([t(0, PTR, 0, 0), t(L("long"), INT, 0, 4, 0x20)], L.data))
    new("duplicate_names", btf([t(1, INT, 0, 4, 0x20), t(1, STRUCT, 0, 4), t(1, TYPEDEF, 0, 2), t(1, TYPEDEF, 0, 1)],
                               ones))
    new("name_mid_string", btf([t(2, INT, 0, 4, 0x20)], ones))

    # --- big-endian
    new("be_hdr_len_32", btf(one, ones, endian=">", hdr_len=32, header_extra=b"\0" * 8))
    new("be_hdr_len_0", btf(one, ones, endian=">", hdr_len=0))
    new("be_kind_20", btf([t(0, 20, 0, 0)], ones, endian=">"))
    new("be_truncated_struct", btf([t(0, STRUCT, 3, 8, 0, 1, 0)], ones, endian=">"))
    new("be_strings_no_nul", btf(one, b"\0int", endian=">"))
    new("be_layout_overlap", btf(one, ones, endian=">", h_str_off=4))
    new("be_loops", btf([t(L("a"), TYPEDEF, 0, 2), t(L("b"), TYPEDEF, 0, 1), t(0, ARRAY, 0, 0, 3, 1, 2)], L.data,
                        endian=">"))
    new("be_truncated_header", btf(one, ones, endian=">")[:20])

    # --- split on top of the base (23 types; base string section length below)
    B = Strings()
    base_types(B)
    base_str_len = len(B.data)
    # split strings continue the base's offsets
    X = Strings(leading_nul=False)
    sx = lambda s: base_str_len + X(s)
    split("split_valid", btf([t(sx("myint"), TYPEDEF, 0, 1), t(0, PTR, 0, 24), t(sx("ms"), STRUCT, 1, 8, sx("p"), 25, 0)],
                             X.data))
    split("split_leading_nul", btf([t(base_str_len + 1, TYPEDEF, 0, 1)], b"\0q\0"))
    split("split_no_strings", btf([t(1, TYPEDEF, 0, 4), t(0, PTR, 0, 24)], b""))
    split("split_names_base_and_own", btf([t(1, TYPEDEF, 0, 24), t(base_str_len, TYPEDEF, 0, 4),
                                           t(base_str_len - 1, TYPEDEF, 0, 4)], b"z\0"))
    split("split_names_out_of_range", btf([t(base_str_len + 100, INT, 0, 4, 0x20)], b"z\0"))
    split("split_ids_out_of_range", btf([t(0, PTR, 0, 999), t(0, TYPEDEF, 0, 26), t(0, CONST, 0, 24)], b"\0"))
    split("split_loop_into_base", btf([t(0, CONST, 0, 25), t(0, VOLATILE, 0, 24)], b"\0"))
    split("split_duplicate_base_name", btf([t(1, STRUCT, 0, 0), t(sx("int"), INT, 0, 4, 0x20)], X.data))
    split("split_strings_no_trailing_nul", btf([t(0, PTR, 0, 1)], b"abc"))
    split("split_kind_20", btf([t(0, 20, 0, 0)], b"\0"))
    split("split_truncated_record", btf([t(0, PTR, 0, 1), t(0, ENUM, 3, 4, 0, 0)], b"\0"))
    split("split_bad_magic", btf([t(0, PTR, 0, 1)], b"\0", magic=0xABCD))
    split("split_big_endian", btf([t(0, PTR, 0, 1), t(base_str_len + 1, TYPEDEF, 0, 24)], b"\0n\0", endian=">"))
    split("split_empty", b"")
    return out, base


def info_block(rec_size, sections, rec_words=None):
    """u32 rec_size, then per section: sec_name_off, num_info, records."""
    out = struct.pack("<I", rec_size)
    for name_off, recs in sections:
        out += struct.pack("<II", name_off, len(recs))
        for r in recs:
            b = struct.pack("<%dI" % len(r), *r)
            out += b + b"\0" * (rec_size - len(b))
    return out


def ext(func=b"", line=b"", core=b"", *, hdr_len=32, gap=b"", order=("func", "line", "core"), overrides=None,
        tail=b"", endian="<", **hdr):
    """A .BTF.ext blob with the given blocks laid out after the header in `order`."""
    blocks = {"func": func, "line": line, "core": core}
    body = b""
    offs = {}
    for k in order:
        offs[k] = len(body)
        body += blocks[k] + gap
    fields = dict(fo=offs["func"], fl=len(func), lo=offs["line"], ll=len(line),
                  co=offs["core"], cl=len(core))
    if overrides:
        fields.update(overrides)
    fields.update(hdr)
    h = struct.pack(endian + "HBBIIIIIII", fields.pop("magic", MAGIC), fields.pop("version", 1),
                    fields.pop("flags", 0), hdr_len, fields["fo"], fields["fl"], fields["lo"], fields["ll"],
                    fields["co"], fields["cl"])
    if hdr_len >= 32:
        h += b"\0" * (hdr_len - 32)
    else:
        h = h[:hdr_len] if hdr_len >= 8 else h[:8]
    return h + body + tail


def ext_cases():
    out = []

    def e(name, blob):
        out.append(("ext_new", name, blob))

    F = info_block(8, [(1, [(0, 9), (16, 10)]), (5, [(0, 3)])])
    Ln = info_block(16, [(1, [(0, 2, 3, (7 << 10) | 2), (8, 2, 4, (8 << 10) | 1)])])
    C = info_block(16, [(1, [(8, 4, 6, 0), (24, 4, 7, 1)])])

    e("valid_full", ext(F, Ln, C))
    e("valid_hdr_24_no_core", ext(F, Ln, hdr_len=24))
    e("valid_hdr_28_core_skipped", ext(F, Ln, hdr_len=28, tail=b"\0" * 4))
    e("valid_hdr_40_extra", ext(F, Ln, C, hdr_len=40))
    e("valid_bigger_records", ext(info_block(12, [(1, [(0, 9, 77)])]), info_block(20, [(1, [(0, 1, 2, 3, 4)])]),
                                  info_block(24, [(1, [(0, 1, 2, 3, 5, 6)])])))
    e("valid_only_func", ext(F))
    e("valid_all_empty_with_data", ext(tail=b"\0" * 4))
    e("valid_reordered_blocks", ext(F, Ln, C, order=("core", "line", "func")))
    e("valid_overlapping_blocks", ext(C, overrides=dict(lo=0, ll=len(C), co=0, cl=len(C))))  # one block, three views
    e("valid_gap_and_tail", ext(F, Ln, C, gap=b"\xaa" * 4, tail=b"\xbb" * 7))
    e("valid_many_sections", ext(info_block(8, [(i, [(0, i)]) for i in range(200)])))
    e("valid_odd_hdr_len_33", ext(F, Ln, C, hdr_len=33))
    e("valid_name_offsets_wild", ext(info_block(8, [(0xFFFFFFFF, [(1, 2)]), (0, [(3, 4)])])))

    # header
    e("null_data_size_0", None)
    e("empty", b"")
    e("size_4", struct.pack("<HBB", MAGIC, 1, 0))
    e("size_7", ext(F, Ln, C)[:7])
    e("size_8_hdr_8", struct.pack("<HBBI", MAGIC, 1, 0, 8))
    e("hdr_len_larger_than_size", ext(F, Ln, C)[:31])
    e("hdr_len_huge", ext(F)[:4] + struct.pack("<I", 0xFFFFFFFF) + ext(F)[8:])
    e("bad_magic", ext(F, magic=0x1234))
    e("big_endian_magic", ext(F, Ln, C, endian=">"))
    e("big_endian_magic_short_hdr", struct.pack(">HBBI", MAGIC, 1, 0, 8) + b"\0" * 8)
    # swapped magic but a hdr_len that reads small natively: the endianness check is reached
    e("big_endian_magic_native_hdr_len", struct.pack(">HBB", MAGIC, 1, 0) + ext(F)[4:])
    e("version_0", ext(F, version=0))
    e("version_2", ext(F, version=2))
    e("flags_1", ext(F, flags=1))
    e("flags_80_version_2", ext(F, version=2, flags=0x80))
    e("no_data", ext(hdr_len=32))
    e("hdr_len_8_with_data", struct.pack("<HBBI", MAGIC, 1, 0, 8) + b"\0" * 24)
    e("hdr_len_0_with_data", struct.pack("<HBBI", MAGIC, 1, 0, 0) + b"\0" * 24)
    e("hdr_len_20", ext(F, hdr_len=20, tail=F))
    e("hdr_len_23", ext(F, hdr_len=23, tail=b"\0" + F))

    for kind, desc, block, minrec in (("func", "func_info", F, 8), ("line", "line_info", Ln, 16),
                                      ("core", "core_relo", C, 16)):
        o = {"func": "fo", "line": "lo", "core": "co"}[kind]
        l = {"func": "fl", "line": "ll", "core": "cl"}[kind]
        blocks = {"func": b"", "line": b"", "core": b""}

        def mk(b, **ov):
            bl = dict(blocks)
            bl[kind] = b
            return ext(bl["func"], bl["line"], bl["core"], overrides=ov or None)

        e(f"{desc}_unaligned_off", mk(b"\0\0" + block, **{o: 2}))
        e(f"{desc}_beyond_end", mk(block, **{l: len(block) + 4}))
        e(f"{desc}_off_beyond_end", mk(block, **{o: 0x1000}))
        e(f"{desc}_off_len_overflow", mk(block, **{o: 0xFFFFFFFC, l: 8}))
        e(f"{desc}_len_2", mk(block, **{l: 2}))
        e(f"{desc}_only_record_size", mk(struct.pack("<I", minrec)))
        e(f"{desc}_record_size_small", mk(info_block(minrec - 4, [(1, [(0,)])])))
        e(f"{desc}_record_size_0", mk(info_block(0, []) + b"\0" * 8))
        e(f"{desc}_record_size_unaligned", mk(struct.pack("<I", minrec + 2) + struct.pack("<II", 1, 1) + b"\0" * (minrec + 2)))
        e(f"{desc}_record_size_huge", mk(struct.pack("<III", 0xFFFFFFFC, 1, 1) + b"\0" * 8))
        e(f"{desc}_sec_header_truncated", mk(struct.pack("<II", minrec, 1)))
        e(f"{desc}_sec_header_truncated_after_one", mk(block + struct.pack("<I", 1), **{l: len(block) + 4}))
        e(f"{desc}_num_info_0", mk(info_block(minrec, [(1, [])])))
        e(f"{desc}_num_info_too_big", mk(struct.pack("<III", minrec, 1, 3) + b"\0" * minrec * 2))
        e(f"{desc}_num_info_overflow", mk(struct.pack("<III", minrec, 1, 0xFFFFFFFF) + b"\0" * minrec))
        e(f"{desc}_trailing_bytes_in_block", mk(block + b"\0" * 4, **{l: len(block) + 4}))
        e(f"{desc}_len_cuts_record", mk(block, **{l: len(block) - 4}))

    e("core_relo_bad_but_hdr_28", ext(F, Ln, b"\0\0\0\0", hdr_len=28, overrides=dict(co=1, cl=3)))
    e("line_info_bad_after_good_func", ext(F, struct.pack("<I", 4) + b"\0" * 8))
    e("func_bad_and_line_bad", ext(struct.pack("<I", 3), struct.pack("<I", 5)))
    return out


# ------------------------------------------------------------------ ELF files

def elf(sections):
    """A minimal ELF64 LE relocatable (EM_BPF) with the given (name, data) PROGBITS sections."""
    shstr = b"\0"
    names = []
    for n, _ in sections:
        names.append(len(shstr))
        shstr += n.encode() + b"\0"
    shstr_name = len(shstr)
    shstr += b".shstrtab\0"
    body = b""
    offs = []
    for _, d in sections:
        while (64 + len(body)) % 8:
            body += b"\0"
        offs.append(64 + len(body))
        body += d
    while (64 + len(body)) % 8:
        body += b"\0"
    shstr_off = 64 + len(body)
    body += shstr
    while (64 + len(body)) % 8:
        body += b"\0"
    shoff = 64 + len(body)
    nsec = len(sections) + 2
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    ehdr += struct.pack("<HHIQQQIHHHHHH", 1, 247, 1, 0, 0, shoff, 0, 64, 0, 0, 64, nsec, nsec - 1)
    sh = b"\0" * 64
    for i, (_, d) in enumerate(sections):
        sh += struct.pack("<IIQQQQIIQQ", names[i], 1, 0, 0, offs[i], len(d), 0, 0, 4, 0)
    sh += struct.pack("<IIQQQQIIQQ", shstr_name, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
    return ehdr + body + sh


def file_cases(base, ext_valid, ext_list):
    """(api, name, blob or special) for the parse_* entry points."""
    out = []
    S = Strings()
    one = btf([t(S("int"), INT, 0, 4, 0x01000020)], S.data)
    out.append(("parse_raw", "raw_valid", base))
    out.append(("parse_raw", "raw_big_endian", make_base(">")))
    out.append(("parse_raw", "raw_empty_file", b""))
    out.append(("parse_raw", "raw_one_byte", b"\x9f"))
    out.append(("parse_raw", "raw_bad_magic", b"\x7fELF" + b"\0" * 60))
    out.append(("parse_raw", "raw_magic_only", struct.pack("<H", MAGIC)))
    out.append(("parse_raw", "raw_truncated_header", one[:12]))
    out.append(("parse_raw", "raw_strings_no_nul", btf([], b"\0abc")))
    out.append(("parse_raw", "raw_kind_20", btf([t(0, 20, 0, 0)], b"\0")))
    out.append(("parse_raw", "raw_loops", btf([t(1, TYPEDEF, 0, 2), t(1, TYPEDEF, 0, 1)], b"\0a\0")))
    out.append(("parse_raw", "raw_missing_file", "@missing"))
    out.append(("parse_raw", "raw_directory", "@directory"))
    out.append(("parse_raw_split", "raw_split_valid", btf([t(0, PTR, 0, 1)], b"\0"), "base"))
    out.append(("parse_raw_split", "raw_split_no_strings", btf([t(1, TYPEDEF, 0, 4)], b""), "base"))
    out.append(("parse_raw_split", "raw_split_bad", btf([t(0, PTR, 0, 1)], b"x"), "base"))
    out.append(("parse", "parse_raw_valid", one))
    out.append(("parse", "parse_not_btf_not_elf", b"hello world, not BTF and not ELF\n"))
    out.append(("parse", "parse_elf_valid", elf([(".BTF", base), (".BTF.ext", ext_valid)])))
    out.append(("parse_elf", "elf_valid", elf([(".BTF", base), (".BTF.ext", ext_valid)])))
    out.append(("parse_elf", "elf_no_ext", elf([(".BTF", base)])))
    out.append(("parse_elf", "elf_no_btf", elf([(".text", b"\0" * 8)])))
    out.append(("parse_elf", "elf_bad_btf", elf([(".BTF", b"\0" * 40), (".BTF.ext", ext_valid)])))
    out.append(("parse_elf", "elf_big_endian_btf", elf([(".BTF", make_base(">"))])))
    out.append(("parse_elf", "elf_not_elf", b"\x9f\xeb" + b"\0" * 62))
    for name, blob in ext_list:
        out.append(("parse_elf", "elf_ext_" + name, elf([(".BTF", one), (".BTF.ext", blob)])))
    return out


def all_cases():
    bc, base = btf_cases()
    ec = ext_cases()
    ext_by_name = {c[1]: c[2] for c in ec}
    picks = ["bad_magic", "big_endian_magic", "version_2", "no_data", "hdr_len_20", "func_info_unaligned_off",
             "line_info_num_info_0", "core_relo_record_size_small", "valid_hdr_24_no_core", "empty"]
    fc = file_cases(base, ext_by_name["valid_full"], [(p, ext_by_name[p]) for p in picks])
    return bc, ec, fc, base


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--corpus":
        outdir = sys.argv[2]
        bc, ec, fc, base = all_cases()
        os.makedirs(os.path.join(outdir, "btf"), exist_ok=True)
        os.makedirs(os.path.join(outdir, "ext"), exist_ok=True)
        for api, name, blob in bc:
            open(os.path.join(outdir, "btf", name), "wb").write(blob)
        for api, name, blob in ec:
            open(os.path.join(outdir, "ext", name), "wb").write(blob or b"")
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    bc, ec, fc, base = all_cases()
    base_path = os.path.join(outdir, "base.bin")
    open(base_path, "wb").write(base)
    seen = set()
    lines = []

    def put(name, blob):
        assert name not in seen, name
        seen.add(name)
        p = os.path.join(outdir, name + ".bin")
        open(p, "wb").write(blob)
        return p

    for api, name, blob in bc:
        p = put(name, blob)
        lines.append(f"{api} {name} {p}" + (f" {base_path}" if api == "parse_raw_split" else ""))
    for api, name, blob in ec:
        name = "ext_" + name
        if blob is None:
            assert name not in seen, name
            seen.add(name)
            lines.append(f"{api} {name} -")
        else:
            lines.append(f"{api} {name} {put(name, blob)}")
    for c in fc:
        api, name, blob = c[:3]
        assert name not in seen, name
        if blob == "@missing":
            p = os.path.join(outdir, "does-not-exist.bin")
            seen.add(name)
        elif blob == "@directory":
            p = os.path.join(outdir, "a-directory")
            os.makedirs(p, exist_ok=True)
            seen.add(name)
        else:
            p = put(name, blob)
        lines.append(f"{api} {name} {p}" + (f" {base_path}" if len(c) > 3 else ""))
    open(os.path.join(outdir, "manifest"), "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
