/* A map definition without a type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} m SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { __u32 k = 0; bpf_map_lookup_elem(&m, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
