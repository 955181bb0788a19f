/* A map-in-map whose initial slot names a map defined after it (not created
 * yet when the slot is set), and a program array slot naming a program that is
 * not loaded. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
};

extern struct inner late_inner;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, int);
	__array(values, struct inner);
} outer_first SEC(".maps") = {
	.values = { [1] = &late_inner },
};

struct inner late_inner SEC(".maps");

int tail_off(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&tail_off },
};

SEC("?socket")
int tail_off(void *ctx)
{
	return 1;
}

SEC("socket")
int user(void *ctx)
{
	int k = 0;
	void *m = bpf_map_lookup_elem(&outer_first, &k);

	bpf_tail_call(ctx, &jumps, 0);
	return m != 0;
}

char LICENSE[] SEC("license") = "GPL";
