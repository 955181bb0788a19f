// SPDX-License-Identifier: GPL-2.0
/* prog_linfo corpus: a chain of BPF-to-BPF calls and a bpf_loop callback, so
 * that one program has many jited functions of very different sizes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline __u64 step5(__u64 x)
{
	return x * 7 + 1;
}

static __noinline __u64 step4(__u64 x)
{
	if (x & 1)
		return step5(x);
	return step5(x >> 1) + 3;
}

static __noinline __u64 step3(__u64 x)
{
	__u64 acc = 0;

	for (int i = 0; i < 4; i++)
		acc += step4(x + i);
	return acc;
}

static __noinline __u64 step2(__u64 x)
{
	return step3(x) ^ step4(x);
}

static __noinline __u64 step1(__u64 x)
{
	return step2(x) + 1;
}

static int loop_cb(__u32 index, void *ctx)
{
	__u64 *sum = ctx;

	*sum += step5(index);
	return *sum > 1000;
}

SEC("socket")
int chain(struct __sk_buff *skb)
{
	__u64 sum = step1(skb->len);

	bpf_loop(16, loop_cb, &sum, 0);
	return sum & 0xff;
}

char LICENSE[] SEC("license") = "GPL";
