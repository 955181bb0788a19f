#!/usr/bin/env python3
"""ABI/API conformance checks of SwiftBPF against the reference libbpf 1.1.2.

Invoked by run.sh (which documents the environment variables).  Prints one
`PASS <name>` / `FAIL <name>: <why>` / `SKIP <name>: <why>` line per check,
followed (on failure) by an indented excerpt, and exits 1 if any check failed.
"""

import difflib
import os
import re
import shutil
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True      # no __pycache__ next to the sources
sys.path.insert(0, HERE)
import astscan  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
SIX = astscan.SIX


def _default_clang():
    for c in ("/opt/swift/usr/bin/clang", shutil.which("clang") or ""):
        if c and os.access(c, os.X_OK):
            return c
    return "clang"


def _sibling_clangxx(clang):
    cand = os.path.join(os.path.dirname(clang), "clang++")
    return cand if os.access(cand, os.X_OK) else "clang++"


BUILD = os.path.abspath(os.environ.get("SWIFTBPF_BUILD") or os.path.join(ROOT, "build"))
INCLUDE = os.path.abspath(os.environ.get("SWIFTBPF_INCLUDE") or os.path.join(ROOT, "include"))
REF_INCLUDE = os.path.abspath(os.environ.get("REF_INCLUDE") or "/usr/include")
REF_LIB = os.path.abspath(os.environ.get("REF_LIB") or "/usr/lib/x86_64-linux-gnu/libbpf.so.1")
ABI_DIR = os.path.abspath(os.environ.get("ABI_DIR") or os.path.join(ROOT, "abi"))
CC = os.environ.get("ABI_CC") or "gcc"
CXX = os.environ.get("ABI_CXX") or "g++"
CLANG = os.environ.get("ABI_CLANG") or _default_clang()
CLANGXX = os.environ.get("ABI_CLANGXX") or _sibling_clangxx(CLANG)
OUT = os.path.join(BUILD, "tests", "abi")
OURS_INC = os.path.join(OUT, "inc-ours")      # overlay of INCLUDE, see make_overlay()
MAX_EXCERPT = 40


# ----------------------------------------------------------------------------
# plumbing

class Results:
    def __init__(self):
        self.counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}

    def _emit(self, kind, name, why=None, detail=None):
        self.counts[kind] += 1
        print("%s %s%s" % (kind, name, ": " + why if why else ""))
        if detail:
            lines = detail if isinstance(detail, list) else detail.splitlines()
            lines = [ln for ln in lines if ln.strip() != ""]
            for ln in lines[:MAX_EXCERPT]:
                print("    " + ln.rstrip())
            if len(lines) > MAX_EXCERPT:
                print("    ... (%d more lines)" % (len(lines) - MAX_EXCERPT))
        sys.stdout.flush()

    def ok(self, name):
        self._emit("PASS", name)

    def fail(self, name, why, detail=None):
        self._emit("FAIL", name, why, detail)

    def skip(self, name, why):
        self._emit("SKIP", name, why)

    def expect(self, name, cond, why, detail=None):
        if cond:
            self.ok(name)
        else:
            self.fail(name, why, detail)
        return cond


R = Results()


def info(msg):
    print("# " + msg)
    sys.stdout.flush()


def run(cmd, cwd=None, env=None, timeout=60, input=None):
    # compilers' temporary files also stay under the scratch dir
    env = dict(env if env is not None else os.environ, TMPDIR=os.path.join(OUT, "tmp"))
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, input=input,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        return (p.returncode, p.stdout.decode(errors="replace"),
                p.stderr.decode(errors="replace"))
    except FileNotFoundError as e:
        return 127, "", str(e)
    except subprocess.TimeoutExpired:
        return 124, "", "timeout after %ss: %s" % (timeout, " ".join(cmd))


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def udiff(a, b, an="reference", bn="ours"):
    return list(difflib.unified_diff(a, b, an, bn, n=1, lineterm=""))


def set_diff(ref, ours, what="name"):
    """Excerpt for two sets: '- missing' / '+ extra' lines."""
    ref, ours = set(ref), set(ours)
    out = ["- missing %s: %s" % (what, x) for x in sorted(ref - ours)]
    out += ["+ extra %s: %s" % (what, x) for x in sorted(ours - ref)]
    return out


def guarded(group):
    """Decorator: an unexpected exception in a check group becomes a FAIL."""
    def deco(fn):
        def wrapper(*a, **kw):
            try:
                return fn(*a, **kw)
            except Exception:
                R.fail(group, "internal error in the test itself",
                       traceback.format_exc())
                return None
        return wrapper
    return deco


# ----------------------------------------------------------------------------
# (a) exported symbols, version nodes, SONAME, NEEDED, symlinks

DYNSYM_RE = re.compile(
    r"^\s*\d+:\s+([0-9a-fA-F]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)")


def read_dynsyms(lib):
    rc, out, err = run(["readelf", "--dyn-syms", "-W", lib])
    if rc != 0:
        raise RuntimeError("readelf --dyn-syms failed on %s: %s" % (lib, err))
    syms = []
    for line in out.splitlines():
        m = DYNSYM_RE.match(line)
        if not m:
            continue
        value, size, typ, bind, vis, ndx, name = m.groups()
        if "@@" in name:
            base, ver, default = name.split("@@", 1)[0], name.split("@@", 1)[1], True
        elif "@" in name:
            base, ver, default = name.split("@", 1)[0], name.split("@", 1)[1], False
        else:
            base, ver, default = name, None, True
        syms.append({"name": base, "ver": ver, "default": default, "type": typ,
                     "bind": bind, "vis": vis, "ndx": ndx, "value": value})
    return syms


def read_version_nodes(lib):
    """[(node, parent-or-'-')] from readelf -V, excluding the BASE (soname) entry."""
    rc, out, err = run(["readelf", "-V", "-W", lib])
    if rc != 0:
        raise RuntimeError("readelf -V failed on %s: %s" % (lib, err))
    nodes, indef, cur, parent, base = [], False, None, "-", False
    for line in out.splitlines():
        if "Version definition section" in line:
            indef = True
            continue
        if "Version needs section" in line or "Version symbols section" in line:
            indef = False
        if not indef:
            continue
        m = re.search(r"Flags:\s*(\S+).*Name:\s*(\S+)", line)
        if m:
            if cur is not None and not base:
                nodes.append((cur, parent))
            base = m.group(1) == "BASE"
            cur, parent = m.group(2), "-"
            continue
        m = re.search(r"Parent 1:\s*(\S+)", line)
        if m:
            parent = m.group(1)
    if cur is not None and not base:
        nodes.append((cur, parent))
    return nodes


def exported(syms, node_names):
    """Defined dynamic symbols minus the version-definition (ABS) symbols."""
    res = []
    for s in syms:
        if s["ndx"] == "UND" or not s["name"]:
            continue
        if (s["ndx"] == "ABS" and s["name"] in node_names
                and s["ver"] in (None, s["name"])):
            continue
        res.append(s)
    return res


def read_dynamic(lib):
    rc, out, err = run(["readelf", "-d", "-W", lib])
    if rc != 0:
        raise RuntimeError("readelf -d failed on %s: %s" % (lib, err))
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    soname = re.findall(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return needed, soname


@guarded("abi.symbols")
def check_symbols():
    lib = os.path.join(BUILD, "libbpf.so.1")
    names = ["abi.symbols.exports", "abi.symbols.attributes",
             "abi.symbols.version-nodes", "abi.symbols.soname",
             "abi.symbols.needed"]
    ref_list_path = os.path.join(ABI_DIR, "reference-symbols.txt")
    ref_nodes_path = os.path.join(ABI_DIR, "reference-version-nodes.txt")
    with open(ref_list_path) as f:
        ref_list = [ln.strip() for ln in f if ln.strip()]
    with open(ref_nodes_path) as f:
        ref_nodes = [" ".join(ln.split()) for ln in f if ln.strip()]

    # The fixture itself must describe REF_LIB (guards against a stale list).
    rsyms = read_dynsyms(REF_LIB)
    rnodes = read_version_nodes(REF_LIB)
    rexp = exported(rsyms, {n for n, _ in rnodes})
    ref_lib_set = ["%s@%s" % (s["name"], s["ver"] or "Base") for s in rexp]
    R.expect("abi.symbols.reference-list",
             sorted(ref_lib_set) == sorted(ref_list) and
             ["%s %s" % n for n in rnodes] == ref_nodes,
             "abi/reference-*.txt do not describe REF_LIB=%s" % REF_LIB,
             set_diff(ref_list, ref_lib_set, "symbol (list vs REF_LIB)") +
             udiff(ref_nodes, ["%s %s" % n for n in rnodes], "list", "REF_LIB"))

    if not os.path.exists(lib):
        for n in names:
            R.fail(n, "%s does not exist (library not built?)" % lib)
    else:
        syms = read_dynsyms(lib)
        nodes = read_version_nodes(lib)
        exp = exported(syms, {n for n, _ in nodes})
        ours_set = ["%s@%s" % (s["name"], s["ver"] or "Base") for s in exp]
        dup = sorted({x for x in ours_set if ours_set.count(x) > 1})
        detail = set_diff(ref_list, ours_set, "export")
        swiftish = [x for x in set(ours_set) - set(ref_list)
                    if x.startswith(("$s", "_$s", "$e", "swift_", "_swift", "__swift"))]
        why = "exported name@version set differs from abi/reference-symbols.txt " \
              "(%d missing, %d unexpected%s)" % (
                  len(set(ref_list) - set(ours_set)), len(set(ours_set) - set(ref_list)),
                  ", %d of them Swift runtime/mangled" % len(swiftish) if swiftish else "")
        if dup:
            detail = ["duplicate: " + d for d in dup] + detail
            why += "; duplicates present"
        R.expect("abi.symbols.exports", set(ours_set) == set(ref_list) and not dup,
                 why, detail)

        def attr_lines(lst):
            return sorted("%s%s%s %s %s %s" % (s["name"], "@@" if s["default"] else "@",
                                               s["ver"] or "Base", s["type"], s["bind"], s["vis"])
                          for s in lst)
        ra, oa = attr_lines(rexp), attr_lines(exp)
        R.expect("abi.symbols.attributes", ra == oa,
                 "symbol type/binding/visibility/default-version differ from REF_LIB",
                 udiff(ra, oa))

        on = ["%s %s" % n for n in nodes]
        R.expect("abi.symbols.version-nodes", on == ref_nodes,
                 "version definition chain differs from abi/reference-version-nodes.txt",
                 udiff(ref_nodes, on))

        needed, soname = read_dynamic(lib)
        R.expect("abi.symbols.soname", soname == ["libbpf.so.1"],
                 "SONAME is %r, expected ['libbpf.so.1']" % soname)
        need = set(needed)
        required = {"libelf.so.1", "libz.so.1", "libc.so.6"}
        allowed = required | {"libm.so.6"}
        R.expect("abi.symbols.needed",
                 required <= need <= allowed and len(needed) == len(need),
                 "NEEDED is %s; must be libelf.so.1, libz.so.1, libc.so.6 "
                 "(+ optional libm.so.6)" % needed)

    # symlinks
    real = os.path.join(BUILD, "libbpf.so.1.1.2")
    problems = []
    if not os.path.isfile(real) or os.path.islink(real):
        problems.append("%s is not a regular file" % real)
    for ln in ("libbpf.so", "libbpf.so.1"):
        p = os.path.join(BUILD, ln)
        if not os.path.islink(p):
            problems.append("%s is not a symlink" % p)
        elif os.path.realpath(p) != os.path.realpath(real):
            problems.append("%s -> %s resolves to %s, not %s" % (
                p, os.readlink(p), os.path.realpath(p), real))
    R.expect("abi.symbols.symlinks", not problems, "; ".join(problems))


# ----------------------------------------------------------------------------
# headers: presence, overlay, isolation

def make_overlay():
    """OURS_INC mirrors INCLUDE, but every public header missing from INCLUDE
    is replaced by an #error stub, so a missing header of ours can never be
    silently satisfied by the system copy in /usr/include/bpf."""
    if os.path.isdir(OURS_INC):
        shutil.rmtree(OURS_INC)
    os.makedirs(os.path.join(OURS_INC, "bpf"))
    if os.path.isdir(INCLUDE):
        for e in os.listdir(INCLUDE):
            if e != "bpf":
                os.symlink(os.path.join(INCLUDE, e), os.path.join(OURS_INC, e))
        src = os.path.join(INCLUDE, "bpf")
        if os.path.isdir(src):
            for e in os.listdir(src):
                os.symlink(os.path.join(src, e), os.path.join(OURS_INC, "bpf", e))
    for h in SIX:
        p = os.path.join(OURS_INC, "bpf", h)
        if not os.path.exists(p):
            if os.path.islink(p):
                os.unlink(p)
            write(p, '#error "bpf/%s is missing from SWIFTBPF_INCLUDE=%s"\n' % (h, INCLUDE))


ALL_TU = astscan.all_headers_tu()


@guarded("abi.headers")
def check_headers():
    missing = [h for h in SIX if not os.path.isfile(os.path.join(INCLUDE, "bpf", h))]
    R.expect("abi.headers.present", not missing,
             "missing from %s/bpf: %s" % (INCLUDE, " ".join(missing)))
    tu = write(os.path.join(OUT, "all_headers.c"), ALL_TU)
    # -M still lists the dependencies when a header #errors (rc != 0).
    rc, out, err = run([CC, "-std=gnu11", "-M", "-I" + OURS_INC, tu])
    deps = out.replace("\\\n", " ").split()[2:]
    ok_dirs = {os.path.realpath(os.path.join(INCLUDE, "bpf")),
               os.path.realpath(os.path.join(OURS_INC, "bpf"))}
    bad = [d for d in deps
           if os.path.basename(os.path.dirname(d)) == "bpf"
           and os.path.realpath(os.path.dirname(os.path.realpath(d))) not in ok_dirs]
    if not deps:
        R.fail("abi.headers.isolation", "cannot preprocess our headers", err)
    else:
        R.expect("abi.headers.isolation", not bad,
                 "our headers pull in bpf/ headers from outside SWIFTBPF_INCLUDE",
                 bad)


# ----------------------------------------------------------------------------
# AST models (reference and ours)

def models():
    tu = write(os.path.join(OUT, "all_headers.c"), ALL_TU)
    res = {}
    for label, inc in (("reference", REF_INCLUDE), ("ours", OURS_INC)):
        ast, rc, err = astscan.dump_ast(CLANG, inc, tu)
        if ast is None:
            raise RuntimeError("clang produced no AST for %s headers:\n%s" % (label, err))
        m = astscan.build_model(ast, inc)
        res[label] = (m, rc, err)
        if label == "reference" and rc != 0:
            raise RuntimeError("reference headers do not parse with %s:\n%s" % (CLANG, err))
    return res["reference"][0], res["ours"][0], res["ours"][1], res["ours"][2]


def compile_and_run(src, inc, exe, extra=(), cc=None, std="gnu11"):
    """-> (ok, output_or_error)."""
    cmd = [cc or CC, "-std=" + std, "-w", "-I" + inc] + list(extra) + [src, "-o", exe]
    rc, out, err = run(cmd)
    if rc != 0:
        return False, "compile failed: " + " ".join(cmd) + "\n" + err
    rc, out, err = run([exe])
    if rc != 0:
        return False, "probe exited with %d\n%s%s" % (rc, out, err)
    return True, out


def compare_probe(name, src, what):
    """Build+run src with the reference headers and ours; outputs must match."""
    ok_r, ref_out = compile_and_run(src, REF_INCLUDE, src[:-2] + ".ref")
    if not ok_r:
        R.fail(name, "probe does not build/run against the REFERENCE headers (test bug)", ref_out)
        return None
    write(src[:-2] + ".ref.out", ref_out)
    ok_o, ours_out = compile_and_run(src, OURS_INC, src[:-2] + ".ours")
    if not ok_o:
        R.fail(name, "%s probe does not compile/run against our headers" % what, ours_out)
        return ref_out
    write(src[:-2] + ".ours.out", ours_out)
    d = udiff(ref_out.splitlines(), ours_out.splitlines())
    R.expect(name, not d, "%s differs from the reference (%d diff lines; full outputs in %s)" % (
        what, len(d), os.path.dirname(src)), d)
    return ref_out


PROBE_HEAD = ALL_TU + """#include <stddef.h>
#include <stdio.h>
#include <string.h>
"""


# ----------------------------------------------------------------------------
# (b) layout

def gen_layout_probe(model):
    L = [PROBE_HEAD, """
static void abi_bits(const char *rec, const char *path, const void *v, size_t n)
{
	const unsigned char *p = v;
	long first = -1, width = 0;
	size_t i;

	for (i = 0; i < n * 8; i++)
		if ((p[i / 8] >> (i % 8)) & 1) {
			if (first < 0)
				first = (long)i;
			width++;
		}
	printf("%s .%s bitoff=%ld width=%ld\\n", rec, path, first, width);
}

int main(void)
{
"""]
    for cname in sorted(model.records):
        rec = model.records[cname]
        L.append("\t{\n\t\ttypedef %s T;\n" % cname)
        L.append('\t\tprintf("%%s size=%%zu align=%%zu\\n", "%s", sizeof(T), (size_t)_Alignof(T));\n' % cname)
        for f in rec["fields"]:
            p = f["path"]
            if f["bitfield"]:
                L.append("\t\t{ T v; memset(&v, 0, sizeof(v)); v.%s = -1; "
                         'abi_bits("%s", "%s", &v, sizeof(v)); }\n' % (p, cname, p))
            elif f["flex"]:
                L.append('\t\tprintf("%%s .%%s off=%%zu flexible\\n", "%s", "%s", offsetof(T, %s));\n'
                         % (cname, p, p))
            else:
                L.append('\t\tprintf("%%s .%%s off=%%zu size=%%zu\\n", "%s", "%s", offsetof(T, %s), '
                         "sizeof(((T *)0)->%s));\n" % (cname, p, p, p))
        L.append("\t}\n")
    L.append("\treturn 0;\n}\n")
    return "".join(L)


MANIFEST_HEADER = """\
# Layout of every struct/union defined in the six public libbpf headers, as
# printed by the probe of Tests/c/abi (reference: Debian libbpf-dev 1.1.2,
# x86_64, gcc).  Bitfields: bit offset/width measured at run time.
# Regenerate with: Tests/c/abi/run.sh --update-manifest
"""


@guarded("abi.layout")
def check_layout(ref_m, ours_m, update_manifest):
    rdef, odef = set(ref_m.records), set(ours_m.records)
    rtags = set(ref_m.declared_tags)
    otags = set(ours_m.declared_tags)
    R.expect("abi.layout.type-names", rdef == odef and rtags == otags,
             "struct/union/enum names defined or declared by the headers differ",
             set_diff(rdef, odef, "definition") + set_diff(rtags - rdef, otags - odef, "declaration"))
    src = write(os.path.join(OUT, "layout_probe.c"), gen_layout_probe(ref_m))
    ref_out = compare_probe("abi.layout.probe", src, "struct layout")
    manifest = os.path.join(ABI_DIR, "layout-manifest.txt")
    if ref_out is None:
        R.fail("abi.layout.manifest", "no reference layout output to compare with")
        return
    write(os.path.join(OUT, "layout-manifest.txt"), MANIFEST_HEADER + ref_out)
    if update_manifest:
        write(manifest, MANIFEST_HEADER + ref_out)
        info("wrote %s (%d lines)" % (manifest, len(ref_out.splitlines())))
    if not os.path.exists(manifest):
        R.fail("abi.layout.manifest", "%s does not exist (run.sh --update-manifest)" % manifest)
        return
    with open(manifest) as f:
        committed = [ln.rstrip("\n") for ln in f if not ln.startswith("#")]
    d = udiff(committed, ref_out.splitlines(), "abi/layout-manifest.txt", "reference-now")
    R.expect("abi.layout.manifest", not d,
             "committed abi/layout-manifest.txt no longer matches the reference layout", d)


# ----------------------------------------------------------------------------
# (c) enums

def gen_enum_probe(model):
    L = [PROBE_HEAD, """
#define ABI_INT(name, v) do { \\
	if ((v) < 0) printf("%s = %lld", name, (long long)(v)); \\
	else printf("%s = %llu", name, (unsigned long long)(v)); \\
	printf(" sizeof=%zu signed=%d\\n", sizeof(v), ((v) * 0 - 1) < 0); \\
} while (0)

int main(void)
{
"""]
    for ename in sorted(model.enums):
        if ename.startswith("enum "):
            L.append('\tprintf("%%s sizeof=%%zu signed=%%d\\n", "%s", sizeof(%s), ((%s)-1) < 0);\n'
                     % (ename, ename, ename))
        for c in model.enums[ename]:
            L.append('\tABI_INT("%s", %s);\n' % (c, c))
    L.append("\treturn 0;\n}\n")
    return "".join(L)


@guarded("abi.enums")
def check_enums(ref_m, ours_m):
    def lines(m):
        return ["%s: %s" % (e.split(" #")[0], " ".join(cs)) for e, cs in sorted(m.enums.items())]
    R.expect("abi.enums.names", lines(ref_m) == lines(ours_m),
             "enum types / enumerator names (or their order) differ",
             udiff(lines(ref_m), lines(ours_m)))
    src = write(os.path.join(OUT, "enum_probe.c"), gen_enum_probe(ref_m))
    compare_probe("abi.enums.values", src, "enum constant values / enum type sizes")


# ----------------------------------------------------------------------------
# (c) macros

LINEMARK_RE = re.compile(r'^# \d+ "(.*)"')
DEFINE_RE = re.compile(r"^#define\s+([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$")


def read_macros(inc):
    """{name: (funclike_params_or_None, body)} for macros whose final
    definition comes from one of the six headers under inc/bpf."""
    tu = write(os.path.join(OUT, "all_headers.c"), ALL_TU)
    rc, out, err = run([CC, "-std=gnu11", "-E", "-dD", "-I" + inc, tu])
    if rc != 0:
        return None, err
    hdr = os.path.realpath(os.path.join(inc, "bpf"))
    cur, defs = None, {}
    for line in out.splitlines():
        m = LINEMARK_RE.match(line)
        if m:
            cur = m.group(1)
            continue
        if line.startswith("#define"):
            m = DEFINE_RE.match(line)
            if m:
                defs[m.group(1)] = (cur, m.group(2), m.group(3).strip())
        elif line.startswith("#undef"):
            defs.pop(line.split()[1], None)
    res = {}
    for name, (f, params, body) in defs.items():
        if (f and os.path.basename(f) in SIX
                and os.path.realpath(os.path.dirname(f)) == hdr):
            res[name] = (params, body)
    return res, err


def macro_sig(name, params):
    if params is None:
        return name
    ps = [p.strip() for p in params[1:-1].split(",") if p.strip()]
    var = any(p.endswith("...") for p in ps)
    n = len([p for p in ps if not p.endswith("...")])
    return "%s(%d params%s)" % (name, n, ", variadic" if var else "")


def classify_ice(ref_macros):
    """Return the object-like reference macros that are integer constant
    expressions (decided by compiling against the reference headers)."""
    cands = sorted(n for n, (params, body) in ref_macros.items()
                   if params is None and body and not body.startswith('"')
                   and not n.endswith("__last_field"))
    for _ in range(8):
        lines = [ALL_TU]
        first = len(ALL_TU.splitlines()) + 1
        for i, n in enumerate(cands):
            lines.append("typedef char abi_ice_%d[(%s) * 0 + 1];\n" % (i, n))
        src = write(os.path.join(OUT, "macro_ice.c"), "".join(lines))
        rc, out, err = run([CC, "-std=gnu11", "-fsyntax-only", "-pedantic-errors",
                            "-isystem", REF_INCLUDE, src])
        if rc == 0:
            return cands
        bad = set()
        for m in re.finditer(r"macro_ice\.c:(\d+):\d+: error", err):
            idx = int(m.group(1)) - first
            if 0 <= idx < len(cands):
                bad.add(cands[idx])
        if not bad:
            raise RuntimeError("cannot classify macros:\n" + err)
        cands = [c for c in cands if c not in bad]
    raise RuntimeError("macro classification did not converge")


def gen_macro_probe(ref_macros, ice):
    L = [PROBE_HEAD, """
#define ABI_STR2(x) #x
#define ABI_STR(x) ABI_STR2(x)
#define ABI_INT(name, v) do { \\
	if ((v) < 0) printf("%s = %lld", name, (long long)(v)); \\
	else printf("%s = %llu", name, (unsigned long long)(v)); \\
	printf(" sizeof=%zu signed=%d\\n", sizeof(v), ((v) * 0 - 1) < 0); \\
} while (0)

int main(void)
{
"""]
    for n in sorted(ref_macros):
        params, body = ref_macros[n]
        if params is not None:
            continue
        if n in ice:
            L.append('\tABI_INT("%s", %s);\n' % (n, n))
        elif body.startswith('"'):
            L.append('\tprintf("%%s = \\"%%s\\" sizeof=%%zu\\n", "%s", %s, sizeof(%s));\n' % (n, n, n))
        elif n.endswith("__last_field") and body:
            s = "struct " + n[:-len("__last_field")]
            L.append('\tprintf("%%s -> %%s end=%%zu\\n", "%s", ABI_STR(%s), offsetof(%s, %s) + '
                     "sizeof(((%s *)0)->%s));\n" % (n, n, s, n, s, n))
    L.append("\treturn 0;\n}\n")
    return "".join(L)


def norm_body(b):
    return " ".join(b.split())


CONSUMER = os.path.join(HERE, "consumer_macros.c")


@guarded("abi.macros")
def check_macros():
    ref, err = read_macros(REF_INCLUDE)
    if ref is None:
        raise RuntimeError("cannot preprocess reference headers:\n" + err)
    ours, err = read_macros(OURS_INC)
    if ours is None:
        for n in ("abi.macros.names", "abi.macros.values"):
            R.fail(n, "cannot preprocess our headers", err)
        ours = {}
    else:
        rs = sorted(macro_sig(n, p) for n, (p, b) in ref.items())
        os_ = sorted(macro_sig(n, p) for n, (p, b) in ours.items())
        R.expect("abi.macros.names", rs == os_,
                 "macro names (object- and function-like) or parameter counts differ",
                 udiff(rs, os_))

        ice = set(classify_ice(ref))
        src = write(os.path.join(OUT, "macro_probe.c"), gen_macro_probe(ref, ice))
        # object-like macros that are neither integer constants, strings nor
        # *__last_field (include guards, LIBBPF_API, aliases): compare text.
        text_ref, text_ours = [], []
        # Function-like macros: compare parameter lists and bodies as text
        # too (whitespace-normalised); behaviour is exercised separately by
        # consumer_macros.c.
        for n, (p, b) in sorted(ref.items()):
            if p is not None or (n not in ice and not b.startswith('"') and not (
                    n.endswith("__last_field") and b)):
                text_ref.append("%s%s => %s" % (n, p or "", norm_body(b)))
                ob = ours.get(n)
                text_ours.append("%s%s => %s" % (n, ob[0] or "", norm_body(ob[1])) if ob
                                 else "%s <not defined>" % n)
        ok_r, ref_out = compile_and_run(src, REF_INCLUDE, src[:-2] + ".ref")
        if not ok_r:
            R.fail("abi.macros.values", "probe does not build/run against the REFERENCE headers (test bug)", ref_out)
        else:
            ok_o, ours_out = compile_and_run(src, OURS_INC, src[:-2] + ".ours")
            if not ok_o:
                R.fail("abi.macros.values", "macro value probe does not compile/run against our headers",
                       ours_out)
            else:
                a = ref_out.splitlines() + text_ref
                b = ours_out.splitlines() + text_ours
                write(src[:-2] + ".ref.out", "\n".join(a) + "\n")
                write(src[:-2] + ".ours.out", "\n".join(b) + "\n")
                d = udiff(a, b)
                R.expect("abi.macros.values", not d,
                         "macro values differ (%d integer constants; %d other macros compared as text)" % (len(ice), len(text_ref)), d)

    # function-like macros, exercised by a consumer
    with open(CONSUMER) as f:
        consumer = f.read()
    funclike = sorted(n for n, (p, b) in ref.items() if p is not None)
    aliases = sorted(n for n, (p, b) in ref.items()
                     if p is None and b in ref and ref[b][0] is not None)
    uncovered = [n for n in funclike + aliases
                 if not re.search(r"(?<![\w])%s(?![\w])" % re.escape(n), consumer)]
    name = "abi.macros.function-like"
    if uncovered:
        R.fail(name, "consumer_macros.c does not exercise reference macro(s): " + " ".join(uncovered))
        return
    flags = ["-Wall", "-Wextra", "-Werror"]
    outs = {}
    for label, inc in (("ref", REF_INCLUDE), ("ours", OURS_INC)):
        exe = os.path.join(OUT, "consumer_macros." + label)
        cmd = [CC, "-std=gnu11"] + flags + ["-I" + inc, CONSUMER, "-o", exe]
        rc, out, err = run(cmd)
        if rc != 0:
            outs[label] = (False, "compile failed: %s\n%s" % (" ".join(cmd), err))
            continue
        rc, out, err = run([exe])
        outs[label] = (rc == 0, out if rc == 0 else "exit %d\n%s%s" % (rc, out, err))
    if not outs["ref"][0]:
        R.fail(name, "consumer test fails against the REFERENCE headers (test bug)", outs["ref"][1])
        return
    if not outs["ours"][0]:
        R.fail(name, "consumer test (uses %s) fails against our headers" % ", ".join(funclike + aliases),
               outs["ours"][1])
        return
    d = udiff(outs["ref"][1].splitlines(), outs["ours"][1].splitlines())
    if d:
        R.fail(name, "consumer test output differs", d)
        return
    # variants: consumer-defined LIBBPF_API; clang; deprecation diagnostics
    problems = []
    for label, cmd in (
            ("consumer pre-defines LIBBPF_API",
             [CC, "-std=gnu11", "-DABI_OVERRIDE_LIBBPF_API"] + flags + ["-I" + OURS_INC, "-c", CONSUMER,
                                                                      "-o", os.path.join(OUT, "consumer_api.o")]),
            ("clang build",
             [CLANG, "-std=gnu11"] + flags + ["-I" + OURS_INC, "-c", CONSUMER,
                                              "-o", os.path.join(OUT, "consumer_clang.o")])):
        rc, out, err = run(cmd)
        if rc != 0:
            problems.append("%s: %s" % (label, " ".join(cmd)))
            problems += err.splitlines()[:15]
    dep = {}
    for label, inc in (("ref", REF_INCLUDE), ("ours", OURS_INC)):
        rc, out, err = run([CC, "-std=gnu11", "-DABI_USE_DEPRECATED", "-Werror=deprecated-declarations",
                            "-I" + inc, "-c", CONSUMER, "-o", os.path.join(OUT, "consumer_dep.o")])
        dep[label] = (rc != 0, "use new_api() instead" in err, "libbpf v1.0+: gone in 1.0" in err)
    if dep["ref"] != (True, True, True):
        problems.append("deprecation probe misbehaves on the REFERENCE (test bug): %s" % (dep["ref"],))
    elif dep["ours"] != dep["ref"]:
        problems.append("LIBBPF_DEPRECATED/LIBBPF_DEPRECATED_SINCE(1, 0, ...) do not produce the "
                        "reference's deprecation errors: (fails, msg, since-msg) = %s" % (dep["ours"],))
    R.expect(name, not problems, "variant builds failed", problems)


# ----------------------------------------------------------------------------
# declarations: names, attributes, types (compile-time compatibility)

def decl_lines(m):
    out = []
    for n, f in sorted(m.functions.items()):
        out.append("function %s%s%s [%s]" % ("static " if f["static"] else "",
                                             "inline " if f["inline"] else "", n,
                                             ", ".join(f["attrs"])))
    out += ["typedef %s" % n for n in sorted(m.typedefs)]
    out += ["variable %s" % n for n in sorted(m.vars)]
    return out


VA_FIX = ("struct __va_list_tag *", "abi_va_decay_t ")


def fix_type(t):
    return t.replace(*VA_FIX)


def gen_types_probe(model):
    L = [ALL_TU, "#include <stdarg.h>\n#include <stddef.h>\n",
         "typedef __typeof__(&(*(va_list *)0)[0]) abi_va_decay_t;\n",
         "#define ABI_SAME(a, b, what) _Static_assert(__builtin_types_compatible_p(a, b), what);\n"]
    for n, f in sorted(model.functions.items()):
        L.append('ABI_SAME(__typeof__(%s), %s, "function %s")\n' % (n, fix_type(f["type"]), n))
    for n, t in sorted(model.typedefs.items()):
        if not astscan.ANON_RE.search(t):
            L.append('ABI_SAME(%s, %s, "typedef %s")\n' % (n, fix_type(t), n))
    for n, t in sorted(model.vars.items()):
        L.append('ABI_SAME(__typeof__(%s), %s, "variable %s")\n' % (n, fix_type(t), n))
    for cname, rec in sorted(model.records.items()):
        for fl in rec["fields"]:
            if fl["bitfield"] or fl["anon"]:
                continue
            L.append('ABI_SAME(__typeof__(((%s *)0)->%s), %s, "field %s.%s")\n'
                     % (cname, fl["path"], fix_type(fl["type"]), cname, fl["path"]))
    return "".join(L)


@guarded("abi.decls")
def check_decls(ref_m, ours_m):
    a, b = decl_lines(ref_m), decl_lines(ours_m)
    R.expect("abi.decls.names", a == b,
             "declared functions/typedefs/variables (or their static/inline/attributes) differ",
             udiff(a, b))
    text = gen_types_probe(ref_m)
    n = text.count("\nABI_SAME(")
    src = write(os.path.join(OUT, "types_probe.c"), text)
    rc, out, err = run([CC, "-std=gnu11", "-fsyntax-only", "-w", "-I" + REF_INCLUDE, src])
    if rc != 0:
        R.fail("abi.decls.types", "type probe fails against the REFERENCE headers (test bug)", err)
        return
    rc, out, err = run([CC, "-std=gnu11", "-fsyntax-only", "-w", "-I" + OURS_INC, src])
    mism = re.findall(r'static assertion failed: "([^"]+)"', err)
    other = [ln for ln in err.splitlines() if "error:" in ln and "static assertion" not in ln]
    detail = ["type differs: " + x for x in mism] + other
    R.expect("abi.decls.types", rc == 0,
             "%d of %d function/typedef/field types are not compatible with the reference"
             "%s" % (len(mism), n, " (+%d other errors)" % len(other) if other else ""), detail)


# ----------------------------------------------------------------------------
# (d) compile matrix

def inline_use_tu(model):
    """All six headers plus a use of every static inline helper of the
    reference, so that the helpers' bodies are really code-generated (and
    analysed by the optimiser's warnings) when compiled with -O2."""
    names = sorted(n for n, f in model.functions.items() if f["static"])
    body = "".join("\t(abi_fn)%s,\n" % n for n in names)
    return ALL_TU + ("typedef void (*abi_fn)(void);\n"
                     "abi_fn abi_inline_helpers[] = {\n%s\t(abi_fn)0\n};\n" % body)


@guarded("abi.compile")
def check_compile(ref_m):
    rc, out, err = run([CLANG, "--version"])
    info("clang used: %s (%s)" % (CLANG, out.splitlines()[0] if out else "?"))
    rc, out, err = run([CC, "--version"])
    info("gcc used: %s (%s)" % (CC, out.splitlines()[0] if out else "?"))
    tu = write(os.path.join(OUT, "all_headers.c"), ALL_TU)
    w = ["-Wall", "-Wextra", "-Werror"]
    jobs = []
    if ref_m is not None:
        tu_inl = write(os.path.join(OUT, "all_headers_inline.c"), inline_use_tu(ref_m))
    for cname, cc in (("gcc", CC), ("clang", CLANG)):
        for std in ("gnu89", "c11"):
            o = os.path.join(OUT, "cm_%s_%s" % (cname, std))
            jobs.append(("abi.compile.%s.%s" % (cname, std),
                         [cc, "-std=" + std] + w + ["-I" + OURS_INC, "-c", tu, "-o", o + ".o"]))
            if ref_m is not None:
                jobs.append(("abi.compile.%s.%s.inline-O2" % (cname, std),
                             [cc, "-std=" + std, "-O2"] + w +
                             ["-I" + OURS_INC, "-c", tu_inl, "-o", o + "_inline.o"]))
    for cname, cxx in (("g++", CXX), ("clang++", CLANGXX)):
        jobs.append(("abi.compile.%s" % cname,
                     [cxx, "-fsyntax-only", "-x", "c++"] + w + ["-I" + OURS_INC, tu]))
    for h in SIX:
        s = write(os.path.join(OUT, "standalone_%s.c" % h[:-2]), "#include <bpf/%s>\n" % h)
        jobs.append(("abi.compile.standalone.%s" % h,
                     [CC, "-std=gnu89"] + w + ["-I" + OURS_INC, "-c", s, "-o", s[:-2] + ".o"]))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as ex:
        results = list(ex.map(lambda j: (j[0], j[1], run(j[1])), jobs))
    for name, cmd, (rc, out, err) in results:
        R.expect(name, rc == 0, "does not compile: " + " ".join(cmd), err)
    if ref_m is None:
        R.fail("abi.compile.inline-O2", "skipped the inline-helper builds: no reference model")


# ----------------------------------------------------------------------------
# (e) static linking

@guarded("abi.static-link")
def check_static():
    name = "abi.static-link"
    src = os.path.join(HERE, "static_main.c")
    # expected output: the same program against REF_LIB (dynamic)
    ref_exe = os.path.join(OUT, "static_main.ref")
    rc, out, err = run([CC, src, REF_LIB, "-o", ref_exe])
    if rc != 0:
        R.fail(name, "cannot build the program against REF_LIB (test bug)", err)
        return
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(REF_LIB))
    rc, expected, err = run([ref_exe], env=env)
    if rc != 0:
        R.fail(name, "program fails against REF_LIB (test bug)", err)
        return
    archive = os.path.join(BUILD, "libbpf.a")
    if not os.path.exists(archive):
        R.skip(name, "%s does not exist (library not built?)" % archive)
        return
    exe = os.path.join(OUT, "static_main")
    cmd = [CC, src, archive, "-lelf", "-lz", "-o", exe]
    rc, out, err = run(cmd)
    if rc != 0:
        R.fail(name, "link failed: " + " ".join(cmd), err)
        return
    rc2, dyn, _ = run(["readelf", "-d", exe])
    if "libbpf.so" in dyn:
        R.fail(name, "binary still depends on a shared libbpf", dyn)
        return
    rc, out, err = run([exe], env=dict(os.environ, LD_LIBRARY_PATH=""))
    R.expect(name, rc == 0 and out == expected,
             "static binary exit=%d, output %r, expected %r" % (rc, out.strip(), expected.strip()), err)


# ----------------------------------------------------------------------------

GROUPS = ("symbols", "headers", "layout", "enums", "macros", "decls", "compile", "static")


def main(argv):
    update = "--update-manifest" in argv
    want = [a for a in argv if not a.startswith("--")] or list(GROUPS)
    unknown = [w for w in want if w not in GROUPS]
    if unknown:
        print("usage: run.sh [--update-manifest] [%s ...]" % " | ".join(GROUPS), file=sys.stderr)
        return 2
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "tmp"))
    info("SWIFTBPF_BUILD=%s SWIFTBPF_INCLUDE=%s REF_INCLUDE=%s REF_LIB=%s" % (
        BUILD, INCLUDE, REF_INCLUDE, REF_LIB))
    make_overlay()
    if "symbols" in want:
        check_symbols()
    if "headers" in want:
        check_headers()
    ref_m = None
    if any(g in want for g in ("layout", "enums", "decls", "compile")):
        try:
            ref_m, ours_m, orc, oerr = models()
        except Exception:
            R.fail("abi.ast", "cannot build the header models", traceback.format_exc())
        else:
            if orc != 0:
                info("note: clang reports errors in our headers (model may be partial):")
                for ln in oerr.splitlines()[:10]:
                    info("  " + ln)
            if "layout" in want:
                check_layout(ref_m, ours_m, update)
            if "enums" in want:
                check_enums(ref_m, ours_m)
            if "decls" in want:
                check_decls(ref_m, ours_m)
    if "macros" in want:
        check_macros()
    if "compile" in want:
        check_compile(ref_m)
    if "static" in want:
        check_static()
    c = R.counts
    print("# abi: %d passed, %d failed, %d skipped (scratch: %s)" % (
        c["PASS"], c["FAIL"], c["SKIP"], OUT))
    return 1 if c["FAIL"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception:
        R.fail("abi.internal", "the test harness crashed", traceback.format_exc())
        sys.exit(1)
