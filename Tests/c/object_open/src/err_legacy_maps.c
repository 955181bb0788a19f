/* A legacy 'maps' section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def_legacy { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def_legacy legacy SEC("maps") = { BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0 };

SEC("xdp")
int p(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
