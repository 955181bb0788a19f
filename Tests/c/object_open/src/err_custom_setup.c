/* A custom handler whose setup callback fails. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("failsetup/x")
int f(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
