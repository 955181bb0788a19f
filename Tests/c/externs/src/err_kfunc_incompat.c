/* A kfunc whose prototype has a different parameter count. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern void bpf_task_release(int a, int b) __ksym;

__u64 out[8];

SEC("tp_btf/task_newtask")
int ks(void *ctx)
{
	bpf_task_release(1, 2);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
