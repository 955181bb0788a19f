/* Only virtual LINUX_* externs: no Kconfig file is read at all. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned long long LINUX_KERNEL_VERSION __kconfig;
extern char LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;

__u64 out[3];

SEC("socket")
int kc(void *ctx)
{
	out[0] = LINUX_KERNEL_VERSION;
	out[1] = LINUX_HAS_BPF_COOKIE;
	out[2] = LINUX_HAS_SYSCALL_WRAPPER;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
