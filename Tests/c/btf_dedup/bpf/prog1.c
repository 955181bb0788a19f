#include "common.h"

struct only_here { int a; struct node *n; enum big_values b; };
int global_counter = 0;
const volatile int config_value = 7;

static __attribute__((noinline)) int helper(struct node *n, struct only_here *o)
{
	return n->flags + (o ? o->a : 0);
}

SEC("xdp")
int prog_one(struct xdp_md *ctx)
{
	u32 key = ctx->ingress_ifindex;
	struct node *n = bpf_map_lookup_elem(&nodes, &key);
	struct only_here o = { .a = 1 };
	if (!n)
		return XDP_PASS;
	global_counter += helper(n, &o) + config_value;
	return n->peer ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
