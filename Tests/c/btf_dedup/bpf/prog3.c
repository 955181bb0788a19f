#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* same names, different definitions */
typedef unsigned int u32;
struct node {
	long value;
	struct node *left, *right;
};
struct peer;
struct holder {
	struct peer *p;
	struct node n;
};
enum node_state { OTHER_STATE = 9 };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, u32);
	__type(value, struct holder);
} holders SEC(".maps");

SEC("kprobe/do_nothing")
int prog_four(void *ctx)
{
	u32 k = 1;
	struct holder *h = bpf_map_lookup_elem(&holders, &k);
	return h ? (int)h->n.value + OTHER_STATE : 0;
}

char LICENSE[] SEC("license") = "GPL";
