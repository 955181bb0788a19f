/* CO-RE test: ambig_offset.btf: candidates disagree on the field offset (load fails). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#define bpf_core_field_signed(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_SIGNED)
char LICENSE[] SEC("license") = "GPL";
volatile long out[16];
struct amb { int a; } __attribute__((preserve_access_index));
SEC("kprobe/x") int prog(void *ctx) { struct amb *p = (void *)(long)out[1]; out[0] = BPF_CORE_READ(p, a); return 0; }
