/* A .kconfig extern with neither prefix, even weak, is refused. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern int SWIFTBPF_NO_PREFIX __kconfig __weak;

__u64 out[4];

SEC("socket")
int kc(void *ctx)
{
	out[0] = SWIFTBPF_NO_PREFIX;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
