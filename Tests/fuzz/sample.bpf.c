/* A small BPF object whose .BTF/.BTF.ext seed the fuzz corpus (func_info,
 * line_info and CO-RE relocations of two sections). Built only by
 * make-corpus.py: clang -target bpf -O2 -g. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *parent;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");

static __attribute__((noinline)) int twice(int x)
{
	return x * 2;
}

SEC("kprobe/do_nanosleep")
int probe(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	int pid = BPF_CORE_READ(t, parent, pid);
	int key = 0;
	long *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	if (bpf_core_field_exists(t->tgid))
		pid += twice(pid);
	return pid;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tp(void *ctx)
{
	return twice(1);
}

char LICENSE[] SEC("license") = "GPL";
