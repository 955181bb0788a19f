/* SwiftBPF externs probe: opens one BPF object (optionally with the kconfig
 * open option read from a file), loads it, and prints what extern resolution
 * decided, in a form two libraries can be diffed on:
 *
 *   MAPPED <realpath of the libbpf.so.1 this process mapped>
 *   log <level> <message>          every library message, as it comes
 *   open ret=<n>
 *   load ret=<n>
 *   kconfig <map name> size=<value size>
 *   kconfig-bytes <hex of bpf_map__initial_value after load>
 *   insn <prog> #<i> ...            ld_imm64 of a plain value or BTF id, kfunc calls
 *   END
 *
 * Usage: probe OBJ [KCONFIG_FILE | @EMPTY]   (@EMPTY: kconfig = "")
 * Built against the reference headers; which library it runs on is chosen
 * by LD_LIBRARY_PATH. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>

static void print_mapped(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f) {
		printf("MAPPED ?\n");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "/libbpf.so");
		char *path, real[4096];

		if (!p)
			continue;
		path = strchr(line, '/');
		line[strcspn(line, "\n")] = 0;
		if (!realpath(path, real))
			snprintf(real, sizeof(real), "%s", path);
		printf("MAPPED %s\n", real);
		fclose(f);
		return;
	}
	fclose(f);
	printf("MAPPED none\n");
}

/* Every message on its own "log" line(s); a message's embedded newlines
 * become separate lines with the same prefix. */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[8192], *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, args);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("log %d %s\n", (int)level, line);
	fflush(stdout);
	return 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 4096;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap + 1);
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

static void dump_insns(struct bpf_program *prog)
{
	const struct bpf_insn *insn = bpf_program__insns(prog);
	size_t i, n = bpf_program__insn_cnt(prog);

	for (i = 0; insn && i < n; i++) {
		const struct bpf_insn *in = &insn[i];

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && i + 1 < n) {
			if (in->src_reg == 0 || in->src_reg == BPF_PSEUDO_BTF_ID)
				printf("insn %s #%zu ld_imm64 src=%d imm=%d imm2=%d\n", bpf_program__name(prog), i,
				       in->src_reg, in->imm, in[1].imm);
			i++;
		} else if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
			printf("insn %s #%zu kfunc_call imm=%d off=%d\n", bpf_program__name(prog), i, in->imm, in->off);
		}
	}
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	char *kconfig = NULL;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJ [KCONFIG_FILE|@EMPTY]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(print_fn);
	if (argc > 2) {
		kconfig = strcmp(argv[2], "@EMPTY") == 0 ? strdup("") : read_file(argv[2]);
		if (!kconfig) {
			fprintf(stderr, "cannot read %s\n", argv[2]);
			return 2;
		}
		opts.kconfig = kconfig;
	}
	obj = bpf_object__open_file(argv[1], &opts);
	err = libbpf_get_error(obj);
	printf("open ret=%d\n", err);
	if (err) {
		printf("END\n");
		return 0;
	}
	err = bpf_object__load(obj);
	printf("load ret=%d\n", err);
	bpf_object__for_each_map(map, obj) {
		const unsigned char *data;
		size_t size = 0, i;

		if (!strstr(bpf_map__name(map), ".kconfig"))
			continue;
		printf("kconfig %s size=%u\n", bpf_map__name(map), bpf_map__value_size(map));
		data = bpf_map__initial_value(map, &size);
		printf("kconfig-bytes");
		for (i = 0; data && i < size; i++)
			printf("%s%02x", i % 8 ? "" : " ", data[i]);
		printf("\n");
	}
	bpf_object__for_each_program(prog, obj)
		dump_insns(prog);
	bpf_object__close(obj);
	free(kconfig);
	printf("END\n");
	return 0;
}
