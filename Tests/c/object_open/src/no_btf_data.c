/* cflags: -g0 */
/* Without BTF but also without anything that needs it: global data still works. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int g = 5;
const volatile int r = 6;

SEC("xdp")
int p(struct xdp_md *ctx) { return g + r; }

char LICENSE[] SEC("license") = "GPL";
