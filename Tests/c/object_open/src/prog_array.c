/* A program array with initial slots. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int tail_a(void *ctx);
int tail_b(void *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jmp_table SEC(".maps") = {
	.values = { [1] = (void *)&tail_a, [3] = (void *)&tail_b },
};

SEC("kprobe/tail_a")
int tail_a(void *ctx)
{
	return 1;
}

SEC("kprobe/tail_b")
int tail_b(void *ctx)
{
	return 2;
}

SEC("kprobe/entry")
int entry(void *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
