// SPDX-License-Identifier: GPL-2.0
/* BPF side of the buffers test: writes records into two ring buffers and a
 * perf event array, and drains a user ring buffer. Everything is driven by
 * bpf_prog_test_run_opts (XDP and SEC("syscall") programs), parameters come
 * from the "ctl" array, results go to the "res" array.
 *
 * Record payload (hand-computable by the probe): for record number seq,
 * length = ctl.size ? ctl.size : 5 + (seq * 3) % 40 (<= 44), byte 0..3 = seq
 * (little endian u32), byte k >= 4 = (seq * 7 + k + ctl.salt) & 0xff.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct ctl {
	__u32 mode;	/* 0 output, 1 reserve/submit (16 bytes), 2 reserve + discard odd seq */
	__u32 count;	/* records to write */
	__u32 size;	/* 0: variable sizes */
	__u32 salt;
	__u32 first;	/* first seq number */
	__u32 target;	/* 0: rb1, 1: rb2 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ctl);
} ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} res SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} rb2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, 4096);
} urb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pe SEC(".maps");

static __always_inline void fill(__u8 *buf, __u32 seq, __u32 salt)
{
	*(__u32 *)buf = seq;
	for (int k = 4; k < 48; k++)
		buf[k] = (__u8)(seq * 7 + k + salt);
}

static __always_inline __u32 rec_len(struct ctl *c, __u32 seq)
{
	__u32 len = c->size ? c->size : 5 + (seq * 3) % 40;
	return len > 48 ? 48 : len;
}

static __always_inline void add_res(__u32 idx, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&res, &idx);
	if (p)
		__sync_fetch_and_add(p, v);
}

struct loop_ctx {
	struct ctl *c;
	void *xdp;
};

static long rb_one(__u32 i, void *data)
{
	struct loop_ctx *lc = data;
	struct ctl *c = lc->c;
	__u8 buf[48];
	__u32 seq, len;

	if (i >= c->count)
		return 1;
	seq = c->first + i;
	fill(buf, seq, c->salt);
	len = rec_len(c, seq);
	if (c->mode == 0) {
		void *map = c->target ? (void *)&rb2 : (void *)&rb1;

		if (len > 48)
			len = 48;
		if (bpf_ringbuf_output(map, buf, len, 0))
			add_res(0, 1);
	} else {
		__u8 *r = c->target ? bpf_ringbuf_reserve(&rb2, 16, 0) : bpf_ringbuf_reserve(&rb1, 16, 0);

		if (!r) {
			add_res(0, 1);
			return 0;
		}
		__builtin_memcpy(r, buf, 16);
		if (c->mode == 2 && (seq & 1))
			bpf_ringbuf_discard(r, 0);
		else
			bpf_ringbuf_submit(r, 0);
	}
	return 0;
}

static long pe_one(__u32 i, void *data)
{
	struct loop_ctx *lc = data;
	struct ctl *c = lc->c;
	__u8 buf[48];
	__u32 seq, len;

	if (i >= c->count)
		return 1;
	seq = c->first + i;
	fill(buf, seq, c->salt);
	len = rec_len(c, seq);
	if (len > 48)
		len = 48;
	if (bpf_perf_event_output(lc->xdp, &pe, BPF_F_CURRENT_CPU, buf, len))
		add_res(0, 1);
	return 0;
}

SEC("xdp")
int write_rb(struct xdp_md *xdp)
{
	__u32 zero = 0;
	struct loop_ctx lc = { .xdp = xdp };

	lc.c = bpf_map_lookup_elem(&ctl, &zero);
	if (!lc.c)
		return XDP_ABORTED;
	bpf_loop(256, rb_one, &lc, 0);
	return XDP_PASS;
}

SEC("xdp")
int write_pe(struct xdp_md *xdp)
{
	__u32 zero = 0;
	struct loop_ctx lc = { .xdp = xdp };

	lc.c = bpf_map_lookup_elem(&ctl, &zero);
	if (!lc.c)
		return XDP_ABORTED;
	bpf_loop(256, pe_one, &lc, 0);
	return XDP_PASS;
}

static long drain_cb(struct bpf_dynptr *dynptr, void *ctx)
{
	__u64 v = 0;

	if (bpf_dynptr_read(&v, sizeof(v), dynptr, 0, 0))
		add_res(3, 1);
	add_res(2, v);
	return 0;
}

SEC("syscall")
int drain_urb(void *ctx)
{
	long n = bpf_user_ringbuf_drain(&urb, drain_cb, NULL, 0);

	add_res(1, (__u64)n);
	return 0;
}
