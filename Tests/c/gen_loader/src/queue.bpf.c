// A map kernels refuse BTF for (queue), a .rodata-only object, a hash map
// with an explicit max_entries and map flags.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} q SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, __u32);
} h SEC(".maps");

const volatile __u32 magic = 0x1234;

SEC("syscall")
int push_magic(void *ctx)
{
	__u32 v = magic;
	bpf_map_push_elem(&q, &v, 0);
	return magic + 1;   /* 0x1235 = 4661 */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
