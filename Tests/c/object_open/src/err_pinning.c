/* An invalid pinning value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 1);
	__uint(pinning, 2);
} m SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { int k = 0; bpf_map_lookup_elem(&m, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
