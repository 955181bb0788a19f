/* An extern function outside .ksyms: no DATASEC for it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int mystery_func(int x);

SEC("xdp")
int p(struct xdp_md *ctx) { return mystery_func(1); }

char LICENSE[] SEC("license") = "GPL";
