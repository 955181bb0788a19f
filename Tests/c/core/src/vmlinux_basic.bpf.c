/* CO-RE test: BPF_CORE_READ chains, field/type existence, type size, enum values, a flavor, direct loads (tp_btf). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___mine {
	int pid;
	int tgid;
	int nonexistent_field;
} __attribute__((preserve_access_index));

SEC("tp_btf/sched_switch")
int BPF_PROG(t1, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	int pid = BPF_CORE_READ(next, pid);
	int ppid = BPF_CORE_READ(next, real_parent, tgid);
	int e = bpf_core_field_exists(next->pid);
	struct task_struct___mine *m = (void *)next;
	int e2 = bpf_core_field_exists(m->nonexistent_field);
	int t = bpf_core_type_exists(struct task_struct);
	int sz = bpf_core_type_size(struct task_struct);
	int ev = bpf_core_enum_value_exists(enum bpf_prog_type, BPF_PROG_TYPE_KPROBE);
	long v = bpf_core_enum_value(enum bpf_prog_type, BPF_PROG_TYPE_XDP);
	bpf_printk("%d %d %d", pid, ppid, e + e2 + t + sz + ev + v);
	return next->pid + m->tgid;
}
