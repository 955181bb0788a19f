/* bench/ringbuf.sh helper: consume throughput of ring_buffer__consume and
 * perf_buffer__consume in the libbpf.so.1 the loader picked.
 *
 * usage: ringbuf_bench OBJECT ROUNDS CPU
 * Loads OBJECT (ringbuf_bench.bpf.o), pins itself to CPU, and ROUNDS times:
 * fills the 4 MiB ring buffer with 16-byte records (XDP test_run, repeat) and
 * times one ring_buffer__consume that drains them; same for a perf buffer of
 * 1024 pages on that CPU (perf_buffer__consume). Only the consume calls are
 * timed. Prints: "rb_ns=<ns per event> pb_ns=<ns per event> rb_events=N
 * pb_events=N mapped=<realpath of the libbpf.so.1 mapped> nlibbpf=<count>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static unsigned long long seen, sum;

static int rb_cb(void *ctx, void *data, size_t size)
{
	seen++;
	sum += *(unsigned long long *)data + size;
	return 0;
}

static void pb_cb(void *ctx, int cpu, void *data, __u32 size)
{
	seen++;
	sum += *(unsigned long long *)data + size;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int fill(struct bpf_object *obj, int prog_fd, unsigned mode, unsigned per_run, unsigned runs)
{
	struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
	int bss_fd = bpf_map__fd(bss);
	struct { __u32 mode, count; __u64 seq; } v;
	__u32 zero = 0;
	char pkt[64] = { 0 };

	if (bpf_map_lookup_elem(bss_fd, &zero, &v))
		return -errno;
	v.mode = mode;
	v.count = per_run;
	if (bpf_map_update_elem(bss_fd, &zero, &v, 0))
		return -errno;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = runs);
	return bpf_prog_test_run_opts(prog_fd, &t) ? -errno : 0;
}

static void print_mapped(void)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096], first[PATH_MAX] = "", rp[PATH_MAX];
	int n = 0;
	while (m && fgets(line, sizeof(line), m)) {
		char *p = strchr(line, '/');
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strncmp(strrchr(p, '/') + 1, "libbpf.so", 9) != 0)
			continue;
		if (!realpath(p, rp))
			snprintf(rp, sizeof(rp), "%s", p);
		if (!first[0] || strcmp(first, rp)) {
			if (first[0] && strcmp(first, rp))
				n++;
			if (!first[0]) {
				snprintf(first, sizeof(first), "%s", rp);
				n = 1;
			}
		}
	}
	if (m)
		fclose(m);
	printf(" mapped=%s nlibbpf=%d\n", first[0] ? first : "none", n);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: ringbuf_bench OBJECT ROUNDS CPU\n");
		return 2;
	}
	int rounds = atoi(argv[2]), cpu = atoi(argv[3]);
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return 1;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "cannot load %s\n", argv[1]);
		return 1;
	}
	int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "fill"));
	int rb_fd = bpf_object__find_map_fd_by_name(obj, "rb");
	int pe_fd = bpf_object__find_map_fd_by_name(obj, "pe");

	/* ring buffer: 4 MiB, 24 bytes per record -> 160000 records per fill */
	struct ring_buffer *rb = ring_buffer__new(rb_fd, rb_cb, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ring_buffer__new: %d\n", errno);
		return 1;
	}
	double rb_time = 0;
	unsigned long long rb_events = 0;
	for (int r = 0; r < rounds; r++) {
		if (fill(obj, prog_fd, 0, 1000, 160)) {
			fprintf(stderr, "fill ringbuf failed\n");
			return 1;
		}
		seen = 0;
		double t0 = now_ns();
		int n = ring_buffer__consume(rb);
		rb_time += now_ns() - t0;
		if (n != 160000 || seen != 160000) {
			fprintf(stderr, "ring_buffer__consume returned %d, %llu records (expected 160000)\n", n, seen);
			return 1;
		}
		rb_events += seen;
	}
	ring_buffer__free(rb);

	/* perf buffer: 1024 pages (4 MiB), 32 bytes per record -> 120000 records per fill */
	struct perf_buffer *pb = perf_buffer__new(pe_fd, 1024, pb_cb, NULL, NULL, NULL);
	if (!pb) {
		fprintf(stderr, "perf_buffer__new: %d\n", errno);
		return 1;
	}
	double pb_time = 0;
	unsigned long long pb_events = 0;
	for (int r = 0; r < rounds; r++) {
		if (fill(obj, prog_fd, 1, 1000, 120)) {
			fprintf(stderr, "fill perf buffer failed\n");
			return 1;
		}
		seen = 0;
		double t0 = now_ns();
		int n = perf_buffer__consume(pb);
		pb_time += now_ns() - t0;
		if (n != 0 || seen != 120000) {
			fprintf(stderr, "perf_buffer__consume returned %d, %llu records (expected 120000)\n", n, seen);
			return 1;
		}
		pb_events += seen;
	}
	perf_buffer__free(pb);
	bpf_object__close(obj);
	printf("rb_ns=%.3f pb_ns=%.3f rb_events=%llu pb_events=%llu sum=%llu", rb_time / rb_events,
	       pb_time / pb_events, rb_events, pb_events, sum & 0xff);
	print_mapped();
	return 0;
}
