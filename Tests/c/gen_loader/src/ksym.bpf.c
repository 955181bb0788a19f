// A typed ksym (a per-CPU kernel variable) and a kfunc.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_prog_active __ksym;
extern void *bpf_cast_to_kern_ctx(void *) __ksym;

SEC("syscall")
int use_ksym(void *ctx)
{
	int *p = bpf_this_cpu_ptr(&bpf_prog_active);
	return *p >= 0 ? 5 : 6;
}

char LICENSE[] SEC("license") = "GPL";
