/* A strong CONFIG_ extern the config lacks: load fails. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_SWIFTBPF_MISSING __kconfig;
extern int CONFIG_HZ __kconfig;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_SWIFTBPF_MISSING + CONFIG_HZ;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
