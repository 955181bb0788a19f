#!/usr/bin/env python3
"""Compares the reference and our output of malformed.c case by case.

usage: compare.py REF_OUT OURS_OUT MANIFEST

Prints one "PASS <case>" or "FAIL <case>: <why>" per manifest case. A case
passes when its lines are identical in both runs, except that a query the
REFERENCE crashes (or hangs) on ("<case> q <query> CRASH ...") may have any
non-crashing answer from us. Our crash on any query fails the case.
"""
import sys


def by_case(path):
    cases = {}
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines[1:]:  # after MAPPED
        if line == "END":
            continue
        name = line.split(" ", 1)[0]
        cases.setdefault(name, []).append(line)
    return cases


def query_key(line):
    # "<case> q <query>(<id>) <result...>" -> "<case> q <query>(<id>)"
    parts = line.split(" ")
    return " ".join(parts[:3]) if len(parts) >= 3 and parts[1] == "q" else None


def main():
    ref, ours, manifest = sys.argv[1:4]
    r, o = by_case(ref), by_case(ours)
    names = [l.split()[1] for l in open(manifest) if l.strip()]
    for name in names:
        rl, ol = r.get(name), o.get(name)
        if not rl:
            print(f"FAIL {name}: no reference output (test bug?)")
            continue
        if not ol:
            print(f"FAIL {name}: no output from ours ({len(rl)} reference lines)")
            continue
        ours_crash = [l for l in ol if " CRASH " in l]
        if ours_crash:
            print(f"FAIL {name}: ours crashed: {ours_crash[0][:200]}")
            continue
        if rl == ol:
            print(f"PASS {name} ({len(rl)} lines)")
            continue
        if len(rl) != len(ol):
            first = next((i for i, (a, b) in enumerate(zip(rl, ol)) if a != b), min(len(rl), len(ol)))
            a = rl[first] if first < len(rl) else "<none>"
            b = ol[first] if first < len(ol) else "<none>"
            print(f"FAIL {name}: {len(rl)} ref lines, {len(ol)} ours; first difference: ref: {a[:200]} | ours: {b[:200]}")
            continue
        bad = None
        ref_crashes = 0
        for a, b in zip(rl, ol):
            if a == b:
                continue
            if " CRASH " in a and query_key(a) is not None and query_key(a) == query_key(b):
                ref_crashes += 1
                continue
            bad = (a, b)
            break
        if bad:
            n = sum(1 for a, b in zip(rl, ol) if a != b and not (" CRASH " in a and query_key(a) == query_key(b)))
            print(f"FAIL {name}: {n} lines differ; first: ref: {bad[0][:200]} | ours: {bad[1][:200]}")
        else:
            print(f"PASS {name} ({len(rl)} lines; reference crashes or hangs on {ref_crashes} queries, ours answers)")
    extra = sorted(set(o) - set(names))
    for name in extra:
        print(f"FAIL {name}: unexpected case in our output: {o[name][0][:200]}")


if __name__ == "__main__":
    main()
