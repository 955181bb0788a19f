/* CO-RE test: a signedness relocation on an array element (load fails). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#define bpf_core_field_signed(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_SIGNED)
char LICENSE[] SEC("license") = "GPL";
volatile long out[16];
struct node { int grid[3][4]; } __attribute__((preserve_access_index));
SEC("kprobe/x") int prog(void *ctx) { struct node *n = (void *)(long)out[1]; out[0] = bpf_core_field_signed(n->grid[1][1]); return 0; }
