/* vmlinux.h for the test programs: every type of the running kernel's BTF as
 * C, through the (reference) library's btf_dump. Usage: gen_vmlinux_h OUT */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/btf.h>

static void printf_fn(void *ctx, const char *fmt, va_list args) { vfprintf(ctx, fmt, args); }

int main(int argc, char **argv)
{
	struct btf *btf = btf__load_vmlinux_btf();
	FILE *out = argc > 1 ? fopen(argv[1], "w") : NULL;
	struct btf_dump *d;
	__u32 id, n;

	if (!btf || !out)
		return 1;
	d = btf_dump__new(btf, printf_fn, out, NULL);
	if (!d)
		return 1;
	fprintf(out, "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n");
	fprintf(out, "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n\n");
	n = btf__type_cnt(btf);
	for (id = 1; id < n; id++)
		if (btf_dump__dump_type(d, id))
			return 1;
	fprintf(out, "\n#pragma clang attribute pop\n\n#endif\n");
	fclose(out);
	return 0;
}
