/* A map definition with an unknown field: -ENOTSUP unless relaxed_maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
	__uint(mystery, 9);
} m SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { __u32 k = 0; bpf_map_lookup_elem(&m, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
