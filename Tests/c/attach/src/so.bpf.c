/* A minimal TCP congestion control in a struct_ops map, for
 * bpf_map__attach_struct_ops. Registered as "sbpf_attach_cc". */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

__u64 so_calls;

SEC("struct_ops/sbpf_ssthresh")
__u32 BPF_PROG(sbpf_ssthresh, struct sock *sk)
{
	so_calls++;
	return 2;
}

SEC("struct_ops/sbpf_cong_avoid")
void BPF_PROG(sbpf_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	so_calls++;
}

SEC("struct_ops/sbpf_undo_cwnd")
__u32 BPF_PROG(sbpf_undo_cwnd, struct sock *sk)
{
	so_calls++;
	return 10;
}

SEC(".struct_ops")
struct tcp_congestion_ops sbpf_cc = {
	.ssthresh = (void *)sbpf_ssthresh,
	.cong_avoid = (void *)sbpf_cong_avoid,
	.undo_cwnd = (void *)sbpf_undo_cwnd,
	.name = "sbpf_attach_cc",
};

char LICENSE[] SEC("license") = "GPL";
