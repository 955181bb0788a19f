#define PEER_FORWARD_ONLY
#include "common.h"
#include <bpf/bpf_core_read.h>

/* CO-RE accesses: core_relo records in .BTF.ext */
struct task_like {
	int pid;
	struct list_head tasks;
	struct task_like *parent;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} counts SEC(".maps");

SEC("tc")
int prog_two(struct __sk_buff *skb)
{
	u32 key = 0;
	u64 *v = bpf_map_lookup_elem(&counts, &key);
	struct task_like *t = (void *)(long)skb->data;
	if (v)
		*v += bpf_core_field_exists(t->parent) + (long)&t->tasks;
	return 0;
}

SEC("tc")
int prog_three(struct __sk_buff *skb)
{
	struct node *n = bpf_map_lookup_elem(&nodes, &skb->mark);
	return n ? n->state : 0;
}
