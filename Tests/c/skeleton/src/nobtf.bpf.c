/* Compiled without -g: no .BTF, so subskeletons cannot be opened on it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter;

SEC("xdp")
int nobtf_prog(struct xdp_md *ctx)
{
	counter++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
