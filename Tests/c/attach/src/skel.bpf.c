/* Skeleton object for bpf_object__attach_skeleton: programs in this order mix
 * auto-attachable sections, sections without auto-attach, an autoload-off one,
 * one the probe sets autoattach off, one whose link slot the probe fills
 * itself, a kprobe (fails on a kernel without kprobes) and a tracepoint after
 * it. Counters in .bss, read through the skeleton's bss pointer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u32 target_tgid;
__u64 hits_tp, hits_raw, hits_noattach, hits_pre, hits_tp2, hits_noload, pre_cookie;

static __always_inline int mine(void)
{
	return target_tgid == (bpf_get_current_pid_tgid() >> 32);
}

SEC("tp/syscalls/sys_enter_getppid")
int sk_tp(void *ctx)
{
	if (mine())
		hits_tp++;
	return 0;
}

SEC("raw_tp/sys_enter")
int sk_raw(struct bpf_raw_tracepoint_args *ctx)
{
	if (mine() && ctx->args[1] == 110)
		hits_raw++;
	return 0;
}

SEC("xdp")
int sk_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("cgroup_skb/ingress")
int sk_cgskb(struct __sk_buff *skb)
{
	return 1;
}

SEC("?tp/syscalls/sys_enter_getppid")
int sk_noload(void *ctx)
{
	if (mine())
		hits_noload++;
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int sk_noattach(void *ctx)
{
	if (mine())
		hits_noattach++;
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int sk_pre(void *ctx)
{
	if (mine()) {
		hits_pre++;
		pre_cookie = bpf_get_attach_cookie(ctx);
	}
	return 0;
}

SEC("uprobe")
int sk_up(void *ctx)
{
	return 0;
}

SEC("kprobe/__x64_sys_getppid")
int sk_kp(void *ctx)
{
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int sk_tp2(void *ctx)
{
	if (mine())
		hits_tp2++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
