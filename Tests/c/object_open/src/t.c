/* The basic case: one XDP program, a hash map, .data/.rodata/.bss. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, long);
	__uint(max_entries, 16);
} counts SEC(".maps");

int data_var = 42;
const volatile int ro_var = 7;
int bss_var;

SEC("xdp")
int prog_xdp(struct xdp_md *ctx)
{
	int key = 1;
	long *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		*v += data_var + ro_var;
	bss_var++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
