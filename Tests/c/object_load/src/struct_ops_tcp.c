/* A struct_ops map of a kernel type (tcp_congestion_ops): its value laid out as
 * the kernel's bpf_struct_ops_tcp_congestion_ops, programs attached to the
 * kernel's members by index. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sock;

struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	__u32 flags;
	char name[16];
};

SEC("struct_ops/sbpf_ssthresh")
__u32 sbpf_ssthresh(unsigned long long *ctx)
{
	return 2;
}

SEC("struct_ops/sbpf_cong_avoid")
void sbpf_cong_avoid(unsigned long long *ctx)
{
}

SEC("struct_ops/sbpf_undo_cwnd")
__u32 sbpf_undo_cwnd(unsigned long long *ctx)
{
	return 10;
}

SEC(".struct_ops")
struct tcp_congestion_ops sbpf_cc = {
	.ssthresh = (void *)sbpf_ssthresh,
	.cong_avoid = (void *)sbpf_cong_avoid,
	.undo_cwnd = (void *)sbpf_undo_cwnd,
	.name = "sbpf_cc",
};

char LICENSE[] SEC("license") = "GPL";
