/* .ksyms externs: typeless, typed, weak, and kernel functions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rq { int cpu; };

extern const void bpf_prog_active __ksym;
extern const void maybe_missing __ksym __weak;
extern const struct rq runqueues __ksym;
extern const int weak_typed __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
extern int bpf_maybe_kfunc(int a, int b) __ksym __weak;
extern int bpf_noname_kfunc(int, long) __ksym;

__u64 out[4];

SEC("fentry/do_nanosleep")
int ks(void *ctx)
{
	out[0] = (__u64)&bpf_prog_active;
	out[1] = (__u64)&maybe_missing;
	out[2] = ((struct rq *)bpf_this_cpu_ptr(&runqueues))->cpu;
	out[3] = (__u64)&weak_typed;
	bpf_rcu_read_lock();
	if (bpf_maybe_kfunc)
		out[3] += bpf_maybe_kfunc(1, 2);
	out[2] += bpf_noname_kfunc(3, 4);
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
