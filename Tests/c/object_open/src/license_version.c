/* license and version sections. */
#include <linux/bpf.h>
#include <linux/version.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/sys_write")
int kp(void *ctx) { return 0; }

char _license[] SEC("license") = "Proprietary and a rather long license string beyond sixty-four characters";
__u32 _version SEC("version") = 0x050a00;
