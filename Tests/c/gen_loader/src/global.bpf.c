// Global data: .rodata, .data and .bss; a syscall program returns
// ro_val (7) * 1000 + data_val (40) + bss_val (0) + ro_arr[2] (300) = 7340.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile int ro_val = 7;
const volatile int ro_arr[4] = {100, 200, 300, 400};
int data_val = 40;
int bss_val;

SEC("syscall")
int sum_globals(void *ctx)
{
	bss_val += 1;
	return ro_val * 1000 + data_val + ro_arr[2] + bss_val - 1;
}

char LICENSE[] SEC("license") = "GPL";
