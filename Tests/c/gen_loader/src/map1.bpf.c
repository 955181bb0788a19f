// One array map, one XDP program: returns XDP_PASS (2) + the value at key 0
// (0 after creation) -> 2.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (!v)
		return 0;
	__sync_fetch_and_add(v, 1);
	return 2 + (*v > 100 ? 1 : 0);
}

char LICENSE[] SEC("license") = "GPL";
