/* Callbacks: bpf_loop and bpf_for_each_map_elem take static and global functions. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} arr SEC(".maps");

long total;

static int loop_cb(__u32 index, void *ctx)
{
	total += index;
	return 0;
}

static __u64 elem_cb(struct bpf_map *map, __u32 *key, __u64 *val, void *ctx)
{
	total += *val;
	return 0;
}

SEC("tp/syscalls/sys_enter_getpid")
int looper(void *ctx)
{
	bpf_loop(10, loop_cb, NULL, 0);
	bpf_for_each_map_elem(&arr, elem_cb, NULL, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int looper2(void *ctx)
{
	bpf_loop(3, loop_cb, NULL, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
