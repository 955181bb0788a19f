/* A char array extern whose config value is a number. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern char CONFIG_HZ[8] __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_HZ[0];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
