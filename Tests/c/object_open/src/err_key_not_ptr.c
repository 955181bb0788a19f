/* A key given by value rather than as a pointer type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	int key;
	__type(value, int);
	__uint(max_entries, 1);
} m SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { int k = 0; bpf_map_lookup_elem(&m, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
