/* Sections matched by custom program handlers the dumper registers. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("custom/one")
int c_one(void *ctx) { return 1; }

SEC("custom")
int c_two(void *ctx) { return 2; }

SEC("customx")
int c_three(void *ctx) { return 3; }

char LICENSE[] SEC("license") = "GPL";
