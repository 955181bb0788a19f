/* Typed ksyms (per-CPU variables in vmlinux BTF), one weak and missing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const int bpf_prog_active __ksym;
extern const struct rq runqueues __ksym;
extern const int swiftbpf_weak_typed __ksym __weak;

__u64 out[8];

SEC("kprobe/do_nanosleep")
int ks(void *ctx)
{
	out[0] = *(int *)bpf_this_cpu_ptr(&bpf_prog_active);
	out[1] = ((struct rq *)bpf_this_cpu_ptr(&runqueues))->cpu;
	out[2] = (__u64)&swiftbpf_weak_typed;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
