/* .kconfig and .ksyms externs together. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };
struct task_struct;

extern int CONFIG_HZ __kconfig;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern const void bpf_jit_compile __ksym;
extern const int bpf_prog_active __ksym;
extern const void swiftbpf_missing_sym __ksym __weak;

__u64 out[8];

SEC("kprobe/do_nanosleep")
int ks(void *ctx)
{
	out[0] = CONFIG_HZ + LINUX_KERNEL_VERSION;
	out[1] = (__u64)&bpf_jit_compile;
	out[2] = *(int *)bpf_this_cpu_ptr(&bpf_prog_active);
	out[3] = (__u64)&swiftbpf_missing_sym;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
