/* Map-in-map with inner definitions and initial slots. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
};

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct inner inner1 SEC(".maps"), inner2 SEC(".maps");
struct inner_hash inner3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, int);
	__array(values, struct inner);
} outer_arr SEC(".maps") = {
	.values = { [0] = &inner2, [2] = &inner1 },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, int);
	__array(values, struct inner_hash);
} outer_hash SEC(".maps") = {
	.values = { [3] = &inner3 },
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, int);
	__array(values, struct inner);
} outer_empty SEC(".maps");

SEC("xdp")
int mim(struct xdp_md *ctx)
{
	int k = 0;
	void *m = bpf_map_lookup_elem(&outer_arr, &k);
	void *h = bpf_map_lookup_elem(&outer_hash, &k);
	void *e = bpf_map_lookup_elem(&outer_empty, &k);
	return (m && h && e) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
