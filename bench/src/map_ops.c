/*
 * map_ops: per-operation cost of the bpf.h map wrappers of whichever
 * libbpf.so.1 the dynamic loader picks (linked with DT_NEEDED libbpf.so.1;
 * bench/map_ops.sh selects the side with LD_LIBRARY_PATH).
 *
 * Operations (all on maps this process creates; u32 keys, u64 values,
 * NENT = 1024 entries, every key present):
 *   array_update  bpf_map_update_elem(ARRAY, k, v, BPF_ANY)
 *   array_lookup  bpf_map_lookup_elem(ARRAY, k, v)
 *   hash_update   bpf_map_update_elem(HASH, k, v, BPF_ANY)  (existing keys)
 *   hash_lookup   bpf_map_lookup_elem(HASH, k, v)
 *   batch         bpf_map_lookup_batch(HASH, ..., count=BATCH) walking the
 *                 whole map again and again (restart after ENOENT); reported
 *                 per call and per element returned
 * Keys cycle 0..NENT-1. The hash maps use BPF_F_ZERO_SEED so bucket layout
 * (collisions, elements per batch call) is the same in every process.
 *
 * usage: map_ops [-n OPS] [-w WARM] [-b BLOCKS] [-c CPU] [-i]
 *   -n OPS     element ops per operation kind (default 200000); the batch
 *              test makes OPS/16 calls
 *   -w WARM    untimed warm-up ops per kind first (default 20000)
 *   -b BLOCKS  the timed ops run as BLOCKS blocks per kind, round-robin over
 *              the kinds (block 1 of each kind, block 2 of each, ...), each
 *              block timed on its own; the figure is the median block
 *              (default 20). Spreading every kind over the process lifetime
 *              and taking a median keeps a preemption burst from landing on
 *              one kind only.
 *   -c CPU     sched_setaffinity to this CPU first (default: no pinning)
 *   -i         instruction-count mode (for callgrind): no timing; after the
 *              warm-up, calls each noinline bench_<kind>(OPS) exactly once so
 *              `--toggle-collect=bench_<kind>` counts OPS calls of the
 *              wrapper (plus the few loop instructions of the harness);
 *              bench_none(OPS) runs the same loop calling an empty function
 *              as a baseline
 *
 * prints one line:
 *   array_update=<ns> array_lookup=<ns> hash_update=<ns> hash_lookup=<ns>
 *   batch_call=<ns> batch_elem=<ns> elems_per_call=<x> ops=<n> cpu=<n>
 *   loader=<dli_fname of bpf_map_update_elem> mapped=<libbpf in /proc/self/maps>
 *   nlibbpf=<number of distinct libbpf files mapped>
 * (-i prints ops=... loader=... mapped=... nlibbpf=... only)
 * exit status: 0 ok, 2 usage, 3 setup failure, 4 an op failed.
 *
 * Prototypes and bpf_map_create_opts are declared here (libbpf 1.x ABI) so
 * only the library, not its headers, is needed to build this.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* from <linux/bpf.h> */
enum { MAP_TYPE_HASH = 1, MAP_TYPE_ARRAY = 2 };
#define F_ZERO_SEED (1U << 6) /* BPF_F_ZERO_SEED */
#define ANY 0ULL              /* BPF_ANY */

struct bpf_map_create_opts {
	size_t sz;
	uint32_t btf_fd;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	uint32_t btf_vmlinux_value_type_id;
	uint32_t inner_map_fd;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t numa_node;
	uint32_t map_ifindex;
};
struct bpf_map_batch_opts;

int bpf_map_create(int map_type, const char *map_name, uint32_t key_size, uint32_t value_size,
		   uint32_t max_entries, const struct bpf_map_create_opts *opts);
int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags);
int bpf_map_lookup_elem(int fd, const void *key, void *value);
int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 uint32_t *count, const struct bpf_map_batch_opts *opts);

#define NENT 1024u
#define BATCH 64u
#define BATCH_DIV 16 /* batch calls = OPS / BATCH_DIV */

static int g_array_fd = -1, g_hash_fd = -1, g_batch_fd = -1;
static uint64_t g_val;
static volatile uint64_t g_sink;
static long g_failures;
static int g_last_err;

/* batch state: continues across blocks so every block walks the same map */
static uint64_t g_token_in, g_token_out;
static int g_batch_started;
static uint32_t g_keys[BATCH];
static uint64_t g_vals[BATCH];
static long g_batch_elems;

#define NOINL __attribute__((noinline, noclone))

static inline void fail(int rc)
{
	g_failures++;
	g_last_err = rc;
}

NOINL static void loop_array_update(long n, uint32_t k)
{
	for (long i = 0; i < n; i++, k++) {
		uint32_t key = k & (NENT - 1);
		uint64_t v = g_val + (uint64_t)i;
		int rc = bpf_map_update_elem(g_array_fd, &key, &v, ANY);
		if (rc != 0)
			fail(rc);
	}
}

NOINL static void loop_array_lookup(long n, uint32_t k)
{
	for (long i = 0; i < n; i++, k++) {
		uint32_t key = k & (NENT - 1);
		uint64_t v;
		int rc = bpf_map_lookup_elem(g_array_fd, &key, &v);
		if (rc != 0)
			fail(rc);
		g_sink = v;
	}
}

NOINL static void loop_hash_update(long n, uint32_t k)
{
	for (long i = 0; i < n; i++, k++) {
		uint32_t key = k & (NENT - 1);
		uint64_t v = g_val + (uint64_t)i;
		int rc = bpf_map_update_elem(g_hash_fd, &key, &v, ANY);
		if (rc != 0)
			fail(rc);
	}
}

NOINL static void loop_hash_lookup(long n, uint32_t k)
{
	for (long i = 0; i < n; i++, k++) {
		uint32_t key = k & (NENT - 1);
		uint64_t v;
		int rc = bpf_map_lookup_elem(g_hash_fd, &key, &v);
		if (rc != 0)
			fail(rc);
		g_sink = v;
	}
}

/* n calls of bpf_map_lookup_batch; returns the number of elements returned */
NOINL static long loop_batch(long n)
{
	long elems = 0;
	for (long i = 0; i < n; i++) {
		uint32_t count = BATCH;
		int rc = bpf_map_lookup_batch(g_batch_fd, g_batch_started ? &g_token_in : NULL,
					      &g_token_out, g_keys, g_vals, &count, NULL);
		int err = rc < 0 ? errno : 0;
		elems += count;
		if (rc == 0) {
			g_token_in = g_token_out;
			g_batch_started = 1;
		} else if (rc == -ENOENT || err == ENOENT) {
			g_batch_started = 0; /* walked the whole map: start over */
		} else {
			fail(rc);
			g_batch_started = 0;
		}
	}
	g_batch_elems += elems;
	return elems;
}

/* empty callee for the instruction-count baseline */
NOINL int nop_callee(int fd, const void *key, void *value)
{
	__asm__ volatile("" ::"r"(fd), "r"(key), "r"(value) : "memory");
	return 0;
}

NOINL static void loop_none(long n, uint32_t k)
{
	for (long i = 0; i < n; i++, k++) {
		uint32_t key = k & (NENT - 1);
		uint64_t v;
		int rc = nop_callee(g_array_fd, &key, &v);
		if (rc != 0)
			fail(rc);
	}
}

/* entry points for callgrind --toggle-collect (instruction-count mode) */
NOINL void bench_array_update(long n) { loop_array_update(n, 0); }
NOINL void bench_array_lookup(long n) { loop_array_lookup(n, 0); }
NOINL void bench_hash_update(long n) { loop_hash_update(n, 0); }
NOINL void bench_hash_lookup(long n) { loop_hash_lookup(n, 0); }
NOINL long bench_batch(long n) { return loop_batch(n); }
NOINL void bench_none(long n) { loop_none(n, 0); }

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int setup(void)
{
	struct bpf_map_create_opts hopts;
	memset(&hopts, 0, sizeof(hopts));
	hopts.sz = sizeof(hopts);
	hopts.map_flags = F_ZERO_SEED;

	g_array_fd = bpf_map_create(MAP_TYPE_ARRAY, "mo_array", 4, 8, NENT, NULL);
	g_hash_fd = bpf_map_create(MAP_TYPE_HASH, "mo_hash", 4, 8, NENT, &hopts);
	g_batch_fd = bpf_map_create(MAP_TYPE_HASH, "mo_batch", 4, 8, NENT, &hopts);
	if (g_array_fd < 0 || g_hash_fd < 0 || g_batch_fd < 0) {
		fprintf(stderr, "map_ops: bpf_map_create failed: array=%d hash=%d batch=%d (%s)\n",
			g_array_fd, g_hash_fd, g_batch_fd, strerror(errno));
		return -1;
	}
	for (uint32_t k = 0; k < NENT; k++) {
		uint64_t v = 1000 + k;
		if (bpf_map_update_elem(g_hash_fd, &k, &v, ANY) != 0 ||
		    bpf_map_update_elem(g_batch_fd, &k, &v, ANY) != 0 ||
		    bpf_map_update_elem(g_array_fd, &k, &v, ANY) != 0) {
			fprintf(stderr, "map_ops: filling maps failed at key %u (%s)\n", k, strerror(errno));
			return -1;
		}
	}
	/* sanity: the batch walk must return every element once per pass */
	long e = 0, calls = 0;
	g_batch_started = 0;
	do {
		e += loop_batch(1);
		calls++;
	} while (g_batch_started && calls < 10 * NENT);
	if (e != NENT || g_failures) {
		fprintf(stderr, "map_ops: one batch walk returned %ld elements in %ld calls (want %u; err %d)\n",
			e, calls, NENT, g_last_err);
		return -1;
	}
	g_batch_elems = 0;
	return 0;
}

/* which libbpf did the loader pick? (as in rss_consumer.c) */
static void report_lib(char *loader, size_t lsz, char *mapped, size_t msz, int *nlib)
{
	Dl_info info;
	snprintf(loader, lsz, "?");
	if (dladdr((void *)&bpf_map_update_elem, &info) && info.dli_fname)
		snprintf(loader, lsz, "%s", info.dli_fname);
	mapped[0] = 0;
	*nlib = 0;
	FILE *maps = fopen("/proc/self/maps", "r");
	if (!maps)
		return;
	char line[PATH_MAX + 256];
	while (fgets(line, sizeof(line), maps)) {
		char *p = strchr(line, '/');
		if (!p || !strstr(p, "libbpf"))
			continue;
		p[strcspn(p, "\n")] = 0;
		if (!mapped[0]) {
			snprintf(mapped, msz, "%s", p);
			*nlib = 1;
		} else if (strcmp(p, mapped) != 0)
			*nlib = 2;
	}
	fclose(maps);
}

int main(int argc, char **argv)
{
	long ops = 200000, warm = 20000;
	int blocks = 20, cpu = -1, instr = 0, opt;
	while ((opt = getopt(argc, argv, "n:w:b:c:i")) != -1) {
		switch (opt) {
		case 'n': ops = atol(optarg); break;
		case 'w': warm = atol(optarg); break;
		case 'b': blocks = atoi(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'i': instr = 1; break;
		default:
			fprintf(stderr, "usage: %s [-n OPS] [-w WARM] [-b BLOCKS] [-c CPU] [-i]\n", argv[0]);
			return 2;
		}
	}
	if (ops < BATCH_DIV || warm < 0 || blocks < 1 || ops / blocks < BATCH_DIV) {
		fprintf(stderr, "map_ops: need OPS >= 16*BLOCKS, WARM >= 0\n");
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0) {
			fprintf(stderr, "map_ops: sched_setaffinity(%d): %s\n", cpu, strerror(errno));
			return 3;
		}
	}
	if (setup() != 0)
		return 3;

	/* warm-up: caches, branch predictors, lazy PLT binding, kernel paths */
	loop_array_update(warm, 0);
	loop_array_lookup(warm, 0);
	loop_hash_update(warm, 0);
	loop_hash_lookup(warm, 0);
	loop_batch(warm / BATCH_DIV > 0 ? warm / BATCH_DIV : 1);
	g_batch_elems = 0;

	char loader[PATH_MAX], mapped[PATH_MAX];
	int nlib;

	if (instr) {
		bench_none(ops);
		bench_array_update(ops);
		bench_array_lookup(ops);
		bench_hash_update(ops);
		bench_hash_lookup(ops);
		long e = bench_batch(ops / BATCH_DIV);
		if (g_failures) {
			fprintf(stderr, "map_ops: %ld ops failed (last rc %d)\n", g_failures, g_last_err);
			return 4;
		}
		report_lib(loader, sizeof(loader), mapped, sizeof(mapped), &nlib);
		printf("ops=%ld batch_calls=%ld batch_elems=%ld loader=%s mapped=%s nlibbpf=%d\n", ops,
		       ops / BATCH_DIV, e, loader, mapped[0] ? mapped : "?", nlib);
		return 0;
	}

	enum { K_AU, K_AL, K_HU, K_HL, K_BATCH, NK };
	double *ns = calloc((size_t)NK * blocks, sizeof(double));
	double *per_elem = calloc((size_t)blocks, sizeof(double));
	if (!ns || !per_elem)
		return 3;
	long per_block = ops / blocks, calls_per_block = per_block / BATCH_DIV;
	uint32_t k = 0;
	for (int b = 0; b < blocks; b++) {
		long long t0, t1;
		long e;
		t0 = now_ns(); loop_array_update(per_block, k); t1 = now_ns();
		ns[K_AU * blocks + b] = (double)(t1 - t0) / per_block;
		t0 = now_ns(); loop_array_lookup(per_block, k); t1 = now_ns();
		ns[K_AL * blocks + b] = (double)(t1 - t0) / per_block;
		t0 = now_ns(); loop_hash_update(per_block, k); t1 = now_ns();
		ns[K_HU * blocks + b] = (double)(t1 - t0) / per_block;
		t0 = now_ns(); loop_hash_lookup(per_block, k); t1 = now_ns();
		ns[K_HL * blocks + b] = (double)(t1 - t0) / per_block;
		t0 = now_ns(); e = loop_batch(calls_per_block); t1 = now_ns();
		ns[K_BATCH * blocks + b] = (double)(t1 - t0) / calls_per_block;
		per_elem[b] = e > 0 ? (double)(t1 - t0) / e : 0;
		k += (uint32_t)per_block;
	}
	if (g_failures) {
		fprintf(stderr, "map_ops: %ld ops failed (last rc %d)\n", g_failures, g_last_err);
		return 4;
	}
	report_lib(loader, sizeof(loader), mapped, sizeof(mapped), &nlib);
	double elems_per_call = (double)g_batch_elems / ((double)calls_per_block * blocks);
	printf("array_update=%.2f array_lookup=%.2f hash_update=%.2f hash_lookup=%.2f "
	       "batch_call=%.2f batch_elem=%.3f elems_per_call=%.2f ops=%ld cpu=%d "
	       "loader=%s mapped=%s nlibbpf=%d\n",
	       median(ns + K_AU * blocks, blocks), median(ns + K_AL * blocks, blocks),
	       median(ns + K_HU * blocks, blocks), median(ns + K_HL * blocks, blocks),
	       median(ns + K_BATCH * blocks, blocks), median(per_elem, blocks), elems_per_call, ops,
	       cpu, loader, mapped[0] ? mapped : "?", nlib);
	return 0;
}
