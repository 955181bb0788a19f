/* struct_ops values the kernel type cannot take: a member the kernel's
 * tcp_congestion_ops does not have. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sock;

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	__u64 flags;
	char name[16];
};

SEC("struct_ops/bad_ssthresh")
__u32 bad_ssthresh(unsigned long long *ctx)
{
	return 2;
}

SEC(".struct_ops")
struct tcp_congestion_ops bad_cc = {
	.ssthresh = (void *)bad_ssthresh,
	.name = "sbpf_bad",
};

char LICENSE[] SEC("license") = "GPL";
