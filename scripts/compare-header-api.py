#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Compare the C API declared by one public header against a reference copy.

Usage:
    scripts/compare-header-api.py [--inline-bodies=diff|note] \
        <header-name> <our-include-dir> <reference-include-dir>

Example:
    scripts/compare-header-api.py libbpf.h include /usr/include

<header-name> is looked up as <dir>/bpf/<header-name> (or <dir>/<header-name>)
in both include directories, and a translation unit containing only
"#include <bpf/<header-name>>" is built once against each side.  Only what is
declared or defined *in that header file itself* is compared:

  * text: include guard name, the ordered list of #include directives;
  * macros (clang -E -dD): name, object-/function-like, parameter count and the
    body token sequence (parameters normalised by position; a differing
    parameter spelling alone is reported as a note, not a difference);
  * declarations (clang -ast-dump=json, in C (gnu11) and in C++ mode):
    functions (type, parameter names/types, storage class, inline, attributes
    such as visibility/deprecated incl. message and whether they come from a
    macro in another header, bodies of inline functions), structs/unions
    (fields, types, bit-fields, unnamed members, nesting), enums and their
    constants, typedefs, variables, and in C++ mode whether each declaration
    sits inside extern "C".  Expressions (enum initialisers, bit-field widths,
    inline function bodies) are compared as clang ASTs, so "1 << 2" and "4"
    differ even though the values agree (values are checked by the probe);
  * function-pointer declarators "(*name)(...)": parameter lists token by
    token (parameter names there are not part of the type, so the AST does
    not keep them);
  * layout: clang record-layout dump of every record defined in the header,
    and a probe program (compiled with gcc, falling back to cc) printing
    sizeof/alignof, offsetof of every named member (through unnamed members),
    the bit position/width of every named bit-field and the value of every
    enum constant.

Bodies of inline functions are compared separately from their signatures;
by default a differing body is a difference, with --inline-bodies=note it is
only reported as a note (for deliberately rewritten but equivalent helpers).

Comments, whitespace and declaration order are ignored.  Differences are
printed; the exit status is 0 when there are none, 1 when there are
differences, and 2 when a side fails to compile or the tool cannot run.

Environment: CLANG (default "clang"), PROBE_CC (default "gcc", else "cc"),
EXTRA_CFLAGS (extra flags for every compilation, split on whitespace).
"""

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CLANG = os.environ.get("CLANG", "clang")
PROBE_CC = os.environ.get("PROBE_CC") or (shutil.which("gcc") and "gcc") or "cc"
EXTRA_CFLAGS = os.environ.get("EXTRA_CFLAGS", "").split()


class ToolError(Exception):
    pass


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def run(cmd, cwd=None, check=True):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    if check and p.returncode != 0:
        raise ToolError("command failed (%d): %s\n%s" %
                        (p.returncode, " ".join(cmd), p.stderr[-4000:]))
    return p


def real(p):
    return os.path.realpath(p)


UNNAMED_RE = re.compile(r"\((?:unnamed|anonymous)(?: (struct|union|enum|class))? at [^)]*\)")


def norm_str(s):
    """Remove file paths that clang embeds in names of unnamed types."""
    return UNNAMED_RE.sub(lambda m: "(unnamed%s)" % (" " + m.group(1) if m.group(1) else ""), s)


TOKEN_RE = re.compile(r"""
    (?P<str>(?:u8|u|U|L)?"(?:\\.|[^"\\])*")
  | (?P<chr>(?:u|U|L)?'(?:\\.|[^'\\])*')
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.])*)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\*=|/=|%=|\+=|-=|&=|\^=|\|=|\#\#|[^\sA-Za-z0-9_])
""", re.X)


def tokenize(text):
    return [m.group(0) for m in TOKEN_RE.finditer(text)]


def strip_comments(text):
    """Remove C/C++ comments, keeping string/char literals and newlines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(" " + "\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_source(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = strip_comments(f.read())
    return re.sub(r"\\\n", " ", text)


def directives(path):
    res = []
    for line in read_source(path).split("\n"):
        m = re.match(r"\s*#\s*([A-Za-z_]+)(.*)$", line)
        if m:
            res.append((m.group(1), " ".join(tokenize(m.group(2)))))
    return res


def fnptr_declarators(path):
    """Parameter lists of function-pointer declarators '(*NAME)(...)' in
    non-directive source text.  Parameter names there are not part of the
    type, so the AST does not keep them; compare them textually."""
    lines = [l for l in read_source(path).split("\n")
             if not re.match(r"\s*#", l)]
    toks = tokenize("\n".join(lines))
    found = []
    for i in range(len(toks) - 4):
        if toks[i] == "(" and toks[i + 1] == "*" and \
                re.match(r"[A-Za-z_]\w*$", toks[i + 2]) and \
                toks[i + 3] == ")" and toks[i + 4] == "(":
            depth, j = 0, i + 4
            while j < len(toks):
                depth += {"(": 1, ")": -1}.get(toks[j], 0)
                if depth == 0:
                    break
                j += 1
            found.append((toks[i + 2], " ".join(toks[i + 4:j + 1])))
    return sorted(found)


# --------------------------------------------------------------------------
# one side of the comparison
# --------------------------------------------------------------------------

class Side:
    def __init__(self, label, header, incdir, workdir):
        self.label = label
        self.incdir = os.path.abspath(incdir)
        cands = [os.path.join(self.incdir, "bpf", header),
                 os.path.join(self.incdir, header)]
        for c in cands:
            if os.path.isfile(c):
                self.path = c
                break
        else:
            raise ToolError("%s: %s not found (looked at %s)" %
                            (label, header, ", ".join(cands)))
        self.target = real(self.path)
        self.spelling = os.path.relpath(self.path, self.incdir)
        self.work = os.path.join(workdir, label)
        os.makedirs(self.work)
        self.tu = os.path.join(self.work, "tu.c")
        with open(self.tu, "w") as f:
            f.write("#include <%s>\n" % self.spelling)
        self.flags = ["-I", self.incdir] + EXTRA_CFLAGS

    # ---- text ----------------------------------------------------------
    def text_facts(self):
        d = directives(self.path)
        guard = None
        if len(d) >= 2 and d[0][0] == "ifndef" and d[1][0] == "define" \
                and d[1][1].split()[:1] == d[0][1].split()[:1]:
            guard = d[0][1]
        incs = [arg for kind, arg in d if kind == "include"]
        return guard, incs, fnptr_declarators(self.path)

    # ---- preprocessor --------------------------------------------------
    def macros(self):
        out = run([CLANG, "-E", "-dD", "-std=gnu11"] + self.flags +
                  [self.tu]).stdout
        cur, seen_files = None, set()
        macros, undefs = {}, []
        for line in out.split("\n"):
            m = re.match(r'#\s+\d+\s+"((?:\\.|[^"])*)"', line)
            if m:
                f = m.group(1).encode().decode("unicode_escape")
                if not f.startswith("<"):
                    cur = real(os.path.join(self.work, f))
                    seen_files.add(cur)
                else:
                    cur = None
                continue
            if cur != self.target:
                continue
            m = re.match(r"#define\s+([A-Za-z_]\w*)(\(([^)]*)\))?\s?(.*)$", line)
            if m:
                name, params, body = m.group(1), m.group(3), m.group(4)
                plist = None
                if m.group(2) is not None:
                    plist = [p.strip() for p in params.split(",")] if params.strip() else []
                toks = tokenize(body)
                norm = toks
                if plist:
                    pos = {}
                    for i, p in enumerate(plist):
                        key = p[:-3] if p.endswith("...") and p != "..." else p
                        pos[key if key != "..." else "__VA_ARGS__"] = "$%d" % i
                    norm = [pos.get(t, t) for t in toks]
                    sig = ["..." if p.endswith("...") else "$" for p in plist]
                else:
                    sig = None
                macros.setdefault(name, []).append({
                    "sig": sig, "params": plist, "body": norm, "raw": body.strip()})
                continue
            m = re.match(r"#undef\s+([A-Za-z_]\w*)", line)
            if m:
                undefs.append(m.group(1))
        return macros, sorted(set(undefs)), seen_files

    # ---- AST -----------------------------------------------------------
    def ast(self, cxx):
        lang = ["-x", "c++", "-std=gnu++17"] if cxx else ["-x", "c", "-std=gnu11"]
        p = run([CLANG, "-fsyntax-only", "-Xclang", "-ast-dump=json",
                 "-Wno-everything"] + lang + self.flags + [self.tu])
        root = json.loads(p.stdout)
        annotate_files(root, self.work)
        decls = {}
        records, enum_consts = [], []
        self._by_id = {}
        self._collect(root.get("inner", []), False, decls, records, enum_consts)
        return decls, records, enum_consts

    def _collect(self, nodes, extern_c, decls, records, enum_consts):
        anon = {}
        for n in nodes:
            kind = n.get("kind", "")
            if kind == "LinkageSpecDecl":
                self._collect(n.get("inner", []), n.get("language") == "C",
                              decls, records, enum_consts)
                continue
            if decl_file(n) != self.target:
                continue
            if kind.endswith("Comment"):
                continue
            name = n.get("name")
            if not name:
                if kind == "EnumDecl":
                    consts = [c.get("name") for c in n.get("inner", [])
                              if c.get("kind") == "EnumConstantDecl"]
                    name = "<anon enum %s>" % (consts[0] if consts else "?")
                else:
                    anon[kind] = anon.get(kind, 0) + 1
                    name = "<anon %d>" % anon[kind]
            variant = ""
            if kind in ("RecordDecl", "CXXRecordDecl"):
                variant = "definition" if n.get("completeDefinition") else "forward"
            elif kind == "EnumDecl":
                variant = "definition" if n.get("inner") else "forward"
            elif kind == "FunctionDecl":
                body = any(c.get("kind") == "CompoundStmt" for c in n.get("inner", []))
                variant = "definition" if body else ""
            key = (kind, name, variant)
            if kind == "FunctionDecl" and variant == "definition":
                # signature and body are compared separately (see --inline-bodies)
                body = [c for c in n["inner"] if c.get("kind") == "CompoundStmt"]
                decls.setdefault((kind, name, "body"), set()).add(
                    json.dumps(canonical(body), sort_keys=True, indent=1))
                n = dict(n)
                n["inner"] = [c for c in n["inner"] if c.get("kind") != "CompoundStmt"]
            canon = canonical(n)
            canon["_externC"] = extern_c
            decls.setdefault(key, set()).add(
                json.dumps(canon, sort_keys=True, indent=1))
            if kind in ("RecordDecl", "CXXRecordDecl") and n.get("completeDefinition") \
                    and n.get("name"):
                records.append((n.get("tagUsed", "struct") + " " + n["name"], n))
            if is_record(n):
                self._by_id[n.get("id")] = n
            if kind == "TypedefDecl":
                for tid in owned_tag_ids(n):
                    owned = self._by_id.get(tid)
                    if owned is not None and not owned.get("name") \
                            and owned.get("completeDefinition"):
                        records.append((n["name"], owned))
            if kind == "EnumDecl":
                for c in n.get("inner", []):
                    if c.get("kind") == "EnumConstantDecl":
                        enum_consts.append(c["name"])

    def record_layouts(self, record_names):
        p = run([CLANG, "-fsyntax-only", "-Xclang", "-fdump-record-layouts-complete",
                 "-Wno-everything", "-x", "c", "-std=gnu11"] + self.flags + [self.tu])
        blocks = p.stdout.split("*** Dumping AST Record Layout")
        res = {}
        wanted = set(record_names)
        for b in blocks[1:]:
            lines = [norm_str(l.rstrip()) for l in b.strip("\n").split("\n")]
            lines = [l for l in lines if l.strip()]
            if not lines:
                continue
            m = re.match(r"\s*\d+\s*\|\s*(.*)$", lines[0])
            if m and m.group(1) in wanted:
                res[m.group(1)] = "\n".join(lines)
        return res

    # ---- probe ---------------------------------------------------------
    def probe(self, records, enum_consts):
        src = ["#include <stddef.h>", "#include <stdio.h>", "#include <string.h>",
               "#include <%s>" % self.spelling, "", "int main(void)", "{"]
        for tname, node in records:
            src.append('\tprintf("sizeof %s = %%zu, align %%zu\\n", sizeof(%s), '
                       '(size_t)__alignof__(%s));' % (tname, tname, tname))
            for path, bitfield, qt in member_paths(node, ""):
                if bitfield:
                    src += [
                        "\t{",
                        "\t\tunion { %s s; unsigned char b[sizeof(%s)]; } u;" % (tname, tname),
                        "\t\tsize_t i, first = (size_t)-1, cnt = 0;",
                        "\t\tmemset(&u, 0, sizeof(u));",
                        "\t\tu.s.%s = ~0;" % path,
                        "\t\tfor (i = 0; i < sizeof(u.b) * 8; i++)",
                        "\t\t\tif (u.b[i / 8] & (1u << (i % 8))) { if (first == (size_t)-1) first = i; cnt++; }",
                        '\t\tprintf("bitfield %s.%s @ bit %%zu width %%zu\\n", first, cnt);'
                        % (tname, path),
                        "\t}"]
                elif qt.endswith("[]"):     # flexible array member
                    src.append('\tprintf("offsetof %s.%s = %%zu\\n", offsetof(%s, %s));'
                               % (tname, path, tname, path))
                else:
                    src.append('\tprintf("offsetof %s.%s = %%zu, size %%zu\\n", '
                               'offsetof(%s, %s), sizeof(((%s *)0)->%s));'
                               % (tname, path, tname, path, tname, path))
        for c in enum_consts:
            src.append('\tprintf("enum %s = %%lld\\n", (long long)%s);' % (c, c))
        src += ["\treturn 0;", "}", ""]
        cfile = os.path.join(self.work, "probe.c")
        exe = os.path.join(self.work, "probe")
        with open(cfile, "w") as f:
            f.write("\n".join(src))
        run([PROBE_CC, "-std=gnu11", "-w", "-o", exe] + self.flags + [cfile])
        out = run([exe]).stdout
        return [l for l in out.split("\n") if l]


def annotate_files(root, workdir):
    """clang's JSON writes a location's file only when it changes; walk the
    dump in output order and store the effective file in every location."""
    state = {"file": None}

    def walk(node):
        if isinstance(node, dict):
            if "offset" in node:
                if "file" in node:
                    state["file"] = real(os.path.join(workdir, node["file"]))
                node["_file"] = state["file"]
            for k, v in node.items():
                if k == "includedFrom" or k == "_file":
                    continue
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(root)


def loc_file(loc):
    if not loc:
        return None
    if "expansionLoc" in loc:
        return loc["expansionLoc"].get("_file")
    return loc.get("_file")


def decl_file(n):
    f = loc_file(n.get("loc"))
    if f is None:
        f = loc_file((n.get("range") or {}).get("begin"))
    return f


HEX_RE = re.compile(r"^0x[0-9a-fA-F]+$")
DROP_KEYS = {"id", "loc", "range", "isUsed", "isReferenced", "_file"}


def canonical(node):
    if isinstance(node, list):
        return [canonical(x) for x in node
                if not (isinstance(x, dict) and str(x.get("kind", "")).endswith("Comment"))]
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in DROP_KEYS or (isinstance(v, str) and HEX_RE.match(v)):
                continue
            out[k] = canonical(v)
        if str(node.get("kind", "")).endswith("Attr"):
            b = (node.get("range") or {}).get("begin") or {}
            if "spellingLoc" in b:
                sf = b["spellingLoc"].get("_file")
                out["_spelledInMacroFrom"] = os.path.basename(sf) if sf else "<built-in>"
        return out
    if isinstance(node, str):
        return norm_str(node)
    return node


def owned_tag_ids(node):
    """ids of tag declarations defined inside a declaration's type
    (e.g. the record of 'typedef struct { ... } name;')."""
    ids = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "ownedTagDecl" and isinstance(v, dict) and "id" in v:
                ids.append(v["id"])
            else:
                ids += owned_tag_ids(v)
    elif isinstance(node, list):
        for v in node:
            ids += owned_tag_ids(v)
    return ids


def is_record(n):
    return n.get("kind") in ("RecordDecl", "CXXRecordDecl") and not n.get("isImplicit")


def member_paths(record, prefix):
    """Named members of a record, descending into members of unnamed
    struct/union type.  Yields (path, is_bitfield, type)."""
    inner = record.get("inner", [])
    pending = [c for c in inner if is_record(c) and not c.get("name")]
    by_type = {}
    for c in inner:
        if c.get("kind") != "FieldDecl":
            continue
        name = c.get("name")
        qt = (c.get("type") or {}).get("qualType", "")
        sub = None
        m = UNNAMED_RE.search(qt)
        if m:
            if m.group(0) not in by_type and pending:
                by_type[m.group(0)] = pending.pop(0)
            if qt.endswith(m.group(0)):     # the record itself, not *, []
                sub = by_type.get(m.group(0))
        if name:
            yield prefix + name, bool(c.get("isBitfield")), qt
            if sub is not None:
                for r in member_paths(sub, prefix + name + "."):
                    yield r
        elif sub is not None and not c.get("isBitfield"):
            for r in member_paths(sub, prefix):
                yield r


# --------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.diffs = 0
        self.notes = 0

    def diff(self, section, msg):
        self.diffs += 1
        print("DIFF [%s] %s" % (section, msg))

    def note(self, section, msg):
        self.notes += 1
        print("note [%s] %s" % (section, msg))


def udiff(a, b, n=60):
    lines = list(difflib.unified_diff(b.split("\n"), a.split("\n"),
                                      "reference", "ours", lineterm="", n=2))
    if len(lines) > n:
        lines = lines[:n] + ["    ... (%d more lines)" % (len(lines) - n)]
    return "\n".join("    " + l for l in lines)


def compare_sets(rep, section, ours, ref, bodies_as_notes=False):
    for k in sorted(set(ours) | set(ref), key=lambda k: tuple(map(str, k))):
        label = " ".join(x for x in k if x)
        report = rep.note if (bodies_as_notes and k[2] == "body") else rep.diff
        if k not in ref:
            report(section, "only in ours: %s" % label)
        elif k not in ours:
            report(section, "missing from ours: %s" % label)
        elif ours[k] != ref[k]:
            a, b = "\n".join(sorted(ours[k])), "\n".join(sorted(ref[k]))
            report(section, "%s differs:\n%s" % (label, udiff(a, b)))


def main(argv):
    bodies_as_notes = False
    args = []
    for a in argv[1:]:
        if a == "--inline-bodies=note":
            bodies_as_notes = True
        elif a == "--inline-bodies=diff":
            bodies_as_notes = False
        elif a.startswith("-"):
            args = None
            break
        else:
            args.append(a)
    if args is None or len(args) != 3:
        sys.stderr.write(__doc__)
        return 2
    header, our_dir, ref_dir = args
    rep = Report()
    work = tempfile.mkdtemp(prefix="compare-header-api.")
    try:
        ours = Side("ours", header, our_dir, work)
        ref = Side("reference", header, ref_dir, work)
        if ours.target == ref.target:
            raise ToolError("both sides resolve to the same file %s" % ours.target)
        print("comparing %s against %s" % (ours.path, ref.path))

        # text
        og, oi, of = ours.text_facts()
        rg, ri, rf = ref.text_facts()
        if of != rf:
            for name, params in sorted(set(rf) - set(of)):
                rep.diff("text", "function-pointer declarator (*%s)%s: missing or "
                         "different in ours" % (name, params))
            for name, params in sorted(set(of) - set(rf)):
                rep.diff("text", "function-pointer declarator (*%s)%s: only in ours"
                         % (name, params))
        if og != rg:
            rep.diff("text", "include guard: ours %r, reference %r" % (og, rg))
        if oi != ri:
            rep.diff("text", "#include list:\n    ours:      %s\n    reference: %s"
                     % (oi, ri))

        # macros
        om, ou, ofiles = ours.macros()
        rm, ru, _ = ref.macros()
        ref_hdr_dir = os.path.dirname(ref.target)
        if os.path.dirname(ours.target) != ref_hdr_dir:
            leaked = sorted(f for f in ofiles if os.path.dirname(f) == ref_hdr_dir)
            for f in leaked:
                rep.diff("include", "our translation unit pulled in the reference "
                         "header %s" % f)
        for name in sorted(set(om) | set(rm)):
            if name not in rm:
                rep.diff("macro", "only in ours: %s" % name)
            elif name not in om:
                rep.diff("macro", "missing from ours: %s" % name)
            else:
                a = [(d["sig"], d["body"]) for d in om[name]]
                b = [(d["sig"], d["body"]) for d in rm[name]]
                if a != b:
                    rep.diff("macro", "%s differs:\n    ours:      %s\n    reference: %s"
                             % (name, [d["raw"] for d in om[name]],
                                [d["raw"] for d in rm[name]]))
                elif [d["params"] for d in om[name]] != [d["params"] for d in rm[name]]:
                    rep.note("macro", "%s: parameter names differ (ours %s, reference %s)"
                             % (name, om[name][0]["params"], rm[name][0]["params"]))
        if ou != ru:
            rep.diff("macro", "#undef set: ours %s, reference %s" % (ou, ru))

        # declarations, C and C++
        counts = {}
        for cxx in (False, True):
            mode = "C++" if cxx else "C"
            if cxx:
                try:
                    rd, rrec, renum = ref.ast(cxx)
                except ToolError:
                    rep.note("decl C++", "reference header does not compile as "
                             "C++; C++ comparison skipped")
                    continue
            else:
                rd, rrec, renum = ref.ast(cxx)
            od, orec, oenum = ours.ast(cxx)
            compare_sets(rep, "decl " + mode, od, rd, bodies_as_notes)
            for k in rd:
                counts[(mode, k[0])] = counts.get((mode, k[0]), 0) + 1
            if not cxx:
                c_records = (orec, rrec, oenum, renum)

        # layout
        orec, rrec, oenum, renum = c_records
        onames = [n for n, _ in orec]
        rnames = [n for n, _ in rrec]
        ol = ours.record_layouts(onames)
        rl = ref.record_layouts(rnames)
        for name in sorted(set(ol) | set(rl)):
            if name in ol and name in rl and ol[name] != rl[name]:
                rep.diff("layout", "%s record layout differs:\n%s"
                         % (name, udiff(ol[name], rl[name])))
        op = ours.probe(orec, oenum)
        rp = ref.probe(rrec, renum)
        oset, rset = set(op), set(rp)
        for l in rp:
            if l not in oset:
                rep.diff("probe", "reference: %s" % l)
        for l in op:
            if l not in rset:
                rep.diff("probe", "ours:      %s" % l)

        summary = ", ".join("%s %s: %d" % (m, k, v) for (m, k), v in sorted(counts.items()))
        print("compared: %d macros, %d records (%d layout lines probed), "
              "%d enum constants; declarations by kind: %s"
              % (len(rm), len(rrec), len(rp), len(renum), summary))
    except ToolError as e:
        print("ERROR: %s" % e)
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if rep.diffs:
        print("%d difference(s), %d note(s)" % (rep.diffs, rep.notes))
        return 1
    print("no differences (%d note(s))" % rep.notes)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
