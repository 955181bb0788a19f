// Linker test input B: defines what A uses; its own static helper and an XDP
// program in the same SEC("xdp") as A's.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 2);
} b_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long);
	__uint(max_entries, 4);
} shared_map SEC(".maps");

extern int add_a(int x);
extern int LINUX_KERNEL_VERSION __kconfig;

int b_counter = 20;
const int b_ro = 101;
int b_bss[4];
char b_custom[6] SEC(".data.custom") = "hello";
int b_other SEC(".data.other") = 9;
static const char b_static_ro[] = "static-ro";

static __attribute__((noinline)) int helper(int x)
{
	return x + 4 + b_static_ro[0] - 's';
}

int weak_fn(int x)
{
	return x + 2;
}

__attribute__((noinline)) int add_b(int x)
{
	return helper(x) + b_counter;
}

SEC("xdp")
int xdp_b(struct xdp_md *ctx)
{
	struct task_struct *t = (void *)0;

	int k = 1;

	bpf_map_update_elem(&b_map, &k, &k, 0);
	b_bss[1] = add_a(2) + b_other;
	if (!bpf_core_field_exists(t->pid))
		return XDP_ABORTED;
	return LINUX_KERNEL_VERSION ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int tc_b(struct __sk_buff *skb)
{
	return add_b(0);
}
