/* A variable in a section libbpf skips: the relocation against it fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int odd SEC(".mydata") = 3;

SEC("xdp")
int p(struct xdp_md *ctx) { return odd; }

char LICENSE[] SEC("license") = "GPL";
