/* Subprogram linking: nested static and global calls, a hidden global (made
 * static in BTF at load), callbacks passed from inside subprograms, and the same
 * subprograms appended to several programs in different orders. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter;
const volatile int limit = 5;

static __attribute__((noinline)) int leaf(int x)
{
	return x * 3 + limit;
}

static __attribute__((noinline)) int mid(int x)
{
	return leaf(x) + leaf(x + 1);
}

__attribute__((noinline)) int global_mid(int x)
{
	return mid(x) + 1;
}

__attribute__((visibility("hidden"))) __attribute__((noinline)) int hidden_top(int x)
{
	return global_mid(x) + leaf(x);
}

static int cb(__u32 i, void *ctx)
{
	counter += leaf(i);
	return 0;
}

static __attribute__((noinline)) int with_loop(int n)
{
	bpf_loop(n, cb, NULL, 0);
	return counter;
}

SEC("xdp")
int main_a(struct xdp_md *ctx)
{
	return hidden_top(ctx->ingress_ifindex) & 1 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int main_b(struct __sk_buff *skb)
{
	return with_loop(3) + mid(skb->len) + global_mid(1);
}

SEC("tc")
int main_c(struct __sk_buff *skb)
{
	return leaf(skb->len);
}

char LICENSE[] SEC("license") = "GPL";
