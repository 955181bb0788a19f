/* A typeless ksym kallsyms lists at several addresses. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const void __cpuid __ksym;

__u64 out[8];

SEC("socket")
int ks(void *ctx)
{
	out[0] = (__u64)&__cpuid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
