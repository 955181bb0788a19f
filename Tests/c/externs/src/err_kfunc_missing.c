/* A strong kfunc the kernel does not have. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern void swiftbpf_missing_kfunc(void) __ksym;

__u64 out[8];

SEC("tp_btf/task_newtask")
int ks(void *ctx)
{
	swiftbpf_missing_kfunc();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
