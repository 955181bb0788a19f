/* A typed ksym whose type kind differs from the kernel (struct vs int). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const struct rq bpf_prog_active __ksym;

__u64 out[8];

SEC("kprobe/do_nanosleep")
int ks(void *ctx)
{
	out[0] = ((struct rq *)bpf_this_cpu_ptr(&bpf_prog_active))->cpu;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
