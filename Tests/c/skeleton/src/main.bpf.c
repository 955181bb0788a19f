/* Skeleton test object: BTF-defined maps, every kind of global data section
 * (.data, .rodata, .bss, custom .data.* / .rodata.*), a .kconfig extern,
 * several programs and a .text subprogram (not in the skeleton). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

int data_var = 42;
char data_str[8] = "hello";
long data_long = -5;
const volatile int ro_limit = 7;
const volatile char ro_name[16] = "rodata";
const volatile __u64 ro_big = 0x1122334455667788ULL;
int bss_counter;
long bss_arr[4];
int my_custom SEC(".data.custom") = 0x55;
const volatile int ro_custom SEC(".rodata.custom") = 0x77;
extern int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig __weak;

static __noinline int helper(int x)
{
	return x * ro_limit + data_var;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 one = 1;
	bss_counter += helper(my_custom + ro_custom + data_str[0]);
	bpf_map_update_elem(&counts, &k, &one, BPF_ANY);
	return XDP_PASS;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp_open(void *ctx)
{
	__u32 k = 1;
	__u32 *v = bpf_map_lookup_elem(&arr, &k);
	if (v)
		*v += ro_name[0] + LINUX_KERNEL_VERSION + CONFIG_HZ;
	bss_arr[1] = data_long + ro_big;
	return 0;
}

SEC("?kprobe/do_sys_open")
int kp_off(void *ctx)
{
	void *e = bpf_ringbuf_reserve(&events, 8, 0);
	if (e)
		bpf_ringbuf_discard(e, 0);
	return helper(1);
}

char LICENSE[] SEC("license") = "GPL";
