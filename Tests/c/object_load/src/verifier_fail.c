/* The verifier refuses the second program (a map value used unchecked): the
 * load fails with its log printed, after the first program loaded. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, long);
	__uint(max_entries, 2);
} h SEC(".maps");

SEC("xdp")
int ok(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bad(struct xdp_md *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&h, &k);

	return *v;
}

char LICENSE[] SEC("license") = "GPL";
