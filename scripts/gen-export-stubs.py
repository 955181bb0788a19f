#!/usr/bin/env python3
"""Regenerates Sources/LibBPF/Unimplemented.swift: one @_cdecl stub for every
reference symbol (abi/reference-symbols.txt) that no other file in
Sources/LibBPF exports yet. Each stub has the exact C signature (taken from the
prototypes in include/bpf via clang's JSON AST) so implementing a symbol means
moving its stub into a real file, filling the body, and re-running this script.

Usage: scripts/gen-export-stubs.py [--headers include]
"""
import json, os, re, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
hdr_root = os.path.join(ROOT, "include")
if "--headers" in sys.argv:
    hdr_root = sys.argv[sys.argv.index("--headers") + 1]

symbols = [l.split("@")[0] for l in open(os.path.join(ROOT, "abi/reference-symbols.txt")) if l.strip()]

# Symbols already exported by hand-written files.
exported = set()
libdir = os.path.join(ROOT, "Sources/LibBPF")
for f in os.listdir(libdir):
    if f.endswith(".swift") and f != "Unimplemented.swift":
        exported |= set(re.findall(r'@_cdecl\("([A-Za-z0-9_]+)"\)', open(os.path.join(libdir, f)).read()))

# A symbol STATUS.md calls implemented must not silently become a stub again (an
# export file lost or overwritten): refuse unless --allow-regression is given.
status_path = os.path.join(ROOT, "abi/STATUS.md")
if os.path.exists(status_path) and "--allow-regression" not in sys.argv:
    text = open(status_path).read()
    if "## Implemented" in text:
        section = text.split("## Implemented", 1)[1].split("## Missing", 1)[0]
        was_done = set(re.findall(r"- `([A-Za-z0-9_]+)`", section))
        lost = sorted(n for n in was_done if n not in exported)
        if lost:
            raise SystemExit("these implemented symbols have no export any more: " + " ".join(lost) +
                             "\n(restore them, or pass --allow-regression)")

with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as tu:
    tu.write('#include <bpf/libbpf.h>\n#include <bpf/bpf.h>\n#include <bpf/btf.h>\n')
ast = json.loads(subprocess.run(["clang", "-Xclang", "-ast-dump=json", "-fsyntax-only", "-I", hdr_root, tu.name],
                                capture_output=True, text=True, check=True).stdout)
os.unlink(tu.name)

complete = set()
typedefs = {}
funcs = {}
header_of = {}
cur_file = None
for d in ast["inner"]:
    loc = d.get("loc", {})
    cur_file = loc.get("file", cur_file)
    if d.get("kind") == "RecordDecl" and d.get("completeDefinition") and d.get("name"):
        complete.add(d["name"])
    if d.get("kind") == "TypedefDecl":
        typedefs[d["name"]] = d["type"]["qualType"]
    if d.get("kind") == "FunctionDecl" and d["name"] in symbols:
        funcs[d["name"]] = d
        header_of[d["name"]] = os.path.basename(cur_file or "?")

SCALARS = {
    "int": "Int32", "unsigned int": "UInt32", "long": "Int", "unsigned long": "UInt",
    "long long": "Int64", "unsigned long long": "UInt64", "short": "Int16", "unsigned short": "UInt16",
    "char": "CChar", "signed char": "Int8", "unsigned char": "UInt8", "_Bool": "Bool", "bool": "Bool",
    "size_t": "Int", "ssize_t": "Int", "pid_t": "Int32",
    "__u8": "UInt8", "__u16": "UInt16", "__u32": "UInt32", "__u64": "UInt64",
    "__s8": "Int8", "__s16": "Int16", "__s32": "Int32", "__s64": "Int64",
}

def pointee(t):
    """Swift type for the pointee of a C pointer whose pointee spelling is t (qualifiers stripped)."""
    t = t.strip()
    if t.startswith("struct "):
        n = t[7:].strip()
        return n if n in complete else None
    if t.startswith("enum "):
        return t[5:].strip()
    return SCALARS.get(t)

def desugar(t):
    """Follows typedefs (keeping const/pointer suffixes) down to a builtin, struct, enum or function type."""
    for _ in range(10):
        m = re.match(r"^(const )?([A-Za-z_][A-Za-z0-9_]*)(.*)$", t)
        if not m or m.group(2) in SCALARS or m.group(2) not in typedefs:
            return t
        t = (m.group(1) or "") + typedefs[m.group(2)] + m.group(3)
    return t

def swift_type(qual, desugared):
    q = desugared or desugar(qual)
    if "(*)" in q:  # function pointer
        if "va_list" in q or "__va_list_tag" in q:
            return "UnsafeRawPointer?"  # va_list callbacks go through the C trampoline
        if qual != q and "(*)" not in qual:
            return qual + "?"          # imported typedef of a @convention(c) closure
        return "UnsafeRawPointer?"
    if q.endswith("*"):
        inner = q[:-1].strip()
        const = inner.startswith("const ")
        base = inner[6:] if const else inner
        if base.endswith("*"):        # pointer to pointer
            b2 = base[:-1].strip()
            c2 = b2.startswith("const ")
            b2 = b2[6:] if c2 else b2
            if b2 == "void":
                el = "UnsafeRawPointer?" if c2 else "UnsafeMutableRawPointer?"
            else:
                p = pointee(b2)
                el = "OpaquePointer?" if p is None else (f"UnsafePointer<{p}>?" if c2 else f"UnsafeMutablePointer<{p}>?")
            return f"UnsafePointer<{el}>?" if const else f"UnsafeMutablePointer<{el}>?"
        if base == "void":
            return "UnsafeRawPointer?" if const else "UnsafeMutableRawPointer?"
        p = pointee(base)
        if p is None:
            return "OpaquePointer?"
        return f"UnsafePointer<{p}>?" if const else f"UnsafeMutablePointer<{p}>?"
    if q.startswith("enum "):
        return q[5:]
    if qual in SCALARS:
        return SCALARS[qual]
    if q in SCALARS:
        return SCALARS[q]
    raise SystemExit(f"unmapped C type: {qual!r} / {desugared!r}")

def ret_stmt(rt, name):
    call = f'unsupported("{name}")'
    if rt == "Void":
        return f"_ = {call}"
    if rt in ("Int32", "Int", "Int64", "Int16", "Int8", "CChar"):
        return f"return {rt}({call})"
    if rt in ("UInt32", "UInt", "UInt64", "UInt16", "UInt8"):
        return f"_ = {call}\n    return 0"
    if rt == "Bool":
        return f"_ = {call}\n    return false"
    if rt.endswith("?"):
        return f"_ = {call}\n    return nil"
    return f"_ = {call}\n    return {rt}(rawValue: 0)"  # C enum

out = []
out.append("// GENERATED by scripts/gen-export-stubs.py: the exported symbols that are not implemented yet.")
out.append("// Each stub logs `libbpf: <name>() is not supported yet`, sets errno to EOPNOTSUPP and returns")
out.append("// -EOPNOTSUPP (signed), NULL (pointer), 0/false (unsigned/bool/enum), or nothing (void).")
out.append("// To implement one: write it in the file of its subsystem, then re-run the script.")
out.append("")
out.append("import CBPF")
out.append("#if !SWIFTBPF_EMBEDDED")
out.append("import BPFCore  // one module in the Embedded build")
out.append("#endif")
missing = []
for name in symbols:
    if name in exported:
        continue
    d = funcs.get(name)
    if d is None:
        missing.append(name); continue
    params = [p for p in d.get("inner", []) if p.get("kind") == "ParmVarDecl"]
    ps = []
    for i, p in enumerate(params):
        t = swift_type(p["type"]["qualType"], p["type"].get("desugaredQualType"))
        ps.append(f"_ {p.get('name') or 'arg%d' % i}: {t}")
    full = d["type"]["qualType"]
    rq = full[:full.index("(")].strip() if not full.startswith("(") else full
    # desugared return type: from the function type's desugared spelling when present
    rd = d["type"].get("desugaredQualType")
    rdq = rd[:rd.index("(")].strip() if rd else None
    rt = "Void" if rq == "void" else swift_type(rq, rdq)
    out.append("")
    out.append(f"// {header_of[name]}: {full}")
    out.append(f'@_cdecl("{name}")')
    out.append(f"public func abi_{name}({', '.join(ps)}){'' if rt == 'Void' else ' -> ' + rt} {{")
    out.append("    " + ret_stmt(rt, name))
    out.append("}")
if missing:
    raise SystemExit("no prototype found for: " + " ".join(missing))
open(os.path.join(libdir, "Unimplemented.swift"), "w").write("\n".join(out) + "\n")
print(f"{len(symbols) - len(exported)} stubs written", file=sys.stderr)
