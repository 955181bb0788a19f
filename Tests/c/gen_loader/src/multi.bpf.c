// Several programs, a subprogram, a hash map and a prog array.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} hmap SEC(".maps");

int gcount;

static __attribute__((noinline)) int twice(int x)
{
	return x * 2 + gcount;
}

SEC("xdp")
int xdp_a(struct xdp_md *ctx)
{
	return twice(1);   /* XDP_PASS */
}

SEC("syscall")
int sys_b(void *ctx)
{
	__u32 k = 5, v = 11;
	bpf_map_update_elem(&hmap, &k, &v, BPF_ANY);
	return twice(20) + 1;  /* 41 */
}

SEC("tc")
int tc_c(struct __sk_buff *skb)
{
	return twice(3);
}

char LICENSE[] SEC("license") = "GPL";
