/* A static function in a program section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((used)) SEC("xdp") int lonely(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
