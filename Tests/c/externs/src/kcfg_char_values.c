/* char externs take y/n/m as characters and numbers as bytes. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern char CONFIG_BPF_SYSCALL __kconfig;
extern unsigned char CONFIG_HZ __kconfig;
extern char CONFIG_SWIFTBPF_M __kconfig __weak;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = CONFIG_BPF_SYSCALL + CONFIG_HZ + CONFIG_SWIFTBPF_M;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
