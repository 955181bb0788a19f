/* The library half of the linked object (see linked.link). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int shared_counter = 5;
const volatile int shared_limit = 100;
static int lib_static = 3;
int lib_bss;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 8);
} lib_map SEC(".maps");

__attribute__((noinline)) int lib_func(int x)
{
	int *v = bpf_map_lookup_elem(&lib_map, &x);
	lib_bss++;
	return (v ? *v : 0) + lib_static;
}

__attribute__((noinline)) __weak int weak_func(int x)
{
	return x * 2;
}

SEC("tc")
int lib_tc(struct __sk_buff *skb)
{
	return lib_func(skb->len);
}
