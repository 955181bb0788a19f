// Linker test input C: only weak definitions and a second strong-less
// extern user, linked after A and B.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int add_b(int x);

/* first in .text: calls to it go through the section symbol */
static __attribute__((noinline)) int c_helper(int x)
{
	return x * 3;
}

__weak int weak_only(void) { return 5; }
__weak int weak_fn(int x) { return x + 77; }

extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long);
	__uint(max_entries, 4);
} shared_map SEC(".maps");

__weak int c_weak_var = 30;

SEC("syscall")
int sys_c(void *ctx)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&shared_map, &k);

	return add_b(weak_only()) + c_weak_var + (v ? 1 : 0) + c_helper(2);
}
