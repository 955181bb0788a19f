/* CO-RE test: every relocation kind against the running kernel: bitfields, arrays, flexible arrays, anonymous members, flavors, type ids, type matches, enum64, load/store size adjustment and its refusal. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define bpf_core_field_signed(f) __builtin_preserve_field_info(f, BPF_FIELD_SIGNED)
#define bpf_core_field_lshift(f) __builtin_preserve_field_info(f, BPF_FIELD_LSHIFT_U64)
char LICENSE[] SEC("license") = "GPL";

struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

struct task_struct___sz {
	unsigned long long flags;
	long long pid;
	unsigned short tgid;
} __attribute__((preserve_access_index));

struct not_in_kernel {
	int a;
} __attribute__((preserve_access_index));

enum bpf_func_id___x {
	BPF_FUNC_map_lookup_elem___x = 1,
	BPF_FUNC_does_not_exist___x = 12345,
};

enum perf_callchain_context___local {
	PERF_CONTEXT_USER___local = 1,
};

typedef int pid_t___local;

long out[64];

SEC("tp_btf/sched_switch")
int BPF_PROG(bits, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	out[0] = BPF_CORE_READ_BITFIELD_PROBED(next, sched_reset_on_fork);
	out[1] = BPF_CORE_READ_BITFIELD(next, in_execve);
	out[2] = bpf_core_field_size(next->comm);
	out[3] = bpf_core_field_offset(next->comm[3]);
	out[4] = BPF_CORE_READ(next, comm[3]);
	out[5] = bpf_core_field_offset(next->cpus_mask.bits[0]);
	out[6] = BPF_CORE_READ(next, thread_pid, numbers[1].nr);
	out[7] = bpf_core_field_size(next->thread_pid->numbers[2]);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(flavors, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct___old *old = (void *)next;
	if (bpf_core_field_exists(old->state))
		out[8] = BPF_CORE_READ(old, state);
	else
		out[8] = BPF_CORE_READ(next, __state);
	out[9] = bpf_core_type_id_local(struct task_struct___old);
	out[10] = bpf_core_type_id_kernel(struct task_struct);
	out[11] = bpf_core_type_exists(struct not_in_kernel);
	out[12] = bpf_core_type_size(struct not_in_kernel);
	out[13] = bpf_core_type_id_kernel(struct not_in_kernel);
	out[14] = bpf_core_type_matches(struct task_struct);
	out[15] = bpf_core_type_matches(struct task_struct___old);
	out[16] = bpf_core_type_exists(pid_t);
	out[17] = bpf_core_type_exists(pid_t___local);
	out[18] = bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_map_lookup_elem___x);
	out[19] = bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_does_not_exist___x);
	out[20] = bpf_core_enum_value(enum bpf_func_id___x, BPF_FUNC_map_lookup_elem___x);
	out[21] = bpf_core_enum_value(enum perf_callchain_context, PERF_CONTEXT_USER);
	out[22] = bpf_core_enum_value(enum perf_callchain_context___local, PERF_CONTEXT_USER___local);
	out[23] = bpf_core_type_size(struct task_struct___old);
	out[24] = bpf_core_type_matches(pid_t___local);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sizes, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct task_struct___sz *s = (void *)next;
	out[25] = s->flags;
	out[26] = s->pid;
	out[27] = s->tgid;
	out[28] = BPF_CORE_READ(next, mm, mmap_base);
	out[29] = bpf_core_field_exists(next->mm->mmap_base);
	out[30] = bpf_core_field_signed(next->pid);
	out[31] = bpf_core_field_signed(next->flags);
	return 0;
}

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(anon, struct sk_buff *skb)
{
	out[32] = BPF_CORE_READ(skb, dev, ifindex);
	out[33] = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	out[34] = bpf_core_field_offset(skb->tstamp);
	out[35] = BPF_CORE_READ(skb, len);
	out[36] = skb->len;
	out[37] = BPF_CORE_READ_BITFIELD(skb, pkt_type);
	return 0;
}
