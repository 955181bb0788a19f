/* A USDT program that does not include usdt.bpf.h: no support maps. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("usdt")
int nomap(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
