/* A virtual extern of char array type. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern char LINUX_HAS_BPF_COOKIE[4] __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = LINUX_HAS_BPF_COOKIE[0];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
