/* An int extern whose config value is a string. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern long CONFIG_DEFAULT_HOSTNAME __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_DEFAULT_HOSTNAME;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
