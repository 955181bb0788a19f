/* Linked with link_lib.c (see linked.link): uses its map, data and functions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int shared_counter;
extern const volatile int shared_limit;
extern int lib_func(int x);
extern int weak_func(int x) __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} main_map SEC(".maps");

int main_data = 11;

SEC("xdp")
int linked_xdp(struct xdp_md *ctx)
{
	__u32 k = 0;
	bpf_map_lookup_elem(&main_map, &k);
	shared_counter += main_data;
	return lib_func(shared_limit) + weak_func(2) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
