/* The attach suite's main object: one program per attach kind. Programs that
 * cannot load on a locked-down kernel (fentry/fexit/fmod_ret/lsm/freplace/
 * tp_btf) are "?" (autoload off) so that the object loads. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, C_NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} cnt SEC(".maps");

/* iter/bpf_map_elem walks this one */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} small SEC(".maps");

static __always_inline void add(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&cnt, &slot);
	if (p)
		__sync_fetch_and_add(p, v);
}

static __always_inline void set(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&cnt, &slot);
	if (p)
		*p = v;
}

static __always_inline int mine(void)
{
	__u32 k = CFG_TGID;
	__u64 *p = bpf_map_lookup_elem(&cnt, &k);
	return p && *p == (bpf_get_current_pid_tgid() >> 32);
}

SEC("tp/syscalls/sys_enter_getppid")
int tp_cookie(void *ctx)
{
	if (mine()) {
		add(C_TP, 1);
		set(C_TP_COOKIE, bpf_get_attach_cookie(ctx));
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp_long(void *ctx)
{
	if (mine())
		add(C_TPL, 1);
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int tp_alt(void *ctx)
{
	if (mine())
		add(C_ALT, 1);
	return 0;
}

/* raw_tp/sys_enter: args[1] is the syscall number */
SEC("raw_tp/sys_enter")
int raw_named(struct bpf_raw_tracepoint_args *ctx)
{
	if (mine() && ctx->args[1] == 110 /* __NR_getppid */)
		add(C_RAW, 1);
	return 0;
}

SEC("raw_tp")
int raw_notarget(struct bpf_raw_tracepoint_args *ctx)
{
	if (mine() && ctx->args[1] == 110)
		add(C_RAW2, 1);
	return 0;
}

SEC("tp")
int tp_notarget(void *ctx)
{
	return 0;
}

SEC("tracepoint")
int tpl_notarget(void *ctx)
{
	return 0;
}

SEC("raw_tracepoint/sys_enter")
int raw_long(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("uprobe")
int up(struct pt_regs *ctx)
{
	add(C_UP, 1);
	set(C_UP_ARG, PT_REGS_PARM1(ctx));
	set(C_UP_COOKIE, bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("uretprobe")
int uret(struct pt_regs *ctx)
{
	add(C_URET, 1);
	set(C_URET_RC, PT_REGS_RC(ctx));
	set(C_URET_COOKIE, bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("uprobe//proc/self/exe:attach_target_fn")
int up_auto(struct pt_regs *ctx)
{
	add(C_UPA, 1);
	return 0;
}

SEC("uretprobe//proc/self/exe:attach_target_fn")
int uret_auto(struct pt_regs *ctx)
{
	add(C_URETA, 1);
	return 0;
}

SEC("usdt")
int usdt_notarget(void *ctx)
{
	return 0;
}

SEC("perf_event")
int pe(struct bpf_perf_event_data *ctx)
{
	add(C_PE, 1);
	set(C_PE_COOKIE, bpf_get_attach_cookie(ctx));
	return 0;
}

SEC("tp/syscalls/sys_enter_getppid")
int pe_tp(void *ctx)
{
	if (mine()) {
		add(C_PETP, 1);
		set(C_PETP_COOKIE, bpf_get_attach_cookie(ctx));
	}
	return 0;
}

SEC("cgroup/sock_create")
int cg_sock(struct bpf_sock *sk)
{
	add(C_CG, 1);
	return 1;
}

SEC("cgroup/sock_create")
int cg_sock2(struct bpf_sock *sk)
{
	add(C_CG2, 1);
	return 1;
}

SEC("cgroup_skb/ingress")
int cg_skb(struct __sk_buff *skb)
{
	return 1;
}

SEC("sk_lookup")
int skl(struct bpf_sk_lookup *ctx)
{
	add(C_SKL, 1);
	return SK_PASS;
}

SEC("sk_lookup")
int skl2(struct bpf_sk_lookup *ctx)
{
	add(C_SKL2, 1);
	return SK_PASS;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(0x88b5))
		add(C_XDP, 1);
	return XDP_PASS;
}

SEC("xdp")
int xdp_count2(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) <= end && eth->h_proto == bpf_htons(0x88b5))
		add(C_XDP2, 1);
	return XDP_PASS;
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	return 0;
}

SEC("iter/task")
int it_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	__u32 k = CFG_TGID;
	__u64 *want = bpf_map_lookup_elem(&cnt, &k);
	if (!t || !want)
		return 0;
	if (t->tgid == *want)
		BPF_SEQ_PRINTF(ctx->meta->seq, "task-of-probe tgid==pid %d\n", t->pid == t->tgid);
	return 0;
}

SEC("iter/bpf_map_elem")
int it_elem(struct bpf_iter__bpf_map_elem *ctx)
{
	__u32 *key = ctx->key, *val = ctx->value;
	if (!key || !val)
		return 0;
	BPF_SEQ_PRINTF(ctx->meta->seq, "key %u value %u\n", *key, *val);
	return 0;
}

SEC("kprobe/__x64_sys_getppid")
int kp(struct pt_regs *ctx)
{
	return 0;
}

SEC("kretprobe/__x64_sys_getppid")
int krp(struct pt_regs *ctx)
{
	return 0;
}

SEC("ksyscall/getppid")
int ksys(struct pt_regs *ctx)
{
	return 0;
}

SEC("kretsyscall/getppid")
int kretsys(struct pt_regs *ctx)
{
	return 0;
}

SEC("kprobe.multi/__x64_sys_getpp*")
int kpm(struct pt_regs *ctx)
{
	return 0;
}

SEC("kretprobe.multi/__x64_sys_getppid")
int krpm(struct pt_regs *ctx)
{
	return 0;
}

SEC("kprobe")
int kp_notarget(struct pt_regs *ctx)
{
	return 0;
}

SEC("?fentry/bpf_fentry_test1")
int BPF_PROG(fent, int a)
{
	return 0;
}

SEC("?fexit/bpf_fentry_test1")
int BPF_PROG(fext, int a, int ret)
{
	return 0;
}

SEC("?fmod_ret/bpf_fentry_test1")
int BPF_PROG(fmodret, int a, int ret)
{
	return 0;
}

SEC("?lsm/file_open")
int BPF_PROG(lsm_open, struct file *file)
{
	return 0;
}

SEC("?tp_btf/sys_enter")
int BPF_PROG(tpbtf, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("?freplace/some_func")
int frep(void *ctx)
{
	return 0;
}

SEC("?iter/bpf_map")
int it_map(struct bpf_iter__bpf_map *ctx)
{
	return 0;
}

/* odd section specs: what bpf_program__attach makes of them */
SEC("tp/syscalls")
int tp_badspec(void *ctx)
{
	return 0;
}

SEC("raw_tp/")
int raw_empty(void *ctx)
{
	return 0;
}

SEC("uprobe/no_colon_here")
int up_badspec(void *ctx)
{
	return 0;
}

SEC("uprobe//proc/self/exe:attach_target_fn+0")
int up_plus0(void *ctx)
{
	return 0;
}

SEC("uprobe/libc.so.6:getpid")
int up_libc(void *ctx)
{
	return 0;
}

SEC("uretprobe//proc/self/exe:no_such_fn_xyz")
int uret_missing(void *ctx)
{
	return 0;
}

SEC("uprobe.s//proc/self/exe:attach_target_fn")
int up_sleepable(void *ctx)
{
	return 0;
}

SEC("kprobe/__x64_sys_getppid+16")
int kp_off(void *ctx)
{
	return 0;
}

SEC("kretprobe/__x64_sys_getppid+16")
int krp_off(void *ctx)
{
	return 0;
}

SEC("ksyscall")
int ksys_notarget(void *ctx)
{
	return 0;
}

SEC("kprobe.multi")
int kpm_notarget(void *ctx)
{
	return 0;
}

SEC("custom/one")
int cust_one(void *ctx)
{
	if (mine())
		add(C_CUSTOM, 1);
	return 0;
}

SEC("custom/two")
int cust_two(void *ctx)
{
	return 0;
}

SEC("custom/three")
int cust_three(void *ctx)
{
	return 0;
}

SEC("custom/four")
int cust_four(void *ctx)
{
	return 0;
}

SEC("custom_noattach")
int cust_noattach(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
