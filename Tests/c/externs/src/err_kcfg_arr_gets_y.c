/* A char array extern whose config value is 'y'. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern char CONFIG_BPF_SYSCALL[4] __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_BPF_SYSCALL[0];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
