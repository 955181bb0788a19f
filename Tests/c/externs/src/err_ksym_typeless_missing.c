/* A strong typeless ksym missing from kallsyms. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const void swiftbpf_missing_sym __ksym;

__u64 out[8];

SEC("socket")
int ks(void *ctx)
{
	out[0] = (__u64)&swiftbpf_missing_sym;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
