/* A strong typed ksym missing from kernel BTF. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const int swiftbpf_missing_typed __ksym;

__u64 out[8];

SEC("kprobe/do_nanosleep")
int ks(void *ctx)
{
	out[0] = *(int *)bpf_this_cpu_ptr(&swiftbpf_missing_typed);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
