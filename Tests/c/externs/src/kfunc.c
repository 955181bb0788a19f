/* Kernel functions (kfuncs) resolved to vmlinux BTF ids, one weak and missing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct { int pid; };

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern int swiftbpf_missing_kfunc(int a) __ksym __weak;

__u64 out[8];

SEC("tp_btf/task_newtask")
int ks(void *ctx)
{
	struct task_struct *t = bpf_task_acquire(((struct task_struct **)ctx)[0]);
	if (t)
		bpf_task_release(t);
	if (swiftbpf_missing_kfunc)
		out[0] = swiftbpf_missing_kfunc(1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
