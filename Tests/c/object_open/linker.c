/* Links BPF objects with the reference libbpf's static linker (bpf_linker__*):
 * linked objects have their DATASEC sizes and VAR offsets already filled in,
 * which the open path must handle too. Always run against the reference.
 *
 *   linker OUT IN...
 */
#include <stdio.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	struct bpf_linker *linker;
	int err = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s OUT IN...\n", argv[0]);
		return 2;
	}
	linker = bpf_linker__new(argv[1], NULL);
	if (!linker) {
		perror("bpf_linker__new");
		return 1;
	}
	for (int i = 2; i < argc && !err; i++)
		err = bpf_linker__add_file(linker, argv[i], NULL);
	if (!err)
		err = bpf_linker__finalize(linker);
	bpf_linker__free(linker);
	if (err)
		fprintf(stderr, "linking failed: %d\n", err);
	return err ? 1 : 0;
}
