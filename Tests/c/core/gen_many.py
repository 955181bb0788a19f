#!/usr/bin/env python3
"""A BPF C source with many CO-RE relocations against the running kernel, for
the CO-RE tests and bench/core_relo.sh: BPF_CORE_READ of up to 8 scalar members
of ~200 distinct structs of vmlinux.h, 100 reads per program.

usage: gen_many.py VMLINUX_H COUNT [fail|baseline] > out.bpf.c
  fail      also a last program whose relocation fails (signedness of an
            array element), so bpf_object__load stops right after CO-RE
  baseline  only that failing program (the cost of everything but CO-RE)
Lines clang rejects (members whose type is not an integer) are left for the
caller to blank out (run.sh and the bench recompile until clean)."""
import random
import re
import sys

random.seed(1)
src = open(sys.argv[1]).read()
target = int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else ''
fail = mode == 'fail'
baseline = mode == 'baseline'

structs = {}
for m in re.finditer(r'^struct (\w+) \{\n(.*?)^\};', src, re.S | re.M):
    name, body = m.group(1), m.group(2)
    fields = []
    depth = 0
    for line in body.split('\n'):
        if '{' in line:
            depth += 1
        if '}' in line:
            depth -= 1
            continue
        if depth != 0:
            continue
        fm = re.match(r'\t(?:const )?(?:unsigned |long |short )*(int|long|char|short|u8|u16|u32|u64|s32|s64|__u32|__u64|__s32|__u16|__u8|bool|pid_t|gfp_t|size_t) (\w+);$', line)
        if fm:
            fields.append(fm.group(2))
    if len(fields) >= 3:
        structs[name] = fields
names = sorted(structs)
random.shuffle(names)

out = ['#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>', '#include <bpf/bpf_core_read.h>',
       'char LICENSE[] SEC("license") = "GPL";', 'volatile long out[64];']
n = 0
prog = 0
body = []


def flush():
    global prog, body
    if body:
        out.append('SEC("kprobe/p%d") int p%d(void *ctx) {' % (prog, prog))
        out.extend(body)
        out.append('return 0; }')
        prog += 1
        body = []


if not baseline:
    for s in names:
        for f in structs[s][:8]:
            if n >= target:
                break
            body.append('{ struct %s *p = (void *)(long)out[1]; out[0] += BPF_CORE_READ(p, %s); }' % (s, f))
            n += 1
            if len(body) >= 100:
                flush()
        if n >= target:
            break
flush()
if fail or baseline:
    out.append('SEC("kprobe/zz") int zz(void *ctx) { struct task_struct *t = (void *)(long)out[1]; '
               'out[0] = __builtin_preserve_field_info(t->comm[1], BPF_FIELD_SIGNED); return 0; }')
print('\n'.join(out))
