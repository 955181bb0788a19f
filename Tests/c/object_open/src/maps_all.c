/* Every BTF map attribute. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct val { int a; char b[12]; };
typedef struct val val_t;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, val_t);
	__uint(max_entries, 100);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(numa_node, 1);
} by_type SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 24);
	__uint(max_entries, 3);
} by_size SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, sizeof(__u64));
	__type(key, __u64);
	__type(value, int);
	__uint(value_size, 4);
	__uint(max_entries, 5);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, int);
	__type(value, int);
	__uint(max_entries, 7);
	__uint(pinning, LIBBPF_PIN_NONE);
} not_pinned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__type(value, __u32);
	__uint(max_entries, 64);
	__uint(map_extra, 3);
} bloom SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 5000);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} rb_exact SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64[4]);
	__uint(max_entries, 1);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, __u64);
	__type(value, __u32);
	__uint(max_entries, 16);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, long);
} sk_stg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 10);
} queue SEC(".maps");

SEC("xdp")
int use_maps(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 k64 = 0;
	int ik = 0;
	bpf_map_lookup_elem(&by_type, &k);
	bpf_map_lookup_elem(&by_size, &k);
	bpf_map_lookup_elem(&pinned_map, &k64);
	bpf_map_lookup_elem(&not_pinned, &ik);
	bpf_map_peek_elem(&bloom, &k);
	bpf_ringbuf_output(&rb, &k, 4, 0);
	bpf_ringbuf_output(&rb_exact, &k, 4, 0);
	bpf_perf_event_output(ctx, &perf, 0, &k, 4);
	bpf_map_lookup_elem(&percpu, &k);
	bpf_map_lookup_elem(&lpm, &k64);
	bpf_map_peek_elem(&queue, &k);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
