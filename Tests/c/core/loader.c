/* CO-RE differential loader: opens one BPF object (optionally with
 * btf_custom_path), turns autoload off for the named programs, loads it and
 * prints, for run.sh to compare between the reference and ours:
 *
 *   MAPPED <realpath of the libbpf.so this process mapped>
 *   LOG<level> <first line of a library message>
 *   CONT <each further line of that message>
 *   LOAD <bpf_object__load result>
 *   PROG <name> <insn count> <fd >= 0 ? "loaded" : "not-loaded">
 *   INSN <name> <index> <code> <dst> <src> <off> <imm>
 *   END
 *
 * An ld_imm64 referring to a map by fd (src 1 or 2) has its imm printed as
 * "fd" (fd numbers are not comparable between runs).
 *
 * Usage: loader OBJECT [CUSTOM_BTF|-] [PROGRAM_WITHOUT_AUTOLOAD...]
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[65536];
	char *line, *save = NULL;
	int first = 1;

	vsnprintf(buf, sizeof(buf), fmt, args);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (first)
			printf("LOG%d %s\n", level, line);
		else
			printf("CONT %s\n", line);
		first = 0;
	}
	return 0;
}

static void print_mapped(void)
{
	char line[4096], path[PATH_MAX];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		if (!p || !strstr(p, "libbpf.so"))
			continue;
		p[strcspn(p, "\n")] = 0;
		printf("MAPPED %s\n", realpath(p, path) ? path : p);
		break;
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err, i;

	if (argc < 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	if (argc > 2 && strcmp(argv[2], "-") != 0)
		opts.btf_custom_path = argv[2];
	libbpf_set_print(print_fn);
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		printf("OPEN %d\nEND\n", -errno);
		return 0;
	}
	for (i = 3; i < argc; i++) {
		prog = bpf_object__find_program_by_name(obj, argv[i]);
		if (prog)
			bpf_program__set_autoload(prog, false);
	}
	err = bpf_object__load(obj);
	printf("LOAD %d\n", err);
	bpf_object__for_each_program(prog, obj) {
		const struct bpf_insn *insn = bpf_program__insns(prog);
		size_t n = bpf_program__insn_cnt(prog);
		size_t k;

		printf("PROG %s %zu %s\n", bpf_program__name(prog), n,
		       bpf_program__fd(prog) >= 0 ? "loaded" : "not-loaded");
		for (k = 0; k < n; k++) {
			int map = insn[k].code == (BPF_LD | BPF_IMM | BPF_DW) &&
				  (insn[k].src_reg == 1 || insn[k].src_reg == 2);
			if (map)
				printf("INSN %s %zu %02x %d %d %d fd\n", bpf_program__name(prog), k,
				       insn[k].code, insn[k].dst_reg, insn[k].src_reg, insn[k].off);
			else
				printf("INSN %s %zu %02x %d %d %d %d\n", bpf_program__name(prog), k,
				       insn[k].code, insn[k].dst_reg, insn[k].src_reg, insn[k].off, insn[k].imm);
		}
	}
	bpf_object__close(obj);
	printf("END\n");
	return 0;
}
