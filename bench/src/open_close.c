/*
 * open_close: bpf_object__open_mem + bpf_object__close throughput and peak
 * memory of whichever libbpf.so.1 the dynamic loader picks (linked with
 * DT_NEEDED libbpf.so.1; bench/open_close.sh selects the side with
 * LD_LIBRARY_PATH).
 *
 * usage: open_close [-b BLOCKS] [-m MS] [-w WARM] [-c CPU] [-M] FILE...
 *   The files are read into memory first (not timed). Then WARM untimed rounds,
 *   then BLOCKS timed blocks; a block opens and closes every file in turn,
 *   round after round, until MS milliseconds have passed. The figure is the
 *   median block's opens per second (an open of any file counts as one).
 *   -c CPU  sched_setaffinity to this CPU first (default: no pinning)
 *   -M      memory mode: no timing; opens every file once and keeps all of them
 *           open, then reads VmHWM (peak RSS of this process, KiB), then
 *           closes them (the file buffers are part of both sides' figure)
 *   The library's print callback is left as is (the default printer: warnings
 *   to stderr, debug messages dropped), as in a plain consumer.
 *
 * prints one line:
 *   opens_per_s=<x> ns_per_open=<x> blocks=<n> opens=<n> hwm_kb=<n>
 *   loader=<dli_fname of bpf_object__open_mem> mapped=<libbpf in /proc/self/maps>
 *   nlibbpf=<number of distinct libbpf files mapped>
 * (-M prints hwm_kb=... base_kb=<VmHWM before the first open> lib_rss_kb=<resident
 *  KiB of the libbpf.so mappings while the objects are open> heap_kb=<malloc'ed
 *  KiB held by the open objects (mallinfo2)> loader=... ...)
 * exit status: 0 ok, 2 usage, 3 setup failure, 4 an open failed.
 *
 * Prototypes are declared here so only the library, not its headers, is needed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct bpf_object;
struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz, const void *opts);
void bpf_object__close(struct bpf_object *obj);

struct file {
	const char *path;
	void *buf;
	size_t size;
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long vm_hwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			v = strtol(line + 6, NULL, 10);
	fclose(f);
	return v;
}

/* The libbpf.so files mapped into this process: the last one's realpath and the count. */
static int mapped_libbpf(char *out, size_t outsz)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096], seen[8][PATH_MAX];
	int n = 0;
	snprintf(out, outsz, "none");
	if (!m)
		return 0;
	while (fgets(line, sizeof(line), m)) {
		char *p = strchr(line, '/'), rp[PATH_MAX];
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strncmp(strrchr(p, '/') + 1, "libbpf.so", 9))
			continue;
		if (!realpath(p, rp))
			snprintf(rp, sizeof(rp), "%s", p);
		int dup = 0;
		for (int i = 0; i < n; i++)
			dup |= !strcmp(seen[i], rp);
		if (dup || n == 8)
			continue;
		snprintf(seen[n++], PATH_MAX, "%s", rp);
		snprintf(out, outsz, "%s", rp);
	}
	fclose(m);
	return n;
}

/* Resident KiB of the libbpf.so mappings (code and data pages the library touched). */
static long libbpf_rss_kb(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[4096];
	int in_lib = 0;
	long total = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '-') && strchr(line, ' ') && line[0] != ' ' && !strchr(line, ':')) {
			char *p = strchr(line, '/');
			in_lib = p && strstr(p, "libbpf.so") != NULL;
		} else if (line[0] >= '0' && line[0] <= '9' && strchr(line, '-') == strchr(line, '-')) {
			char *p = strchr(line, '/');
			in_lib = p && strstr(p, "libbpf.so") != NULL;
		} else if (in_lib && !strncmp(line, "Rss:", 4)) {
			total += strtol(line + 4, NULL, 10);
		}
	}
	fclose(f);
	return total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int open_close(struct file *f)
{
	struct bpf_object *obj = bpf_object__open_mem(f->buf, f->size, NULL);
	if (!obj) {
		fprintf(stderr, "open_close: opening %s failed: %d\n", f->path, errno);
		return -1;
	}
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	int blocks = 15, warm = 3, cpu = -1, memory = 0, opt;
	double block_ms = 100;
	struct file *files;
	int nfiles;

	while ((opt = getopt(argc, argv, "b:m:w:c:M")) != -1) {
		switch (opt) {
		case 'b': blocks = atoi(optarg); break;
		case 'm': block_ms = atof(optarg); break;
		case 'w': warm = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'M': memory = 1; break;
		default: fprintf(stderr, "usage: open_close [-b BLOCKS] [-m MS] [-w WARM] [-c CPU] [-M] FILE...\n"); return 2;
		}
	}
	nfiles = argc - optind;
	if (nfiles < 1 || blocks < 1 || block_ms <= 0) {
		fprintf(stderr, "open_close: no files\n");
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			perror("sched_setaffinity");
			return 3;
		}
	}
	files = calloc(nfiles, sizeof(*files));
	for (int i = 0; i < nfiles; i++) {
		FILE *f = fopen(argv[optind + i], "rb");
		long sz;
		if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
			fprintf(stderr, "open_close: cannot read %s\n", argv[optind + i]);
			return 3;
		}
		files[i].path = argv[optind + i];
		files[i].size = sz;
		files[i].buf = malloc(sz);
		if (fread(files[i].buf, 1, sz, f) != (size_t)sz) {
			fprintf(stderr, "open_close: cannot read %s\n", argv[optind + i]);
			return 3;
		}
		fclose(f);
	}

	Dl_info info;
	const char *loader = "?";
	char mapped[PATH_MAX];
	if (dladdr((void *)&bpf_object__open_mem, &info) && info.dli_fname)
		loader = info.dli_fname;

	if (memory) {
		long base = vm_hwm_kb();
		struct mallinfo2 before = mallinfo2();
		struct bpf_object **objs = calloc(nfiles, sizeof(*objs));
		for (int i = 0; i < nfiles; i++) {
			objs[i] = bpf_object__open_mem(files[i].buf, files[i].size, NULL);
			if (!objs[i]) {
				fprintf(stderr, "open_close: opening %s failed: %d\n", files[i].path, errno);
				return 4;
			}
		}
		long hwm = vm_hwm_kb(), lib_rss = libbpf_rss_kb();
		struct mallinfo2 after = mallinfo2();
		long heap = ((long)(after.uordblks + after.hblkhd) - (long)(before.uordblks + before.hblkhd)) / 1024;
		for (int i = 0; i < nfiles; i++)
			bpf_object__close(objs[i]);
		int n = mapped_libbpf(mapped, sizeof(mapped));
		printf("hwm_kb=%ld base_kb=%ld lib_rss_kb=%ld heap_kb=%ld loader=%s mapped=%s nlibbpf=%d\n", hwm, base,
		       lib_rss, heap, loader, mapped, n);
		return 0;
	}

	for (int r = 0; r < warm; r++)
		for (int i = 0; i < nfiles; i++)
			if (open_close(&files[i]))
				return 4;
	double *rate = calloc(blocks, sizeof(double));
	long total = 0;
	for (int b = 0; b < blocks; b++) {
		long n = 0;
		double start = now_ns(), elapsed;
		do {
			for (int i = 0; i < nfiles; i++)
				if (open_close(&files[i]))
					return 4;
			n += nfiles;
			elapsed = now_ns() - start;
		} while (elapsed < block_ms * 1e6);
		rate[b] = n / (elapsed / 1e9);
		total += n;
	}
	qsort(rate, blocks, sizeof(double), cmp_double);
	double med = blocks % 2 ? rate[blocks / 2] : (rate[blocks / 2 - 1] + rate[blocks / 2]) / 2;
	int n = mapped_libbpf(mapped, sizeof(mapped));
	printf("opens_per_s=%.1f ns_per_open=%.0f blocks=%d opens=%ld hwm_kb=%ld loader=%s mapped=%s nlibbpf=%d\n",
	       med, 1e9 / med, blocks, total, vm_hwm_kb(), loader, mapped, n);
	return 0;
}
