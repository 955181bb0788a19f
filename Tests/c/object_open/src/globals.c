/* Every kind of global data section, hidden and static variables. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int d1 = 1;
long d2 = 2;
static int d_static = 3;
__hidden int d_hidden = 4;
const volatile char ro_str[16] = "hello";
const volatile __u64 ro_num = 0x1122334455667788ULL;
static const volatile int ro_static = 9;
int b1, b2[4];
static long b_static;
int custom_data SEC(".data.custom") = 0x55;
int custom_data2 SEC(".data.custom") = 0x66;
const volatile int custom_ro SEC(".rodata.custom") = 0x77;
__hidden int hidden_only SEC(".data.hidden") = 5;
const volatile int very_long SEC(".rodata.a_very_long_section_name") = 8;

SEC("kprobe/do_sys_open")
int kp(void *ctx)
{
	b1 = d1 + d2 + d_static + d_hidden + ro_str[0] + ro_num + ro_static;
	b2[1] = custom_data + custom_data2 + custom_ro + hidden_only + very_long;
	b_static++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
