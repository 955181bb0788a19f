/* CO-RE test: an anonymous struct reached through a typedef (no target: poison) and local_type_id. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
char LICENSE[] SEC("license") = "GPL";
volatile long out[16];
typedef struct { int a; int b; } __attribute__((preserve_access_index)) anon_t;
SEC("kprobe/x") int prog(void *ctx) { anon_t *p = (void *)(long)out[1]; out[0] = p->b; out[2] = bpf_core_type_id_local(anon_t); return 0; }
