/* 'values' on a map that is neither map-in-map nor prog array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __type(key, int); __type(value, int); __uint(max_entries, 1); };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, int);
	__array(values, struct inner);
} bad SEC(".maps");

SEC("xdp")
int p(struct xdp_md *ctx) { int k = 0; bpf_map_lookup_elem(&bad, &k); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
