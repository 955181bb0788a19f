/* A kfunc whose return type kind differs (struct vs pointer). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern struct rq bpf_task_acquire(struct task_struct *p) __ksym;

__u64 out[8];

SEC("tp_btf/task_newtask")
int ks(void *ctx)
{
	bpf_task_acquire(((struct task_struct **)ctx)[0]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
