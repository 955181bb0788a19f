/* Links BPF objects with the (reference) library's static linker, as
 * `bpftool gen object` does. Usage: link OUT IN... */
#include <stdio.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_linker *linker;
	int i;

	if (argc < 3)
		return 2;
	linker = bpf_linker__new(argv[1], NULL);
	if (!linker)
		return 1;
	for (i = 2; i < argc; i++)
		if (bpf_linker__add_file(linker, argv[i], NULL))
			return 1;
	if (bpf_linker__finalize(linker))
		return 1;
	bpf_linker__free(linker);
	return 0;
}
