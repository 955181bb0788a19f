/* A library object for subskeletons: its globals and a map are used by
 * app.bpf.c once both are linked (bpftool gen object). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} lib_stats SEC(".maps");

int lib_data = 11;
long lib_data2 = 22;
const volatile int lib_ro = 33;
const volatile char lib_ro_name[12] = "libname";
int lib_bss;
long lib_bss_arr[3];

__noinline int lib_count(int x)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&lib_stats, &k);
	if (v)
		*v += x;
	lib_bss += x + lib_ro + lib_ro_name[0];
	return lib_data + lib_data2;
}

SEC("kprobe/do_unlinkat")
int lib_prog(void *ctx)
{
	lib_bss_arr[2] = lib_count(2);
	return 0;
}
