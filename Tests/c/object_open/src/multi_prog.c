/* Several programs per section, static and global subprograms, bpf-to-bpf calls. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} stats SEC(".maps");

static __attribute__((noinline)) int bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

__attribute__((noinline)) int global_helper(int x)
{
	return x * 3 + bump(2);
}

__attribute__((noinline)) __attribute__((visibility("hidden"))) int hidden_helper(int x)
{
	return x - 1;
}

SEC("xdp")
int xdp_one(struct xdp_md *ctx)
{
	bump(0);
	return global_helper(ctx->ingress_ifindex) ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
int xdp_two(struct xdp_md *ctx)
{
	bump(1);
	return hidden_helper(ctx->rx_queue_index) ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int tc_one(struct __sk_buff *skb)
{
	return global_helper(skb->len) ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int tc_two(struct __sk_buff *skb)
{
	bump(3);
	return TC_ACT_OK;
}

SEC("socket")
int sock(struct __sk_buff *skb)
{
	return skb->len;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
