/* SwiftBPF linker probe: links BPF objects with bpf_linker__new / __add_file /
 * __finalize / __free and prints every observable result.
 *
 * Usage: probe OUTDIR OBJDIR    differential output: "MAPPED <realpath>" then
 *                               "<section> ..." lines; each scenario's result
 *                               is written to OUTDIR/<scenario>.o
 *        probe --load FILE.o    opens and loads FILE.o (run against the
 *                               reference only) and test-runs its programs
 *
 * Sections:
 *   link   per scenario: new's result, each add_file's return value and errno,
 *          finalize's, the output file's size (the bytes are compared by run.sh)
 *   opts   sz rules and NULL arguments
 *   log    the print-callback output of each scenario, prefixed by its name
 *   load   (--load) open/load results and bpf_prog_test_run return values
 * Input paths are absolute and identical in both runs; the probe chdir()s into
 * OUTDIR so output names in messages are relative.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define SENTINEL 4242

static char logbuf[1 << 17];
static size_t loglen;

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[4096];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n > 0 && loglen + strlen(line) + 16 < sizeof(logbuf))
		loglen += snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%d %s", level, line);
	return 0;
}

static void print_log(const char *scenario)
{
	char *save, *l;

	for (l = strtok_r(logbuf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		printf("log %s: %s\n", scenario, l);
	loglen = 0;
	logbuf[0] = 0;
}

static void print_mapped(void)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096], seen[8][PATH_MAX];
	int nseen = 0;

	printf("MAPPED");
	if (!m) {
		printf(" <cannot-open-maps>\n");
		return;
	}
	while (fgets(line, sizeof(line), m)) {
		char *p = strchr(line, '/');
		char rp[PATH_MAX];
		int i, dup = 0;

		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (!strstr(p, "/libbpf.so"))
			continue;
		if (!realpath(p, rp))
			snprintf(rp, sizeof(rp), "%s", p);
		for (i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], rp);
		if (dup || nseen == 8)
			continue;
		snprintf(seen[nseen++], PATH_MAX, "%s", rp);
		printf(" %s", rp);
	}
	fclose(m);
	printf("\n");
}

static const char *objdir;

static const char *obj(const char *name, char *buf)
{
	if (name[0] == '/' || name[0] == '@')
		return name[0] == '@' ? name + 1 : name;
	snprintf(buf, PATH_MAX, "%s/%s", objdir, name);
	return buf;
}

/* Links the NULL-terminated list of inputs into <scenario>.o. */
static void link_files(const char *scenario, const char *const *inputs)
{
	char out[PATH_MAX], path[PATH_MAX];
	struct bpf_linker *l;
	struct stat st;
	int i, err;

	snprintf(out, sizeof(out), "%s.o", scenario);
	unlink(out);
	errno = SENTINEL;
	l = bpf_linker__new(out, NULL);
	printf("link %s new %s errno %d\n", scenario, l ? "ok" : "NULL", l ? SENTINEL : errno);
	if (!l) {
		print_log(scenario);
		return;
	}
	for (i = 0; inputs[i]; i++) {
		errno = SENTINEL;
		err = bpf_linker__add_file(l, obj(inputs[i], path), NULL);
		printf("link %s add %s = %d errno %d\n", scenario, inputs[i], err, errno);
	}
	errno = SENTINEL;
	err = bpf_linker__finalize(l);
	printf("link %s finalize = %d errno %d\n", scenario, err, errno);
	errno = SENTINEL;
	err = bpf_linker__finalize(l);
	printf("link %s finalize-again = %d errno %d\n", scenario, err, errno);
	errno = SENTINEL;
	err = bpf_linker__add_file(l, obj("a.o", path), NULL);
	printf("link %s add-after-finalize = %d errno %d\n", scenario, err, errno);
	bpf_linker__free(l);
	if (stat(out, &st) == 0)
		printf("link %s output size %lld\n", scenario, (long long)st.st_size);
	else
		printf("link %s output missing errno %d\n", scenario, errno);
	print_log(scenario);
}

#define LINK(name, ...) do { \
	static const char *const in_[] = { __VA_ARGS__, NULL }; \
	link_files(name, in_); \
} while (0)

static void opts_checks(void)
{
	struct {
		size_t sz;
		char pad[24];
	} big;
	struct bpf_linker *l;
	char path[PATH_MAX];
	int err;

	memset(&big, 0, sizeof(big));
	big.sz = 4;
	errno = SENTINEL;
	l = bpf_linker__new("opts_small.o", (struct bpf_linker_opts *)&big);
	printf("opts new sz=4 %s errno %d\n", l ? "ok" : "NULL", l ? SENTINEL : errno);
	bpf_linker__free(l);
	big.sz = sizeof(big);
	errno = SENTINEL;
	l = bpf_linker__new("opts_big0.o", (struct bpf_linker_opts *)&big);
	printf("opts new sz=32 zero tail %s errno %d\n", l ? "ok" : "NULL", l ? SENTINEL : errno);
	bpf_linker__free(l);
	big.pad[5] = 1;
	errno = SENTINEL;
	l = bpf_linker__new("opts_big1.o", (struct bpf_linker_opts *)&big);
	printf("opts new sz=32 nonzero tail %s errno %d\n", l ? "ok" : "NULL", l ? SENTINEL : errno);
	bpf_linker__free(l);
	errno = SENTINEL;
	l = bpf_linker__new("/nonexistent-dir/x.o", NULL);
	printf("opts new in missing dir %s errno %d\n", l ? "ok" : "NULL", l ? SENTINEL : errno);
	bpf_linker__free(l);
	print_log("opts-new");

	l = bpf_linker__new("opts_file.o", NULL);
	big.pad[5] = 0;
	big.sz = 4;
	errno = SENTINEL;
	err = bpf_linker__add_file(l, obj("c.o", path), (struct bpf_linker_file_opts *)&big);
	printf("opts add sz=4 = %d errno %d\n", err, errno);
	big.sz = sizeof(big);
	big.pad[3] = 7;
	errno = SENTINEL;
	err = bpf_linker__add_file(l, obj("c.o", path), (struct bpf_linker_file_opts *)&big);
	printf("opts add sz=32 nonzero tail = %d errno %d\n", err, errno);
	big.pad[3] = 0;
	errno = SENTINEL;
	err = bpf_linker__add_file(l, obj("c.o", path), (struct bpf_linker_file_opts *)&big);
	printf("opts add sz=32 zero tail = %d errno %d\n", err, errno);
	errno = SENTINEL;
	err = bpf_linker__add_file(l, NULL, NULL);
	printf("opts add NULL filename = %d errno %d\n", err, errno);
	errno = SENTINEL;
	err = bpf_linker__finalize(l);
	printf("opts finalize = %d errno %d\n", err, errno);
	bpf_linker__free(l);
	errno = SENTINEL;
	bpf_linker__free(NULL);
	printf("opts free(NULL) errno %d\n", errno);
	print_log("opts-file");
}

static int load_file(const char *file)
{
	struct bpf_object *o;
	struct bpf_program *p;
	char data[64] = { 0 };
	int err;

	o = bpf_object__open_file(file, NULL);
	if (!o) {
		printf("load %s open failed errno %d\n", file, errno);
		return 0;
	}
	err = bpf_object__load(o);
	printf("load %s load = %d\n", file, err);
	if (err) {
		bpf_object__close(o);
		return 0;
	}
	bpf_object__for_each_program(p, o) {
		LIBBPF_OPTS(bpf_test_run_opts, t);
		enum bpf_prog_type type = bpf_program__type(p);

		if (type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS) {
			t.data_in = data;
			t.data_size_in = sizeof(data);
			t.repeat = 1;
		} else if (type != BPF_PROG_TYPE_SYSCALL) {
			continue;
		}
		err = bpf_prog_test_run_opts(bpf_program__fd(p), &t);
		printf("load %s prog %s run = %d retval %u\n", file, bpf_program__name(p), err, t.retval);
	}
	bpf_object__close(o);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(print_cb);
	print_mapped();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--load")) {
		load_file(argv[2]);
		print_log("load");
		printf("END\n");
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: probe OUTDIR OBJDIR | --load FILE\n");
		return 2;
	}
	objdir = argv[2];
	if (chdir(argv[1])) {
		perror("chdir");
		return 2;
	}
	LINK("ab", "a.o", "b.o");
	LINK("ba", "b.o", "a.o");
	LINK("abc", "a.o", "b.o", "c.o");
	LINK("cba", "c.o", "b.o", "a.o");
	LINK("bac", "b.o", "a.o", "c.o");
	LINK("single_a", "a.o");
	LINK("self_twice", "c.o", "c.o");
	LINK("relink", "@ab.o", "c.o");
	LINK("dup_strong", "dup1.o", "dup2.o");
	LINK("dup_var", "dup1.o", "dupvar.o");
	LINK("ext_long", "dup1.o", "ext_long.o");
	LINK("ext_long_first", "ext_long.o", "dup1.o");
	LINK("ext_fn", "ext_fn.o", "dup1.o");
	LINK("map_bad", "b.o", "map_bad.o");
	LINK("map_bad_first", "map_bad.o", "b.o");
	LINK("license_bad", "a.o", "license_bsd.o");
	LINK("not_bpf", "@/bin/true");
	LINK("truncated", "truncated.o");
	LINK("missing", "missing.o");
	LINK("text_file", "text.o");
	LINK("empty", "c.o", "empty.o");
	opts_checks();
	printf("END\n");
	return 0;
}
