/* BPF side of the demo: counts the system calls of one process (a tracepoint
 * on raw_syscalls/sys_enter) and the calls of one function of it (a uprobe),
 * both attached by the skeleton from their SEC() names. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 target_tgid = 0;
__u64 marker_calls = 0;
__u64 marker_arg_sum = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct sys_enter_args {
	__u64 common;
	long id;
	unsigned long args[6];
};

SEC("tp/raw_syscalls/sys_enter")
int count_syscall(struct sys_enter_args *ctx)
{
	__u32 id = (__u32)ctx->id;
	__u64 *slot;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	slot = bpf_map_lookup_elem(&counts, &id);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return 0;
}

/* x86-64: the first argument is in rdi (struct pt_regs offset 112). */
SEC("uprobe//proc/self/exe:demo_marker")
int count_marker(void *ctx)
{
	__u64 rdi = *(__u64 *)((char *)ctx + 112);

	__sync_fetch_and_add(&marker_calls, 1);
	__sync_fetch_and_add(&marker_arg_sum, rdi);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
