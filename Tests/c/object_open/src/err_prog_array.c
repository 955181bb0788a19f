/* A program array slot pointing at a subprogram. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int helper(void *ctx) { return 0; }

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int (void *));
} jt SEC(".maps") = {
	.values = { [0] = (void *)&helper },
};

SEC("kprobe/x")
int entry(void *ctx) { bpf_tail_call(ctx, &jt, 0); return helper(ctx); }

char LICENSE[] SEC("license") = "GPL";
