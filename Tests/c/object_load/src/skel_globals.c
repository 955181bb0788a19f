/* Global data for the skeleton test: writable .data/.bss, read-only .rodata
 * (the loader's value), a custom .data section and a map that is not mmapable. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 4);
} plain SEC(".maps");

int counter = 5;
long total;
const volatile int threshold = 10;
int custom_value SEC(".data.custom") = 77;

SEC("socket")
int skel_prog(void *ctx)
{
	int k = 0, *v = bpf_map_lookup_elem(&plain, &k);

	if (counter > threshold)
		total += counter + custom_value;
	return v ? *v : 0;
}

char LICENSE[] SEC("license") = "GPL";
