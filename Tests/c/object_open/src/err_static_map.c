/* A static map: unsupported linkage. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 4);
} hidden_map SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { int k = 0; bpf_map_lookup_elem(&hidden_map, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
