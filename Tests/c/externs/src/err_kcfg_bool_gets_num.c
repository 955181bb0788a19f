/* A bool extern whose config value is a number. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern bool CONFIG_HZ __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_HZ;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
