/* A global function used as a callback, and a static one in another program section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

long acc;

__attribute__((noinline)) int global_cb(__u32 index, void *ctx)
{
	acc += index;
	return 0;
}

static int static_cb(__u32 index, void *ctx)
{
	acc -= index;
	return 0;
}

SEC("fentry/do_nanosleep")
int caller_a(void *ctx)
{
	bpf_loop(5, global_cb, NULL, 0);
	bpf_loop(5, static_cb, NULL, 0);
	return global_cb(1, ctx);
}

SEC("fexit/do_nanosleep")
int caller_b(void *ctx)
{
	bpf_loop(2, static_cb, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
