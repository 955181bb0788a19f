// SPDX-License-Identifier: GPL-2.0
/* prog_linfo corpus: programs with several BPF functions, compiled with -g so
 * that the kernel reports line info and, per jited function, jited line info. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __noinline int bump(__u32 key, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (!v)
		return -1;
	*v += by;
	return 0;
}

static __noinline int classify(int len)
{
	if (len < 64)
		return bump(0, 1);
	if (len < 512)
		return bump(1, 1);
	return bump(2, len);
}

__noinline int global_weight(int len)
{
	int w = 0;

	for (int i = 0; i < 8; i++)
		if (len > (i << 6))
			w += i;
	return w;
}

SEC("xdp")
int xdp_multi(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	classify(len);
	if (global_weight(len) > 20)
		bump(3, 1);
	return XDP_PASS;
}

SEC("socket")
int sock_two(struct __sk_buff *skb)
{
	return classify(skb->len) ? 0 : skb->len;
}

SEC("tc")
int tc_single(struct __sk_buff *skb)
{
	__u32 key = 3;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
