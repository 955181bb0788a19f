/* SEC("?...") turns autoload off. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("?xdp")
int off_xdp(struct xdp_md *ctx) { return XDP_PASS; }

SEC("xdp")
int on_xdp(struct xdp_md *ctx) { return XDP_DROP; }

SEC("?tc")
int off_tc(struct __sk_buff *skb) { return 0; }

SEC("?kprobe/foo")
int off_kprobe(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
