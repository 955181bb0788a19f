/* Room for 4 USDT specs only: spec id exhaustion (E2BIG) and reuse. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#define BPF_USDT_MAX_SPEC_CNT 4
#include <bpf/usdt.bpf.h>

SEC("usdt")
int small(struct pt_regs *ctx)
{
	return bpf_usdt_arg_cnt(ctx) > 100;
}

char LICENSE[] SEC("license") = "GPL";
