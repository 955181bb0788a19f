/* Attach targets that cannot be resolved: a function the kernel does not have,
 * and a bare SEC("fentry") without target. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("fentry/no_such_kernel_function_xyz")
int missing(void *ctx)
{
	return 0;
}

SEC("?fentry")
int bare(void *ctx)
{
	return 0;
}

SEC("?tp_btf/no_such_tracepoint_xyz")
int missing_tp(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
