/* Programs attaching by kernel BTF id: tp_btf, iter and lsm targets, found in
 * vmlinux BTF at load (what the kernel then says is its business). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/sched_switch")
int on_switch(void *ctx)
{
	return 0;
}

SEC("iter/task")
int on_task(void *ctx)
{
	return 0;
}

SEC("lsm/file_open")
int on_open(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
