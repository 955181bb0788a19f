/* CO-RE test: half of the linked "weak" case: a __weak subprogram with a CO-RE relocation, replaced by link_b's strong one (its relocation is then skipped as belonging to an eliminated weak subprogram). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
char LICENSE[] SEC("license") = "GPL";
__weak __noinline int helper(struct task_struct *t) { return BPF_CORE_READ(t, pid); }
SEC("tp_btf/sched_switch") int BPF_PROG(a, bool p, struct task_struct *prev, struct task_struct *next) { return helper(next); }
