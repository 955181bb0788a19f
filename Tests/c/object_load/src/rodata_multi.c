/* Several read-only sections bound to every program, a .data map and a .bss map
 * only some programs use, and a string literal section. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile int ro_a = 1;
const volatile long ro_b SEC(".rodata.second") = 2;
const volatile char ro_c[4] SEC(".rodata.third") = "abc";
int data_x = 7;
long bss_y;

SEC("socket")
int s1(void *ctx)
{
	return ro_a + ro_b;
}

SEC("socket")
int s2(void *ctx)
{
	bss_y += data_x + ro_c[1];
	return 0;
}

SEC("socket")
int s3(void *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
