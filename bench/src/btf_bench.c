/*
 * btf_bench: BTF costs of whichever libbpf.so.1 the dynamic loader picks
 * (linked with DT_NEEDED libbpf.so.1; bench/btf.sh selects the side with
 * LD_LIBRARY_PATH).
 *
 * usage: btf_bench parse PATH
 *          btf__parse(PATH, NULL) once, timed; then the process's peak RSS
 *          (VmHWM, see rss_consumer.c for why not ru_maxrss).
 *          prints: ms=<parse ms> hwm_kb=<n> types=<type_cnt> <libinfo>
 *        btf_bench find PATH N
 *          parses PATH (untimed), then one untimed lookup (in an indexing
 *          library that is the one that builds the index: reported as
 *          first_ns), then N hits and N misses of btf__find_by_name_kind,
 *          alternating, each kind timed in total. Hits: the names and kinds of
 *          N types spread evenly over the id range (every type's name is
 *          found at its id or at an earlier type of the same name and kind);
 *          misses: "__btf_bench_missing_<i>" with kind STRUCT.
 *          prints: hit_ns=<per lookup> miss_ns=<per lookup> first_ns=<n>
 *                  checksum=<sum of hit ids> <libinfo>
 *        btf_bench dump PATH
 *          parses PATH (untimed), then btf_dump__new + btf_dump__dump_type
 *          for every id 1..type_cnt-1 + btf_dump__free, timed, with the
 *          output hashed (FNV-1a 64) in the printf callback.
 *          prints: ms=<n> bytes=<output bytes> fnv=<hash> <libinfo>
 *          or, when the library answers -EOPNOTSUPP: unsupported <libinfo>
 * <libinfo> = loader=<dli_fname of btf__parse> mapped=<libbpf in
 * /proc/self/maps> nlibbpf=<number of distinct libbpf files mapped>
 * exit status: 0 ok, 2 usage, 3 setup failure, 4 an operation failed.
 *
 * Prototypes are declared here (libbpf 1.x ABI) so only the library, not its
 * headers, is needed to build this.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct btf;
struct btf_ext;
struct btf_dump;
struct btf_type {
	uint32_t name_off;
	uint32_t info;
	uint32_t size;
};
typedef void (*btf_dump_printf_fn_t)(void *ctx, const char *fmt, va_list args);

struct btf *btf__parse(const char *path, struct btf_ext **btf_ext);
void btf__free(struct btf *btf);
uint32_t btf__type_cnt(const struct btf *btf);
const struct btf_type *btf__type_by_id(const struct btf *btf, uint32_t id);
const char *btf__name_by_offset(const struct btf *btf, uint32_t offset);
int32_t btf__find_by_name_kind(const struct btf *btf, const char *name, uint32_t kind);
struct btf_dump *btf_dump__new(const struct btf *btf, btf_dump_printf_fn_t printf_fn, void *ctx, const void *opts);
void btf_dump__free(struct btf_dump *d);
int btf_dump__dump_type(struct btf_dump *d, uint32_t id);

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void libinfo(char *out, size_t size)
{
	Dl_info info;
	const char *loader = "?";
	if (dladdr((void *)&btf__parse, &info) && info.dli_fname)
		loader = info.dli_fname;
	char mapped[PATH_MAX] = "";
	int nlibbpf = 0;
	FILE *maps = fopen("/proc/self/maps", "r");
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

static long peak_rss_kb(void)
{
	long hwm = -1;
	FILE *st = fopen("/proc/self/status", "r");
	if (st) {
		char line[256];
		while (fgets(line, sizeof(line), st))
			if (sscanf(line, "VmHWM: %ld kB", &hwm) == 1)
				break;
		fclose(st);
	}
	return hwm;
}

static struct btf *load(const char *path)
{
	struct btf *btf = btf__parse(path, NULL);
	if (!btf) {
		fprintf(stderr, "btf__parse(%s) failed: %s\n", path, strerror(errno));
		exit(3);
	}
	return btf;
}

static int mode_parse(const char *path)
{
	char info[PATH_MAX * 2 + 64];
	double t0 = now_ns();
	struct btf *btf = btf__parse(path, NULL);
	double t1 = now_ns();
	if (!btf) {
		fprintf(stderr, "btf__parse(%s) failed: %s\n", path, strerror(errno));
		return 4;
	}
	long hwm = peak_rss_kb();
	libinfo(info, sizeof(info));
	printf("ms=%.3f hwm_kb=%ld types=%u %s\n", (t1 - t0) / 1e6, hwm, btf__type_cnt(btf), info);
	btf__free(btf);
	return hwm > 0 ? 0 : 4;
}

static int mode_find(const char *path, int n)
{
	char info[PATH_MAX * 2 + 64];
	struct btf *btf = load(path);
	uint32_t cnt = btf__type_cnt(btf);
	const char **names = calloc(n, sizeof(*names));
	uint32_t *kinds = calloc(n, sizeof(*kinds));
	char (*missing)[48] = calloc(n, sizeof(*missing));
	int have = 0;
	/* n named types spread over the id range */
	for (uint64_t k = 0; have < n && k < (uint64_t)n * 4; k++) {
		uint32_t id = 1 + (uint32_t)((k * 2654435761u) % (cnt - 1));
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
		if (!name || !name[0])
			continue;
		names[have] = name;
		kinds[have] = (t->info >> 24) & 0x1f;
		have++;
	}
	if (have < n) {
		fprintf(stderr, "only %d named types\n", have);
		return 3;
	}
	for (int i = 0; i < n; i++)
		snprintf(missing[i], sizeof(missing[i]), "__btf_bench_missing_%d", i);

	double t0 = now_ns();
	if (btf__find_by_name_kind(btf, "task_struct", 4) <= 0 && btf__find_by_name_kind(btf, names[0], kinds[0]) <= 0)
		return 4;
	double first = now_ns() - t0;

	double hit = 0, miss = 0;
	long long checksum = 0;
	for (int i = 0; i < n; i++) {
		double a = now_ns();
		int32_t id = btf__find_by_name_kind(btf, names[i], kinds[i]);
		double b = now_ns();
		int32_t no = btf__find_by_name_kind(btf, missing[i], 4);
		double c = now_ns();
		if (id <= 0 || no != -ENOENT) {
			fprintf(stderr, "lookup %d: hit %d, miss %d\n", i, id, no);
			return 4;
		}
		checksum += id;
		hit += b - a;
		miss += c - b;
	}
	libinfo(info, sizeof(info));
	printf("hit_ns=%.1f miss_ns=%.1f first_ns=%.0f checksum=%lld %s\n", hit / n, miss / n, first, checksum, info);
	btf__free(btf);
	return 0;
}

struct sink {
	uint64_t hash;
	uint64_t bytes;
	char buf[1 << 16];
};

static void sink_printf(void *ctx, const char *fmt, va_list args)
{
	struct sink *s = ctx;
	char *p = s->buf;
	va_list copy;
	va_copy(copy, args);
	int n = vsnprintf(s->buf, sizeof(s->buf), fmt, args);
	if (n >= (int)sizeof(s->buf)) {
		p = malloc(n + 1);
		vsnprintf(p, n + 1, fmt, copy);
	}
	va_end(copy);
	for (int i = 0; i < n; i++)
		s->hash = (s->hash ^ (unsigned char)p[i]) * 1099511628211ULL;
	s->bytes += n > 0 ? n : 0;
	if (p != s->buf)
		free(p);
}

static int mode_dump(const char *path)
{
	char info[PATH_MAX * 2 + 64];
	struct btf *btf = load(path);
	static struct sink s;
	s.hash = 1469598103934665603ULL;
	libinfo(info, sizeof(info));

	double t0 = now_ns();
	struct btf_dump *d = btf_dump__new(btf, sink_printf, &s, NULL);
	if (!d) {
		if (errno == EOPNOTSUPP) {
			printf("unsupported %s\n", info);
			return 0;
		}
		fprintf(stderr, "btf_dump__new failed: %s\n", strerror(errno));
		return 4;
	}
	uint32_t cnt = btf__type_cnt(btf);
	for (uint32_t id = 1; id < cnt; id++) {
		int err = btf_dump__dump_type(d, id);
		if (err == -EOPNOTSUPP) {
			printf("unsupported %s\n", info);
			return 0;
		}
		if (err) {
			fprintf(stderr, "btf_dump__dump_type(%u) = %d\n", id, err);
			return 4;
		}
	}
	btf_dump__free(d);
	double t1 = now_ns();
	printf("ms=%.3f bytes=%llu fnv=%016llx %s\n", (t1 - t0) / 1e6, (unsigned long long)s.bytes,
	       (unsigned long long)s.hash, info);
	btf__free(btf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "parse"))
		return mode_parse(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "find"))
		return mode_find(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return mode_dump(argv[2]);
	fprintf(stderr, "usage: %s parse PATH | find PATH N | dump PATH\n", argv[0]);
	return 2;
}
