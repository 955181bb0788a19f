/* A single program in .text (no SEC): not a subprogram. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int only(void *ctx)
{
	return 3;
}
