#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, int);
	__type(value, long);
	__uint(max_entries, 8);
} shared_map SEC(".maps");
SEC("syscall")
int use_map(void *ctx) { int k = 0; return bpf_map_lookup_elem(&shared_map, &k) != 0; }
