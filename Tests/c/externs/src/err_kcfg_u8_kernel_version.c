/* LINUX_KERNEL_VERSION into one byte: doesn't fit. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned char LINUX_KERNEL_VERSION __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = LINUX_KERNEL_VERSION;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
