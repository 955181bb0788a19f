/* A .struct_ops map with programs (struct defined locally, no vmlinux needed to open). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sock;
struct my_ops {
	void (*init)(struct sock *sk);
	unsigned int (*ssthresh)(struct sock *sk);
	int flags;
	void (*release)(struct sock *sk);
	char name[16];
};

SEC("struct_ops/my_init")
void my_init(struct sock *sk) {}

SEC("struct_ops/my_ssthresh")
unsigned int my_ssthresh(struct sock *sk) { return 2; }

SEC(".struct_ops")
struct my_ops ops_a = {
	.init = (void *)my_init,
	.ssthresh = (void *)my_ssthresh,
	.flags = 5,
	.name = "ops_a",
};

SEC(".struct_ops")
struct my_ops ops_b = {
	.ssthresh = (void *)my_ssthresh,
	.name = "ops_b",
};

char LICENSE[] SEC("license") = "GPL";
