/* A skeleton whose programs auto-attach to USDT probes (PROBE_PATH, LIB_PATH
 * from run.sh). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "common.h"
#include "records.h"

SEC("usdt/" PROBE_PATH ":test:args")
int BPF_USDT(skel_args, long a, long b, long c)
{
	struct rec *r = new_rec(ctx, 5);

	if (!r)
		return 0;
	r->args[0] = a;
	r->args[1] = b;
	r->args[2] = c;
	return 0;
}

SEC("usdt/" LIB_PATH ":libusdt:sema")
int BPF_USDT(skel_libsema, int a)
{
	struct rec *r = new_rec(ctx, 6);

	if (!r)
		return 0;
	r->args[0] = a;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
