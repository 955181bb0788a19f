/* BTF the kernel refuses: run.sh renames the struct below to "sbpf-reject-me"
 * in the compiled object (a name the kernel's BTF checks reject, libbpf's do
 * not). Loading goes on without BTF: maps without BTF ids, programs without
 * func/line info. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sbpf_reject_me {
	int a;
	long b;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, int);
	__type(value, struct sbpf_reject_me);
	__uint(max_entries, 4);
} rejected SEC(".maps");

int seen;

SEC("xdp")
int reject(struct xdp_md *ctx)
{
	int k = 0;
	struct sbpf_reject_me *v = bpf_map_lookup_elem(&rejected, &k);

	if (v)
		seen += v->a;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
