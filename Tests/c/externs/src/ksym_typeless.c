/* Typeless ksyms from /proc/kallsyms, one weak and missing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern const void bpf_jit_compile __ksym;
extern const void _stext __ksym;
extern const void swiftbpf_missing_sym __ksym __weak;

__u64 out[8];

SEC("socket")
int ks(void *ctx)
{
	out[0] = (__u64)&bpf_jit_compile;
	out[1] = (__u64)&_stext;
	out[2] = (__u64)&swiftbpf_missing_sym;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
