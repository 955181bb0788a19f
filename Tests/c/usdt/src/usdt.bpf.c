/* The usdt suite's main object: a generic recorder (every argument through
 * bpf_usdt_arg), a BPF_USDT program with typed arguments, and programs whose
 * SEC("usdt/<path>:<provider>:<name>") names their target (PROBE_PATH and
 * LIB_PATH come from run.sh). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "common.h"
#include "records.h"

SEC("usdt")
int rec_any(struct pt_regs *ctx)
{
	struct rec *r = new_rec(ctx, 1);
	int i;

	if (!r)
		return 0;
	for (i = 0; i < 12; i++) {
		long v;
		r->rets[i] = bpf_usdt_arg(ctx, i, &v);
		r->args[i] = v;
	}
	return 0;
}

SEC("usdt")
int BPF_USDT(rec_typed, long x, int y)
{
	struct rec *r = new_rec(ctx, 2);

	if (!r)
		return 0;
	r->args[0] = x;
	r->args[1] = y;
	return 0;
}

SEC("usdt/" PROBE_PATH ":test:multi")
int BPF_USDT(rec_auto, long x, int y)
{
	struct rec *r = new_rec(ctx, 3);

	if (!r)
		return 0;
	r->args[0] = x;
	r->args[1] = y;
	return 0;
}

SEC("usdt/" LIB_PATH ":libusdt:add")
int BPF_USDT(rec_autolib, int a, long b)
{
	struct rec *r = new_rec(ctx, 4);

	if (!r)
		return 0;
	r->args[0] = a;
	r->args[1] = b;
	return 0;
}

SEC("usdt/" PROBE_PATH ":test:nosuchprobe")
int rec_missing(struct pt_regs *ctx)
{
	return 0;
}

SEC("usdt/" PROBE_PATH ":test")
int rec_badsec(struct pt_regs *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
