/* The record map and a helper (included by every recording object). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NREC);
	__type(key, __u32);
	__type(value, struct rec);
} recs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} nrec SEC(".maps");

static __always_inline struct rec *new_rec(struct pt_regs *ctx, __u32 prog)
{
	__u32 zero = 0, k;
	__u32 *n = bpf_map_lookup_elem(&nrec, &zero);
	struct rec *r;

	if (!n)
		return 0;
	k = __sync_fetch_and_add(n, 1);
	if (k >= NREC)
		return 0;
	r = bpf_map_lookup_elem(&recs, &k);
	if (!r)
		return 0;
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->prog = prog;
	r->cnt = bpf_usdt_arg_cnt(ctx);
	r->cookie = bpf_usdt_cookie(ctx);
	return r;
}
