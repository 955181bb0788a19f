/* .kconfig externs of every supported kind, strong and weak. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int LINUX_HAS_BPF_COOKIE __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig __weak;
extern char CONFIG_LOCALVERSION[8] __kconfig __weak;
extern unsigned long CONFIG_HZ __kconfig;
extern unsigned char CONFIG_NR_CPUS_SMALL __kconfig __weak;
extern short CONFIG_SHORT_ONE __kconfig __weak;

__u64 out[8];

SEC("tracepoint/syscalls/sys_enter_read")
int kc(void *ctx)
{
	out[0] = LINUX_KERNEL_VERSION;
	out[1] = LINUX_HAS_BPF_COOKIE;
	out[2] = CONFIG_BPF_SYSCALL;
	out[3] = CONFIG_BPF_JIT;
	out[4] = CONFIG_LOCALVERSION[0];
	out[5] = CONFIG_HZ;
	out[6] = CONFIG_NR_CPUS_SMALL + CONFIG_SHORT_ONE;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
