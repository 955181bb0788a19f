/* A typed ksym declared as a pointer, the kernel has a struct. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const int *runqueues __ksym;

__u64 out[8];

SEC("kprobe/do_nanosleep")
int ks(void *ctx)
{
	out[0] = (__u64)bpf_this_cpu_ptr(&runqueues);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
