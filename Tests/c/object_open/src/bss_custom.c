/* .bss.* sections and a data section libbpf does not recognise. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int zero_custom SEC(".bss.custom");
int plain_bss;

SEC("xdp")
int use_bss(struct xdp_md *ctx)
{
	zero_custom++;
	plain_bss++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
