/* A virtual extern of tristate type. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern enum libbpf_tristate LINUX_HAS_SYSCALL_WRAPPER __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = LINUX_HAS_SYSCALL_WRAPPER;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
