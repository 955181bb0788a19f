/* .kconfig externs of every kind, all resolvable on a stock kernel: bool,
 * tristate, char, ints of 1/2/4/8 bytes (decimal, hex), char arrays (fitting
 * and truncated), the virtual LINUX_* externs, weak ones missing from the
 * config (zero), a weak unknown LINUX_ one. */
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern int LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern int LINUX_SWIFTBPF_UNKNOWN __kconfig __weak;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern enum libbpf_tristate CONFIG_SWIFTBPF_TRI_MISSING __kconfig __weak;
extern char CONFIG_BPF_EVENTS __kconfig;
extern int CONFIG_HZ __kconfig;
extern unsigned short CONFIG_NR_CPUS __kconfig;
extern unsigned long CONFIG_ILLEGAL_POINTER_VALUE __kconfig __weak;
extern unsigned long long CONFIG_PHYSICAL_START __kconfig __weak;
extern unsigned char CONFIG_SWIFTBPF_U8_MISSING __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig;
extern char CONFIG_LOCALVERSION[4] __kconfig;
extern bool CONFIG_SWIFTBPF_BOOL_MISSING __kconfig __weak;
extern bool CONFIG_KALLSYMS_ALL __kconfig __weak;

__u64 out[20];

SEC("socket")
int kc(void *ctx)
{
	out[0] = LINUX_KERNEL_VERSION;
	out[1] = LINUX_HAS_BPF_COOKIE;
	out[2] = LINUX_HAS_SYSCALL_WRAPPER;
	out[3] = LINUX_SWIFTBPF_UNKNOWN;
	out[4] = CONFIG_BPF_SYSCALL;
	out[5] = CONFIG_BPF_JIT;
	out[6] = CONFIG_SWIFTBPF_TRI_MISSING;
	out[7] = CONFIG_BPF_EVENTS;
	out[8] = CONFIG_HZ;
	out[9] = CONFIG_NR_CPUS;
	out[10] = CONFIG_ILLEGAL_POINTER_VALUE;
	out[11] = CONFIG_PHYSICAL_START;
	out[12] = CONFIG_SWIFTBPF_U8_MISSING;
	out[13] = CONFIG_DEFAULT_HOSTNAME[0];
	out[14] = CONFIG_LOCALVERSION[1];
	out[15] = CONFIG_SWIFTBPF_BOOL_MISSING;
	out[16] = CONFIG_KALLSYMS_ALL;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
