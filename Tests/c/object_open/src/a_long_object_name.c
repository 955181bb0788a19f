/* A long object name: internal map names keep only part of it; string literals
 * land in .rodata.str1.1, which has no BTF DATASEC. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 1;
const volatile int limit = 10;
int zeroed;
extern int CONFIG_X __kconfig __weak;

SEC("tp/syscalls/sys_enter_write")
int printer(void *ctx)
{
	bpf_printk("counter %d limit %d cfg %d\n", counter, limit, CONFIG_X);
	zeroed++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
