/* A strong LINUX_ extern libbpf does not know. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern int LINUX_SWIFTBPF_UNKNOWN __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = LINUX_SWIFTBPF_UNKNOWN;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
