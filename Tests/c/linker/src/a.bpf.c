// Linker test input A: calls into B, static helper named like B's, weak and
// extern symbols, global data in every kind of data section, a map B defines
// declared extern here, .kconfig/.ksym externs and CO-RE relocations.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

/* defined in b.bpf.c */
extern int add_b(int x);
extern int b_counter;
extern const int b_ro;
extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long);
	__uint(max_entries, 4);
} shared_map SEC(".maps");

extern int LINUX_KERNEL_VERSION __kconfig;
extern const void bpf_prog_active __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 8);
} hash_a SEC(".maps");

int a_data = 7;
const volatile int a_ro = 100;
int a_bss;
int a_custom SEC(".data.custom") = 3;
static int a_static_data = 11;

static __attribute__((noinline)) int helper(int x)
{
	return x * 2 + a_static_data;
}

__weak __attribute__((noinline)) int weak_fn(int x)
{
	return x + 1000;
}

__attribute__((noinline)) int add_a(int x)
{
	return x + a_data + a_custom;
}

SEC("xdp")
int xdp_a(struct xdp_md *ctx)
{
	int k = 0;
	long *v;

	a_bss++;
	v = bpf_map_lookup_elem(&shared_map, &k);
	if (v)
		*v += 1;
	/* helper(1) = 13, add_b(1) = 1 + 20 + 5 = 26, weak_fn(1) = 3 (B's strong), a_ro 100 */
	return (helper(1) + add_b(1) + weak_fn(1) + a_ro + b_ro - 200 == 42) ? XDP_PASS : XDP_DROP;
}

SEC("syscall")
int sys_a(void *ctx)
{
	struct task_struct *t = (void *)0;
	int r = 0;

	if (bpf_core_field_exists(t->pid))
		r += 1;
	if (bpf_core_type_exists(struct task_struct))
		r += 10;
	if (LINUX_KERNEL_VERSION > 0)
		r += 100;
	if (&bpf_prog_active)
		r += 1000;
	/* add_a(1) = 1 + 7 + 3 = 11; b_counter 20 */
	return r * 1000 + add_a(1) + b_counter;
}
