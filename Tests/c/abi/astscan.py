"""Extract a model of the declarations made by the six public libbpf headers.

Input: the JSON AST clang emits for a translation unit that includes the six
headers (`clang -fsyntax-only -Xclang -ast-dump=json`).  Only declarations
whose location is inside <incdir>/bpf/<one of the six headers> are kept, so
everything coming from linux/*.h, libc etc. is ignored.

clang's JSON dumper writes a location's "file" only when it differs from the
previously written location, so the current file is tracked by walking the
document in the order it was written (Python dicts keep key order).
"""

import json
import os
import re
import subprocess
import sys

SIX = ("libbpf.h", "bpf.h", "btf.h", "libbpf_common.h", "libbpf_legacy.h",
       "libbpf_version.h")

ANON_RE = re.compile(r"\((?:unnamed|anonymous)\b")


def all_headers_tu():
    return "".join("#include <bpf/%s>\n" % h for h in SIX)


def dump_ast(clang, incdir, tu_path, extra_flags=()):
    """Run clang on tu_path and return (ast_dict_or_None, rc, stderr)."""
    cmd = [clang, "-fsyntax-only", "-std=gnu11", "-I" + incdir]
    cmd += list(extra_flags)
    cmd += ["-Xclang", "-ast-dump=json", tu_path]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    ast = None
    if p.stdout.strip():
        try:
            ast = json.loads(p.stdout)
        except ValueError:
            ast = None
    return ast, p.returncode, p.stderr.decode(errors="replace")


class _Locator:
    """Annotates every AST node with the file of its 'loc' (key '_file')."""

    def __init__(self):
        self.cur = None

    def walk(self, obj):
        stack = [obj]
        # Iterative pre-order walk in document order (deep ASTs in inline
        # function bodies would otherwise hit the recursion limit).
        while stack:
            o = stack.pop()
            if isinstance(o, dict):
                if "offset" in o and "col" in o and "file" in o:
                    self.cur = o["file"]
                if "_mark" in o:           # sentinel: node's loc finished
                    o["_mark"]["_file"] = self.cur
                    continue
                items = [(k, v) for k, v in o.items() if k != "includedFrom"]
                todo = []
                for k, v in items:
                    if isinstance(v, (dict, list)):
                        todo.append(v)
                        if k == "loc" and "kind" in o:
                            todo.append({"_mark": o})
                stack.extend(reversed(todo))
            elif isinstance(o, list):
                stack.extend(reversed(o))


def _is_public_header(path, hdr_dir_real):
    if not path:
        return False
    if os.path.basename(path) not in SIX:
        return False
    return os.path.realpath(os.path.dirname(path)) == hdr_dir_real


def _anon_suffix_ok(qt):
    """True if qt is an anonymous record type or array thereof (not pointer)."""
    if not ANON_RE.search(qt):
        return False, 0
    suffix = qt[qt.rfind(")") + 1:].strip()
    dims = re.findall(r"\[\s*\d*\s*\]", suffix)
    if re.sub(r"\[\s*\d*\s*\]", "", suffix).strip():
        return False, 0
    return True, len(dims)


class Model:
    def __init__(self):
        self.records = {}      # cname -> {'tag','complete','fields'}
        self.declared_tags = set()   # 'struct x' / 'union x' / 'enum x'
        self.enums = {}        # cname or '<anon N>' -> [constant names]
        self.enum_complete = set()
        self.typedefs = {}     # name -> qualType
        self.functions = {}    # name -> {'type','static','inline','attrs'}
        self.vars = {}         # name -> qualType
        self.other = []        # unexpected top-level kinds

    def to_json(self):
        return {
            "records": self.records,
            "declared_tags": sorted(self.declared_tags),
            "enums": self.enums,
            "enum_complete": sorted(self.enum_complete),
            "typedefs": self.typedefs,
            "functions": self.functions,
            "vars": self.vars,
        }


def _fields(rec, prefix):
    out = []
    last_anon = None
    for ch in rec.get("inner", []):
        k = ch.get("kind")
        if k == "RecordDecl":
            if "name" not in ch:
                last_anon = ch
            continue
        if k != "FieldDecl":
            continue
        qt = ch.get("type", {}).get("qualType", "")
        is_anon, ndims = _anon_suffix_ok(qt)
        name = ch.get("name")
        bitfield = bool(ch.get("isBitfield"))
        if name is None:
            if bitfield:
                continue            # unnamed bitfield: padding only
            if is_anon and last_anon is not None:
                out += _fields(last_anon, prefix)   # C11 anonymous member
            continue
        path = prefix + name
        out.append({"path": path, "type": qt, "bitfield": bitfield,
                    "anon": is_anon, "flex": qt.rstrip().endswith("[]")})
        if is_anon and last_anon is not None:
            out += _fields(last_anon, path + "[0]" * ndims + ".")
    return out


def _attrs(node):
    attrs = []
    for ch in node.get("inner", []):
        k = ch.get("kind", "")
        if k.endswith("Attr"):
            a = k[:-4]
            if k == "DeprecatedAttr":
                a += "(%s)" % ch.get("message", "")
            elif k == "VisibilityAttr":
                a += "(%s)" % ch.get("visibility", "")
            attrs.append(a)
    return sorted(set(attrs))


def build_model(ast, incdir):
    hdr_dir_real = os.path.realpath(os.path.join(incdir, "bpf"))
    _Locator().walk(ast)
    m = Model()
    top = ast.get("inner", [])
    anon_records = {}   # id -> node (top-level anonymous records)

    def add_record(node, cname):
        tag = node.get("tagUsed", "struct")
        complete = bool(node.get("completeDefinition"))
        if cname.startswith(("struct ", "union ")):
            m.declared_tags.add(cname)
        if complete:
            m.records[cname] = {"tag": tag, "complete": True,
                                "fields": _fields(node, "")}

    def visit_record(node):
        # named records nested in records are file-scope types in C
        if "name" in node:
            add_record(node, "%s %s" % (node.get("tagUsed", "struct"), node["name"]))
        for ch in node.get("inner", []):
            if ch.get("kind") == "RecordDecl":
                visit_record(ch)
            elif ch.get("kind") == "EnumDecl":
                visit_enum(ch)

    anon_enum_counter = [0]

    def visit_enum(node):
        consts = [c["name"] for c in node.get("inner", [])
                  if c.get("kind") == "EnumConstantDecl"]
        if "name" in node:
            cname = "enum " + node["name"]
            m.declared_tags.add(cname)
        else:
            anon_enum_counter[0] += 1
            cname = "<anonymous enum #%d>" % anon_enum_counter[0]
        if consts:
            m.enums.setdefault(cname, [])
            m.enums[cname] += consts
            m.enum_complete.add(cname)

    def find_decl_ids(o, acc):
        if isinstance(o, dict):
            for key in ("decl", "ownedTagDecl"):
                if isinstance(o.get(key), dict) and "id" in o[key]:
                    acc.add(o[key]["id"])
            for v in o.values():
                find_decl_ids(v, acc)
        elif isinstance(o, list):
            for v in o:
                find_decl_ids(v, acc)
        return acc

    for node in top:
        if not _is_public_header(node.get("_file"), hdr_dir_real):
            continue
        if node.get("isImplicit"):
            continue
        k = node.get("kind")
        if k == "RecordDecl":
            if "name" in node:
                visit_record(node)
            else:
                anon_records[node["id"]] = node
                visit_record(node)
        elif k == "EnumDecl":
            visit_enum(node)
        elif k == "TypedefDecl":
            m.typedefs[node["name"]] = node.get("type", {}).get("qualType", "")
            for i in find_decl_ids(node.get("inner", []), set()):
                if i in anon_records:
                    add_record(anon_records[i], node["name"])
        elif k == "FunctionDecl":
            m.functions[node["name"]] = {
                "type": node.get("type", {}).get("qualType", ""),
                "static": node.get("storageClass") == "static",
                "inline": bool(node.get("inline")),
                "attrs": _attrs(node),
            }
        elif k == "VarDecl":
            m.vars[node["name"]] = node.get("type", {}).get("qualType", "")
        else:
            m.other.append(k)
    return m


def main():
    # debugging aid: astscan.py CLANG INCDIR -> prints the model as JSON
    import tempfile
    clang, incdir = sys.argv[1], sys.argv[2]
    with tempfile.NamedTemporaryFile("w", suffix=".c", delete=False) as f:
        f.write(all_headers_tu())
    ast, rc, err = dump_ast(clang, incdir, f.name)
    os.unlink(f.name)
    sys.stderr.write(err)
    json.dump(build_model(ast, incdir).to_json(), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
