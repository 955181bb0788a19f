/* CO-RE test: bad_fields.btf: a bitfield no 64-bit load can read (load fails). */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#define bpf_core_field_signed(f...) __builtin_preserve_field_info(___bpf_field_ref(f), BPF_FIELD_SIGNED)
char LICENSE[] SEC("license") = "GPL";
volatile long out[16];
struct straddle { unsigned long long s: 8; } __attribute__((preserve_access_index));
SEC("kprobe/x") int prog(void *ctx) { struct straddle *p = (void *)(long)out[1]; out[0] = BPF_CORE_READ_BITFIELD_PROBED(p, s); return 0; }
