/* A struct_ops member pointing at a program that is not struct_ops. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct my_ops { int (*fn)(void *ctx); };

SEC("kprobe/x")
int not_st_ops(void *ctx) { return 0; }

SEC(".struct_ops")
struct my_ops ops = { .fn = (void *)not_st_ops };

char LICENSE[] SEC("license") = "GPL";
