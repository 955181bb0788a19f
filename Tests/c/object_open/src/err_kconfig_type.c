/* A .kconfig extern of an unsupported type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct cfg { int a, b; };
extern struct cfg CONFIG_STRUCT __kconfig;

SEC("xdp")
int p(struct xdp_md *ctx) { return CONFIG_STRUCT.a; }

char LICENSE[] SEC("license") = "GPL";
