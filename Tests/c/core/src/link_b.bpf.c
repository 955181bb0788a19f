/* CO-RE test: the other half of the linked "weak" case (the strong subprogram). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
__noinline int helper(struct task_struct *t) { return BPF_CORE_READ(t, tgid) + 1; }
SEC("tp_btf/sched_switch") int BPF_PROG(b, bool p, struct task_struct *prev, struct task_struct *next) { return helper(next); }
