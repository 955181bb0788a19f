/* CO-RE test: relocations in a .text subprogram and in two programs of one section; run with and without autoload of 'a'. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
struct task_struct___x { int nope; } __attribute__((preserve_access_index));
static __noinline int sub(struct task_struct *t) { return BPF_CORE_READ(t, tgid); }
SEC("tp_btf/sched_switch")
int BPF_PROG(a, bool preempt, struct task_struct *prev, struct task_struct *next)
{ struct task_struct___x *x = (void*)next; return x->nope + sub(next); }
SEC("tp_btf/sched_switch")
int BPF_PROG(b, bool preempt, struct task_struct *prev, struct task_struct *next)
{ return BPF_CORE_READ(next, pid) + sub(prev); }
