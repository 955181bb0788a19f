/*
 * core_bench: library-side cost of CO-RE relocation in whichever libbpf.so.1
 * the dynamic loader picks (DT_NEEDED libbpf.so.1; bench/core_relo.sh selects
 * the side with LD_LIBRARY_PATH).
 *
 * usage: core_bench FULL.o BASE.o
 *   FULL.o has ~1000 CO-RE relocations against vmlinux and ends with one that
 *   fails, so bpf_object__load stops right after the CO-RE stage (no program
 *   reaches the verifier); BASE.o has only that failing relocation. Each is
 *   opened (untimed) and loaded 3 times; the minimum process CPU time of the
 *   load is kept. The CO-RE cost is FULL - BASE (probes, vmlinux BTF parse,
 *   map creation and the object's BTF upload are common to both and cancel).
 *   prints: ms=<full - base> full_ms=<n> base_ms=<n> loader=<dli_fname of
 *           bpf_object__load> mapped=<libbpf in /proc/self/maps> nlibbpf=<n>
 * exit status: 0 ok, 2 usage, 3 open failed, 4 a load did not fail with the
 * expected error (-EINVAL from the failing relocation).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bpf_object;
typedef int (*libbpf_print_fn_t)(int level, const char *, va_list);
struct bpf_object *bpf_object__open_file(const char *path, const void *opts);
int bpf_object__load(struct bpf_object *obj);
void bpf_object__close(struct bpf_object *obj);
libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);

static int quiet(int level, const char *fmt, va_list args) { return 0; }

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double load(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	double t0, t;
	int err;

	if (!obj) {
		fprintf(stderr, "core_bench: cannot open %s\n", path);
		exit(3);
	}
	t0 = cpu_ms();
	err = bpf_object__load(obj);
	t = cpu_ms() - t0;
	bpf_object__close(obj);
	if (err != -22) {
		fprintf(stderr, "core_bench: load of %s returned %d, expected -22\n", path, err);
		exit(4);
	}
	return t;
}

static void libinfo(char *out, size_t size)
{
	Dl_info info;
	const char *loader = "?";
	char mapped[PATH_MAX] = "";
	int nlibbpf = 0;
	FILE *maps;

	if (dladdr((void *)&bpf_object__load, &info) && info.dli_fname)
		loader = info.dli_fname;
	maps = fopen("/proc/self/maps", "r");
	if (maps) {
		char line[PATH_MAX + 256];
		while (fgets(line, sizeof(line), maps)) {
			char *p = strchr(line, '/');
			if (!p || !strstr(p, "libbpf"))
				continue;
			p[strcspn(p, "\n")] = 0;
			if (!mapped[0]) {
				snprintf(mapped, sizeof(mapped), "%s", p);
				nlibbpf = 1;
			} else if (strcmp(p, mapped) != 0) {
				nlibbpf = 2;
			}
		}
		fclose(maps);
	}
	snprintf(out, size, "loader=%s mapped=%s nlibbpf=%d", loader, mapped[0] ? mapped : "?", nlibbpf);
}

int main(int argc, char **argv)
{
	double full = 1e18, base = 1e18, t;
	char info[2 * PATH_MAX + 64];
	int i;

	if (argc != 3)
		return 2;
	libbpf_set_print(quiet);
	for (i = 0; i < 3; i++) {
		t = load(argv[1]);
		if (t < full)
			full = t;
		t = load(argv[2]);
		if (t < base)
			base = t;
	}
	libinfo(info, sizeof(info));
	printf("ms=%.3f full_ms=%.3f base_ms=%.3f %s\n", full - base, full, base, info);
	return 0;
}
