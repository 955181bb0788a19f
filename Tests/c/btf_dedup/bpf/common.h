/* Types shared (with variations) by the BPF test objects of the btf_dedup test. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef unsigned int u32;
typedef unsigned long long u64;
typedef int s32;

/* the kernel's own definitions: identical in vmlinux BTF */
struct list_head {
	struct list_head *next, *prev;
};
struct hlist_node {
	struct hlist_node *next, **pprev;
};
struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *head);
};
struct rb_node {
	unsigned long __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(sizeof(long))));

struct peer;
struct node {
	struct node *next;
	struct peer *peer;
	struct list_head link;
	u32 flags;
	union {
		u64 cookie;
		struct {
			u32 lo, hi;
		} parts;
	};
	enum node_state { NODE_NEW, NODE_ACTIVE = 3, NODE_DEAD = -1 } state;
	int (*cb)(struct node *self, void *ctx);
	char name[16];
	unsigned int bits:3, more_bits:5;
};

#ifndef PEER_FORWARD_ONLY
struct peer {
	struct node *owner;
	struct peer *twin;
	long weight;
	const volatile u64 *counters[4];
};
#endif

enum big_values { BIG_A = 0x100000000ULL, BIG_B = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, struct node);
} nodes SEC(".maps");
