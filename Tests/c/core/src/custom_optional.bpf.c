/* CO-RE test: a SEC("?...") program (autoload off: its relocations are skipped). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#define bpf_core_field_signed(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_SIGNED)
char LICENSE[] SEC("license") = "GPL";
volatile long out[16];
struct foo { int a; long b; } __attribute__((preserve_access_index));
SEC("?kprobe/x") int maybe(void *ctx) { struct foo *p = (void *)(long)out[1]; out[0] = p->a; return 0; }
SEC("kprobe/y") int always(void *ctx) { struct foo *p = (void *)(long)out[1]; out[0] = p->b; return 0; }
