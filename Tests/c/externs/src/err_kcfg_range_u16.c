/* A hex number that does not fit in 2 bytes. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned short CONFIG_PHYSICAL_START __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_PHYSICAL_START;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
