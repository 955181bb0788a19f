/* Conflicting key size and key type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 8);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 4);
} bad SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { int k = 0; bpf_map_lookup_elem(&bad, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
