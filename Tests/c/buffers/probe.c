/*
 * SwiftBPF buffers probe: ring_buffer__*, user_ring_buffer__*, perf_buffer__*.
 *
 * Loads buffers.bpf.o (run.sh compiles src/buffers.bpf.c), then drives its
 * programs with bpf_prog_test_run_opts (XDP programs write ring buffer and perf
 * records, a SEC("syscall") program drains the user ring buffer). The process
 * is pinned to CPU 0 so that BPF_F_CURRENT_CPU records land in CPU 0's perf
 * buffer.
 *
 * Compiled ONCE against the reference headers and linked with -lbpf; which
 * libbpf.so.1 gets loaded is decided by LD_LIBRARY_PATH at run time.
 * Output: "MAPPED <realpath>...", then "<section> ..." lines (run.sh diffs
 * them section by section), then "END". The library's whole log goes through a
 * print callback into the current section. No pointer value is printed.
 *
 * Every delivered record is checked against the payload formula of
 * buffers.bpf.c (computed here, independently of either library):
 *   len = size ? size : 5 + (seq * 3) % 40; byte 0..3 = seq; byte k>=4 =
 *   (seq * 7 + k + salt) & 0xff.
 *
 * Usage: probe BUFFERS_BPF_OBJECT
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define SENTINEL 12345 /* errno value set before every call */

static const char *section = "setup";

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
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		const char *base = strrchr(p, '/') + 1;
		if (strncmp(base, "libbpf.so", 9) != 0)
			continue;
		if (!realpath(p, rp))
			snprintf(rp, sizeof(rp), "%s", p);
		int dup = 0;
		for (int i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], rp);
		if (dup || nseen == 8)
			continue;
		snprintf(seen[nseen++], PATH_MAX, "%s", rp);
		printf(" %s", rp);
	}
	if (!nseen)
		printf(" <none>");
	printf("\n");
	fclose(m);
}

static void out(const char *fmt, ...)
{
	va_list ap;
	printf("%s ", section);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[8192];
	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	if (n < 0)
		return n;
	size_t len = strlen(buf);
	int nl = len && buf[len - 1] == '\n';
	if (nl)
		buf[--len] = 0;
	printf("%s log %d ", section, (int)level);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(buf[i]);
	}
	if (!nl)
		fputs(" [no newline]", stdout);
	putchar('\n');
	return n;
}

/* ------------------------------------------------------------ environment */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* Mappings of bpf maps and perf events (anon inodes), in pages. */
static long anon_pages(void)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096];
	long pages = 0;
	if (!m)
		return -1;
	while (fgets(line, sizeof(line), m)) {
		unsigned long lo, hi;
		if (!strstr(line, "anon_inode:"))
			continue;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			pages += (hi - lo) / 4096;
	}
	fclose(m);
	return pages;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

struct ctl {
	__u32 mode, count, size, salt, first, target;
};

static int ctl_fd, res_fd, rb1_fd, rb2_fd, urb_fd, pe_fd, array_fd;
static int write_rb_fd, write_pe_fd, drain_fd;

static int run_xdp(int prog_fd, struct ctl c)
{
	char pkt[64] = { 0 };
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);
	if (bpf_map_update_elem(ctl_fd, &zero, &c, 0))
		return -errno;
	if (bpf_prog_test_run_opts(prog_fd, &t))
		return -errno;
	return (int)t.retval;
}

static __u64 res_take(__u32 idx)
{
	__u64 v = 0, z = 0;
	bpf_map_lookup_elem(res_fd, &idx, &v);
	bpf_map_update_elem(res_fd, &idx, &z, 0);
	return v;
}

static void write_rb(__u32 target, __u32 mode, __u32 first, __u32 count, __u32 size, __u32 salt)
{
	struct ctl c = { .mode = mode, .count = count, .size = size, .salt = salt, .first = first, .target = target };
	int r = run_xdp(write_rb_fd, c);
	__u64 failed = res_take(0);
	if (r != XDP_PASS || failed)
		out("write_rb(%u,%u,%u,%u) retval %d failed-writes %llu", target, mode, first, count, r,
		    (unsigned long long)failed);
}

static void write_pe(__u32 first, __u32 count, __u32 size, __u32 salt)
{
	struct ctl c = { .count = count, .size = size, .salt = salt, .first = first };
	int r = run_xdp(write_pe_fd, c);
	__u64 failed = res_take(0);
	if (r != XDP_PASS || failed)
		out("write_pe(%u,%u) retval %d failed-writes %llu", first, count, r, (unsigned long long)failed);
}

static void drain_urb(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, t);
	int err = bpf_prog_test_run_opts(drain_fd, &t);
	long long n = (long long)res_take(1);
	unsigned long long sum = res_take(2), bad = res_take(3);
	out("drain run %d retval %u drained %lld sum %llu read-failures %llu", err, t.retval, n, sum, bad);
}

/* ------------------------------------------------------- record checking */

static __u32 expect_len(__u32 size, __u32 seq) { return size ? size : 5 + (seq * 3) % 40; }

/* 1 if data/len is record seq as the BPF program wrote it. */
static int record_ok(const void *data, size_t len, __u32 seq, __u32 size, __u32 salt)
{
	const unsigned char *p = data;
	__u32 got;
	if (len != expect_len(size, seq))
		return 0;
	memcpy(&got, p, 4);
	if (got != seq)
		return 0;
	for (size_t k = 4; k < len; k++)
		if (p[k] != (unsigned char)(seq * 7 + k + salt))
			return 0;
	return 1;
}

struct rbctx {
	const char *tag;
	__u32 next_seq, size, salt, step; /* step 2: every other seq (discards) */
	int n, bad, stop_at, stop_ret, quiet, ret;
};

static int rb_cb(void *ctx, void *data, size_t len)
{
	struct rbctx *c = ctx;
	__u32 seq = 0;
	if (len >= 4)
		memcpy(&seq, data, 4);
	int ok = record_ok(data, len, c->next_seq, c->size, c->salt);
	if (!ok)
		c->bad++;
	if (!c->quiet)
		out("cb %s seq %u len %zu ok %d", c->tag, seq, len, ok);
	c->next_seq = seq + (c->step ? c->step : 1);
	c->n++;
	if (c->stop_at && c->n == c->stop_at)
		return c->stop_ret;
	return c->ret;
}

static void rb_summary(struct rbctx *c)
{
	out("%s records %d bad %d next_seq %u", c->tag, c->n, c->bad, c->next_seq);
}

static void result(const char *what, long r)
{
	out("%s = %ld errno %d", what, r, r < 0 ? errno : errno == SENTINEL ? 0 : errno);
}

static void presult(const char *what, const void *p)
{
	out("%s = %s errno %d", what, p ? "ptr" : "NULL", errno == SENTINEL ? 0 : errno);
}

/* Runs fn(arg) in a child; prints how it ended. */
static void in_child(const char *what, void (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		out("%s child exit %d", what, WEXITSTATUS(st));
	else
		out("%s child signal %d", what, WIFSIGNALED(st) ? WTERMSIG(st) : -1);
}

/* ------------------------------------------------------------ ring buffer */

static void test_ringbuf(void)
{
	struct ring_buffer *rb;
	struct rbctx c1 = { .tag = "rb1", .salt = 1 };
	struct rbctx c2 = { .tag = "rb2", .salt = 2 };
	int fds0 = count_fds();
	long pages0 = anon_pages();
	long r;

	section = "rb-basic";
	errno = SENTINEL;
	rb = ring_buffer__new(rb1_fd, rb_cb, &c1, NULL);
	presult("ring_buffer__new(rb1)", rb);
	if (!rb)
		return;
	out("fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
	errno = SENTINEL;
	result("consume empty", ring_buffer__consume(rb));
	errno = SENTINEL;
	result("poll empty 0ms", ring_buffer__poll(rb, 0));
	write_rb(0, 0, 0, 10, 0, 1);
	errno = SENTINEL;
	result("consume 10 variable-size", ring_buffer__consume(rb));
	rb_summary(&c1);
	errno = SENTINEL;
	result("consume again", ring_buffer__consume(rb));

	section = "rb-reserve";
	c1.size = 16;
	write_rb(0, 1, 10, 7, 16, 1);
	errno = SENTINEL;
	result("poll 7 reserved", ring_buffer__poll(rb, 100));
	rb_summary(&c1);

	section = "rb-discard";
	c1.step = 2;
	c1.next_seq = 18; /* 17 is odd: discarded */
	write_rb(0, 2, 17, 9, 16, 1);
	errno = SENTINEL;
	result("consume 9 written, odd discarded", ring_buffer__consume(rb));
	rb_summary(&c1);
	write_rb(0, 2, 27, 2, 16, 1); /* 27 discarded, 28 kept */
	c1.next_seq = 28;
	write_rb(0, 2, 29, 1, 16, 1); /* only a discarded record */
	errno = SENTINEL;
	result("consume 1 kept of 3", ring_buffer__consume(rb));
	write_rb(0, 2, 31, 1, 16, 1);
	errno = SENTINEL;
	result("consume only-discarded", ring_buffer__consume(rb));
	rb_summary(&c1);
	c1.step = 0;
	c1.size = 0;

	section = "rb-wrap";
	/* 4096-byte ring: several rounds of variable sizes wrap around */
	c1.quiet = 1;
	c1.next_seq = 100;
	for (int round = 0; round < 6; round++) {
		write_rb(0, 0, 100 + round * 50, 50, 0, 1);
		errno = SENTINEL;
		r = ring_buffer__consume(rb);
		out("round %d consume = %ld errno %d", round, r, errno == SENTINEL ? 0 : errno);
	}
	rb_summary(&c1);
	/* overflow: 200 records of 48 bytes (56 with header) into 4096 bytes */
	struct ctl oc = { .mode = 0, .count = 200, .size = 48, .salt = 1, .first = 400 };
	run_xdp(write_rb_fd, oc);
	out("overflow: bpf side failed writes %llu", (unsigned long long)res_take(0));
	c1.size = 48;
	c1.next_seq = 400;
	errno = SENTINEL;
	result("consume after overflow", ring_buffer__consume(rb));
	rb_summary(&c1);
	c1.quiet = 0;
	c1.size = 0;

	section = "rb-multi";
	errno = SENTINEL;
	result("ring_buffer__add(rb2)", ring_buffer__add(rb, rb2_fd, rb_cb, &c2));
	out("fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
	c1.next_seq = 500;
	write_rb(0, 0, 500, 3, 0, 1);
	write_rb(1, 0, 0, 4, 0, 2);
	errno = SENTINEL;
	result("consume 3+4", ring_buffer__consume(rb));
	rb_summary(&c1);
	rb_summary(&c2);
	write_rb(1, 0, 4, 2, 0, 2);
	errno = SENTINEL;
	result("poll rb2 only 2", ring_buffer__poll(rb, 100));
	write_rb(0, 0, 503, 5, 0, 1);
	write_rb(1, 0, 6, 5, 0, 2);
	errno = SENTINEL;
	result("poll both 5+5", ring_buffer__poll(rb, 100));
	errno = SENTINEL;
	result("poll after", ring_buffer__poll(rb, 0));
	rb_summary(&c1);
	rb_summary(&c2);
	/* the same map twice */
	struct rbctx c3 = { .tag = "rb1-again", .salt = 1, .next_seq = 508 };
	errno = SENTINEL;
	result("ring_buffer__add(rb1 again)", ring_buffer__add(rb, rb1_fd, rb_cb, &c3));
	write_rb(0, 0, 508, 2, 0, 1);
	errno = SENTINEL;
	result("consume rb1 twice registered", ring_buffer__consume(rb));
	rb_summary(&c1);
	rb_summary(&c3);

	section = "rb-stop";
	c1.next_seq = 510;
	c1.stop_at = c1.n + 3;
	c1.stop_ret = -7;
	write_rb(0, 0, 510, 6, 0, 1);
	write_rb(1, 0, 11, 2, 0, 2);
	errno = SENTINEL;
	result("consume stops at 3rd with -7", ring_buffer__consume(rb));
	rb_summary(&c1);
	rb_summary(&c2);
	c1.stop_at = 0;
	c1.ret = 5; /* positive: ignored */
	errno = SENTINEL;
	result("consume rest (cb returns 5)", ring_buffer__consume(rb));
	rb_summary(&c1);
	rb_summary(&c2);
	c1.ret = 0;
	c1.stop_at = c1.n + 1;
	c1.stop_ret = -1;
	write_rb(0, 0, 516, 2, 0, 1);
	errno = SENTINEL;
	result("poll stops at 1st with -1", ring_buffer__poll(rb, 100));
	c1.stop_at = c1.n + 1;
	c1.stop_ret = INT_MIN;
	write_rb(0, 0, 518, 1, 0, 1);
	errno = SENTINEL;
	result("poll stops with INT_MIN", ring_buffer__poll(rb, 100));
	c1.stop_at = 0;
	errno = SENTINEL;
	result("poll rest", ring_buffer__poll(rb, 100));
	rb_summary(&c1);
	rb_summary(&c2);

	section = "rb-epoll";
	int efd = ring_buffer__epoll_fd(rb);
	out("epoll_fd valid %d cloexec %d", efd > 2, (fcntl(efd, F_GETFD) & FD_CLOEXEC) != 0);
	struct epoll_event ev[4];
	out("epoll_wait empty = %d", epoll_wait(efd, ev, 4, 0));
	write_rb(1, 0, 13, 1, 0, 2);
	int n = epoll_wait(efd, ev, 4, 100);
	out("epoll_wait rb2 data = %d events 0x%x data.fd %d", n, n > 0 ? ev[0].events : 0, n > 0 ? ev[0].data.fd : -1);
	errno = SENTINEL;
	result("consume", ring_buffer__consume(rb));
	long t0 = now_ms();
	errno = SENTINEL;
	r = ring_buffer__poll(rb, 60);
	long dt = now_ms() - t0;
	out("poll 60ms empty = %ld waited>=50ms %d waited<1000ms %d", r, dt >= 50, dt < 1000);

	{ /* epoll_wait failing: the epoll fd closed behind the library's back */
		int saved = dup(efd);
		close(efd);
		errno = SENTINEL;
		result("poll with closed epoll fd", ring_buffer__poll(rb, 0));
		dup2(saved, efd);
		close(saved);
	}

	section = "rb-errors";
	errno = SENTINEL;
	result("add closed fd", ring_buffer__add(rb, 999, rb_cb, &c1));
	errno = SENTINEL;
	result("add -1", ring_buffer__add(rb, -1, rb_cb, &c1));
	errno = SENTINEL;
	result("add array map", ring_buffer__add(rb, array_fd, rb_cb, &c1));
	errno = SENTINEL;
	result("add perf array", ring_buffer__add(rb, pe_fd, rb_cb, &c1));
	errno = SENTINEL;
	result("add user ringbuf", ring_buffer__add(rb, urb_fd, rb_cb, &c1));
	errno = SENTINEL;
	result("add prog fd", ring_buffer__add(rb, write_rb_fd, rb_cb, &c1));
	write_rb(0, 0, 519, 2, 0, 1);
	errno = SENTINEL;
	result("still works after failed adds", ring_buffer__consume(rb));
	rb_summary(&c1);
	ring_buffer__free(rb);
	out("after free fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);

	struct ring_buffer *e;
	errno = SENTINEL;
	e = ring_buffer__new(-1, rb_cb, NULL, NULL);
	presult("new -1", e);
	errno = SENTINEL;
	e = ring_buffer__new(999, rb_cb, NULL, NULL);
	presult("new closed fd", e);
	errno = SENTINEL;
	e = ring_buffer__new(array_fd, rb_cb, NULL, NULL);
	presult("new array map", e);
	errno = SENTINEL;
	e = ring_buffer__new(urb_fd, rb_cb, NULL, NULL);
	presult("new user ringbuf", e);
	struct { size_t sz; long extra; } big = { sizeof(big), 0 };
	errno = SENTINEL;
	e = ring_buffer__new(rb1_fd, rb_cb, NULL, (void *)&big);
	presult("new opts sz 16 zero tail", e);
	ring_buffer__free(e);
	big.extra = 1;
	errno = SENTINEL;
	e = ring_buffer__new(rb1_fd, rb_cb, NULL, (void *)&big);
	presult("new opts sz 16 non-zero tail", e);
	big.sz = 4;
	errno = SENTINEL;
	e = ring_buffer__new(rb1_fd, rb_cb, NULL, (void *)&big);
	presult("new opts sz 4", e);
	big.sz = 0;
	errno = SENTINEL;
	e = ring_buffer__new(rb1_fd, rb_cb, NULL, (void *)&big);
	presult("new opts sz 0", e);
	LIBBPF_OPTS(ring_buffer_opts, ok);
	errno = SENTINEL;
	e = ring_buffer__new(rb1_fd, NULL, NULL, &ok);
	presult("new NULL callback, proper opts", e);
	errno = SENTINEL;
	result("consume NULL callback, no data", e ? ring_buffer__consume(e) : -999);
	ring_buffer__free(e);
	ring_buffer__free(NULL);
	out("free(NULL) returned");
	out("end fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
}

static void free_pb_errptr(void *arg) { perf_buffer__free(arg); }

/* ------------------------------------------------------- user ring buffer */

static void test_user_ringbuf(void)
{
	struct user_ring_buffer *u;
	int fds0 = count_fds();
	long pages0 = anon_pages();
	__u64 *p;

	section = "urb-basic";
	errno = SENTINEL;
	u = user_ring_buffer__new(urb_fd, NULL);
	presult("user_ring_buffer__new", u);
	if (!u)
		return;
	out("fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
	drain_urb();
	__u64 want = 0;
	for (int i = 1; i <= 3; i++) {
		errno = SENTINEL;
		p = user_ring_buffer__reserve(u, 8);
		presult("reserve 8", p);
		if (p) {
			out("aligned %d", ((uintptr_t)p & 7) == 0);
			*p = 1000 * i;
			want += 1000 * i;
			user_ring_buffer__submit(u, p);
		}
	}
	errno = SENTINEL;
	p = user_ring_buffer__reserve(u, 8);
	presult("reserve 8 (to discard)", p);
	if (p) {
		*p = 7777;
		user_ring_buffer__discard(u, p);
	}
	errno = SENTINEL;
	p = user_ring_buffer__reserve(u, 20);
	presult("reserve 20", p);
	if (p) {
		memset(p, 0, 20);
		*p = 5;
		want += 5;
		user_ring_buffer__submit(u, p);
	}
	out("expect drained 4 sum %llu", (unsigned long long)want);
	drain_urb();

	section = "urb-order";
	/* submitted out of order: the drain stops at the first busy sample */
	__u64 *a = user_ring_buffer__reserve(u, 8), *b = user_ring_buffer__reserve(u, 8);
	out("two reserved %d %d distinct %d", a != NULL, b != NULL, a != b);
	if (a && b) {
		*a = 1;
		*b = 2;
		user_ring_buffer__submit(u, b);
		drain_urb();
		user_ring_buffer__submit(u, a);
		drain_urb();
	}

	section = "urb-full";
	int n = 0;
	errno = SENTINEL;
	while ((p = user_ring_buffer__reserve(u, 8))) {
		*p = 1;
		user_ring_buffer__submit(u, p);
		n++;
		errno = SENTINEL;
	}
	out("reserved %d x 8 bytes until NULL errno %d", n, errno);
	errno = SENTINEL;
	p = user_ring_buffer__reserve(u, 0);
	presult("reserve 0 when full", p);
	long t0 = now_ms();
	errno = SENTINEL;
	p = user_ring_buffer__reserve_blocking(u, 8, 50);
	long dt = now_ms() - t0;
	presult("reserve_blocking 50ms when full", p);
	out("waited>=45ms %d <1000ms %d", dt >= 45, dt < 1000);
	t0 = now_ms();
	errno = SENTINEL;
	p = user_ring_buffer__reserve_blocking(u, 8, 0);
	dt = now_ms() - t0;
	presult("reserve_blocking 0ms when full", p);
	out("waited<1000ms %d", dt < 1000);
	errno = SENTINEL;
	p = user_ring_buffer__reserve_blocking(u, 8, -2);
	presult("reserve_blocking -2", p);
	errno = SENTINEL;
	p = user_ring_buffer__reserve_blocking(u, 5000, 10);
	presult("reserve_blocking too big", p);
	{ /* epoll_wait failing while blocked (urb epoll fd = the one new() made last) */
		int efd = -1;
		for (int fd = 3; fd < 64; fd++) {
			char path[64], target[64] = "";
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			if (n > 0 && strstr(target, "eventpoll"))
				efd = fd;
		}
		int saved = dup(efd);
		close(efd);
		errno = SENTINEL;
		p = user_ring_buffer__reserve_blocking(u, 8, 50);
		presult("reserve_blocking with closed epoll fd", p);
		dup2(saved, efd);
		close(saved);
	}
	drain_urb();
	errno = SENTINEL;
	p = user_ring_buffer__reserve_blocking(u, 8, -1);
	presult("reserve_blocking -1 after drain", p);
	if (p) {
		*p = 42;
		user_ring_buffer__submit(u, p);
	}
	errno = SENTINEL;
	p = user_ring_buffer__reserve_blocking(u, 8, 100);
	presult("reserve_blocking 100ms with space", p);
	if (p)
		user_ring_buffer__discard(u, p);
	drain_urb();

	section = "urb-sizes";
	static const __u32 sizes[] = { 4072, 4080, 4088, 4089, 4096, 0x40000000, 0x80000000u, 0xc0000008u, 1 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "reserve %u", sizes[i]);
		errno = SENTINEL;
		p = user_ring_buffer__reserve(u, sizes[i]);
		presult(what, p);
		if (p)
			user_ring_buffer__discard(u, p);
		drain_urb();
	}
	/* reserve across the wrap point */
	for (int i = 0; i < 5; i++) {
		errno = SENTINEL;
		p = user_ring_buffer__reserve(u, 1000);
		presult("reserve 1000", p);
		if (p) {
			memset(p, 0, 1000);
			*p = i;
			user_ring_buffer__submit(u, p);
		}
		drain_urb();
	}
	user_ring_buffer__free(u);
	out("after free fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);

	section = "urb-errors";
	errno = SENTINEL;
	presult("new -1", user_ring_buffer__new(-1, NULL));
	errno = SENTINEL;
	presult("new closed fd", user_ring_buffer__new(999, NULL));
	errno = SENTINEL;
	presult("new ringbuf", user_ring_buffer__new(rb1_fd, NULL));
	errno = SENTINEL;
	presult("new array", user_ring_buffer__new(array_fd, NULL));
	struct { size_t sz; long extra; } big = { sizeof(big), 0 };
	errno = SENTINEL;
	u = user_ring_buffer__new(urb_fd, (void *)&big);
	presult("new opts sz 16 zero tail", u);
	user_ring_buffer__free(u);
	big.extra = 3;
	errno = SENTINEL;
	presult("new opts sz 16 non-zero tail", user_ring_buffer__new(urb_fd, (void *)&big));
	big.sz = 2;
	errno = SENTINEL;
	presult("new opts sz 2", user_ring_buffer__new(urb_fd, (void *)&big));
	user_ring_buffer__free(NULL);
	out("free(NULL) returned");
	out("end fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
}

/* ------------------------------------------------------------ perf buffer */

struct pbctx {
	const char *tag;
	__u32 next_seq, size, salt;
	int n, bad, quiet, cpu_other;
	unsigned long long lost, lost_calls;
};

static void pb_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct pbctx *c = ctx;
	__u32 seq = 0;
	if (size >= 4)
		memcpy(&seq, data, 4);
	/* the raw size is padded: the payload is a prefix */
	__u32 len = expect_len(c->size, c->next_seq);
	int ok = size >= len && size <= len + 7 && (size + 4) % 8 == 0 && record_ok(data, len, c->next_seq, c->size, c->salt);
	if (!ok)
		c->bad++;
	if (cpu != 0)
		c->cpu_other++;
	if (!c->quiet)
		out("sample %s cpu %d seq %u size %u ok %d", c->tag, cpu, seq, size, ok);
	c->next_seq = seq + 1;
	c->n++;
}

static void pb_lost(void *ctx, int cpu, __u64 cnt)
{
	struct pbctx *c = ctx;
	out("lost %s cpu %d cnt %llu", c->tag, cpu, (unsigned long long)cnt);
	c->lost += cnt;
	c->lost_calls++;
}

static void pb_summary(struct pbctx *c)
{
	out("%s samples %d bad %d other-cpu %d next_seq %u lost %llu in %llu calls", c->tag, c->n, c->bad,
	    c->cpu_other, c->next_seq, c->lost, c->lost_calls);
}

struct rawctx {
	int n, ret, done_after, other;
	unsigned long long bytes;
	__u32 next_seq;
};

static enum bpf_perf_event_ret pb_event(void *ctx, int cpu, struct perf_event_header *e)
{
	struct rawctx *c = ctx;
	c->n++;
	if (e->type == PERF_RECORD_SAMPLE) {
		__u32 size, seq;
		memcpy(&size, e + 1, 4);
		memcpy(&seq, (char *)(e + 1) + 4, 4);
		int ok = record_ok((char *)(e + 1) + 4, expect_len(0, seq), c->next_seq, 0, 3);
		out("event cpu %d type %u size %u raw %u seq %u ok %d", cpu, e->type, e->size, size, seq, ok);
		c->next_seq = seq + 1;
	} else {
		out("event cpu %d type %u size %u", cpu, e->type, e->size);
	}
	if (c->done_after && c->n == c->done_after)
		return c->ret;
	return LIBBPF_PERF_EVENT_CONT;
}

static void test_perfbuf(void)
{
	struct perf_buffer *pb;
	struct pbctx c = { .tag = "pb", .salt = 3 };
	int fds0 = count_fds();
	long pages0 = anon_pages();
	long r;
	int ncpu = libbpf_num_possible_cpus();

	section = "pb-basic";
	errno = SENTINEL;
	pb = perf_buffer__new(pe_fd, 8, pb_sample, pb_lost, &c, NULL);
	presult("perf_buffer__new(8 pages)", pb);
	if (!pb)
		return;
	out("fds +%d pages +%ld (cpus %d)", count_fds() - fds0, anon_pages() - pages0, ncpu);
	size_t cnt = perf_buffer__buffer_cnt(pb);
	out("buffer_cnt %zu", cnt);
	for (size_t i = 0; i <= cnt; i++) {
		errno = SENTINEL;
		int fd = perf_buffer__buffer_fd(pb, i);
		out("buffer_fd(%zu) valid %d errno %d", i, fd > 2, errno == SENTINEL ? 0 : errno);
		if (fd < 0)
			out("buffer_fd(%zu) = %d", i, fd);
		void *base = (void *)1;
		size_t sz = 77;
		errno = SENTINEL;
		int rr = perf_buffer__buffer(pb, i, &base, &sz);
		if (rr == 0) {
			struct perf_event_mmap_page *h = base;
			out("buffer(%zu) = 0 size %zu data_offset %llu data_size %llu", i, sz,
			    (unsigned long long)h->data_offset, (unsigned long long)h->data_size);
		} else {
			out("buffer(%zu) = %d errno %d base-untouched %d size %zu", i, rr, errno, base == (void *)1, sz);
		}
	}
	errno = SENTINEL;
	result("buffer_fd((size_t)-1)", perf_buffer__buffer_fd(pb, (size_t)-1));
	int efd = perf_buffer__epoll_fd(pb);
	out("epoll_fd valid %d cloexec %d", efd > 2, (fcntl(efd, F_GETFD) & FD_CLOEXEC) != 0);
	errno = SENTINEL;
	result("poll empty 0ms", perf_buffer__poll(pb, 0));
	errno = SENTINEL;
	result("consume empty", perf_buffer__consume(pb));
	write_pe(0, 10, 0, 3);
	errno = SENTINEL;
	result("consume_buffer(0) 10", perf_buffer__consume_buffer(pb, 0));
	pb_summary(&c);
	write_pe(10, 3, 0, 3);
	errno = SENTINEL;
	result("consume_buffer(1) (other cpu)", perf_buffer__consume_buffer(pb, 1));
	errno = SENTINEL;
	result("consume_buffer(cnt)", perf_buffer__consume_buffer(pb, cnt));
	errno = SENTINEL;
	result("consume_buffer(-1)", perf_buffer__consume_buffer(pb, (size_t)-1));
	errno = SENTINEL;
	result("poll 3", perf_buffer__poll(pb, 100));
	pb_summary(&c);
	write_pe(13, 4, 0, 3);
	errno = SENTINEL;
	result("consume 4", perf_buffer__consume(pb));
	pb_summary(&c);
	struct epoll_event ev[4];
	write_pe(17, 1, 0, 3);
	int n = epoll_wait(efd, ev, 4, 100);
	out("epoll_wait = %d events 0x%x", n, n > 0 ? ev[0].events : 0);
	errno = SENTINEL;
	result("poll 1", perf_buffer__poll(pb, 100));
	long t0 = now_ms();
	errno = SENTINEL;
	r = perf_buffer__poll(pb, 60);
	long dt = now_ms() - t0;
	out("poll 60ms empty = %ld waited>=50ms %d waited<1000ms %d", r, dt >= 50, dt < 1000);
	pb_summary(&c);
	{
		int saved = dup(efd);
		close(efd);
		errno = SENTINEL;
		result("poll with closed epoll fd", perf_buffer__poll(pb, 0));
		dup2(saved, efd);
		close(saved);
	}
	perf_buffer__free(pb);
	out("after free fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
	for (int i = 0; i < ncpu; i++) {
		__u32 key = i;
		errno = SENTINEL;
		int lr = bpf_map_delete_elem(pe_fd, &key);
		out("after free: delete map slot %d = %d errno %d", i, lr, lr ? errno : 0);
	}
	write_pe(0, 1, 0, 3); /* no slot: the write fails */

	section = "pb-wrap";
	struct pbctx w = { .tag = "wrap", .salt = 3, .quiet = 1, .next_seq = 1000 };
	errno = SENTINEL;
	pb = perf_buffer__new(pe_fd, 1, pb_sample, pb_lost, &w, NULL);
	presult("perf_buffer__new(1 page)", pb);
	if (!pb)
		return;
	for (int round = 0; round < 8; round++) {
		write_pe(1000 + round * 30, 30, 0, 3);
		errno = SENTINEL;
		r = perf_buffer__consume(pb);
		out("round %d consume = %ld errno %d", round, r, errno == SENTINEL ? 0 : errno);
	}
	pb_summary(&w);

	section = "pb-lost";
	w.next_seq = 2000;
	w.size = 48;
	int n0 = w.n;
	write_pe(2000, 100, 48, 3);
	errno = SENTINEL;
	result("consume after 100 x 48 bytes into 1 page", perf_buffer__consume(pb));
	pb_summary(&w);
	w.next_seq = 2100;
	write_pe(2100, 1, 48, 3);
	errno = SENTINEL;
	result("consume 1 more", perf_buffer__consume(pb));
	pb_summary(&w);
	out("delivered+lost of 101 = %llu", (unsigned long long)(w.n - n0) + w.lost);
	perf_buffer__free(pb);

	section = "pb-nocb";
	errno = SENTINEL;
	pb = perf_buffer__new(pe_fd, 2, NULL, NULL, NULL, NULL);
	presult("perf_buffer__new NULL callbacks", pb);
	if (pb) {
		write_pe(0, 100, 48, 3);
		write_pe(0, 100, 48, 3);
		errno = SENTINEL;
		result("consume, no callbacks", perf_buffer__consume(pb));
		write_pe(0, 1, 48, 3);
		errno = SENTINEL;
		result("consume lost, no callbacks", perf_buffer__consume(pb));
		perf_buffer__free(pb);
	}

	section = "pb-raw";
	struct perf_event_attr attr = { 0 };
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.type = PERF_TYPE_SOFTWARE;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	struct rawctx rc = { .next_seq = 3000 };
	errno = SENTINEL;
	pb = perf_buffer__new_raw(pe_fd, 4, &attr, pb_event, &rc, NULL);
	presult("new_raw all cpus", pb);
	if (pb) {
		out("buffer_cnt %zu", perf_buffer__buffer_cnt(pb));
		write_pe(3000, 3, 0, 3);
		errno = SENTINEL;
		result("consume raw CONT", perf_buffer__consume(pb));
		rc.done_after = rc.n + 2;
		rc.ret = LIBBPF_PERF_EVENT_DONE;
		write_pe(3003, 4, 0, 3);
		errno = SENTINEL;
		result("consume raw DONE at 2nd", perf_buffer__consume(pb));
		errno = SENTINEL;
		result("consume raw rest", perf_buffer__consume(pb));
		rc.done_after = rc.n + 1;
		rc.ret = LIBBPF_PERF_EVENT_ERROR;
		write_pe(3007, 2, 0, 3);
		errno = SENTINEL;
		result("consume raw ERROR at 1st", perf_buffer__consume(pb));
		rc.done_after = rc.n + 1;
		rc.ret = LIBBPF_PERF_EVENT_ERROR;
		errno = SENTINEL;
		result("poll raw ERROR at 1st", perf_buffer__poll(pb, 100));
		rc.done_after = rc.n + 1;
		rc.ret = 9;
		write_pe(3009, 2, 0, 3);
		errno = SENTINEL;
		result("poll raw returns 9", perf_buffer__poll(pb, 100));
		errno = SENTINEL;
		result("consume_buffer raw returns 9 (rest)", (rc.done_after = rc.n + 1, perf_buffer__consume_buffer(pb, 0)));
		rc.done_after = rc.n + 1;
		rc.ret = -22;
		write_pe(3011, 2, 0, 3);
		errno = SENTINEL;
		result("consume_buffer raw returns -22", perf_buffer__consume_buffer(pb, 0));
		rc.done_after = 0;
		errno = SENTINEL;
		result("consume_buffer raw rest", perf_buffer__consume_buffer(pb, 0));
		perf_buffer__free(pb);
	}
	int cpus[2] = { 0, 1 }, keys[2] = { 1, 0 };
	LIBBPF_OPTS(perf_buffer_raw_opts, ro, .cpu_cnt = 1, .cpus = cpus, .map_keys = keys);
	rc.next_seq = 3100;
	errno = SENTINEL;
	pb = perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, &ro);
	presult("new_raw cpu 0 -> key 1", pb);
	if (pb) {
		out("buffer_cnt %zu", perf_buffer__buffer_cnt(pb));
		write_pe(3100, 2, 0, 3); /* slot for cpu 0 (key 0) is empty: dropped */
		errno = SENTINEL;
		result("consume (key 0 empty)", perf_buffer__consume(pb));
		perf_buffer__free(pb);
	}
	ro.cpu_cnt = 2;
	errno = SENTINEL;
	pb = perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, &ro);
	presult("new_raw 2 cpus swapped keys", pb);
	if (pb) {
		out("buffer_cnt %zu", perf_buffer__buffer_cnt(pb));
		perf_buffer__free(pb);
	}
	struct { size_t sz; long a, b, c, d; } rbig = { 3, 0, 0, 0, 0 };
	int badcpu[1] = { 4096 }, key0[1] = { 0 };
	LIBBPF_OPTS(perf_buffer_raw_opts, bo, .cpu_cnt = 1, .cpus = badcpu, .map_keys = key0);
	errno = SENTINEL;
	presult("new_raw cpu 4096", perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, &bo));
	badcpu[0] = 0;
	key0[0] = 1000;
	errno = SENTINEL;
	presult("new_raw key 1000", perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, &bo));
	errno = SENTINEL;
	presult("new_raw NULL attr", perf_buffer__new_raw(pe_fd, 1, NULL, pb_event, &rc, NULL));
	errno = SENTINEL;
	pb = perf_buffer__new_raw(pe_fd, 1, &attr, NULL, &rc, NULL);
	presult("new_raw NULL event_cb", pb);
	perf_buffer__free(pb);
	errno = SENTINEL;
	presult("new_raw NULL attr, bad opts", perf_buffer__new_raw(pe_fd, 1, NULL, pb_event, &rc, (void *)&rbig));
	rbig.sz = sizeof(rbig);
	errno = SENTINEL;
	pb = perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, (void *)&rbig);
	presult("new_raw opts sz 40 zero tail", pb);
	perf_buffer__free(pb);
	rbig.d = 1;
	errno = SENTINEL;
	presult("new_raw opts sz 40 non-zero tail", perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, (void *)&rbig));
	rbig.sz = 3;
	errno = SENTINEL;
	presult("new_raw opts sz 3", perf_buffer__new_raw(pe_fd, 1, &attr, pb_event, &rc, (void *)&rbig));
	struct perf_event_attr bad = attr;
	bad.type = 0x7fff;
	errno = SENTINEL;
	presult("new_raw bad attr type", perf_buffer__new_raw(pe_fd, 1, &bad, pb_event, &rc, NULL));
	errno = SENTINEL;
	presult("new_raw page_cnt 3", perf_buffer__new_raw(pe_fd, 3, &attr, pb_event, &rc, NULL));
	errno = SENTINEL;
	presult("new_raw page_cnt 3 NULL attr", perf_buffer__new_raw(pe_fd, 3, NULL, pb_event, &rc, NULL));
	errno = SENTINEL;
	presult("new_raw page_cnt 3 bad opts", perf_buffer__new_raw(pe_fd, 3, &attr, pb_event, &rc, (void *)&rbig));

	section = "pb-errors";
	static const size_t counts[] = { 0, 3, 6, 1023, (size_t)1 << 63 | 1 };
	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "new page_cnt %zu", counts[i]);
		errno = SENTINEL;
		presult(what, perf_buffer__new(pe_fd, counts[i], pb_sample, pb_lost, &c, NULL));
	}
	errno = SENTINEL;
	presult("new -1", perf_buffer__new(-1, 1, pb_sample, pb_lost, &c, NULL));
	errno = SENTINEL;
	presult("new closed fd", perf_buffer__new(999, 1, pb_sample, pb_lost, &c, NULL));
	errno = SENTINEL;
	presult("new array map", perf_buffer__new(array_fd, 1, pb_sample, pb_lost, &c, NULL));
	errno = SENTINEL;
	presult("new ringbuf", perf_buffer__new(rb1_fd, 1, pb_sample, pb_lost, &c, NULL));
	errno = SENTINEL;
	presult("new prog fd", perf_buffer__new(write_pe_fd, 1, pb_sample, pb_lost, &c, NULL));
	errno = SENTINEL;
	presult("new closed fd, bad page_cnt", perf_buffer__new(999, 5, pb_sample, pb_lost, &c, NULL));
	struct { size_t sz; long extra; } big = { sizeof(big), 0 };
	errno = SENTINEL;
	pb = perf_buffer__new(pe_fd, 1, pb_sample, pb_lost, &c, (void *)&big);
	presult("new opts sz 16 zero tail", pb);
	perf_buffer__free(pb);
	big.extra = 1;
	errno = SENTINEL;
	presult("new opts sz 16 non-zero tail", perf_buffer__new(pe_fd, 1, pb_sample, pb_lost, &c, (void *)&big));
	big.sz = 1;
	errno = SENTINEL;
	presult("new opts sz 1", perf_buffer__new(pe_fd, 1, pb_sample, pb_lost, &c, (void *)&big));
	errno = SENTINEL;
	presult("new opts sz 1, page_cnt 0", perf_buffer__new(pe_fd, 0, pb_sample, pb_lost, &c, (void *)&big));
	/* a 1-entry perf event array: only one buffer */
	int small = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "small_pe", 4, 4, 1, NULL);
	errno = SENTINEL;
	pb = perf_buffer__new(small, 1, pb_sample, pb_lost, &c, NULL);
	presult("new 1-entry map", pb);
	if (pb)
		out("buffer_cnt %zu", perf_buffer__buffer_cnt(pb));
	perf_buffer__free(pb);
	close(small);
	perf_buffer__free(NULL);
	out("free(NULL) returned");
	out("end fds +%d pages +%ld", count_fds() - fds0, anon_pages() - pages0);
}

/* ------------------------------------------------------------------- main */

static int find_fd(struct bpf_object *obj, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(obj, name);
	if (fd < 0)
		out("map %s not found", name);
	return fd;
}

static int find_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
	int fd = p ? bpf_program__fd(p) : -1;
	if (fd < 0)
		out("prog %s not found", name);
	return fd;
}

int main(int argc, char **argv)
{
	cpu_set_t set;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	print_mapped();
	if (argc < 2) {
		out("usage: probe BUFFERS_BPF_OBJECT");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		out("sched_setaffinity failed: %s", strerror(errno));

	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		out("cannot load %s: %s", argv[1], strerror(errno));
		return 1;
	}
	ctl_fd = find_fd(obj, "ctl");
	res_fd = find_fd(obj, "res");
	rb1_fd = find_fd(obj, "rb1");
	rb2_fd = find_fd(obj, "rb2");
	urb_fd = find_fd(obj, "urb");
	pe_fd = find_fd(obj, "pe");
	array_fd = res_fd;
	write_rb_fd = find_prog(obj, "write_rb");
	write_pe_fd = find_prog(obj, "write_pe");
	drain_fd = find_prog(obj, "drain_urb");
	libbpf_set_print(print_fn);

	test_ringbuf();
	test_user_ringbuf();
	test_perfbuf();

	section = "free-errptr";
	/* ring_buffer__free and user_ring_buffer__free of an error pointer crash the
	 * reference (SIGSEGV); ours ignores it. Not compared. */
	in_child("perf_buffer__free((void *)-22)", free_pb_errptr, (void *)-22L);

	section = "END";
	libbpf_set_print(NULL);
	bpf_object__close(obj);
	printf("END\n");
	return 0;
}
