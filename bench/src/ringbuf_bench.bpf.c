// SPDX-License-Identifier: GPL-2.0
/* bench/ringbuf.sh: an XDP program that writes `count` 16-byte records per run
 * into a ring buffer (mode 0) or a perf event array on the current CPU (mode 1). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pe SEC(".maps");

__u32 mode = 0, count = 0;
__u64 seq = 0;

struct loop_ctx {
	void *xdp;
};

static long one(__u32 i, void *data)
{
	struct loop_ctx *lc = data;
	__u64 rec[2] = { seq++, i };

	if (mode == 0)
		bpf_ringbuf_output(&rb, rec, sizeof(rec), BPF_RB_NO_WAKEUP);
	else
		bpf_perf_event_output(lc->xdp, &pe, BPF_F_CURRENT_CPU, rec, sizeof(rec));
	return 0;
}

SEC("xdp")
int fill(struct xdp_md *xdp)
{
	struct loop_ctx lc = { .xdp = xdp };

	bpf_loop(count, one, &lc, 0);
	return XDP_PASS;
}
