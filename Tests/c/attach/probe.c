/*
 * SwiftBPF attach probe: attaching BPF programs (every bpf_program__attach_*
 * kind this kernel supports, for real: attach, trigger, read back a counter
 * the BPF program increments) and the bpf_link API; the attach kinds this
 * kernel refuses (kprobes, fentry & co.) must fail identically.
 *
 * Compiled ONCE against the reference headers (-I/usr/include) and linked with
 * -lbpf; which libbpf.so.1 gets loaded is decided by LD_LIBRARY_PATH at run
 * time. run.sh runs it inside a private mount + network namespace that already
 * has: a bpffs ($ATTACH_BPFFS), a veth pair ($ATTACH_VETH_TX -> $ATTACH_VETH_RX,
 * both up) and lo up, a cgroup v2 directory ($ATTACH_CGROUP) and tracefs
 * ($ATTACH_TRACING).
 *
 * Output: "MAPPED <realpath>...", then "<section> ..." lines (run.sh diffs
 * them section by section), then "END". The library's whole log (every level)
 * goes through a print callback into the current section, normalised (pid,
 * fds, ids) by normalise(). Counters are read with raw bpf(2) syscalls, not
 * through the library. Lines starting with "<section> expect" state values
 * fixed by the test itself (run.sh checks them against hand-written values).
 * Calls that might crash a library run in a forked child ("child ..." lines).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "skel.skel.h"
#include "so.skel.h"

#define SENTINEL 12345 /* errno value set before every call */

static const char *section = "setup";
static char gen_dir[PATH_MAX], bpffs[PATH_MAX], plain[PATH_MAX], cgroup_dir[PATH_MAX], tracing[PATH_MAX];
static const char *veth_tx, *veth_rx;
static pid_t self_pid;

/* ------------------------------------------------------------ output */

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
}

/* Replace every whole-word occurrence of `word` in buf by `rep`. */
static void replace_word(char *buf, size_t cap, const char *word, const char *rep)
{
	size_t wl = strlen(word), rl = strlen(rep);
	char *p = buf;
	while ((p = strstr(p, word))) {
		int left = p == buf || !((p[-1] >= '0' && p[-1] <= '9') || (p[-1] >= 'a' && p[-1] <= 'z'));
		int right = !(p[wl] >= '0' && p[wl] <= '9');
		if (!left || !right) {
			p += wl;
			continue;
		}
		size_t tail = strlen(p + wl);
		if ((size_t)(p - buf) + rl + tail + 1 > cap)
			return;
		memmove(p + rl, p + wl, tail + 1);
		memcpy(p, rep, rl);
		p += rl;
	}
}

/* Mask the number after each `key` (e.g. "fd=", "pid ") by `rep`. */
static void mask_after(char *buf, size_t cap, const char *key, const char *rep)
{
	size_t kl = strlen(key), rl = strlen(rep);
	char *p = buf;
	while ((p = strstr(p, key))) {
		char *n = p + kl, *e = n; /* negative numbers are not fds/ids: kept */
		while (*e >= '0' && *e <= '9')
			e++;
		if (e == n) {
			p = n;
			continue;
		}
		size_t tail = strlen(e);
		if ((size_t)(n - buf) + rl + tail + 1 > cap)
			return;
		memmove(n + rl, e, tail + 1);
		memcpy(n, rep, rl);
		p = n + rl;
	}
}

/* Things that differ between two runs of the same library. */
static void normalise(char *buf, size_t cap)
{
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)self_pid);
	replace_word(buf, cap, pid, "<pid>");
	mask_after(buf, cap, "fd=", "<fd>");
	mask_after(buf, cap, "fd ", "<fd>");
	mask_after(buf, cap, "FD ", "<fd>");
	mask_after(buf, cap, "_fd ", "<fd>");
	mask_after(buf, cap, "id=", "<id>");
	mask_after(buf, cap, "ID ", "<id>");
	mask_after(buf, cap, "pfd ", "<fd>");
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[16384];
	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	if (n < 0)
		return n;
	normalise(buf, sizeof(buf));
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

static const char *str(const char *s) { return s ? s : "(null)"; }

/* Paths are printed relative to the run's own directories. */
static const char *rel(const char *p)
{
	static char b[4][PATH_MAX];
	static int k;
	char *o = b[k++ & 3];
	if (!p)
		return "(null)";
	if (!strncmp(p, bpffs, strlen(bpffs)))
		snprintf(o, PATH_MAX, "<bpffs>%s", p + strlen(bpffs));
	else if (!strncmp(p, plain, strlen(plain)))
		snprintf(o, PATH_MAX, "<plain>%s", p + strlen(plain));
	else
		snprintf(o, PATH_MAX, "%s", p);
	return o;
}

/* ------------------------------------------------------------ raw bpf(2) */

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int nfds(void)
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
	return n - 1;
}

static int fd_valid(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

static int cnt_fd = -1;

static __u64 cget(int slot)
{
	union bpf_attr a;
	__u32 k = slot;
	__u64 v = ~0ULL;
	memset(&a, 0, sizeof(a));
	a.map_fd = cnt_fd;
	a.key = (uintptr_t)&k;
	a.value = (uintptr_t)&v;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a))
		return ~0ULL;
	return v;
}

static void cset(int slot, __u64 v)
{
	union bpf_attr a;
	__u32 k = slot;
	memset(&a, 0, sizeof(a));
	a.map_fd = cnt_fd;
	a.key = (uintptr_t)&k;
	a.value = (uintptr_t)&v;
	sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

static void creset(void)
{
	for (int i = 1; i < C_NSLOTS; i++)
		cset(i, 0);
}

static int raw_info(int fd, void *info, __u32 len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, len);
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (uintptr_t)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) ? -errno : 0;
}

static __u32 prog_id_of_fd(int fd)
{
	struct bpf_prog_info pi;
	if (fd < 0 || raw_info(fd, &pi, sizeof(pi)))
		return 0;
	return pi.id;
}

static __u32 prog_id(const struct bpf_program *p)
{
	return p ? prog_id_of_fd(bpf_program__fd(p)) : 0;
}

/* Number of kernel links whose program is one of ids[0..n). */
static int count_links(const __u32 *ids, int n)
{
	union bpf_attr a;
	__u32 id = 0;
	int found = 0;
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_LINK_GET_NEXT_ID, &a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.link_id = id;
		int fd = sys_bpf(BPF_LINK_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		struct bpf_link_info li;
		if (!raw_info(fd, &li, sizeof(li)))
			for (int i = 0; i < n; i++)
				if (ids[i] && li.prog_id == ids[i])
					found++;
		close(fd);
	}
	return found;
}

/* Close every bpf_link fd of this process whose program is p (links left
 * open by a disconnected bpf_link); returns how many. */
static int close_links_of(const struct bpf_program *p)
{
	__u32 id = prog_id(p);
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	if (!d || !id)
		return -1;
	int dfd = dirfd(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		struct bpf_link_info li;
		char t[64] = "";
		if (e->d_name[0] == '.' || fd == dfd)
			continue;
		snprintf(t, sizeof(t), "/proc/self/fd/%d", fd);
		char l[64] = "";
		if (readlink(t, l, sizeof(l) - 1) < 0 || strcmp(l, "anon_inode:bpf_link"))
			continue;
		if (!raw_info(fd, &li, sizeof(li)) && li.prog_id == id) {
			close(fd);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* Wait (up to 2 s) until no link has this id; 1 when gone. */
static int wait_link_gone(__u32 id)
{
	for (int i = 0; i < 200; i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.link_id = id;
		int fd = sys_bpf(BPF_LINK_GET_FD_BY_ID, &a);
		if (fd < 0)
			return 1;
		close(fd);
		usleep(10000);
	}
	return 0;
}

/* ------------------------------------------------------------ call helpers */

static void report_link(const char *what, struct bpf_link *l, int e, int dfd)
{
	if (!l)
		out("%s = NULL errno %d fds%+d", what, e, dfd);
	else if ((unsigned long)l >= (unsigned long)-4095L)
		out("%s = ERR_PTR(%ld) errno %d fds%+d", what, (long)l, e, dfd);
	else
		out("%s = link fd %s fds%+d", what, fd_valid(bpf_link__fd(l)) ? "valid" : "INVALID", dfd);
}

#define LINK(var, what, expr)                                                                        \
	do {                                                                                         \
		int b_ = nfds();                                                                     \
		errno = SENTINEL;                                                                    \
		var = (expr);                                                                        \
		int e_ = errno;                                                                      \
		report_link(what, var, e_, nfds() - b_);                                             \
		if ((unsigned long)var >= (unsigned long)-4095L)                                     \
			var = NULL;                                                                  \
	} while (0)

#define INT(what, expr)                                                                              \
	({                                                                                           \
		int b_ = nfds();                                                                     \
		errno = SENTINEL;                                                                    \
		long r_ = (long)(expr);                                                              \
		int e_ = errno;                                                                      \
		if (r_ < 0)                                                                          \
			out("%s = %ld errno %d fds%+d", what, r_, e_, nfds() - b_);                  \
		else                                                                                 \
			out("%s = %ld fds%+d", what, r_, nfds() - b_);                               \
		r_;                                                                                  \
	})

/* a call returning a new fd: print only whether it is one */
#define FD(what, expr)                                                                               \
	({                                                                                           \
		int b_ = nfds();                                                                     \
		errno = SENTINEL;                                                                    \
		int r_ = (expr);                                                                     \
		int e_ = errno;                                                                      \
		if (r_ < 0)                                                                          \
			out("%s = %d errno %d fds%+d", what, r_, e_, nfds() - b_);                   \
		else                                                                                 \
			out("%s = fd %s fds%+d", what, fd_valid(r_) ? "valid" : "INVALID", nfds() - b_); \
		r_;                                                                                  \
	})

#define DESTROY(what, l)                                                                             \
	do {                                                                                         \
		INT(what, bpf_link__destroy(l));                                                     \
		l = NULL;                                                                            \
	} while (0)

/* Run fn(arg) in a child process (the call may crash a library). */
static void child(const char *what, void (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		out("child %s: killed by signal %d", what, WTERMSIG(st));
	else
		out("child %s: exit %d", what, WEXITSTATUS(st));
}

/* ------------------------------------------------------------ triggers */

static void getppid_n(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

__attribute__((noinline, used)) int attach_target_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return 2 * x + 1;
}

__attribute__((noinline, used)) int attach_other_fn(int x)
{
	__asm__ volatile("" ::: "memory");
	return 3 * x;
}

static int (*volatile target_fp)(int) = attach_target_fn;
static int (*volatile other_fp)(int) = attach_other_fn;

/* USDT-style semaphore for ref_ctr_offset: in .data (a file-backed writable
 * mapping), the kernel adds 1 while a uprobe with this ref_ctr_offset exists. */
__attribute__((section(".data"), used)) volatile unsigned short attach_sema;
__attribute__((section(".data"), used)) volatile unsigned long attach_sema_pad = 1;

/* File offset of an address of the probe binary, from /proc/self/maps. */
static long file_offset_of(const void *addr)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096], exe[PATH_MAX];
	long res = -1;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (!m || n < 0)
		return -1;
	exe[n] = 0;
	while (fgets(line, sizeof(line), m)) {
		unsigned long lo, hi, off;
		char perms[8], path[PATH_MAX] = "";
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %4095s", &lo, &hi, perms, &off, path) < 4)
			continue;
		if (strcmp(path, exe))
			continue;
		if ((unsigned long)addr >= lo && (unsigned long)addr < hi) {
			res = (long)((unsigned long)addr - lo + off);
			break;
		}
	}
	fclose(m);
	return res;
}

static pid_t sleeper(void)
{
	pid_t p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

static void kill_child(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

/* Child process that joins cgroup_dir, then creates n sockets. */
static void sockets_in_cgroup(int n)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir);
		int fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(2);
		close(fd);
		for (int i = 0; i < n; i++) {
			int s = socket(AF_INET, SOCK_DGRAM, 0);
			if (s >= 0)
				close(s);
		}
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		out("sockets child failed status %d", st);
}

/* n UDP datagrams to a socket bound on 127.0.0.1 (sk_lookup runs per packet). */
static int udp_n(int n)
{
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0), got = 0;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	struct timeval tv = {.tv_sec = 1};
	if (rx < 0 || tx < 0 || bind(rx, (void *)&sa, sizeof(sa)) || getsockname(rx, (void *)&sa, &sl))
		goto done;
	setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < n; i++)
		sendto(tx, "x", 1, 0, (void *)&sa, sizeof(sa));
	for (int i = 0; i < n; i++) {
		char c;
		if (recv(rx, &c, 1, 0) == 1)
			got++;
	}
done:
	if (rx >= 0)
		close(rx);
	if (tx >= 0)
		close(tx);
	return got;
}

/* n Ethernet frames (ethertype 0x88b5) sent on veth_tx, arriving on veth_rx. */
static void frames_n(int n)
{
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_ifindex = if_nametoindex(veth_tx), .sll_halen = 6};
	unsigned char f[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
	if (s < 0) {
		out("AF_PACKET socket failed errno %d", errno);
		return;
	}
	memset(ll.sll_addr, 0xff, 6);
	for (int i = 0; i < n; i++)
		if (sendto(s, f, sizeof(f), 0, (void *)&ll, sizeof(ll)) != sizeof(f))
			out("sendto frame failed errno %d", errno);
	close(s);
}

/* Wait (up to 2 s) until counter slot reaches want; returns its value. */
static __u64 wait_count(int slot, __u64 want)
{
	for (int i = 0; i < 200; i++) {
		__u64 v = cget(slot);
		if (v >= want)
			return v;
		usleep(10000);
	}
	return cget(slot);
}

static long tp_id(const char *cat, const char *name)
{
	char p[PATH_MAX + 128], b[32] = "";
	snprintf(p, sizeof(p), "%s/events/%s/%s/id", tracing, cat, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	if (!fgets(b, sizeof(b), f))
		b[0] = 0;
	fclose(f);
	return atol(b);
}

static int perf_open(__u32 type, __u64 config, __u64 period)
{
	struct perf_event_attr at;
	memset(&at, 0, sizeof(at));
	at.size = sizeof(at);
	at.type = type;
	at.config = config;
	at.sample_period = period;
	at.wakeup_events = 1;
	return syscall(__NR_perf_event_open, &at, 0 /* self */, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Lines of a tracefs file that mention libbpf (leftover probe events). */
static int tracefs_libbpf_lines(const char *file)
{
	char p[PATH_MAX + 64], line[1024];
	int n = 0;
	snprintf(p, sizeof(p), "%s/%s", tracing, file);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, "libbpf") != NULL;
	fclose(f);
	return n;
}

/* ------------------------------------------------------------ objects */

static struct bpf_object *obj;

static struct bpf_program *P(const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
	if (!p) {
		printf("FATAL program %s not found\n", name);
		exit(3);
	}
	return p;
}

static struct bpf_object *open_gen(const char *file)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", gen_dir, file);
	errno = SENTINEL;
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	if (!o)
		out("open %s = NULL errno %d", file, errno);
	return o;
}

/* ------------------------------------------------------------ custom handlers */

static const struct bpf_program *cb_prog;
static long cb_cookie;
static int cb_calls;

static int custom_attach(const struct bpf_program *prog, long cookie, struct bpf_link **link)
{
	cb_calls++;
	cb_prog = prog;
	cb_cookie = cookie;
	const char *n = bpf_program__name(prog);
	out("callback prog '%s' cookie %#lx link-in %s", n, cookie, link ? (*link ? "set" : "NULL") : "no-ptr");
	if (!strcmp(n, "cust_one")) {
		*link = bpf_program__attach_tracepoint(prog, "syscalls", "sys_enter_getppid");
		return *link ? 0 : -errno;
	}
	if (!strcmp(n, "cust_two"))
		return -E2BIG;
	if (!strcmp(n, "cust_four"))
		return 1; /* a positive "error" */
	return 0; /* cust_three: success without a link */
}

static int h_custom = -1, h_noattach = -1;

static void register_handlers(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, ho, .cookie = 0xc0ffee, .prog_attach_fn = custom_attach);
	LIBBPF_OPTS(libbpf_prog_handler_opts, hn, .cookie = 0x5a);
	section = "custom";
	h_custom = INT("register custom+", libbpf_register_prog_handler("custom+", BPF_PROG_TYPE_TRACEPOINT, 0, &ho));
	h_noattach = INT("register custom_noattach", libbpf_register_prog_handler("custom_noattach", BPF_PROG_TYPE_TRACEPOINT, 0, &hn));
}

/* ------------------------------------------------------------ sections */

static void sec_load(void)
{
	section = "load";
	obj = open_gen("attach.bpf.o");
	if (!obj)
		exit(3);
	INT("load", bpf_object__load(obj));
	cnt_fd = bpf_map__fd(bpf_object__find_map_by_name(obj, "cnt"));
	out("cnt map fd %s", fd_valid(cnt_fd) ? "valid" : "INVALID");
	cset(CFG_TGID, (__u64)self_pid);
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj)
		out("prog '%s' sec '%s' autoload %d loaded %d", bpf_program__name(p), bpf_program__section_name(p),
		    bpf_program__autoload(p), bpf_program__fd(p) >= 0);
}

static void sec_tp(void)
{
	struct bpf_link *l, *l2;
	section = "tp";
	creset();
	LINK(l, "attach_tracepoint(tp_cookie, syscalls, sys_enter_getppid)",
	     bpf_program__attach_tracepoint(P("tp_cookie"), "syscalls", "sys_enter_getppid"));
	getppid_n(3);
	out("expect count %llu cookie %#llx", cget(C_TP), cget(C_TP_COOKIE));
	DESTROY("destroy", l);
	getppid_n(2);
	out("expect after destroy count %llu", cget(C_TP));

	creset();
	LIBBPF_OPTS(bpf_tracepoint_opts, to, .bpf_cookie = 0x1234abcd5678ULL);
	LINK(l, "attach_tracepoint_opts(tp_cookie, cookie 0x1234abcd5678)",
	     bpf_program__attach_tracepoint_opts(P("tp_cookie"), "syscalls", "sys_enter_getppid", &to));
	getppid_n(4);
	out("expect opts count %llu cookie %#llx", cget(C_TP), cget(C_TP_COOKIE));
	DESTROY("destroy", l);

	creset();
	LINK(l, "attach(tp_cookie) [tp/syscalls/sys_enter_getppid]", bpf_program__attach(P("tp_cookie")));
	LINK(l2, "attach(tp_long) [tracepoint/syscalls/sys_enter_getppid]", bpf_program__attach(P("tp_long")));
	getppid_n(5);
	out("expect auto counts tp %llu tracepoint %llu cookie %#llx", cget(C_TP), cget(C_TPL), cget(C_TP_COOKIE));
	DESTROY("destroy tp", l);
	DESTROY("destroy tracepoint", l2);

	/* the same program attached twice: both links run it */
	creset();
	LINK(l, "attach_tracepoint #1", bpf_program__attach_tracepoint(P("tp_cookie"), "syscalls", "sys_enter_getppid"));
	LINK(l2, "attach_tracepoint #2", bpf_program__attach_tracepoint(P("tp_cookie"), "syscalls", "sys_enter_getppid"));
	getppid_n(2);
	out("expect twice count %llu", cget(C_TP));
	DESTROY("destroy #1", l);
	if (l2)
		DESTROY("destroy #2", l2);

	LINK(l, "attach_tracepoint(nosuchcat, nosuchtp)",
	     bpf_program__attach_tracepoint(P("tp_cookie"), "nosuchcat", "nosuchtp"));
	LINK(l, "attach_tracepoint(syscalls, nosuchtp)",
	     bpf_program__attach_tracepoint(P("tp_cookie"), "syscalls", "nosuchtp"));
	LINK(l, "attach_tracepoint(syscalls, '')", bpf_program__attach_tracepoint(P("tp_cookie"), "syscalls", ""));
	LINK(l, "attach_tracepoint(xdp program)",
	     bpf_program__attach_tracepoint(P("xdp_count"), "syscalls", "sys_enter_getppid"));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_tracepoint(raw_tp program)",
	     bpf_program__attach_tracepoint(P("raw_named"), "syscalls", "sys_enter_getppid"));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_tracepoint_opts(NULL opts)",
	     bpf_program__attach_tracepoint_opts(P("tp_cookie"), "syscalls", "sys_enter_getppid", NULL));
	if (l)
		DESTROY("destroy", l);
}

static void sec_raw_tp(void)
{
	struct bpf_link *l, *l2;
	section = "raw_tp";
	creset();
	LINK(l, "attach(raw_named) [raw_tp/sys_enter]", bpf_program__attach(P("raw_named")));
	LINK(l2, "attach_raw_tracepoint(raw_notarget, sys_enter)",
	     bpf_program__attach_raw_tracepoint(P("raw_notarget"), "sys_enter"));
	getppid_n(3);
	out("expect counts named %llu by-name %llu", cget(C_RAW), cget(C_RAW2));
	DESTROY("destroy named", l);
	DESTROY("destroy by-name", l2);
	getppid_n(2);
	out("expect after destroy named %llu by-name %llu", cget(C_RAW), cget(C_RAW2));

	LINK(l, "attach(raw_notarget) [raw_tp]", bpf_program__attach(P("raw_notarget")));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach(raw_long) [raw_tracepoint/sys_enter]", bpf_program__attach(P("raw_long")));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_raw_tracepoint(nosuch_tp)", bpf_program__attach_raw_tracepoint(P("raw_notarget"), "nosuch_tp"));
	LINK(l, "attach_raw_tracepoint('')", bpf_program__attach_raw_tracepoint(P("raw_notarget"), ""));
	LINK(l, "attach_raw_tracepoint(tp program)", bpf_program__attach_raw_tracepoint(P("tp_cookie"), "sys_enter"));
	if (l)
		DESTROY("destroy", l);
}

static void sec_uprobe(void)
{
	struct bpf_link *l, *l2;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	long off = file_offset_of((void *)attach_target_fn);
	long sema_off = file_offset_of((const void *)&attach_sema);
	section = "uprobe";
	out("expect offsets known: func %d sema %d", off > 0, sema_off > 0);

	creset();
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "attach_target_fn", .bpf_cookie = 0x77);
	LINK(l, "attach_uprobe_opts(up, self, /proc/self/exe, func_name, cookie 0x77)",
	     bpf_program__attach_uprobe_opts(P("up"), self_pid, "/proc/self/exe", 0, &uo));
	for (int i = 5; i <= 7; i++)
		target_fp(i);
	other_fp(1);
	out("expect by name count %llu arg %llu cookie %#llx", cget(C_UP), cget(C_UP_ARG), cget(C_UP_COOKIE));
	DESTROY("destroy", l);
	target_fp(1);
	out("expect after destroy count %llu", cget(C_UP));

	creset();
	LINK(l, "attach_uprobe(up, false, self, exe realpath, file offset)",
	     bpf_program__attach_uprobe(P("up"), false, self_pid, exe, off));
	target_fp(9);
	target_fp(10);
	out("expect by offset count %llu arg %llu cookie %#llx", cget(C_UP), cget(C_UP_ARG), cget(C_UP_COOKIE));
	DESTROY("destroy", l);

	creset();
	LINK(l, "attach_uprobe(up, false, pid 0, exe, offset)", bpf_program__attach_uprobe(P("up"), false, 0, exe, off));
	target_fp(1);
	out("expect pid 0 count %llu", cget(C_UP));
	if (l)
		DESTROY("destroy", l);

	creset();
	LIBBPF_OPTS(bpf_uprobe_opts, ro, .func_name = "attach_target_fn", .retprobe = true, .bpf_cookie = 0x99);
	LINK(l, "attach_uprobe_opts(uret, all pids, exe, func_name, retprobe, cookie 0x99)",
	     bpf_program__attach_uprobe_opts(P("uret"), -1, exe, 0, &ro));
	for (int i = 0; i < 3; i++)
		target_fp(10);
	out("expect retprobe count %llu rc %llu cookie %#llx", cget(C_URET), cget(C_URET_RC), cget(C_URET_COOKIE));
	DESTROY("destroy", l);

	creset();
	LINK(l, "attach_uprobe(uret, true, self, /proc/self/exe, offset)",
	     bpf_program__attach_uprobe(P("uret"), true, self_pid, "/proc/self/exe", off));
	target_fp(4);
	target_fp(4);
	out("expect retprobe by offset count %llu rc %llu", cget(C_URET), cget(C_URET_RC));
	DESTROY("destroy", l);

	/* pid filter: another process's pid sees none of our calls */
	creset();
	pid_t other = sleeper();
	LIBBPF_OPTS(bpf_uprobe_opts, po, .func_name = "attach_target_fn");
	LINK(l, "attach_uprobe_opts(up, other pid)", bpf_program__attach_uprobe_opts(P("up"), other, exe, 0, &po));
	target_fp(3);
	target_fp(3);
	out("expect other-pid count %llu", cget(C_UP));
	DESTROY("destroy", l);
	kill_child(other);

	creset();
	LINK(l, "attach(up_auto) [uprobe//proc/self/exe:attach_target_fn]", bpf_program__attach(P("up_auto")));
	LINK(l2, "attach(uret_auto) [uretprobe//proc/self/exe:attach_target_fn]", bpf_program__attach(P("uret_auto")));
	target_fp(1);
	target_fp(1);
	target_fp(1);
	out("expect auto counts uprobe %llu uretprobe %llu", cget(C_UPA), cget(C_URETA));
	DESTROY("destroy uprobe", l);
	DESTROY("destroy uretprobe", l2);

	/* ref_ctr_offset: the kernel increments the semaphore while attached */
	creset();
	out("expect sema before %u", attach_sema);
	LIBBPF_OPTS(bpf_uprobe_opts, so, .ref_ctr_offset = sema_off);
	LINK(l, "attach_uprobe_opts(up, self, ref_ctr_offset)",
	     bpf_program__attach_uprobe_opts(P("up"), self_pid, exe, off, &so));
	out("expect sema attached %u", attach_sema);
	target_fp(2);
	out("expect ref_ctr count %llu", cget(C_UP));
	DESTROY("destroy", l);
	out("expect sema after destroy %u", attach_sema);

	/* func_name + offset inside the function, at 0 = entry */
	LIBBPF_OPTS(bpf_uprobe_opts, fo, .func_name = "attach_target_fn");
	LINK(l, "attach_uprobe_opts(func_name, func_offset 0 via arg)",
	     bpf_program__attach_uprobe_opts(P("up"), self_pid, exe, 0, &fo));
	if (l)
		DESTROY("destroy", l);

	LIBBPF_OPTS(bpf_uprobe_opts, no, .func_name = "no_such_function_xyz");
	LINK(l, "attach_uprobe_opts(missing func_name)", bpf_program__attach_uprobe_opts(P("up"), self_pid, exe, 0, &no));
	LINK(l, "attach_uprobe(missing binary)",
	     bpf_program__attach_uprobe(P("up"), false, self_pid, "/nonexistent/binary", 0x1000));
	LINK(l, "attach_uprobe(relative binary name not in PATH)",
	     bpf_program__attach_uprobe(P("up"), false, self_pid, "no_such_binary_xyz", 0x1000));
	LINK(l, "attach_uprobe(NULL path)", bpf_program__attach_uprobe(P("up"), false, self_pid, NULL, 0x1000));
	LINK(l, "attach_uprobe_opts(NULL opts, offset)", bpf_program__attach_uprobe_opts(P("up"), self_pid, exe, off, NULL));
	if (l)
		DESTROY("destroy", l);
	LIBBPF_OPTS(bpf_uprobe_opts, lo, .func_name = "malloc");
	LINK(l, "attach_uprobe_opts(libc.so.6 func malloc)",
	     bpf_program__attach_uprobe_opts(P("up"), self_pid, "libc.so.6", 0, &lo));
	if (l)
		DESTROY("destroy", l);
	pid_t other2 = sleeper();
	LINK(l, "attach_uprobe(bash found in PATH, other pid, offset 0x1000)",
	     bpf_program__attach_uprobe(P("up"), false, other2, "bash", 0x1000));
	if (l)
		DESTROY("destroy", l);
	kill_child(other2);
	LINK(l, "attach_uprobe(xdp program)", bpf_program__attach_uprobe(P("xdp_count"), false, self_pid, exe, off));
	if (l)
		DESTROY("destroy", l);
}

static void sec_perf(void)
{
	struct bpf_link *l;
	section = "perf";
	creset();
	int pfd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 100000);
	out("perf_event_open cpu-clock %s", pfd >= 0 ? "ok" : strerror(errno));
	LINK(l, "attach_perf_event(pe, cpu-clock)", bpf_program__attach_perf_event(P("pe"), pfd));
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 50000000L);
	out("expect cpu-clock samples>0 %d cookie %#llx", cget(C_PE) > 0, cget(C_PE_COOKIE));
	DESTROY("destroy", l);
	out("perf fd after destroy: %s", fd_valid(pfd) ? "open" : "closed");
	if (fd_valid(pfd))
		close(pfd);

	creset();
	long id = tp_id("syscalls", "sys_enter_getppid");
	pfd = perf_open(PERF_TYPE_TRACEPOINT, id, 1);
	out("perf_event_open tracepoint %s", pfd >= 0 ? "ok" : strerror(errno));
	LIBBPF_OPTS(bpf_perf_event_opts, po, .bpf_cookie = 0xabcdef);
	LINK(l, "attach_perf_event_opts(pe_tp, tracepoint event, cookie 0xabcdef)",
	     bpf_program__attach_perf_event_opts(P("pe_tp"), pfd, &po));
	getppid_n(5);
	out("expect tracepoint event count %llu cookie %#llx", cget(C_PETP), cget(C_PETP_COOKIE));
	DESTROY("destroy", l);
	getppid_n(1);
	out("expect after destroy count %llu", cget(C_PETP));
	out("perf fd after destroy: %s", fd_valid(pfd) ? "open" : "closed");

	/* the same perf fd can't take a second program while one is attached */
	pfd = perf_open(PERF_TYPE_TRACEPOINT, id, 1);
	LINK(l, "attach_perf_event_opts(NULL opts)", bpf_program__attach_perf_event_opts(P("pe_tp"), pfd, NULL));
	struct bpf_link *l2;
	LINK(l2, "attach_perf_event(same fd again)", bpf_program__attach_perf_event(P("tp_cookie"), pfd));
	if (l2)
		DESTROY("destroy second", l2);
	if (l)
		DESTROY("destroy", l);

	LINK(l, "attach_perf_event(-1)", bpf_program__attach_perf_event(P("pe"), -1));
	LINK(l, "attach_perf_event(-22)", bpf_program__attach_perf_event(P("pe"), -22));
	int closed = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 100000);
	close(closed);
	LINK(l, "attach_perf_event(closed fd)", bpf_program__attach_perf_event(P("pe"), closed));
	int devnull = open("/dev/null", O_RDONLY);
	LINK(l, "attach_perf_event(/dev/null fd)", bpf_program__attach_perf_event(P("pe"), devnull));
	out("/dev/null fd after failed attach: %s", fd_valid(devnull) ? "open" : "closed");
	if (fd_valid(devnull))
		close(devnull);
	pfd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 100000);
	LINK(l, "attach_perf_event(xdp program)", bpf_program__attach_perf_event(P("xdp_count"), pfd));
	out("perf fd after failed attach: %s", fd_valid(pfd) ? "open" : "closed");
	if (l)
		DESTROY("destroy", l);
	if (fd_valid(pfd))
		close(pfd);
}

static void sec_cgroup(void)
{
	struct bpf_link *l;
	section = "cgroup";
	creset();
	int cg = open(cgroup_dir, O_RDONLY | O_DIRECTORY);
	out("cgroup dir open %s", cg >= 0 ? "ok" : strerror(errno));
	LINK(l, "attach_cgroup(cg_sock)", bpf_program__attach_cgroup(P("cg_sock"), cg));
	sockets_in_cgroup(4);
	int outside = socket(AF_INET, SOCK_DGRAM, 0); /* outside the cgroup: not counted */
	if (outside >= 0)
		close(outside);
	out("expect sockets counted %llu", cget(C_CG));
	struct bpf_link_info li;
	int r = l ? raw_info(bpf_link__fd(l), &li, sizeof(li)) : -1;
	out("link info %d type %u attach_type %u prog is cg_sock %d", r, li.type, li.cgroup.attach_type,
	    li.prog_id == prog_id(P("cg_sock")));
	INT("update_program(cg_sock2)", bpf_link__update_program(l, P("cg_sock2")));
	sockets_in_cgroup(3);
	out("expect after update old %llu new %llu", cget(C_CG), cget(C_CG2));
	INT("detach", bpf_link__detach(l));
	out("link fd after detach: %s", l && fd_valid(bpf_link__fd(l)) ? "valid" : "INVALID");
	sockets_in_cgroup(2);
	out("expect after detach old %llu new %llu", cget(C_CG), cget(C_CG2));
	INT("detach again", bpf_link__detach(l));
	INT("update_program after detach", bpf_link__update_program(l, P("cg_sock")));
	DESTROY("destroy", l);

	LINK(l, "attach_cgroup(cg_skb)", bpf_program__attach_cgroup(P("cg_skb"), cg));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_cgroup(cg_sock, -1)", bpf_program__attach_cgroup(P("cg_sock"), -1));
	int dn = open("/dev/null", O_RDONLY);
	LINK(l, "attach_cgroup(cg_sock, /dev/null fd)", bpf_program__attach_cgroup(P("cg_sock"), dn));
	close(dn);
	LINK(l, "attach_cgroup(tp program)", bpf_program__attach_cgroup(P("tp_cookie"), cg));
	if (l)
		DESTROY("destroy", l);
	close(cg);
}

static void sec_netns(void)
{
	struct bpf_link *l;
	section = "netns";
	creset();
	int ns = open("/proc/self/ns/net", O_RDONLY);
	LINK(l, "attach_netns(skl)", bpf_program__attach_netns(P("skl"), ns));
	int got = udp_n(3);
	out("expect udp received %d lookups %llu", got, cget(C_SKL));
	struct bpf_link_info li;
	int r = l ? raw_info(bpf_link__fd(l), &li, sizeof(li)) : -1;
	out("link info %d type %u attach_type %u prog is skl %d", r, li.type, li.netns.attach_type,
	    li.prog_id == prog_id(P("skl")));
	INT("update_program(skl2)", bpf_link__update_program(l, P("skl2")));
	udp_n(2);
	out("expect after update old %llu new %llu", cget(C_SKL), cget(C_SKL2));
	INT("update_program(xdp program)", bpf_link__update_program(l, P("xdp_count")));
	INT("detach", bpf_link__detach(l));
	udp_n(2);
	out("expect after detach old %llu new %llu", cget(C_SKL), cget(C_SKL2));
	DESTROY("destroy", l);

	/* second link while the first is live */
	LINK(l, "attach_netns(skl) again", bpf_program__attach_netns(P("skl"), ns));
	struct bpf_link *l2;
	LINK(l2, "attach_netns(skl2) second", bpf_program__attach_netns(P("skl2"), ns));
	if (l2)
		DESTROY("destroy second", l2);
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_netns(-1)", bpf_program__attach_netns(P("skl"), -1));
	int cgd = open(cgroup_dir, O_RDONLY);
	LINK(l, "attach_netns(cgroup dir fd)", bpf_program__attach_netns(P("skl"), cgd));
	close(cgd);
	LINK(l, "attach_netns(tp program)", bpf_program__attach_netns(P("tp_cookie"), ns));
	if (l)
		DESTROY("destroy", l);
	close(ns);
}

static void sec_xdp(void)
{
	struct bpf_link *l;
	section = "xdp";
	creset();
	int ifx = if_nametoindex(veth_rx);
	out("veth rx ifindex %s", ifx > 0 ? "ok" : "missing");
	LINK(l, "attach_xdp(xdp_count, veth)", bpf_program__attach_xdp(P("xdp_count"), ifx));
	struct bpf_link_info li;
	int r = l ? raw_info(bpf_link__fd(l), &li, sizeof(li)) : -1;
	out("link info %d type %u ifindex-matches %d prog is xdp_count %d", r, li.type, (int)li.xdp.ifindex == ifx,
	    li.prog_id == prog_id(P("xdp_count")));
	frames_n(4);
	out("expect frames counted %llu", wait_count(C_XDP, 4));
	INT("update_program(xdp_count2)", bpf_link__update_program(l, P("xdp_count2")));
	frames_n(3);
	out("expect after update old %llu new %llu", cget(C_XDP), wait_count(C_XDP2, 3));
	struct bpf_link *l2;
	LINK(l2, "attach_xdp(second link same ifindex)", bpf_program__attach_xdp(P("xdp_count"), ifx));
	if (l2)
		DESTROY("destroy second", l2);
	INT("detach", bpf_link__detach(l));
	frames_n(2);
	usleep(100000);
	out("expect after detach old %llu new %llu", cget(C_XDP), cget(C_XDP2));
	DESTROY("destroy", l);

	LINK(l, "attach_xdp(ifindex 0)", bpf_program__attach_xdp(P("xdp_count"), 0));
	LINK(l, "attach_xdp(ifindex -1)", bpf_program__attach_xdp(P("xdp_count"), -1));
	LINK(l, "attach_xdp(ifindex 99999)", bpf_program__attach_xdp(P("xdp_count"), 99999));
	LINK(l, "attach_xdp(tc program)", bpf_program__attach_xdp(P("tc_prog"), ifx));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_xdp(lo)", bpf_program__attach_xdp(P("xdp_count"), 1));
	if (l)
		DESTROY("destroy", l);
}

static void read_iter(const char *what, struct bpf_link *l)
{
	if (!l)
		return;
	int fd = FD("bpf_iter_create", bpf_iter_create(bpf_link__fd(l)));
	if (fd < 0)
		return;
	char buf[4096];
	ssize_t n, tot = 0;
	while ((n = read(fd, buf + tot, sizeof(buf) - 1 - tot)) > 0)
		tot += n;
	buf[tot] = 0;
	close(fd);
	for (char *s = strtok(buf, "\n"); s; s = strtok(NULL, "\n"))
		out("expect %s output: %s", what, s);
}

static void sec_iter(void)
{
	struct bpf_link *l;
	section = "iter";
	LINK(l, "attach_iter(it_task, NULL)", bpf_program__attach_iter(P("it_task"), NULL));
	read_iter("task", l);
	struct bpf_link_info li;
	int r = l ? raw_info(bpf_link__fd(l), &li, sizeof(li)) : -1;
	out("link info %d type %u prog is it_task %d", r, li.type, li.prog_id == prog_id(P("it_task")));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach(it_task) [iter/task]", bpf_program__attach(P("it_task")));
	read_iter("task auto", l);
	INT("update_program(it_task) on iter link", bpf_link__update_program(l, P("it_task")));
	INT("detach iter link", bpf_link__detach(l));
	if (l)
		DESTROY("destroy", l);

	int sfd = bpf_map__fd(bpf_object__find_map_by_name(obj, "small"));
	for (__u32 k = 0; k < 4; k++) {
		__u32 v = k * 10 + 1;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = sfd;
		a.key = (uintptr_t)&k;
		a.value = (uintptr_t)&v;
		sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
	}
	union bpf_iter_link_info linfo;
	memset(&linfo, 0, sizeof(linfo));
	linfo.map.map_fd = sfd;
	LIBBPF_OPTS(bpf_iter_attach_opts, io, .link_info = &linfo, .link_info_len = sizeof(linfo));
	LINK(l, "attach_iter(it_elem, map small)", bpf_program__attach_iter(P("it_elem"), &io));
	read_iter("map elem", l);
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_iter(it_elem, NULL)", bpf_program__attach_iter(P("it_elem"), NULL));
	if (l)
		DESTROY("destroy", l);
	linfo.map.map_fd = 9999;
	LINK(l, "attach_iter(it_elem, bad map fd)", bpf_program__attach_iter(P("it_elem"), &io));
	LINK(l, "attach_iter(tp program)", bpf_program__attach_iter(P("tp_cookie"), NULL));
	if (l)
		DESTROY("destroy", l);
}

static int cc_available(const char *name)
{
	char buf[1024] = "";
	FILE *f = fopen("/proc/sys/net/ipv4/tcp_available_congestion_control", "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (char *s = strtok(buf, " \n"); s; s = strtok(NULL, " \n"))
		if (!strcmp(s, name))
			return 1;
	return 0;
}

static int cc_setsockopt(const char *name)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int r = setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, name, strlen(name)) ? -errno : 0;
	close(s);
	return r;
}

static void sec_struct_ops(void)
{
	struct bpf_link *l;
	section = "struct_ops";
	section = "struct_ops_load";
	struct bpf_object *so = open_gen("so.bpf.o");
	section = "struct_ops";
	if (!so)
		return;
	struct bpf_map *m = bpf_object__find_map_by_name(so, "sbpf_cc");
	out("map found %d", m != NULL);
	LINK(l, "attach_struct_ops before load", bpf_map__attach_struct_ops(m));
	out("expect before: available %d setsockopt %d", cc_available("sbpf_attach_cc"), cc_setsockopt("sbpf_attach_cc"));
	section = "struct_ops_load";
	INT("load", bpf_object__load(so));
	section = "struct_ops";
	LINK(l, "attach_struct_ops", bpf_map__attach_struct_ops(m));
	out("expect attached: available %d setsockopt %d", cc_available("sbpf_attach_cc"), cc_setsockopt("sbpf_attach_cc"));
	out("link fd %s", l && fd_valid(bpf_link__fd(l)) ? "valid" : "INVALID");
	struct bpf_link *l2;
	LINK(l2, "attach_struct_ops again", bpf_map__attach_struct_ops(m));
	if (l2)
		DESTROY("destroy second", l2);
	out("expect after second: available %d", cc_available("sbpf_attach_cc"));
	INT("update_program on struct_ops link", bpf_link__update_program(l, bpf_object__find_program_by_name(so, "sbpf_ssthresh")));
	INT("detach", bpf_link__detach(l));
	out("expect after detach: available %d", cc_available("sbpf_attach_cc"));
	DESTROY("destroy", l);
	out("expect after destroy: available %d setsockopt %d", cc_available("sbpf_attach_cc"),
	    cc_setsockopt("sbpf_attach_cc"));
	LINK(l, "attach_struct_ops(again after destroy)", bpf_map__attach_struct_ops(m));
	out("expect reattached: available %d", cc_available("sbpf_attach_cc"));
	if (l)
		DESTROY("destroy", l);
	out("expect after destroy: available %d", cc_available("sbpf_attach_cc"));
	LINK(l, "attach(struct_ops program)", bpf_program__attach(bpf_object__find_program_by_name(so, "sbpf_ssthresh")));
	LINK(l, "attach_struct_ops(non-struct_ops map cnt)", bpf_map__attach_struct_ops(bpf_object__find_map_by_name(obj, "cnt")));
	LINK(l, "attach_struct_ops(.bss map)", bpf_map__attach_struct_ops(bpf_object__find_map_by_name(so, "so.bss")));
	bpf_object__close(so);
}

static void sec_fail(void)
{
	struct bpf_link *l;
	section = "fail";
	int k0 = tracefs_libbpf_lines("kprobe_events"), u0 = tracefs_libbpf_lines("uprobe_events");
	LINK(l, "attach_kprobe(kp, false, __x64_sys_getppid)", bpf_program__attach_kprobe(P("kp"), false, "__x64_sys_getppid"));
	LINK(l, "attach_kprobe(krp, true, __x64_sys_getppid)", bpf_program__attach_kprobe(P("krp"), true, "__x64_sys_getppid"));
	LIBBPF_OPTS(bpf_kprobe_opts, ko, .bpf_cookie = 5, .offset = 0);
	LINK(l, "attach_kprobe_opts(kp, cookie)", bpf_program__attach_kprobe_opts(P("kp"), "__x64_sys_getppid", &ko));
	LIBBPF_OPTS(bpf_kprobe_opts, kro, .retprobe = true, .offset = 4);
	LINK(l, "attach_kprobe_opts(krp, retprobe, offset 4)", bpf_program__attach_kprobe_opts(P("krp"), "__x64_sys_getppid", &kro));
	LINK(l, "attach_kprobe_opts(NULL func, NULL opts)", bpf_program__attach_kprobe_opts(P("kp"), NULL, NULL));
	LINK(l, "attach_kprobe(no_such_function)", bpf_program__attach_kprobe(P("kp"), false, "no_such_function_xyz"));
	LINK(l, "attach(kp) [kprobe/__x64_sys_getppid]", bpf_program__attach(P("kp")));
	LINK(l, "attach(krp) [kretprobe/__x64_sys_getppid]", bpf_program__attach(P("krp")));
	LINK(l, "attach(kp_notarget) [kprobe]", bpf_program__attach(P("kp_notarget")));
	LINK(l, "attach_ksyscall(ksys, getppid, NULL)", bpf_program__attach_ksyscall(P("ksys"), "getppid", NULL));
	LIBBPF_OPTS(bpf_ksyscall_opts, kso, .retprobe = true, .bpf_cookie = 3);
	LINK(l, "attach_ksyscall(kretsys, getppid, retprobe)", bpf_program__attach_ksyscall(P("kretsys"), "getppid", &kso));
	LINK(l, "attach(ksys) [ksyscall/getppid]", bpf_program__attach(P("ksys")));
	LINK(l, "attach(kretsys) [kretsyscall/getppid]", bpf_program__attach(P("kretsys")));
	LINK(l, "attach_kprobe_multi_opts(kpm, pattern, NULL)", bpf_program__attach_kprobe_multi_opts(P("kpm"), "__x64_sys_getpp*", NULL));
	const char *syms[] = {"__x64_sys_getppid", "__x64_sys_getpid"};
	LIBBPF_OPTS(bpf_kprobe_multi_opts, mo, .syms = syms, .cnt = 2);
	LINK(l, "attach_kprobe_multi_opts(kpm, NULL, syms)", bpf_program__attach_kprobe_multi_opts(P("kpm"), NULL, &mo));
	LINK(l, "attach_kprobe_multi_opts(kpm, pattern, syms)", bpf_program__attach_kprobe_multi_opts(P("kpm"), "x*", &mo));
	LINK(l, "attach_kprobe_multi_opts(kpm, NULL, NULL)", bpf_program__attach_kprobe_multi_opts(P("kpm"), NULL, NULL));
	LIBBPF_OPTS(bpf_kprobe_multi_opts, mo0, .cnt = 0);
	LINK(l, "attach_kprobe_multi_opts(kpm, NULL, cnt 0)", bpf_program__attach_kprobe_multi_opts(P("kpm"), NULL, &mo0));
	unsigned long addrs[] = {0xffffffff81000000UL};
	LIBBPF_OPTS(bpf_kprobe_multi_opts, ma, .addrs = addrs, .cnt = 1, .retprobe = true);
	LINK(l, "attach_kprobe_multi_opts(krpm, addrs)", bpf_program__attach_kprobe_multi_opts(P("krpm"), NULL, &ma));
	LIBBPF_OPTS(bpf_kprobe_multi_opts, mb, .addrs = addrs, .syms = syms, .cnt = 1);
	LINK(l, "attach_kprobe_multi_opts(syms and addrs)", bpf_program__attach_kprobe_multi_opts(P("kpm"), NULL, &mb));
	LINK(l, "attach(kpm) [kprobe.multi/__x64_sys_getpp*]", bpf_program__attach(P("kpm")));
	LINK(l, "attach(krpm) [kretprobe.multi/__x64_sys_getppid]", bpf_program__attach(P("krpm")));
	LINK(l, "attach_kprobe_multi_opts(tp program, syms)", bpf_program__attach_kprobe_multi_opts(P("tp_cookie"), NULL, &mo));
	out("expect no leftover probe events: kprobe_events %d uprobe_events %d",
	    tracefs_libbpf_lines("kprobe_events") - k0, tracefs_libbpf_lines("uprobe_events") - u0);
}

/* Programs that were never loaded (autoload off): every attach function. */
static void sec_noload(void)
{
	struct bpf_link *l;
	section = "noload";
	const char *names[] = {"fent", "fext", "fmodret", "lsm_open", "tpbtf", "frep", "it_map"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char what[128];
		struct bpf_program *p = P(names[i]);
		out("prog '%s' fd %d autoload %d", names[i], bpf_program__fd(p), bpf_program__autoload(p));
		snprintf(what, sizeof(what), "attach(%s) [%s]", names[i], bpf_program__section_name(p));
		LINK(l, what, bpf_program__attach(p));
	}
	LINK(l, "attach_trace(fent)", bpf_program__attach_trace(P("fent")));
	LIBBPF_OPTS(bpf_trace_opts, tro, .cookie = 7);
	LINK(l, "attach_trace_opts(fext, cookie)", bpf_program__attach_trace_opts(P("fext"), &tro));
	LINK(l, "attach_trace_opts(fmodret, NULL)", bpf_program__attach_trace_opts(P("fmodret"), NULL));
	LINK(l, "attach_trace(tpbtf)", bpf_program__attach_trace(P("tpbtf")));
	LINK(l, "attach_lsm(lsm_open)", bpf_program__attach_lsm(P("lsm_open")));
	LINK(l, "attach_freplace(frep, 0, NULL)", bpf_program__attach_freplace(P("frep"), 0, NULL));
	LINK(l, "attach_freplace(frep, 0, some_func)", bpf_program__attach_freplace(P("frep"), 0, "some_func"));
	LINK(l, "attach_freplace(frep, tp_cookie fd, tp_cookie)",
	     bpf_program__attach_freplace(P("frep"), bpf_program__fd(P("tp_cookie")), "tp_cookie"));
	LINK(l, "attach_iter(it_map)", bpf_program__attach_iter(P("it_map"), NULL));
	LINK(l, "attach_tracepoint(fent)", bpf_program__attach_tracepoint(P("fent"), "syscalls", "sys_enter_getppid"));
	LINK(l, "attach_raw_tracepoint(fent)", bpf_program__attach_raw_tracepoint(P("fent"), "sys_enter"));
	LINK(l, "attach_uprobe(fent)", bpf_program__attach_uprobe(P("fent"), false, self_pid, "/proc/self/exe", 0x1000));
	int pfd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 100000);
	LINK(l, "attach_perf_event(fent)", bpf_program__attach_perf_event(P("fent"), pfd));
	out("perf fd after failed attach: %s", fd_valid(pfd) ? "open" : "closed");
	if (fd_valid(pfd))
		close(pfd);
	int cg = open(cgroup_dir, O_RDONLY);
	LINK(l, "attach_cgroup(fent)", bpf_program__attach_cgroup(P("fent"), cg));
	close(cg);
	int ns = open("/proc/self/ns/net", O_RDONLY);
	LINK(l, "attach_netns(fent)", bpf_program__attach_netns(P("fent"), ns));
	close(ns);
	LINK(l, "attach_xdp(fent)", bpf_program__attach_xdp(P("fent"), 1));
	LINK(l, "attach_kprobe(fent)", bpf_program__attach_kprobe(P("fent"), false, "__x64_sys_getppid"));

	/* loaded tracing-capable programs of the wrong kind */
	LINK(l, "attach_trace(tp_cookie)", bpf_program__attach_trace(P("tp_cookie")));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_lsm(tp_cookie)", bpf_program__attach_lsm(P("tp_cookie")));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_freplace(tp_cookie, tp fd, tp_cookie)",
	     bpf_program__attach_freplace(P("tp_cookie"), bpf_program__fd(P("tp_alt")), "tp_alt"));
	if (l)
		DESTROY("destroy", l);
	LINK(l, "attach_freplace(tp_cookie, 0, NULL)", bpf_program__attach_freplace(P("tp_cookie"), 0, NULL));
	if (l)
		DESTROY("destroy", l);
}

/* set_attach_target, find_vmlinux_btf_id, set_ifindex, load under lockdown */
static void sec_target(void)
{
	section = "target";
	static const struct {
		const char *name;
		enum bpf_attach_type t;
	} ids[] = {
		{"bpf_fentry_test1", BPF_TRACE_FENTRY}, {"do_sys_openat2", BPF_TRACE_FEXIT},
		{"bpf_fentry_test1", BPF_MODIFY_RETURN}, {"file_open", BPF_LSM_MAC},
		{"sys_enter", BPF_TRACE_RAW_TP}, {"task", BPF_TRACE_ITER},
		{"no_such_func_xyz", BPF_TRACE_FENTRY}, {"file_open", BPF_TRACE_FENTRY},
		{"bpf_fentry_test1", BPF_CGROUP_INET_INGRESS}, {"", BPF_TRACE_FENTRY},
		{"bpf_lsm_file_open", BPF_LSM_MAC}, {"btf_trace_sys_enter", BPF_TRACE_RAW_TP},
		{"bpf_map", BPF_TRACE_ITER}, {"sys_enter", BPF_TRACE_FENTRY}, {"bpf_fentry_test1", BPF_LSM_MAC},
		{"bpf_fentry_test1", BPF_TRACE_RAW_TP}, {"task", BPF_MODIFY_RETURN},
	};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		errno = SENTINEL;
		int r = libbpf_find_vmlinux_btf_id(ids[i].name, ids[i].t);
		int e = errno;
		if (r < 0)
			out("expect find_vmlinux_btf_id('%s', %d) = %d errno %d", ids[i].name, ids[i].t, r, e);
		else
			out("expect find_vmlinux_btf_id('%s', %d) = %d", ids[i].name, ids[i].t, r);
	}

	section = "target_load";
	struct bpf_object *o = open_gen("attach.bpf.o");
	section = "target";
	if (!o)
		return;
	struct bpf_program *p;
	bpf_object__for_each_program(p, o)
		bpf_program__set_autoload(p, false);
	struct bpf_program *fent = bpf_object__find_program_by_name(o, "fent");
	struct bpf_program *frep = bpf_object__find_program_by_name(o, "frep");
	struct bpf_program *lsm = bpf_object__find_program_by_name(o, "lsm_open");
	struct bpf_program *tp = bpf_object__find_program_by_name(o, "tp_cookie");
	struct bpf_program *xdp = bpf_object__find_program_by_name(o, "xdp_count");
	INT("set_attach_target(fent, 0, do_sys_openat2)", bpf_program__set_attach_target(fent, 0, "do_sys_openat2"));
	INT("set_attach_target(fent, 0, no_such_func_xyz)", bpf_program__set_attach_target(fent, 0, "no_such_func_xyz"));
	INT("set_attach_target(fent, 0, NULL)", bpf_program__set_attach_target(fent, 0, NULL));
	INT("set_attach_target(lsm, 0, file_open)", bpf_program__set_attach_target(lsm, 0, "file_open"));
	INT("set_attach_target(lsm, 0, bpf_lsm_file_open)", bpf_program__set_attach_target(lsm, 0, "bpf_lsm_file_open"));
	INT("set_attach_target(tp, 0, do_sys_openat2)", bpf_program__set_attach_target(tp, 0, "do_sys_openat2"));
	INT("set_attach_target(xdp, 0, NULL)", bpf_program__set_attach_target(xdp, 0, NULL));
	INT("set_attach_target(frep, -1, some_func)", bpf_program__set_attach_target(frep, -1, "some_func"));
	int dn = open("/dev/null", O_RDONLY);
	INT("set_attach_target(frep, /dev/null fd, some_func)", bpf_program__set_attach_target(frep, dn, "some_func"));
	close(dn);
	INT("set_attach_target(frep, tp_cookie fd, tp_cookie)",
	    bpf_program__set_attach_target(frep, bpf_program__fd(P("tp_cookie")), "tp_cookie"));
	INT("set_attach_target(frep, tp_cookie fd, no_such)",
	    bpf_program__set_attach_target(frep, bpf_program__fd(P("tp_cookie")), "no_such"));
	INT("set_attach_target(frep, tp_cookie fd, NULL)",
	    bpf_program__set_attach_target(frep, bpf_program__fd(P("tp_cookie")), NULL));
	out("after set_attach_target: fent type %d exp %d, frep type %d exp %d, tp type %d exp %d",
	    bpf_program__type(fent), bpf_program__expected_attach_type(fent), bpf_program__type(frep),
	    bpf_program__expected_attach_type(frep), bpf_program__type(tp), bpf_program__expected_attach_type(tp));
	/* load only fent (lockdown: EPERM expected from the kernel) */
	bpf_program__set_autoload(fent, true);
	INT("set_attach_target(fent, 0, bpf_fentry_test1)", bpf_program__set_attach_target(fent, 0, "bpf_fentry_test1"));
	section = "target_load";
	INT("load with only fent", bpf_object__load(o));
	section = "target";
	out("fent fd after failed load %d", bpf_program__fd(fent));
	INT("set_attach_target after load", bpf_program__set_attach_target(fent, 0, "bpf_fentry_test1"));
	bpf_object__close(o);

	/* set_ifindex: an XDP program offloaded to lo (not offload-capable) */
	section = "target_load";
	o = open_gen("attach.bpf.o");
	if (!o)
		return;
	bpf_object__for_each_program(p, o)
		bpf_program__set_autoload(p, false);
	xdp = bpf_object__find_program_by_name(o, "xdp_count");
	bpf_program__set_autoload(xdp, true);
	bpf_program__set_ifindex(xdp, 1);
	INT("load xdp with ifindex 1 (lo)", bpf_object__load(o));
	bpf_object__close(o);
	o = open_gen("attach.bpf.o");
	if (!o)
		return;
	bpf_object__for_each_program(p, o)
		bpf_program__set_autoload(p, false);
	xdp = bpf_object__find_program_by_name(o, "xdp_count");
	bpf_program__set_autoload(xdp, true);
	bpf_program__set_ifindex(xdp, 1);
	bpf_program__set_ifindex(xdp, 0);
	INT("load xdp with ifindex 1 then 0", bpf_object__load(o));
	bpf_object__close(o);
}

static int path_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static void sec_link(void)
{
	struct bpf_link *l, *l2;
	char pin1[PATH_MAX + 64], pin2[PATH_MAX + 64], pin3[PATH_MAX + 64], pinp[PATH_MAX + 64], pinm[PATH_MAX + 64];
	section = "link";
	snprintf(pin1, sizeof(pin1), "%s/l1", bpffs);
	snprintf(pin2, sizeof(pin2), "%s/l2", bpffs);
	snprintf(pin3, sizeof(pin3), "%s/l3", bpffs);
	snprintf(pinp, sizeof(pinp), "%s/lp", plain);
	snprintf(pinm, sizeof(pinm), "%s/no/such/dir/l", bpffs);
	char pin1dir[PATH_MAX + 64], pinrel[PATH_MAX + 64], pinlong[PATH_MAX + 600], pinfile[PATH_MAX + 64];
	snprintf(pin1dir, sizeof(pin1dir), "%s/newdir/l4", bpffs);
	snprintf(pinrel, sizeof(pinrel), "bpffs/l5");
	snprintf(pinlong, sizeof(pinlong), "%s/", bpffs);
	while (strlen(pinlong) < PATH_MAX + 10)
		strcat(pinlong, "x");
	snprintf(pinfile, sizeof(pinfile), "%s/taken", bpffs);

	creset();
	LINK(l, "attach_raw_tracepoint(raw_notarget, sys_enter)", bpf_program__attach_raw_tracepoint(P("raw_notarget"), "sys_enter"));
	INT("fd >= 0 (1 = yes)", bpf_link__fd(l) >= 0 ? 1 : bpf_link__fd(l));
	out("fd is link fd: %d", fd_valid(bpf_link__fd(l)));
	out("pin_path before pin: %s", rel(bpf_link__pin_path(l)));
	INT("unpin when not pinned", bpf_link__unpin(l));
	INT("pin l1", bpf_link__pin(l, pin1));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	out("expect pinned file exists %d", path_exists(pin1));
	INT("pin l1 again", bpf_link__pin(l, pin1));
	INT("pin l2 while pinned at l1", bpf_link__pin(l, pin2));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("unpin", bpf_link__unpin(l));
	out("pin_path after unpin: %s", rel(bpf_link__pin_path(l)));
	out("expect pinned file exists after unpin %d", path_exists(pin1));
	INT("unpin again", bpf_link__unpin(l));
	INT("pin on non-bpffs path", bpf_link__pin(l, pinp));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("pin with missing parent dirs", bpf_link__pin(l, pinm));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("pin with one missing parent dir", bpf_link__pin(l, pin1dir));
	out("pin_path: %s newdir exists %d", rel(bpf_link__pin_path(l)), path_exists(pin1dir));
	INT("unpin", bpf_link__unpin(l));
	INT("pin to a relative path", bpf_link__pin(l, pinrel));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("unpin", bpf_link__unpin(l));
	INT("pin to a path longer than PATH_MAX", bpf_link__pin(l, pinlong));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	char mp[PATH_MAX + 64];
	snprintf(mp, sizeof(mp), "%s/map2", bpffs);
	union bpf_attr pa;
	memset(&pa, 0, sizeof(pa));
	pa.bpf_fd = cnt_fd;
	pa.pathname = (uintptr_t)pinfile;
	sys_bpf(BPF_OBJ_PIN, &pa);
	INT("pin to a path where a map is pinned", bpf_link__pin(l, pinfile));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	unlink(pinfile);
	INT("pin to the bpffs root dir itself", bpf_link__pin(l, bpffs));
	out("pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("pin l1", bpf_link__pin(l, pin1));

	/* open the pinned link: a second bpf_link on the same kernel link */
	LINK(l2, "bpf_link__open(l1)", bpf_link__open(pin1));
	out("opened link pin_path: %s", l2 ? rel(bpf_link__pin_path(l2)) : "-");
	struct bpf_link_info a, b;
	raw_info(bpf_link__fd(l), &a, sizeof(a));
	if (l2)
		raw_info(bpf_link__fd(l2), &b, sizeof(b));
	out("opened link is the same kernel link: %d", l2 && a.id == b.id);
	INT("pin opened link to l2", l2 ? bpf_link__pin(l2, pin2) : -1);
	out("opened link pin_path after pin: %s", l2 ? rel(bpf_link__pin_path(l2)) : "-");
	INT("unpin opened link", l2 ? bpf_link__unpin(l2) : -1);
	out("expect after unpin of the opened link: l1 exists %d l2 exists %d", path_exists(pin1), path_exists(pin2));
	if (l2)
		DESTROY("destroy opened", l2);
	out("first link pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("unpin first link (file already removed)", bpf_link__unpin(l));
	out("first link pin_path: %s", rel(bpf_link__pin_path(l)));
	INT("pin l1 again (pin_path still set)", bpf_link__pin(l, pin1));
	out("l1 exists %d", path_exists(pin1));
	DESTROY("destroy first link", l);
	LINK(l2, "bpf_link__open(missing)", bpf_link__open(pin3));
	LINK(l2, "bpf_link__open(non-bpffs path)", bpf_link__open(pinp));
	LINK(l2, "bpf_link__open(bpffs dir)", bpf_link__open(bpffs));
	LINK(l2, "bpf_link__open(/dev/null)", bpf_link__open("/dev/null"));
	LINK(l2, "bpf_link__open(relative bpffs/l1)", bpf_link__open("bpffs/l1"));
	if (l2)
		DESTROY("destroy", l2);
	LINK(l2, "bpf_link__open(path longer than PATH_MAX)", bpf_link__open(pinlong));
	LINK(l2, "bpf_link__open('')", bpf_link__open(""));

	/* a pinned map is not a link */
	char pmap[PATH_MAX + 64];
	snprintf(pmap, sizeof(pmap), "%s/map", bpffs);
	union bpf_attr at;
	memset(&at, 0, sizeof(at));
	at.bpf_fd = cnt_fd;
	at.pathname = (uintptr_t)pmap;
	sys_bpf(BPF_OBJ_PIN, &at);
	LINK(l2, "bpf_link__open(pinned map)", bpf_link__open(pmap));
	if (l2)
		DESTROY("destroy", l2);
	unlink(pmap);

	/* destroy while pinned: the attachment stays while the pin exists */
	creset();
	LINK(l, "attach_raw_tracepoint(raw_notarget, sys_enter)", bpf_program__attach_raw_tracepoint(P("raw_notarget"), "sys_enter"));
	INT("pin l1", bpf_link__pin(l, pin1));
	out("expect l1 exists %d", path_exists(pin1));
	getppid_n(2);
	out("expect count while linked %llu", cget(C_RAW2));
	struct bpf_link_info pli;
	raw_info(bpf_link__fd(l), &pli, sizeof(pli));
	DESTROY("destroy pinned link (not disconnected)", l);
	getppid_n(3);
	out("expect count after destroy of pinned link %llu", cget(C_RAW2));
	unlink(pin1);
	/* the kernel frees a link whose last reference was a pin asynchronously */
	out("link freed after unlink: %d", wait_link_gone(pli.id));
	for (int i = 0; i < 200; i++) { /* and detaches its program a bit later */
		__u64 c0 = cget(C_RAW2);
		getppid_n(1);
		if (cget(C_RAW2) == c0)
			break;
		usleep(10000);
	}
	__u64 c1 = cget(C_RAW2);
	getppid_n(2);
	out("expect count increase after unlink of pin %llu", cget(C_RAW2) - c1);

	/* disconnect + destroy of a pinned link (pe_tp: not attached anywhere else) */
	creset();
	LINK(l, "attach(pe_tp)", bpf_program__attach(P("pe_tp")));
	INT("pin l3", bpf_link__pin(l, pin3));
	if (l)
		bpf_link__disconnect(l);
	out("disconnect done");
	DESTROY("destroy after disconnect", l);
	getppid_n(3);
	out("expect count after disconnect+destroy %llu", cget(C_PETP));
	out("expect pin l3 exists %d", path_exists(pin3));
	LINK(l, "bpf_link__open(l3)", bpf_link__open(pin3));
	out("opened pin_path: %s", l ? rel(bpf_link__pin_path(l)) : "-");
	INT("detach opened tp link", l ? bpf_link__detach(l) : -1);
	getppid_n(1);
	out("expect count after detach %llu", cget(C_PETP));
	INT("unpin opened link", l ? bpf_link__unpin(l) : -1);
	out("expect pin l3 exists after unpin %d", path_exists(pin3));
	unlink(pin3);
	DESTROY("destroy", l);
	getppid_n(2);
	out("expect count after destroy of the opened link %llu", cget(C_PETP));
	out("leaked link fds of pe_tp closed: %d", close_links_of(P("pe_tp")));
	getppid_n(2);
	out("expect count after closing them %llu", cget(C_PETP));

	/* disconnect + destroy of an unpinned link */
	creset();
	LINK(l, "attach(tp_long)", bpf_program__attach(P("tp_long")));
	if (l)
		bpf_link__disconnect(l);
	DESTROY("destroy after disconnect (unpinned)", l);
	getppid_n(2);
	out("expect count after unpinned disconnect+destroy %llu", cget(C_TPL));
	out("leaked link fds of tp_long closed: %d", close_links_of(P("tp_long")));
	getppid_n(2);
	out("expect count after closing them %llu", cget(C_TPL));

	/* disconnect + destroy of a raw_tp link, then the same for a cgroup link */
	creset();
	LINK(l, "attach(raw_named)", bpf_program__attach(P("raw_named")));
	if (l)
		bpf_link__disconnect(l);
	DESTROY("destroy after disconnect (raw_tp)", l);
	getppid_n(2);
	out("expect count after raw_tp disconnect+destroy %llu", cget(C_RAW));
	out("leaked link fds of raw_named closed: %d", close_links_of(P("raw_named")));
	getppid_n(2);
	out("expect count after closing them %llu", cget(C_RAW));

	/* update_program on a perf-event (tracepoint) link */
	creset();
	LINK(l, "attach(tp_cookie)", bpf_program__attach(P("tp_cookie")));
	INT("update_program(tp_alt) on tracepoint link", bpf_link__update_program(l, P("tp_alt")));
	getppid_n(2);
	out("expect counts old %llu new %llu", cget(C_TP), cget(C_ALT));
	INT("detach tracepoint link", bpf_link__detach(l));
	getppid_n(1);
	out("expect counts after detach %llu", cget(C_TP));
	DESTROY("destroy", l);

	/* update_program on a raw_tp link */
	LINK(l, "attach(raw_named)", bpf_program__attach(P("raw_named")));
	INT("update_program(raw_notarget) on raw_tp link", bpf_link__update_program(l, P("raw_notarget")));
	INT("update_program(unloaded fent)", bpf_link__update_program(l, P("fent")));
	INT("detach raw_tp link", bpf_link__detach(l));
	DESTROY("destroy", l);

	/* a cgroup link pinned, destroyed, reopened: still attached */
	creset();
	int cg = open(cgroup_dir, O_RDONLY);
	LINK(l, "attach_cgroup(cg_sock)", bpf_program__attach_cgroup(P("cg_sock"), cg));
	INT("pin l1", bpf_link__pin(l, pin1));
	DESTROY("destroy pinned cgroup link", l);
	sockets_in_cgroup(2);
	out("expect sockets counted after destroy of pinned link %llu", cget(C_CG));
	LINK(l, "bpf_link__open(l1)", bpf_link__open(pin1));
	INT("update_program(cg_sock2) on opened link", bpf_link__update_program(l, P("cg_sock2")));
	sockets_in_cgroup(1);
	out("expect after update old %llu new %llu", cget(C_CG), cget(C_CG2));
	unlink(pin1);
	DESTROY("destroy", l);
	sockets_in_cgroup(1);
	out("expect after unlink+destroy old %llu new %llu", cget(C_CG), cget(C_CG2));
	close(cg);
}

static void sec_auto(void)
{
	struct bpf_link *l;
	struct bpf_program *p;
	section = "auto";
	bpf_object__for_each_program(p, obj) {
		char what[256];
		const char *n = bpf_program__name(p);
		if (!strncmp(n, "cust", 4))
			continue; /* custom section */
		snprintf(what, sizeof(what), "attach(%s) [%s] autoattach %d", n, bpf_program__section_name(p),
			 bpf_program__autoattach(p));
		LINK(l, what, bpf_program__attach(p));
		if (l)
			DESTROY("destroy", l);
	}
}

static void sec_custom(void)
{
	struct bpf_link *l;
	section = "custom";
	creset();
	cb_calls = 0;
	LINK(l, "attach(cust_one) [custom/one]", bpf_program__attach(P("cust_one")));
	out("callback calls %d prog is cust_one %d cookie %#lx", cb_calls, cb_prog == P("cust_one"), cb_cookie);
	getppid_n(3);
	out("expect custom count %llu", cget(C_CUSTOM));
	if (l)
		DESTROY("destroy", l);
	cb_calls = 0;
	LINK(l, "attach(cust_two) [custom/two] callback -E2BIG", bpf_program__attach(P("cust_two")));
	out("callback calls %d", cb_calls);
	cb_calls = 0;
	LINK(l, "attach(cust_three) [custom/three] callback 0 without link", bpf_program__attach(P("cust_three")));
	out("callback calls %d", cb_calls);
	if (l)
		DESTROY("destroy", l);
	cb_calls = 0;
	LINK(l, "attach(cust_four) [custom/four] callback returns 1", bpf_program__attach(P("cust_four")));
	out("callback calls %d", cb_calls);
	if (l)
		DESTROY("destroy", l);
	cb_calls = 0;
	LINK(l, "attach(cust_noattach) [custom_noattach]", bpf_program__attach(P("cust_noattach")));
	out("callback calls %d", cb_calls);
	out("types: cust_one %d exp %d, cust_noattach %d", bpf_program__type(P("cust_one")),
	    bpf_program__expected_attach_type(P("cust_one")), bpf_program__type(P("cust_noattach")));
}

static void list_skel_links(struct skel *s)
{
	out("link slots: tp %d noattach %d pre %d raw %d xdp %d cgskb %d noload %d up %d kp %d tp2 %d",
	    !!s->links.sk_tp, !!s->links.sk_noattach, !!s->links.sk_pre, !!s->links.sk_raw, !!s->links.sk_xdp,
	    !!s->links.sk_cgskb, !!s->links.sk_noload, !!s->links.sk_up, !!s->links.sk_kp, !!s->links.sk_tp2);
}

static void skel_ids(struct skel *s, __u32 *ids)
{
	struct bpf_program *ps[] = {s->progs.sk_tp, s->progs.sk_noattach, s->progs.sk_pre, s->progs.sk_raw,
				    s->progs.sk_xdp, s->progs.sk_cgskb, s->progs.sk_noload, s->progs.sk_up,
				    s->progs.sk_kp, s->progs.sk_tp2};
	for (int i = 0; i < 10; i++)
		ids[i] = prog_id(ps[i]);
}

static void sec_skel(void)
{
	__u32 ids[10];
	section = "skel";
	section = "skel_load";
	struct skel *s = skel__open();
	section = "skel";
	if (!s) {
		out("skel__open NULL errno %d", errno);
		return;
	}
	INT("attach_skeleton before load", bpf_object__attach_skeleton(s->skeleton));
	list_skel_links(s);
	bpf_object__detach_skeleton(s->skeleton);
	bpf_program__set_autoattach(s->progs.sk_noattach, false);
	bpf_program__set_autoattach(s->progs.sk_kp, false);
	section = "skel_load";
	INT("load", skel__load(s));
	section = "skel";
	s->bss->target_tgid = self_pid;
	skel_ids(s, ids);
	LIBBPF_OPTS(bpf_tracepoint_opts, to, .bpf_cookie = 0x5e1f);
	struct bpf_link *pre = bpf_program__attach_tracepoint_opts(s->progs.sk_pre, "syscalls", "sys_enter_getppid", &to);
	s->links.sk_pre = pre;
	out("pre-filled sk_pre link %s", pre ? "ok" : "FAILED");
	out("expect links of this object before attach %d", count_links(ids, 10));
	int b = nfds();
	INT("attach_skeleton", bpf_object__attach_skeleton(s->skeleton));
	out("fds%+d", nfds() - b);
	list_skel_links(s);
	out("pre-filled slot kept: %d", s->links.sk_pre == pre);
	out("expect links of this object after attach %d", count_links(ids, 10));
	getppid_n(3);
	out("expect hits tp %llu raw %llu noattach %llu pre %llu (cookie %#llx) tp2 %llu noload %llu", s->bss->hits_tp,
	    s->bss->hits_raw, s->bss->hits_noattach, s->bss->hits_pre, s->bss->pre_cookie, s->bss->hits_tp2,
	    s->bss->hits_noload);
	INT("attach_skeleton again", bpf_object__attach_skeleton(s->skeleton));
	list_skel_links(s);
	out("expect links of this object after second attach %d", count_links(ids, 10));
	b = nfds();
	bpf_object__detach_skeleton(s->skeleton);
	out("detach_skeleton fds%+d", nfds() - b);
	list_skel_links(s);
	out("expect links of this object after detach %d", count_links(ids, 10));
	getppid_n(2);
	out("expect hits after detach tp %llu raw %llu pre %llu tp2 %llu", s->bss->hits_tp, s->bss->hits_raw,
	    s->bss->hits_pre, s->bss->hits_tp2);
	bpf_object__detach_skeleton(s->skeleton);
	out("second detach_skeleton done");
	INT("attach_skeleton after detach", bpf_object__attach_skeleton(s->skeleton));
	list_skel_links(s);
	b = nfds();
	skel__destroy(s);
	out("destroy_skeleton fds%+d", nfds() - b);
	out("expect links of this object after destroy %d", count_links(ids, 10));
	/* a pre-filled link the skeleton did not create is destroyed too? */
	if (pre)
		out("pre link fd after destroy_skeleton: %s", "not inspected (freed)");

	/* failing auto-attach: sk_kp (a kprobe) sits between sk_up and sk_tp2 */
	section = "skel_load";
	s = skel__open_and_load();
	section = "skelfail";
	if (!s) {
		out("skel__open_and_load NULL errno %d", errno);
		return;
	}
	s->bss->target_tgid = self_pid;
	skel_ids(s, ids);
	b = nfds();
	errno = SENTINEL;
	int r = bpf_object__attach_skeleton(s->skeleton);
	out("attach_skeleton = %d errno %d fds%+d", r, errno, nfds() - b);
	list_skel_links(s);
	out("expect links of this object after failed attach %d", count_links(ids, 10));
	getppid_n(2);
	out("expect hits tp %llu raw %llu noattach %llu tp2 %llu", s->bss->hits_tp, s->bss->hits_raw,
	    s->bss->hits_noattach, s->bss->hits_tp2);
	b = nfds();
	skel__destroy(s);
	out("destroy_skeleton fds%+d", nfds() - b);
	out("expect links of this object after destroy %d", count_links(ids, 10));
	bpf_object__destroy_skeleton(NULL);
	out("destroy_skeleton(NULL) survived");

	/* a skeleton whose object has a struct_ops map and struct_ops programs */
	section = "skel_load";
	struct so *so = so__open_and_load();
	section = "skelso";
	if (!so) {
		out("so__open_and_load NULL errno %d", errno);
		return;
	}
	INT("attach_skeleton (struct_ops object)", so__attach(so));
	out("expect after skeleton attach: registered-by-attach_skeleton %d", cc_available("sbpf_attach_cc"));
	struct bpf_link *l;
	LINK(l, "attach_struct_ops(skeleton map)", bpf_map__attach_struct_ops(so->maps.sbpf_cc));
	out("expect after attach_struct_ops: available %d", cc_available("sbpf_attach_cc"));
	b = nfds();
	so__detach(so);
	out("detach_skeleton fds%+d available %d", nfds() - b, cc_available("sbpf_attach_cc"));
	if (l)
		DESTROY("destroy", l);
	out("expect after destroy: available %d", cc_available("sbpf_attach_cc"));
	b = nfds();
	so__destroy(so);
	out("destroy_skeleton fds%+d", nfds() - b);
}

/* opts with a non-zero byte past the known fields */
struct big_tp { struct bpf_tracepoint_opts o; long extra; };
struct big_up { struct bpf_uprobe_opts o; long extra; };
struct big_pe { struct bpf_perf_event_opts o; long extra; };
struct big_kp { struct bpf_kprobe_opts o; long extra; };
struct big_tr { struct bpf_trace_opts o; long extra; };
struct big_it { struct bpf_iter_attach_opts o; long extra; };
struct big_km { struct bpf_kprobe_multi_opts o; long extra; };
struct big_ks { struct bpf_ksyscall_opts o; long extra; };

static void sec_errors(void)
{
	struct bpf_link *l;
	section = "errors";
	for (int extra = 0; extra <= 1; extra++) {
		char w[200];
		struct big_tp tp = {.o = {.sz = sizeof(struct big_tp)}, .extra = extra};
		snprintf(w, sizeof(w), "attach_tracepoint_opts sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_tracepoint_opts(P("tp_cookie"), "syscalls", "sys_enter_getppid", &tp.o));
		if (l)
			DESTROY("destroy", l);
		struct big_up up = {.o = {.sz = sizeof(struct big_up), .func_name = "attach_target_fn"}, .extra = extra};
		snprintf(w, sizeof(w), "attach_uprobe_opts sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_uprobe_opts(P("up"), self_pid, "/proc/self/exe", 0, &up.o));
		if (l)
			DESTROY("destroy", l);
		struct big_pe pe = {.o = {.sz = sizeof(struct big_pe)}, .extra = extra};
		int pfd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 100000);
		snprintf(w, sizeof(w), "attach_perf_event_opts sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_perf_event_opts(P("pe"), pfd, &pe.o));
		if (l)
			DESTROY("destroy", l);
		if (fd_valid(pfd)) {
			out("perf fd still open, closing");
			close(pfd);
		}
		struct big_kp kp = {.o = {.sz = sizeof(struct big_kp)}, .extra = extra};
		snprintf(w, sizeof(w), "attach_kprobe_opts sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_kprobe_opts(P("kp"), "__x64_sys_getppid", &kp.o));
		struct big_tr tr = {.o = {.sz = sizeof(struct big_tr)}, .extra = extra};
		snprintf(w, sizeof(w), "attach_trace_opts sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_trace_opts(P("fent"), &tr.o));
		struct big_it it = {.o = {.sz = sizeof(struct big_it)}, .extra = extra};
		snprintf(w, sizeof(w), "attach_iter sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_iter(P("it_task"), &it.o));
		if (l)
			DESTROY("destroy", l);
		const char *syms[] = {"__x64_sys_getppid"};
		struct big_km km = {.o = {.sz = sizeof(struct big_km), .syms = syms, .cnt = 1}, .extra = extra};
		snprintf(w, sizeof(w), "attach_kprobe_multi_opts sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_kprobe_multi_opts(P("kpm"), NULL, &km.o));
		struct big_ks ks = {.o = {.sz = sizeof(struct big_ks)}, .extra = extra};
		snprintf(w, sizeof(w), "attach_ksyscall sz+8 extra %d", extra);
		LINK(l, w, bpf_program__attach_ksyscall(P("ksys"), "getppid", &ks.o));
	}
	/* sz smaller than the fields used: the fields beyond sz are ignored */
	LIBBPF_OPTS(bpf_tracepoint_opts, small, .bpf_cookie = 0x42);
	small.sz = sizeof(size_t);
	creset();
	LINK(l, "attach_tracepoint_opts sz 8 with cookie", bpf_program__attach_tracepoint_opts(P("tp_cookie"), "syscalls", "sys_enter_getppid", &small));
	getppid_n(1);
	out("expect cookie seen %#llx count %llu", cget(C_TP_COOKIE), cget(C_TP));
	if (l)
		DESTROY("destroy", l);
	LIBBPF_OPTS(bpf_uprobe_opts, us, .func_name = "attach_target_fn");
	us.sz = sizeof(size_t);
	LINK(l, "attach_uprobe_opts sz 8 with func_name, offset 0", bpf_program__attach_uprobe_opts(P("up"), self_pid, "/proc/self/exe", 0, &us));
	if (l)
		DESTROY("destroy", l);
	LIBBPF_OPTS(bpf_tracepoint_opts, zero);
	zero.sz = 0;
	LINK(l, "attach_tracepoint_opts sz 0", bpf_program__attach_tracepoint_opts(P("tp_cookie"), "syscalls", "sys_enter_getppid", &zero));
	if (l)
		DESTROY("destroy", l);
	LIBBPF_OPTS(bpf_tracepoint_opts, odd);
	odd.sz = 3;
	LINK(l, "attach_tracepoint_opts sz 3", bpf_program__attach_tracepoint_opts(P("tp_cookie"), "syscalls", "sys_enter_getppid", &odd));
	if (l)
		DESTROY("destroy", l);
}

/* Inputs the reference crashes on (SIGSEGV, checked in a child process) are
 * not tested: bpf_program__attach(NULL), attach_tracepoint(NULL prog),
 * bpf_link__fd/pin_path/detach/disconnect/unpin(NULL), bpf_link__pin(link,
 * NULL), bpf_map__attach_struct_ops(NULL), bpf_object__attach_skeleton(NULL),
 * bpf_object__detach_skeleton(NULL), bpf_program__set_ifindex(NULL). */
static void c_tp_nullname(void *a) { struct bpf_link *l; LINK(l, "attach_tracepoint(NULL category)", bpf_program__attach_tracepoint(P("tp_cookie"), NULL, "sys_enter_getppid")); (void)l; }
static void c_raw_null(void *a) { struct bpf_link *l; LINK(l, "attach_raw_tracepoint(NULL name)", bpf_program__attach_raw_tracepoint(P("raw_notarget"), NULL)); if (l) DESTROY("destroy", l); }
static void c_destroy_null(void *a) { INT("destroy(NULL)", bpf_link__destroy(NULL)); }
static void c_destroy_err(void *a) { INT("destroy((void *)-22)", bpf_link__destroy((struct bpf_link *)(long)-22)); }
static void c_open_null(void *a) { struct bpf_link *l; LINK(l, "bpf_link__open(NULL)", bpf_link__open(NULL)); (void)l; }
static void c_update_null(void *a)
{
	struct bpf_link *l;
	LINK(l, "attach(raw_named)", bpf_program__attach(P("raw_named")));
	INT("update_program(link, NULL)", bpf_link__update_program(l, NULL));
}
static void c_find_null(void *a) { INT("find_vmlinux_btf_id(NULL)", libbpf_find_vmlinux_btf_id(NULL, BPF_TRACE_FENTRY)); }
static void c_set_target_null(void *a) { INT("set_attach_target(NULL prog)", bpf_program__set_attach_target(NULL, 0, "x")); }
static void c_set_target_null_name(void *a) { INT("set_attach_target(fent, 0, NULL) in child", bpf_program__set_attach_target(P("fent"), 0, NULL)); }

static void sec_null(void)
{
	section = "null";
	child("attach_tracepoint(NULL category)", c_tp_nullname, NULL);
	child("attach_raw_tracepoint(NULL name)", c_raw_null, NULL);
	child("destroy(NULL)", c_destroy_null, NULL);
	child("destroy(-22)", c_destroy_err, NULL);
	child("bpf_link__open(NULL)", c_open_null, NULL);
	child("update_program(link, NULL)", c_update_null, NULL);
	child("find_vmlinux_btf_id(NULL)", c_find_null, NULL);
	child("set_attach_target(NULL)", c_set_target_null, NULL);
	child("set_attach_target(fent loaded object, NULL)", c_set_target_null_name, NULL);
}

static void sec_cleanup(void)
{
	section = "cleanup";
	INT("unregister custom+", libbpf_unregister_prog_handler(h_custom));
	INT("unregister custom_noattach", libbpf_unregister_prog_handler(h_noattach));
	int b = nfds();
	bpf_object__close(obj);
	out("close object fds%+d", nfds() - b);
	out("expect fds left open beyond stdio: %d", nfds() - 3);
}

static void envdir(char *dst, const char *name)
{
	const char *v = getenv(name);
	if (!v) {
		printf("FATAL %s not set\n", name);
		exit(3);
	}
	snprintf(dst, PATH_MAX, "%s", v);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	self_pid = getpid();
	print_mapped();
	envdir(gen_dir, "ATTACH_GEN");
	envdir(bpffs, "ATTACH_BPFFS");
	envdir(plain, "ATTACH_PLAIN");
	envdir(cgroup_dir, "ATTACH_CGROUP");
	envdir(tracing, "ATTACH_TRACING");
	veth_tx = getenv("ATTACH_VETH_TX");
	veth_rx = getenv("ATTACH_VETH_RX");
	if (!veth_tx || !veth_rx) {
		printf("FATAL ATTACH_VETH_TX/RX not set\n");
		return 3;
	}
	libbpf_set_print(print_fn);
	register_handlers();
	sec_load();
	sec_tp();
	sec_raw_tp();
	sec_uprobe();
	sec_perf();
	sec_cgroup();
	sec_netns();
	sec_xdp();
	sec_iter();
	sec_struct_ops();
	sec_fail();
	sec_noload();
	sec_target();
	sec_auto();
	sec_custom();
	sec_link();
	sec_skel();
	sec_errors();
	sec_null();
	sec_cleanup();
	section = "END";
	printf("END\n");
	return 0;
}
