/* A hash-of-maps with an 8-byte key and initial slots. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, int); __type(value, int); __uint(max_entries, 1); };
struct inner in1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u64);
	__array(values, struct inner);
} outer SEC(".maps") = {
	.values = { [1] = &in1 },
};

SEC("xdp")
int p(struct xdp_md *ctx) { __u64 k = 0; bpf_map_lookup_elem(&outer, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
