/* The application half of the linked object for subskeletons. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int lib_count(int x);
extern int lib_data;
int app_data = 5;
const volatile int app_ro = 6;
int app_bss;

SEC("xdp")
int app_prog(struct xdp_md *ctx)
{
	app_bss = lib_count(app_data + app_ro) + lib_data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
