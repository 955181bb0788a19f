/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SwiftBPF bpf_syscalls probe: differential + live-kernel test of every
 * function declared in <bpf/bpf.h>.  One binary, run once against the
 * reference libbpf.so.1 and once against ours (see run.sh).
 *
 * Compiled ONCE against the reference headers (-I/usr/include), linked with
 * -lbpf; LD_LIBRARY_PATH decides at run time which libbpf.so.1 is loaded.
 *
 * Modes:
 *   probe diff            "MAPPED <realpath>" then "<section> ..." lines that
 *                         must be identical for both libraries, plus
 *                         "CHECK PASS <name>" / "CHECK FAIL <name>: <why>"
 *                         second-path checks (raw bpf(2) syscalls, children).
 *   probe child-pinget P  internal: bpf_obj_get(P), print the map id
 *   probe child-lowfd     internal: close fds 0,1,2, then check that every
 *                         fd returned by the library is > 2 and FD_CLOEXEC
 *
 * Output never contains raw fds or object ids: fds print as "fd ok" (fd > 2
 * and FD_CLOEXEC), ids as the name of the object they belong to.
 *
 * Env (set by run.sh):
 *   SYSCALLS_BPFFS    empty directory on a bpffs (pins)
 *   SYSCALLS_CGROUP   empty cgroup v2 directory
 *   SYSCALLS_TRACING  tracefs root (events/syscalls/sys_enter_getpid/id)
 *   SYSCALLS_SCRATCH  plain (non-bpffs) scratch directory
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/btf.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define SENTINEL 12345 /* errno value set before every call */
#define NSENT 0xdeadbeefU

static const char *self_exe = "/proc/self/exe";
static FILE *out;
static const char *sec = "setup";
static int nchk_fail;

/* ------------------------------------------------------------------ utils */

static void put_esc(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	fputc('"', f);
}

static void P(const char *fmt, ...)
{
	va_list ap;
	fprintf(out, "%s ", sec);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void CHECK(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	if (ok) {
		fprintf(out, "CHECK PASS %s/%s\n", sec, name);
		return;
	}
	nchk_fail++;
	fprintf(out, "CHECK FAIL %s/%s: ", sec, name);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static const char *ename(int e)
{
	static char b[8][32];
	static int i;
	const char *n = strerrorname_np(e);
	i = (i + 1) % 8;
	if (e == SENTINEL)
		snprintf(b[i], 32, "unchanged");
	else if (n)
		snprintf(b[i], 32, "%s", n);
	else
		snprintf(b[i], 32, "E%d", e);
	return b[i];
}

static const char *enote(int e)
{
	static char b[4][64];
	static int i;
	i = (i + 1) % 4;
	if (e == SENTINEL)
		return "";
	snprintf(b[i], 64, " [errno on success: %s]", ename(e));
	return b[i];
}

/* print an int-returning call's result */
static int ri(const char *what, int r)
{
	int e = errno;
	if (r < 0)
		P("%s: ret=%d errno=%s", what, r, ename(e));
	else
		P("%s: ret=%d%s", what, r, enote(e));
	errno = e;
	return r;
}

static const char *fdstate(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0)
		return "fd NOT-OPEN";
	if (fd <= 2)
		return "fd LOW(<=2)";
	if (!(fl & FD_CLOEXEC))
		return "fd NO-CLOEXEC";
	return "fd ok";
}

/* print an fd-returning call's result */
static int rf(const char *what, int fd)
{
	int e = errno;
	if (fd < 0)
		P("%s: ret=%d errno=%s", what, fd, ename(e));
	else
		P("%s: %s%s", what, fdstate(fd), enote(e));
	errno = e;
	return fd;
}

#define RI(what, expr) (errno = SENTINEL, ri((what), (expr)))
#define RF(what, expr) (errno = SENTINEL, rf((what), (expr)))

static void cfd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void hex(char *dst, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		sprintf(dst + 2 * i, "%02x", b[i]);
	dst[2 * n] = 0;
}

/* print a (kernel) log buffer, one output line per log line, max 40 */
static void print_log(const char *tag, const char *log, size_t cap)
{
	size_t n = strnlen(log, cap);
	int lines = 0;
	if (n == cap) {
		P("%s unterminated (no NUL in %zu bytes)", tag, cap);
		return;
	}
	/* The length without the digits of "verification time <N> usec": N is
	 * timing, so its digit count varies from run to run. */
	const char *vt = strstr(log, "verification time ");
	size_t timing_digits = 0;
	if (vt && vt < log + n)
		for (const char *d = vt + 18; *d >= '0' && *d <= '9'; d++)
			timing_digits++;
	P("%s len=%zu", tag, n - timing_digits);
	const char *s = log;
	while (*s && lines < 40) {
		const char *e = strchr(s, '\n');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		fprintf(out, "%s %s| ", sec, tag);
		if (!strncmp(s, "verification time ", 18)) /* timing: not deterministic */
			fputs("\"verification time <N> usec\"", out);
		else
			put_esc(out, s, l);
		fputc('\n', out);
		lines++;
		s += l + (e ? 1 : 0);
	}
}

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	fprintf(out, "%s libbpf-print level=%d ", sec, (int)level);
	put_esc(out, buf, n);
	fputc('\n', out);
	return 0;
}

/* realpath of every distinct libbpf.so* mapped into this process */
static void print_mapped(FILE *f)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096], seen[8][PATH_MAX];
	int nseen = 0;

	fprintf(f, "MAPPED");
	if (!m) {
		fprintf(f, " <cannot-open-maps>\n");
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
		fprintf(f, " %s", rp);
	}
	if (!nseen)
		fprintf(f, " <none>");
	fprintf(f, "\n");
	fclose(m);
}

/* ------------------------------------------------- raw bpf(2) second path */

static long sysbpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int raw_info(int fd, void *info, __u32 len)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, len);
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (__u64)(unsigned long)info;
	return sysbpf(BPF_OBJ_GET_INFO_BY_FD, &a);
}

/* kind: 'p' prog, 'm' map, 'b' btf, 'l' link */
static __u32 raw_id(char kind, int fd)
{
	union {
		struct bpf_prog_info p;
		struct bpf_map_info m;
		struct bpf_btf_info b;
		struct bpf_link_info l;
	} u;
	if (fd < 0)
		return 0;
	switch (kind) {
	case 'p': return raw_info(fd, &u.p, sizeof(u.p)) ? 0 : u.p.id;
	case 'm': return raw_info(fd, &u.m, sizeof(u.m)) ? 0 : u.m.id;
	case 'b': return raw_info(fd, &u.b, sizeof(u.b)) ? 0 : u.b.id;
	case 'l': return raw_info(fd, &u.l, sizeof(u.l)) ? 0 : u.l.id;
	}
	return 0;
}

static int raw_lookup(int fd, const void *key, void *val)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (__u64)(unsigned long)key;
	a.value = (__u64)(unsigned long)val;
	return sysbpf(BPF_MAP_LOOKUP_ELEM, &a);
}

static int raw_next_id(int cmd, __u32 start, __u32 *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.start_id = start;
	int r = sysbpf(cmd, &a);
	if (!r)
		*next = a.next_id;
	return r;
}

/* ------------------------------------------------------- object registry */

struct ent {
	char kind;
	char name[24];
	__u32 id;
	int dead; /* fd closed: the object may be gone, do not expect it in walks */
};
static struct ent reg[96];
static int nreg;

static void reg_add(char kind, const char *name, int fd)
{
	__u32 id = raw_id(kind, fd);
	if (!id) {
		P("registry %s: NO ID (fd invalid?)", name);
		return;
	}
	if (nreg < (int)(sizeof(reg) / sizeof(reg[0]))) {
		reg[nreg].kind = kind;
		snprintf(reg[nreg].name, sizeof(reg[nreg].name), "%s", name);
		reg[nreg].id = id;
		nreg++;
	}
}

static void reg_dead(char kind, const char *name)
{
	for (int i = 0; i < nreg; i++)
		if (reg[i].kind == kind && !strcmp(reg[i].name, name))
			reg[i].dead = 1;
}

static __u32 reg_id(char kind, const char *name)
{
	for (int i = 0; i < nreg; i++)
		if (reg[i].kind == kind && !strcmp(reg[i].name, name))
			return reg[i].id;
	return 0;
}

static const char *idn(char kind, __u32 id)
{
	static char b[8][48];
	static int k;
	if (id == 0)
		return "0";
	if (id == NSENT)
		return "untouched";
	for (int i = 0; i < nreg; i++)
		if (reg[i].kind == kind && reg[i].id == id)
			return reg[i].name;
	k = (k + 1) % 8;
	snprintf(b[k], 48, "foreign");
	return b[k];
}

/* --------------------------------------------------------- instructions */

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64_IMM(d, i) INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define XOR32_IMM(d, i) INSN(BPF_ALU | BPF_XOR | BPF_K, d, 0, 0, i)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define JGT_REG(d, s, o) INSN(BPF_JMP | BPF_JGT | BPF_X, d, s, o, 0)
#define JEQ_IMM(d, i, o) INSN(BPF_JMP | BPF_JEQ | BPF_K, d, 0, o, i)
#define CALL(f) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define LD_MAP(d, src, imm) INSN(BPF_LD | BPF_DW | BPF_IMM, d, src, 0, imm), INSN(0, 0, 0, 0, 0)

#define NI(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- BTF blob */

/* [1] int (signed, 32 bits)  [2] struct val { int a; int b; }
 * bad != 0: member b refers to type 99 (rejected by the kernel) */
static size_t build_btf(unsigned char *buf, int bad)
{
	static const char strs[] = "\0int\0val\0a\0b";
	__u32 types[16];
	int n = 0;
	/* [1] INT "int" */
	types[n++] = 1;
	types[n++] = BTF_KIND_INT << 24;
	types[n++] = 4;
	types[n++] = BTF_INT_SIGNED << 24 | 32;
	/* [2] STRUCT "val" size 8, 2 members */
	types[n++] = 5;
	types[n++] = BTF_KIND_STRUCT << 24 | 2;
	types[n++] = 8;
	types[n++] = 9;   /* "a" */
	types[n++] = 1;
	types[n++] = 0;
	types[n++] = 11;  /* "b" */
	types[n++] = bad ? 99 : 1;
	types[n++] = 32;
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.flags = 0,
		.hdr_len = sizeof(struct btf_header),
		.type_off = 0,
		.type_len = n * 4,
		.str_off = n * 4,
		.str_len = sizeof(strs),
	};
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), types, n * 4);
	memcpy(buf + sizeof(h) + n * 4, strs, sizeof(strs));
	return sizeof(h) + n * 4 + sizeof(strs);
}

/* ------------------------------------------------------------- children */

struct child_out {
	char *out, *err;
	size_t out_len, err_len;
	int status;
};

/* fork + exec this same binary with argv, capturing stdout and stderr. */
static int run_child(char *const argv[], struct child_out *co)
{
	int po[2], pe[2];
	memset(co, 0, sizeof(*co));
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	fflush(out);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(self_exe, argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	FILE *fo = open_memstream(&co->out, &co->out_len);
	FILE *fe = open_memstream(&co->err, &co->err_len);
	struct pollfd pfd[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds) {
		if (poll(pfd, 2, 20000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char b[4096];
			ssize_t n = read(pfd[i].fd, b, sizeof(b));
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			fwrite(b, 1, n, i ? fe : fo);
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	fclose(fo);
	fclose(fe);
	if (waitpid(pid, &co->status, 0) < 0)
		return -1;
	return 0;
}

static void describe_status(char *b, size_t n, int st)
{
	if (WIFEXITED(st))
		snprintf(b, n, "exit=%d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(b, n, "signal=%d", WTERMSIG(st));
	else
		snprintf(b, n, "status=0x%x", st);
}

/* Run fn in a forked (not exec'd) child so that a crash is reported as a
 * line instead of killing the whole sequence. */
static void guard(const char *what, void (*fn)(void))
{
	fflush(out);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(out);
		_exit(0);
	}
	int st = 0;
	char b[64];
	waitpid(pid, &st, 0);
	describe_status(b, sizeof(b), st);
	P("%s: child %s", what, b);
}

static char mapped_self[PATH_MAX + 64];

/* --------------------------------------------------------------- state */

static unsigned char btf_blob[512], btf_bad[512];
static size_t btf_len, btf_bad_len;
static int btf_fd = -1;
static int m_hash = -1, m_hash2 = -1, m_arr = -1, m_pcpu = -1, m_pcpuh = -1;
static int m_queue = -1, m_stack = -1, m_aom = -1, m_rdprog = -1, m_rdonly = -1;
static int m_btf = -1, m_frz = -1, m_cookie = -1, m_pval = -1, m_bloom = -1;
static int m_long = -1, m_numa = -1, m_big = -1;
static int p_sock = -1, p_xdp = -1, p_xor = -1, p_mapread = -1, p_mapidx = -1;
static int p_cg1 = -1, p_cg2 = -1, p_connect = -1, p_rawtp = -1, p_tp = -1;
static int p_noname = -1, p_long = -1;
static int l_cg = -1, l_rtp = -1, l_perf = -1, pfd = -1, pfd2 = -1, cg = -1;
static int ncpus;
static char pin_map[PATH_MAX], pin_prog[PATH_MAX], pin_link[PATH_MAX];
static const char *bpffs, *cgpath, *tracing, *scratch;

static const char *envs(const char *n)
{
	const char *v = getenv(n);
	return v && *v ? v : NULL;
}

static void print_map_info(const char *what, int fd)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	memset(&mi, 0, sizeof(mi));
	errno = SENTINEL;
	int r = bpf_obj_get_info_by_fd(fd, &mi, &len);
	if (r) {
		ri(what, r);
		return;
	}
	P("%s: len=%u type=%u id=%s key=%u value=%u max=%u flags=0x%x name=\"%s\" btf=%s key_type=%u value_type=%u map_extra=%llu",
	  what, len, mi.type, idn('m', mi.id), mi.key_size, mi.value_size, mi.max_entries, mi.map_flags,
	  mi.name, idn('b', mi.btf_id), mi.btf_key_type_id, mi.btf_value_type_id,
	  (unsigned long long)mi.map_extra);
}

static void print_prog_info(const char *what, int fd)
{
	struct bpf_prog_info pi;
	__u32 len = sizeof(pi);
	__u32 map_ids[4] = { 0 };
	char tag[20];
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = 4;
	pi.map_ids = (__u64)(unsigned long)map_ids;
	errno = SENTINEL;
	int r = bpf_obj_get_info_by_fd(fd, &pi, &len);
	if (r) {
		ri(what, r);
		return;
	}
	hex(tag, pi.tag, sizeof(pi.tag));
	P("%s: len=%u type=%u id=%s name=\"%s\" tag=%s xlated=%u jited>0=%d gpl=%u nr_map_ids=%u map0=%s btf=%s verified_insns=%u",
	  what, len, pi.type, idn('p', pi.id), pi.name, tag, pi.xlated_prog_len, pi.jited_prog_len > 0,
	  pi.gpl_compatible, pi.nr_map_ids, pi.nr_map_ids ? idn('m', map_ids[0]) : "-",
	  idn('b', pi.btf_id), pi.verified_insns);
}

static void print_link_info(const char *what, int fd)
{
	/* the 6.1 uapi struct bpf_link_info (48 bytes) is what the reference
	 * headers give; the per-type union is parsed by offset so that newer
	 * kernel layouts (perf_event) can be shown too */
	union {
		struct bpf_link_info li;
		unsigned char b[sizeof(struct bpf_link_info)];
	} u;
	__u32 len = sizeof(u);
	char name[64] = "";
	memset(&u, 0, sizeof(u));
	errno = SENTINEL;
	int r = bpf_obj_get_info_by_fd(fd, &u, &len);
	if (r) {
		ri(what, r);
		return;
	}
	struct bpf_link_info *li = &u.li;
	if (li->type == BPF_LINK_TYPE_RAW_TRACEPOINT) {
		memset(&u, 0, sizeof(u));
		li->raw_tracepoint.tp_name = (__u64)(unsigned long)name;
		li->raw_tracepoint.tp_name_len = sizeof(name);
		len = sizeof(u);
		errno = SENTINEL;
		r = bpf_obj_get_info_by_fd(fd, &u, &len);
		if (r) {
			ri(what, r);
			return;
		}
		P("%s: len=%u type=%u id=%s prog=%s tp_name=\"%s\" tp_name_len=%u", what, len, li->type,
		  idn('l', li->id), idn('p', li->prog_id), name, li->raw_tracepoint.tp_name_len);
	} else if (li->type == BPF_LINK_TYPE_CGROUP) {
		struct stat st;
		int same = cgpath && !stat(cgpath, &st) && st.st_ino == li->cgroup.cgroup_id;
		P("%s: len=%u type=%u id=%s prog=%s cgroup_id=%s attach_type=%u", what, len, li->type,
		  idn('l', li->id), idn('p', li->prog_id),
		  li->cgroup.cgroup_id == 0 ? "0" : same ? "matches-inode" : "OTHER", li->cgroup.attach_type);
	} else if (li->type == BPF_LINK_TYPE_PERF_EVENT) {
		/* kernel >= 6.6: perf_event { u32 type; u32 pad; union { tracepoint
		 * { u64 tp_name; u32 name_len; u32 pad; u64 cookie; } } } at 16 */
		__u64 np = (__u64)(unsigned long)name;
		__u32 nl = sizeof(name), ptype, rlen;
		__u64 cookie;
		memset(&u, 0, sizeof(u));
		memcpy(u.b + 24, &np, 8);
		memcpy(u.b + 32, &nl, 4);
		len = sizeof(u);
		errno = SENTINEL;
		r = bpf_obj_get_info_by_fd(fd, &u, &len);
		if (r) {
			ri(what, r);
			return;
		}
		memcpy(&ptype, u.b + 16, 4);
		memcpy(&rlen, u.b + 32, 4);
		memcpy(&cookie, u.b + 40, 8);
		P("%s: len=%u type=%u id=%s prog=%s perf_type=%u tp_name=\"%s\" name_len=%u cookie=0x%llx", what, len,
		  li->type, idn('l', li->id), idn('p', li->prog_id), ptype, name, rlen, (unsigned long long)cookie);
	} else {
		P("%s: len=%u type=%u id=%s prog=%s", what, len, li->type, idn('l', li->id), idn('p', li->prog_id));
	}
}

/* ------------------------------------------------------------------ btf */

static void sec_btf(void)
{
	char log[8192];
	struct bpf_btf_load_opts o;
	int fd;
	sec = "btf";

	btf_len = build_btf(btf_blob, 0);
	btf_bad_len = build_btf(btf_bad, 1);
	P("blob sizes good=%zu bad=%zu", btf_len, btf_bad_len);

	btf_fd = RF("load opts=NULL", bpf_btf_load(btf_blob, btf_len, NULL));
	reg_add('b', "btf", btf_fd);

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	fd = RF("load opts=zeroed", bpf_btf_load(btf_blob, btf_len, &o));
	reg_add('b', "btf2", fd);
	cfd(&fd);
	reg_dead('b', "btf2");

	memset(log, '#', sizeof(log));
	log[0] = 0;
	o.log_buf = log;
	o.log_size = sizeof(log);
	o.log_level = 1;
	fd = RF("load log_level=1", bpf_btf_load(btf_blob, btf_len, &o));
	print_log("log", log, sizeof(log));
	cfd(&fd);

	memset(log, '#', sizeof(log));
	o.log_level = 0;
	fd = RF("load log_level=0 log_buf set (good blob)", bpf_btf_load(btf_blob, btf_len, &o));
	P("log untouched: %s", log[0] == '#' && log[100] == '#' ? "yes" : "no");
	cfd(&fd);

	memset(log, '#', sizeof(log));
	log[0] = 0;
	fd = RF("load bad blob log_level=0 log_buf set (retry with log)", bpf_btf_load(btf_bad, btf_bad_len, &o));
	print_log("log", log, sizeof(log));
	cfd(&fd);

	fd = RF("load bad blob opts=NULL", bpf_btf_load(btf_bad, btf_bad_len, NULL));
	cfd(&fd);

	memset(log, '#', sizeof(log));
	log[0] = 0;
	o.log_level = 2;
	fd = RF("load bad blob log_level=2", bpf_btf_load(btf_bad, btf_bad_len, &o));
	print_log("log", log, sizeof(log));
	cfd(&fd);

	memset(log, '#', sizeof(log));
	log[0] = 0;
	o.log_level = 1;
	o.log_size = 40;
	fd = RF("load good blob log_level=1 log_size=40", bpf_btf_load(btf_blob, btf_len, &o));
	print_log("log", log, 40);
	P("byte after log_size untouched: %s", log[40] == '#' ? "yes" : "no");
	cfd(&fd);

	o.log_buf = NULL;
	o.log_size = 100;
	o.log_level = 0;
	fd = RF("load log_buf=NULL log_size=100", bpf_btf_load(btf_blob, btf_len, &o));
	cfd(&fd);

	o.log_size = 0;
	o.log_level = 1;
	fd = RF("load log_buf=NULL log_level=1", bpf_btf_load(btf_blob, btf_len, &o));
	cfd(&fd);

	o.log_buf = log;
	o.log_size = 0;
	o.log_level = 1;
	fd = RF("load log_buf set log_size=0 log_level=1", bpf_btf_load(btf_blob, btf_len, &o));
	cfd(&fd);

	o.log_level = 0;
	fd = RF("load bad blob log_buf set log_size=0 log_level=0", bpf_btf_load(btf_bad, btf_bad_len, &o));
	cfd(&fd);

	struct { struct bpf_btf_load_opts o; __u64 extra; } big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	fd = RF("load opts.sz bigger, zero tail", bpf_btf_load(btf_blob, btf_len, &big.o));
	cfd(&fd);
	big.extra = 1;
	fd = RF("load opts.sz bigger, non-zero tail", bpf_btf_load(btf_blob, btf_len, &big.o));
	cfd(&fd);
	memset(&o, 0, sizeof(o));
	o.sz = 4;
	fd = RF("load opts.sz=4", bpf_btf_load(btf_blob, btf_len, &o));
	cfd(&fd);

	fd = RF("load data=NULL size=0", bpf_btf_load(NULL, 0, NULL));
	cfd(&fd);
	fd = RF("load truncated (size-1)", bpf_btf_load(btf_blob, btf_len - 1, NULL));
	cfd(&fd);

	/* second path: the kernel's view of the loaded blob */
	struct bpf_btf_info bi;
	memset(&bi, 0, sizeof(bi));
	int r = raw_info(btf_fd, &bi, sizeof(bi));
	CHECK(r == 0 && bi.btf_size == btf_len, "btf_size-matches-blob", "raw info r=%d btf_size=%u blob=%zu",
	      r, bi.btf_size, btf_len);
}

/* ----------------------------------------------------------- map_create */

static int mk(const char *what, enum bpf_map_type t, const char *name, __u32 k, __u32 v, __u32 max,
	      const struct bpf_map_create_opts *o, const char *regname)
{
	int fd = RF(what, bpf_map_create(t, name, k, v, max, o));
	if (fd >= 0 && regname) {
		reg_add('m', regname, fd);
		print_map_info(regname, fd);
	}
	return fd;
}

static void sec_map_create(void)
{
	struct bpf_map_create_opts o;
	int fd;
	sec = "map_create";
#define O0() (memset(&o, 0, sizeof(o)), o.sz = sizeof(o))

	O0();
	o.map_flags = BPF_F_NO_PREALLOC;
	m_hash = mk("hash NO_PREALLOC", BPF_MAP_TYPE_HASH, "sb_hash", 4, 8, 16, &o, "hash");
	m_hash2 = mk("hash name=NULL opts=NULL", BPF_MAP_TYPE_HASH, NULL, 4, 8, 16, NULL, "hash2");
	m_arr = mk("array", BPF_MAP_TYPE_ARRAY, "sb_array", 4, 8, 4, NULL, "array");
	m_pcpu = mk("percpu_array", BPF_MAP_TYPE_PERCPU_ARRAY, "sb_pcpu", 4, 8, 2, NULL, "pcpu");
	m_pcpuh = mk("percpu_hash", BPF_MAP_TYPE_PERCPU_HASH, "sb_pcpuh", 4, 8, 4, NULL, "pcpuh");
	m_queue = mk("queue", BPF_MAP_TYPE_QUEUE, "sb_queue", 0, 4, 3, NULL, "queue");
	m_stack = mk("stack", BPF_MAP_TYPE_STACK, "sb_stack", 0, 4, 3, NULL, "stack");
	O0();
	o.inner_map_fd = m_arr;
	m_aom = mk("array_of_maps inner=array", BPF_MAP_TYPE_ARRAY_OF_MAPS, "sb_aom", 4, 4, 2, &o, "aom");
	fd = mk("hash_of_maps without inner_map_fd", BPF_MAP_TYPE_HASH_OF_MAPS, "sb_hom", 4, 4, 2, NULL, NULL);
	cfd(&fd);
	O0();
	o.map_flags = BPF_F_RDONLY_PROG;
	m_rdprog = mk("hash RDONLY_PROG", BPF_MAP_TYPE_HASH, "sb_rdprog", 4, 8, 4, &o, "rdprog");
	O0();
	o.map_flags = BPF_F_RDONLY;
	m_rdonly = mk("hash RDONLY", BPF_MAP_TYPE_HASH, "sb_rdonly", 4, 8, 4, &o, "rdonly");
	O0();
	o.btf_fd = btf_fd;
	o.btf_key_type_id = 1;
	o.btf_value_type_id = 2;
	m_btf = mk("hash with BTF key=int value=struct", BPF_MAP_TYPE_HASH, "sb_btf", 4, 8, 4, &o, "btfmap");
	o.btf_key_type_id = 2;
	fd = mk("hash with BTF key type size mismatch", BPF_MAP_TYPE_HASH, "sb_btfbad", 4, 8, 4, &o, NULL);
	cfd(&fd);
	O0();
	o.btf_fd = 9999;
	o.btf_key_type_id = 1;
	o.btf_value_type_id = 2;
	fd = mk("hash with bad btf_fd", BPF_MAP_TYPE_HASH, "sb_btfbad", 4, 8, 4, &o, NULL);
	cfd(&fd);
	m_long = mk("name longer than 15 chars", BPF_MAP_TYPE_ARRAY, "sb_name_that_is_way_too_long", 4, 4, 1, NULL, "long");
	fd = mk("name with invalid char", BPF_MAP_TYPE_ARRAY, "sb-bad", 4, 4, 1, NULL, NULL);
	cfd(&fd);
	O0();
	o.map_extra = 3;
	m_bloom = mk("bloom_filter map_extra=3", BPF_MAP_TYPE_BLOOM_FILTER, "sb_bloom", 0, 4, 8, &o, "bloom");
	O0();
	o.map_flags = BPF_F_NUMA_NODE;
	o.numa_node = 0;
	m_numa = mk("array NUMA_NODE node=0", BPF_MAP_TYPE_ARRAY, "sb_numa", 4, 4, 1, &o, "numa");
	o.numa_node = 4096;
	fd = mk("array NUMA_NODE node=4096", BPF_MAP_TYPE_ARRAY, "sb_numa2", 4, 4, 1, &o, NULL);
	cfd(&fd);
	O0();
	o.map_flags = 0x80000000u;
	fd = mk("array unknown flag", BPF_MAP_TYPE_ARRAY, "sb_flag", 4, 4, 1, &o, NULL);
	cfd(&fd);
	fd = mk("invalid type 0x7fff", (enum bpf_map_type)0x7fff, "sb_inval", 4, 4, 1, NULL, NULL);
	cfd(&fd);
	fd = mk("hash key_size=0", BPF_MAP_TYPE_HASH, "sb_k0", 0, 4, 1, NULL, NULL);
	cfd(&fd);
	fd = mk("hash max_entries=0", BPF_MAP_TYPE_HASH, "sb_m0", 4, 4, 0, NULL, NULL);
	cfd(&fd);
	O0();
	o.sz = 4;
	fd = mk("opts.sz=4", BPF_MAP_TYPE_ARRAY, "sb_sz", 4, 4, 1, &o, NULL);
	cfd(&fd);
	struct { struct bpf_map_create_opts o; __u64 extra; } big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	m_big = mk("opts.sz bigger, zero tail", BPF_MAP_TYPE_ARRAY, "sb_big", 4, 4, 1, &big.o, "big");
	big.extra = 7;
	fd = mk("opts.sz bigger, non-zero tail", BPF_MAP_TYPE_ARRAY, "sb_big2", 4, 4, 1, &big.o, NULL);
	cfd(&fd);
	m_frz = mk("array for freeze", BPF_MAP_TYPE_ARRAY, "sb_frz", 4, 8, 4, NULL, "frz");
	m_cookie = mk("array for perf cookie", BPF_MAP_TYPE_ARRAY, "sb_cookie", 4, 8, 1, NULL, "cookie");
	m_pval = mk("array for map-reading prog", BPF_MAP_TYPE_ARRAY, "sb_pval", 4, 8, 1, NULL, "pval");
#undef O0
}

/* ------------------------------------------------------------ elem ops */

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;
	return x < y ? -1 : x > y;
}

/* walk a map's keys with bpf_map_get_next_key; print them sorted */
static int walk_keys(const char *what, int fd)
{
	__u32 keys[64], k, nk;
	int n = 0, r;
	const void *prev = NULL;
	for (;;) {
		errno = SENTINEL;
		r = bpf_map_get_next_key(fd, prev, &nk);
		if (r)
			break;
		if (n == 64)
			break;
		keys[n++] = nk;
		k = nk;
		prev = &k;
	}
	int e = errno;
	qsort(keys, n, sizeof(keys[0]), cmp_u32);
	char b[512] = "";
	for (int i = 0; i < n; i++)
		sprintf(b + strlen(b), "%s%u", i ? "," : "", keys[i]);
	P("%s: %d keys [%s], ended ret=%d errno=%s", what, n, b, r, ename(e));
	return n;
}

static void lk(const char *what, int fd, __u32 key, int flags_call, __u64 flags)
{
	__u64 v = 0xeeeeeeeeeeeeeeeeULL;
	int r;
	errno = SENTINEL;
	if (flags_call)
		r = bpf_map_lookup_elem_flags(fd, &key, &v, flags);
	else
		r = bpf_map_lookup_elem(fd, &key, &v);
	int e = errno;
	if (r)
		P("%s: ret=%d errno=%s value=0x%llx", what, r, ename(e), (unsigned long long)v);
	else
		P("%s: ret=%d value=%llu%s", what, r, (unsigned long long)v, enote(e));
}

static int up(const char *what, int fd, __u32 key, __u64 val, __u64 flags)
{
	return RI(what, bpf_map_update_elem(fd, &key, &val, flags));
}

static void sec_elem(void)
{
	__u32 k;
	__u64 v;
	sec = "elem";
	up("hash update k=1 v=100 NOEXIST", m_hash, 1, 100, BPF_NOEXIST);
	up("hash update k=1 v=111 NOEXIST (exists)", m_hash, 1, 111, BPF_NOEXIST);
	up("hash update k=2 v=200 EXIST (missing)", m_hash, 2, 200, BPF_EXIST);
	up("hash update k=1 v=101 EXIST", m_hash, 1, 101, BPF_EXIST);
	up("hash update k=2 v=200 ANY", m_hash, 2, 200, BPF_ANY);
	up("hash update k=3 v=300 ANY", m_hash, 3, 300, BPF_ANY);
	up("hash update flags=99", m_hash, 4, 400, 99);
	up("hash update flags=F_LOCK (no spin lock)", m_hash, 4, 400, BPF_F_LOCK);
	lk("hash lookup k=1", m_hash, 1, 0, 0);
	lk("hash lookup k=9 (missing)", m_hash, 9, 0, 0);
	lk("hash lookup_flags k=2 flags=0", m_hash, 2, 1, 0);
	lk("hash lookup_flags k=2 flags=F_LOCK", m_hash, 2, 1, BPF_F_LOCK);
	lk("hash lookup_flags k=2 flags=0x100", m_hash, 2, 1, 0x100);
	k = 1;
	RI("hash lookup value=NULL", bpf_map_lookup_elem(m_hash, &k, NULL));
	RI("lookup bad fd", bpf_map_lookup_elem(-1, &k, &v));
	RI("lookup non-map fd", bpf_map_lookup_elem(0 > 1 ? 0 : btf_fd, &k, &v));

	/* second path: value written with update, read back with lookup and a raw syscall */
	__u64 lv = 0, rv = 0;
	k = 1;
	int r1 = bpf_map_lookup_elem(m_hash, &k, &lv);
	int r2 = raw_lookup(m_hash, &k, &rv);
	CHECK(!r1 && !r2 && lv == 101 && rv == 101, "update-lookup-raw-roundtrip",
	      "lib r=%d v=%llu raw r=%d v=%llu want 101", r1, (unsigned long long)lv, r2, (unsigned long long)rv);

	int n = walk_keys("hash get_next_key walk", m_hash);
	CHECK(n == 3, "walk-count", "walked %d keys, want 3", n);
	k = 77;
	__u32 nk = NSENT;
	RI("hash get_next_key from missing key", bpf_map_get_next_key(m_hash, &k, &nk));
	P("next key is one of ours: %s", nk >= 1 && nk <= 3 ? "yes" : "no");

	v = 0;
	k = 2;
	RI("hash lookup_and_delete k=2", bpf_map_lookup_and_delete_elem(m_hash, &k, &v));
	P("popped value=%llu", (unsigned long long)v);
	lk("hash lookup k=2 after lookup_and_delete", m_hash, 2, 0, 0);
	RI("hash lookup_and_delete k=2 again", bpf_map_lookup_and_delete_elem(m_hash, &k, &v));
	k = 3;
	v = 0;
	RI("hash lookup_and_delete_flags k=3 flags=F_LOCK", bpf_map_lookup_and_delete_elem_flags(m_hash, &k, &v, BPF_F_LOCK));
	RI("hash lookup_and_delete_flags k=3 flags=0", bpf_map_lookup_and_delete_elem_flags(m_hash, &k, &v, 0));
	P("popped value=%llu", (unsigned long long)v);
	k = 1;
	RI("hash delete k=1", bpf_map_delete_elem(m_hash, &k));
	RI("hash delete k=1 again", bpf_map_delete_elem(m_hash, &k));
	up("hash update k=5 v=500", m_hash, 5, 500, BPF_ANY);
	k = 5;
	RI("hash delete_flags k=5 flags=F_LOCK", bpf_map_delete_elem_flags(m_hash, &k, BPF_F_LOCK));
	RI("hash delete_flags k=5 flags=0", bpf_map_delete_elem_flags(m_hash, &k, 0));
	RI("hash delete_flags k=5 again", bpf_map_delete_elem_flags(m_hash, &k, 0));
	walk_keys("hash walk after deletes", m_hash);

	/* array */
	up("array update k=0 v=10", m_arr, 0, 10, BPF_ANY);
	up("array update k=3 v=13", m_arr, 3, 13, BPF_EXIST);
	up("array update k=1 NOEXIST", m_arr, 1, 11, BPF_NOEXIST);
	up("array update k=4 (out of range)", m_arr, 4, 14, BPF_ANY);
	lk("array lookup k=0", m_arr, 0, 0, 0);
	lk("array lookup k=2 (zero)", m_arr, 2, 0, 0);
	lk("array lookup k=9", m_arr, 9, 0, 0);
	k = 0;
	RI("array delete k=0", bpf_map_delete_elem(m_arr, &k));
	RI("array lookup_and_delete k=0", bpf_map_lookup_and_delete_elem(m_arr, &k, &v));
	nk = NSENT;
	RI("array get_next_key NULL", bpf_map_get_next_key(m_arr, NULL, &nk));
	P("next=%u", nk);
	k = 3;
	nk = NSENT;
	RI("array get_next_key 3 (last)", bpf_map_get_next_key(m_arr, &k, &nk));
	P("next=0x%x", nk);
	k = 99;
	nk = NSENT;
	RI("array get_next_key 99", bpf_map_get_next_key(m_arr, &k, &nk));
	P("next=%u", nk);
	walk_keys("array walk", m_arr);

	/* BTF map: value is struct val { int a; int b; } */
	struct { int a, b; } sv = { -5, 6 }, sr = { 0, 0 };
	k = 42;
	RI("btfmap update", bpf_map_update_elem(m_btf, &k, &sv, BPF_ANY));
	RI("btfmap lookup", bpf_map_lookup_elem(m_btf, &k, &sr));
	P("btfmap value a=%d b=%d", sr.a, sr.b);

	/* read-only maps */
	up("rdprog update", m_rdprog, 1, 1, BPF_ANY);
	lk("rdprog lookup", m_rdprog, 1, 0, 0);
	up("rdonly update", m_rdonly, 1, 1, BPF_ANY);
	lk("rdonly lookup", m_rdonly, 1, 0, 0);
	k = 1;
	RI("rdonly delete", bpf_map_delete_elem(m_rdonly, &k));
	nk = NSENT;
	RI("rdonly get_next_key", bpf_map_get_next_key(m_rdonly, NULL, &nk));

	/* bloom filter: push/peek with NULL key */
	__u32 bv = 1234;
	RI("bloom update key=NULL", bpf_map_update_elem(m_bloom, NULL, &bv, BPF_ANY));
	RI("bloom lookup(peek) present", bpf_map_lookup_elem(m_bloom, NULL, &bv));
	bv = 999999;
	RI("bloom lookup(peek) absent", bpf_map_lookup_elem(m_bloom, NULL, &bv));
}

static void sec_queue(void)
{
	__u32 v;
	int r;
	sec = "queue";
	for (__u32 i = 1; i <= 3; i++) {
		v = i * 10;
		r = RI("queue push", bpf_map_update_elem(m_queue, NULL, &v, BPF_ANY));
		(void)r;
	}
	v = 40;
	RI("queue push into full queue ANY", bpf_map_update_elem(m_queue, NULL, &v, BPF_ANY));
	RI("queue push into full queue EXIST (overwrite oldest)", bpf_map_update_elem(m_queue, NULL, &v, BPF_EXIST));
	RI("queue push NOEXIST", bpf_map_update_elem(m_queue, NULL, &v, BPF_NOEXIST));
	v = 0;
	RI("queue peek", bpf_map_lookup_elem(m_queue, NULL, &v));
	P("peek value=%u", v);
	for (int i = 0; i < 4; i++) {
		v = NSENT;
		RI("queue pop", bpf_map_lookup_and_delete_elem(m_queue, NULL, &v));
		P("pop value=0x%x", v);
	}
	v = 50;
	RI("queue push 50", bpf_map_update_elem(m_queue, NULL, &v, BPF_ANY));
	v = 0;
	RI("queue pop flags=F_LOCK", bpf_map_lookup_and_delete_elem_flags(m_queue, NULL, &v, BPF_F_LOCK));
	RI("queue pop flags=0", bpf_map_lookup_and_delete_elem_flags(m_queue, NULL, &v, 0));
	P("pop value=%u", v);
	RI("queue delete", bpf_map_delete_elem(m_queue, NULL));
	__u32 nk;
	RI("queue get_next_key", bpf_map_get_next_key(m_queue, NULL, &nk));
	RI("queue lookup_flags peek empty", bpf_map_lookup_elem_flags(m_queue, NULL, &v, 0));

	for (__u32 i = 1; i <= 2; i++) {
		v = i;
		RI("stack push", bpf_map_update_elem(m_stack, NULL, &v, BPF_ANY));
	}
	v = 0;
	RI("stack peek", bpf_map_lookup_elem(m_stack, NULL, &v));
	P("peek value=%u", v);
	for (int i = 0; i < 3; i++) {
		v = NSENT;
		RI("stack pop", bpf_map_lookup_and_delete_elem(m_stack, NULL, &v));
		P("pop value=0x%x", v);
	}
}

static void sec_percpu(void)
{
	sec = "percpu";
	size_t sz = (size_t)ncpus * 8;
	__u64 *vals = calloc(ncpus, 8), *back = calloc(ncpus, 8);
	__u32 k = 1;
	for (int i = 0; i < ncpus; i++)
		vals[i] = 100 * i + 7;
	RI("percpu_array update k=1", bpf_map_update_elem(m_pcpu, &k, vals, BPF_ANY));
	memset(back, 0xee, sz);
	RI("percpu_array lookup k=1", bpf_map_lookup_elem(m_pcpu, &k, back));
	P("percpu_array values equal per cpu: %s", memcmp(vals, back, sz) ? "no" : "yes");
	k = 5;
	RI("percpu_array update k=5 (out of range)", bpf_map_update_elem(m_pcpu, &k, vals, BPF_ANY));
	k = 3;
	RI("percpu_hash update k=3", bpf_map_update_elem(m_pcpuh, &k, vals, BPF_NOEXIST));
	memset(back, 0xee, sz);
	RI("percpu_hash lookup_and_delete k=3", bpf_map_lookup_and_delete_elem(m_pcpuh, &k, back));
	P("percpu_hash values equal per cpu: %s", memcmp(vals, back, sz) ? "no" : "yes");
	RI("percpu_hash lookup k=3 after", bpf_map_lookup_elem(m_pcpuh, &k, back));
	free(vals);
	free(back);
}

static void sec_inmap(void)
{
	sec = "inmap";
	__u32 k = 0, id = NSENT;
	int v = m_arr;
	RI("aom update k=0 value=array fd", bpf_map_update_elem(m_aom, &k, &v, BPF_ANY));
	RI("aom lookup k=0", bpf_map_lookup_elem(m_aom, &k, &id));
	P("aom value is inner map id: %s", idn('m', id));
	CHECK(id == reg_id('m', "array"), "aom-lookup-gives-inner-id", "got %u want %u", id, reg_id('m', "array"));
	v = m_hash;
	k = 1;
	RI("aom update value=hash fd (incompatible inner)", bpf_map_update_elem(m_aom, &k, &v, BPF_ANY));
	v = p_sock >= 0 ? p_sock : btf_fd;
	RI("aom update value=non-map fd", bpf_map_update_elem(m_aom, &k, &v, BPF_ANY));
	v = 9999;
	RI("aom update value=bad fd", bpf_map_update_elem(m_aom, &k, &v, BPF_ANY));
	k = 0;
	RI("aom delete k=0", bpf_map_delete_elem(m_aom, &k));
	RI("aom lookup k=0 after delete", bpf_map_lookup_elem(m_aom, &k, &id));
}

static void sec_freeze(void)
{
	sec = "freeze";
	up("update k=0 v=5 before freeze", m_frz, 0, 5, BPF_ANY);
	RI("freeze", bpf_map_freeze(m_frz));
	up("update after freeze", m_frz, 0, 6, BPF_ANY);
	lk("lookup after freeze", m_frz, 0, 0, 0);
	RI("freeze again", bpf_map_freeze(m_frz));
	RI("freeze bad fd", bpf_map_freeze(-1));
	RI("freeze non-map fd", bpf_map_freeze(btf_fd));
	__u32 k = 0;
	__u64 b[4];
	__u32 keys[1] = { 1 }, cnt = 1;
	b[0] = 9;
	RI("update_batch after freeze", bpf_map_update_batch(m_frz, keys, b, &cnt, NULL));
	P("count=%u", cnt);
	(void)k;
}

/* ---------------------------------------------------------------- batch */

static void print_pairs(const char *what, __u32 *keys, __u64 *vals, __u32 n)
{
	char b[1024] = "";
	__u32 idx[64];
	for (__u32 i = 0; i < n && i < 64; i++)
		idx[i] = i;
	/* sort indices by key */
	for (__u32 i = 0; i < n && i < 64; i++)
		for (__u32 j = i + 1; j < n && j < 64; j++)
			if (keys[idx[j]] < keys[idx[i]]) {
				__u32 t = idx[i];
				idx[i] = idx[j];
				idx[j] = t;
			}
	for (__u32 i = 0; i < n && i < 64; i++)
		sprintf(b + strlen(b), "%s%u:%llu", i ? "," : "", keys[idx[i]], (unsigned long long)vals[idx[i]]);
	P("%s: [%s]", what, b);
}

static void sec_batch(void)
{
	__u32 keys[32], cnt, out_b, in_b;
	__u64 vals[32];
	struct bpf_map_batch_opts bo;
	int r;
	sec = "batch";
	for (int i = 0; i < 8; i++) {
		keys[i] = i + 1;
		vals[i] = (i + 1) * 10;
	}
	cnt = 8;
	RI("hash2 update_batch 8 opts=NULL", bpf_map_update_batch(m_hash2, keys, vals, &cnt, NULL));
	P("count=%u", cnt);
	memset(&bo, 0, sizeof(bo));
	bo.sz = sizeof(bo);
	bo.elem_flags = BPF_NOEXIST;
	cnt = 2;
	RI("hash2 update_batch NOEXIST existing", bpf_map_update_batch(m_hash2, keys, vals, &cnt, &bo));
	P("count=%u", cnt);
	bo.elem_flags = BPF_F_LOCK;
	cnt = 2;
	RI("hash2 update_batch elem_flags=F_LOCK", bpf_map_update_batch(m_hash2, keys, vals, &cnt, &bo));
	P("count=%u", cnt);
	bo.elem_flags = 0;
	bo.flags = 1;
	cnt = 2;
	RI("hash2 update_batch flags=1", bpf_map_update_batch(m_hash2, keys, vals, &cnt, &bo));
	P("count=%u", cnt);
	bo.sz = 4;
	bo.flags = 0;
	cnt = 2;
	RI("hash2 update_batch opts.sz=4", bpf_map_update_batch(m_hash2, keys, vals, &cnt, &bo));
	P("count=%u", cnt);
	bo.sz = sizeof(bo);

	__u32 ok[32];
	__u64 ov[32];
	memset(ok, 0, sizeof(ok));
	memset(ov, 0, sizeof(ov));
	cnt = 16;
	out_b = NSENT;
	r = RI("hash2 lookup_batch in=NULL count=16", bpf_map_lookup_batch(m_hash2, NULL, &out_b, ok, ov, &cnt, &bo));
	P("count=%u", cnt);
	print_pairs("pairs", ok, ov, cnt);
	int good = cnt == 8;
	for (__u32 i = 0; i < cnt && good; i++)
		good = ok[i] >= 1 && ok[i] <= 8 && ov[i] == ok[i] * 10ULL;
	CHECK(r == -ENOENT && good, "update_batch-visible-in-lookup_batch", "ret=%d count=%u", r, cnt);
	cnt = 0;
	RI("hash2 lookup_batch count=0", bpf_map_lookup_batch(m_hash2, NULL, &out_b, ok, ov, &cnt, NULL));
	P("count=%u", cnt);
	cnt = 4;
	bo.elem_flags = BPF_F_LOCK;
	RI("hash2 lookup_batch elem_flags=F_LOCK", bpf_map_lookup_batch(m_hash2, NULL, &out_b, ok, ov, &cnt, &bo));
	P("count=%u", cnt);
	bo.elem_flags = 0;
	cnt = 4;
	RI("hash2 lookup_batch out_batch=NULL", bpf_map_lookup_batch(m_hash2, NULL, NULL, ok, ov, &cnt, NULL));
	P("count=%u", cnt);

	cnt = 4;
	RI("hash2 delete_batch keys 1..4", bpf_map_delete_batch(m_hash2, keys, &cnt, NULL));
	P("count=%u", cnt);
	int n = walk_keys("hash2 walk after delete_batch", m_hash2);
	CHECK(n == 4, "delete_batch-visible-in-walk", "walked %d keys, want 4", n);
	keys[20] = 99;
	cnt = 1;
	RI("hash2 delete_batch missing key", bpf_map_delete_batch(m_hash2, &keys[20], &cnt, &bo));
	P("count=%u", cnt);
	bo.sz = 4;
	cnt = 1;
	RI("hash2 delete_batch opts.sz=4", bpf_map_delete_batch(m_hash2, &keys[20], &cnt, &bo));
	P("count=%u", cnt);
	bo.sz = sizeof(bo);

	memset(ok, 0, sizeof(ok));
	memset(ov, 0, sizeof(ov));
	cnt = 16;
	RI("hash2 lookup_and_delete_batch count=16", bpf_map_lookup_and_delete_batch(m_hash2, NULL, &out_b, ok, ov, &cnt, &bo));
	P("count=%u", cnt);
	print_pairs("pairs", ok, ov, cnt);
	walk_keys("hash2 walk after lookup_and_delete_batch", m_hash2);
	cnt = 16;
	RI("hash2 lookup_and_delete_batch empty map", bpf_map_lookup_and_delete_batch(m_hash2, NULL, &out_b, ok, ov, &cnt, NULL));
	P("count=%u", cnt);

	/* array: deterministic chunked iteration */
	for (int i = 0; i < 4; i++) {
		keys[i] = i;
		vals[i] = 1000 + i;
	}
	cnt = 4;
	RI("array update_batch 4", bpf_map_update_batch(m_arr, keys, vals, &cnt, &bo));
	P("count=%u", cnt);
	memset(ok, 0, sizeof(ok));
	memset(ov, 0, sizeof(ov));
	cnt = 3;
	out_b = NSENT;
	RI("array lookup_batch chunk 1 (count=3)", bpf_map_lookup_batch(m_arr, NULL, &out_b, ok, ov, &cnt, NULL));
	P("count=%u out_batch=%u", cnt, out_b);
	print_pairs("pairs", ok, ov, cnt);
	in_b = out_b;
	cnt = 3;
	RI("array lookup_batch chunk 2 (count=3)", bpf_map_lookup_batch(m_arr, &in_b, &out_b, ok, ov, &cnt, NULL));
	P("count=%u out_batch=%u", cnt, out_b);
	print_pairs("pairs", ok, ov, cnt);
	in_b = out_b;
	cnt = 3;
	RI("array lookup_batch past end", bpf_map_lookup_batch(m_arr, &in_b, &out_b, ok, ov, &cnt, NULL));
	P("count=%u", cnt);
	cnt = 2;
	RI("array delete_batch", bpf_map_delete_batch(m_arr, keys, &cnt, NULL));
	P("count=%u", cnt);
	cnt = 2;
	RI("array lookup_and_delete_batch", bpf_map_lookup_and_delete_batch(m_arr, NULL, &out_b, ok, ov, &cnt, NULL));
	P("count=%u", cnt);
	keys[0] = 7;
	cnt = 1;
	RI("array update_batch out of range key", bpf_map_update_batch(m_arr, keys, vals, &cnt, NULL));
	P("count=%u", cnt);
	cnt = 2;
	RI("queue lookup_batch", bpf_map_lookup_batch(m_queue, NULL, &out_b, ok, ov, &cnt, NULL));
	P("count=%u", cnt);
	cnt = 2;
	RI("bad fd lookup_batch", bpf_map_lookup_batch(-1, NULL, &out_b, ok, ov, &cnt, NULL));
	P("count=%u", cnt);
}

/* ------------------------------------------------------------ prog_load */

static struct bpf_insn i_sock[] = { MOV64_IMM(0, 7), EXIT() };
static struct bpf_insn i_xdp_pass[] = { MOV64_IMM(0, XDP_PASS), EXIT() };
static struct bpf_insn i_xor[] = {
	LDX(BPF_W, 2, 1, 0),   /* r2 = ctx->data */
	LDX(BPF_W, 3, 1, 4),   /* r3 = ctx->data_end */
	MOV64_REG(4, 2),
	ADD64_IMM(4, 4),
	JGT_REG(4, 3, 3),      /* if data + 4 > data_end goto out */
	LDX(BPF_W, 5, 2, 0),
	XOR32_IMM(5, -1),
	STX(BPF_W, 2, 5, 0),   /* invert the first 4 bytes */
	MOV64_IMM(0, XDP_PASS),
	EXIT(),
};
static struct bpf_insn i_mapread[] = {
	ST(BPF_W, 10, -4, 0),
	MOV64_REG(2, 10),
	ADD64_IMM(2, -4),
	LD_MAP(1, BPF_PSEUDO_MAP_FD, 0), /* imm patched with the map fd */
	CALL(BPF_FUNC_map_lookup_elem),
	JEQ_IMM(0, 0, 2),
	LDX(BPF_W, 0, 0, 0),
	EXIT(),
	MOV64_IMM(0, 0),
	EXIT(),
};
static struct bpf_insn i_mapidx[] = {
	ST(BPF_W, 10, -4, 0),
	MOV64_REG(2, 10),
	ADD64_IMM(2, -4),
	LD_MAP(1, BPF_PSEUDO_MAP_IDX, 0), /* fd_array[0] */
	CALL(BPF_FUNC_map_lookup_elem),
	JEQ_IMM(0, 0, 2),
	LDX(BPF_W, 0, 0, 0),
	EXIT(),
	MOV64_IMM(0, 0),
	EXIT(),
};
static struct bpf_insn i_ret1[] = { MOV64_IMM(0, 1), EXIT() };
static struct bpf_insn i_ret1b[] = { MOV64_IMM(0, 0), MOV64_IMM(0, 1), EXIT() };
static struct bpf_insn i_ret0[] = { MOV64_IMM(0, 0), EXIT() };
static struct bpf_insn i_cookie[] = {
	CALL(BPF_FUNC_get_attach_cookie), /* r1 = ctx already */
	STX(BPF_DW, 10, 0, -16),
	ST(BPF_W, 10, -4, 0),
	MOV64_REG(2, 10),
	ADD64_IMM(2, -4),
	MOV64_REG(3, 10),
	ADD64_IMM(3, -16),
	LD_MAP(1, BPF_PSEUDO_MAP_FD, 0), /* cookie map */
	MOV64_IMM(4, 0),
	CALL(BPF_FUNC_map_update_elem),
	MOV64_IMM(0, 0),
	EXIT(),
};
static struct bpf_insn i_bad[] = { EXIT() }; /* R0 !read_ok */

static int ld(const char *what, enum bpf_prog_type t, const char *name, const char *lic,
	      const struct bpf_insn *in, size_t n, const struct bpf_prog_load_opts *o, const char *regname)
{
	int fd = RF(what, bpf_prog_load(t, name, lic, in, n, o));
	if (fd >= 0 && regname) {
		reg_add('p', regname, fd);
		print_prog_info(regname, fd);
	}
	return fd;
}

static void sec_prog_load(void)
{
	struct bpf_prog_load_opts o;
	int fd;
	sec = "prog_load";
#define O0() (memset(&o, 0, sizeof(o)), o.sz = sizeof(o))
	p_sock = ld("socket_filter ret 7 opts=NULL", BPF_PROG_TYPE_SOCKET_FILTER, "sb_sock", "GPL", i_sock, NI(i_sock), NULL, "sock");
	p_xdp = ld("xdp pass", BPF_PROG_TYPE_XDP, "sb_xdp", "GPL", i_xdp_pass, NI(i_xdp_pass), NULL, "xdp");
	O0();
	p_xor = ld("xdp invert first 4 bytes", BPF_PROG_TYPE_XDP, "sb_xor", "Dual BSD/GPL", i_xor, NI(i_xor), &o, "xor");
	i_mapread[3].imm = m_pval;
	p_mapread = ld("socket_filter LD_IMM64 PSEUDO_MAP_FD", BPF_PROG_TYPE_SOCKET_FILTER, "sb_mapread", "GPL", i_mapread, NI(i_mapread), NULL, "mapread");
	int fda[1] = { m_pval };
	O0();
	o.fd_array = fda;
	p_mapidx = ld("socket_filter PSEUDO_MAP_IDX fd_array", BPF_PROG_TYPE_SOCKET_FILTER, "sb_mapidx", "GPL", i_mapidx, NI(i_mapidx), &o, "mapidx");
	O0();
	fd = ld("PSEUDO_MAP_IDX without fd_array", BPF_PROG_TYPE_SOCKET_FILTER, "sb_mapidx2", "GPL", i_mapidx, NI(i_mapidx), &o, NULL);
	cfd(&fd);
	O0();
	o.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	p_cg1 = ld("cgroup_skb egress #1", BPF_PROG_TYPE_CGROUP_SKB, "sb_cg1", "GPL", i_ret1, NI(i_ret1), &o, "cg1");
	p_cg2 = ld("cgroup_skb egress #2", BPF_PROG_TYPE_CGROUP_SKB, "sb_cg2", "GPL", i_ret1b, NI(i_ret1b), &o, "cg2");
	O0();
	fd = ld("cgroup_sock_addr without expected_attach_type", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "sb_conn0", "GPL", i_ret1, NI(i_ret1), &o, NULL);
	cfd(&fd);
	o.expected_attach_type = BPF_CGROUP_INET4_CONNECT;
	p_connect = ld("cgroup_sock_addr expected=INET4_CONNECT", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "sb_conn", "GPL", i_ret1, NI(i_ret1), &o, "connect");
	o.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	fd = ld("cgroup_sock_addr expected=INET_EGRESS", BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "sb_conn2", "GPL", i_ret1, NI(i_ret1), &o, NULL);
	cfd(&fd);
	p_rawtp = ld("raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, "sb_rawtp", "GPL", i_ret0, NI(i_ret0), NULL, "rawtp");
	i_cookie[7].imm = m_cookie;
	p_tp = ld("tracepoint get_attach_cookie -> map", BPF_PROG_TYPE_TRACEPOINT, "sb_tp", "GPL", i_cookie, NI(i_cookie), NULL, "tp");
	p_noname = ld("name=NULL", BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", i_sock, NI(i_sock), NULL, "noname");
	p_long = ld("name longer than 15 chars", BPF_PROG_TYPE_SOCKET_FILTER, "sb_prog_name_is_too_long", "GPL", i_sock, NI(i_sock), NULL, "longname");
	fd = ld("name with invalid char", BPF_PROG_TYPE_SOCKET_FILTER, "sb prog", "GPL", i_sock, NI(i_sock), NULL, NULL);
	cfd(&fd);
	fd = ld("license Proprietary", BPF_PROG_TYPE_SOCKET_FILTER, "sb_prop", "Proprietary", i_sock, NI(i_sock), NULL, "prop");
	cfd(&fd);
	reg_dead('p', "prop");
	fd = ld("license NULL", BPF_PROG_TYPE_SOCKET_FILTER, "sb_nolic", NULL, i_sock, NI(i_sock), NULL, NULL);
	cfd(&fd);
	fd = ld("insns=NULL cnt=0", BPF_PROG_TYPE_SOCKET_FILTER, "sb_empty", "GPL", NULL, 0, NULL, NULL);
	cfd(&fd);
	fd = ld("insn_cnt > UINT_MAX", BPF_PROG_TYPE_SOCKET_FILTER, "sb_huge", "GPL", i_sock, (size_t)UINT_MAX + 3, NULL, NULL);
	cfd(&fd);
	fd = ld("invalid prog type 0x7fff", (enum bpf_prog_type)0x7fff, "sb_inval", "GPL", i_sock, NI(i_sock), NULL, NULL);
	cfd(&fd);
	O0();
	o.kern_version = 0x12345;
	fd = ld("kern_version set", BPF_PROG_TYPE_SOCKET_FILTER, "sb_kver", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	O0();
	o.prog_flags = BPF_F_SLEEPABLE;
	fd = ld("prog_flags=SLEEPABLE on socket_filter", BPF_PROG_TYPE_SOCKET_FILTER, "sb_sleep", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	O0();
	o.prog_flags = BPF_F_TEST_RND_HI32 | BPF_F_STRICT_ALIGNMENT;
	fd = ld("prog_flags=RND_HI32|STRICT_ALIGNMENT", BPF_PROG_TYPE_SOCKET_FILTER, "sb_flags", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	O0();
	o.attempts = -1;
	fd = ld("attempts=-1", BPF_PROG_TYPE_SOCKET_FILTER, "sb_att", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	O0();
	o.attempts = 1;
	fd = ld("attempts=1", BPF_PROG_TYPE_SOCKET_FILTER, "sb_att1", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	O0();
	o.attach_prog_fd = p_sock;
	o.attach_btf_obj_fd = btf_fd;
	fd = ld("attach_prog_fd and attach_btf_obj_fd both set", BPF_PROG_TYPE_SOCKET_FILTER, "sb_both", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	O0();
	o.expected_attach_type = BPF_TRACE_FENTRY;
	o.attach_btf_id = 1;
	fd = ld("tracing fentry attach_btf_id=1", BPF_PROG_TYPE_TRACING, "sb_fentry", "GPL", i_ret0, NI(i_ret0), &o, NULL);
	cfd(&fd);
	O0();
	o.sz = 4;
	fd = ld("opts.sz=4", BPF_PROG_TYPE_SOCKET_FILTER, "sb_sz", "GPL", i_sock, NI(i_sock), &o, NULL);
	cfd(&fd);
	struct { struct bpf_prog_load_opts o; __u64 extra; } big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	fd = ld("opts.sz bigger, zero tail", BPF_PROG_TYPE_SOCKET_FILTER, "sb_big", "GPL", i_sock, NI(i_sock), &big.o, NULL);
	cfd(&fd);
	big.extra = 1;
	fd = ld("opts.sz bigger, non-zero tail", BPF_PROG_TYPE_SOCKET_FILTER, "sb_big2", "GPL", i_sock, NI(i_sock), &big.o, NULL);
	cfd(&fd);
#undef O0
}

static void sec_prog_log(void)
{
	struct bpf_prog_load_opts o;
	static char log[65536];
	int fd;
	sec = "prog_log";
#define O0() (memset(&o, 0, sizeof(o)), o.sz = sizeof(o))
#define LOGRESET() (memset(log, '#', sizeof(log)), log[0] = 0)

	struct { const char *what; int bad; __u32 level, size; int buf; } cases[] = {
		{ "good level=1", 0, 1, sizeof(log), 1 },
		{ "good level=2", 0, 2, sizeof(log), 1 },
		{ "good level=4 (stats)", 0, 4, sizeof(log), 1 },
		{ "good level=0 with log_buf", 0, 0, sizeof(log), 1 },
		{ "good level=7", 0, 7, sizeof(log), 1 },
		{ "good level=8", 0, 8, sizeof(log), 1 },
		{ "good level=1 log_size=0", 0, 1, 0, 1 },
		{ "good level=0 log_buf=NULL log_size=100", 0, 0, 100, 0 },
		{ "good level=1 log_buf=NULL", 0, 1, 0, 0 },
		{ "good level=1 log_size=20", 0, 1, 20, 1 },
		{ "bad opts=NULL", 1, 0, 0, -1 },
		{ "bad level=0 no log", 1, 0, 0, 0 },
		{ "bad level=0 with log_buf (retry with level 1)", 1, 0, sizeof(log), 1 },
		{ "bad level=1", 1, 1, sizeof(log), 1 },
		{ "bad level=2", 1, 2, sizeof(log), 1 },
		{ "bad level=1 log_size=20", 1, 1, 20, 1 },
		{ "bad level=0 log_size=20 (retry)", 1, 0, 20, 1 },
	};
	for (size_t i = 0; i < NI(cases); i++) {
		O0();
		LOGRESET();
		o.log_level = cases[i].level;
		o.log_size = cases[i].size;
		o.log_buf = cases[i].buf > 0 ? log : NULL;
		const struct bpf_insn *in = cases[i].bad ? i_bad : i_sock;
		size_t n = cases[i].bad ? NI(i_bad) : NI(i_sock);
		fd = RF(cases[i].what, bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sb_log", "GPL", in, n,
						     cases[i].buf < 0 ? NULL : &o));
		cfd(&fd);
		if (log[0] == '#')
			P("log untouched");
		else
			print_log("log", log, cases[i].size && cases[i].size < sizeof(log) ? cases[i].size : sizeof(log));
		if (cases[i].size == 20)
			P("byte after log_size untouched: %s", log[20] == '#' ? "yes" : "no");
	}
	/* expected_attach_type mismatch reported by the verifier */
	O0();
	LOGRESET();
	o.log_buf = log;
	o.log_size = sizeof(log);
	o.log_level = 1;
	o.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	fd = RF("cgroup_sock_addr expected=EGRESS level=1", bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "sb_x", "GPL", i_ret1, NI(i_ret1), &o));
	print_log("log", log, sizeof(log));
	cfd(&fd);
#undef O0
#undef LOGRESET
}

/* ------------------------------------------------------------- test_run */

static unsigned char pkt[64];

static void print_tr(const char *what, int r, struct bpf_test_run_opts *t, const unsigned char *dout, size_t n)
{
	int e = errno;
	char h[2 * 64 + 1] = "";
	if (dout)
		hex(h, dout, n > 64 ? 64 : n);
	/* duration is not printed: timing */
	if (r < 0)
		P("%s: ret=%d errno=%s retval=0x%x data_size_out=%u ctx_size_out=%u data_out=%s", what, r, ename(e),
		  t ? t->retval : 0, t ? t->data_size_out : 0, t ? t->ctx_size_out : 0, h);
	else
		P("%s: ret=%d retval=0x%x data_size_out=%u ctx_size_out=%u data_out=%s%s", what, r,
		  t->retval, t->data_size_out, t->ctx_size_out, h, enote(e));
}

static void tr_null_opts(void)
{
	int r = RI("xor test_run opts=NULL", bpf_prog_test_run_opts(p_xor, NULL));
	(void)r;
}

static void sec_test_run(void)
{
	struct bpf_test_run_opts t;
	unsigned char dout[128], want[64];
	int r;
	sec = "test_run";
#define T0() (memset(&t, 0, sizeof(t)), t.sz = sizeof(t), t.retval = NSENT)
	for (int i = 0; i < 64; i++)
		pkt[i] = (unsigned char)(i * 3 + 1);
	memcpy(want, pkt, 64);
	for (int i = 0; i < 4; i++)
		want[i] ^= 0xff;

	T0();
	memset(dout, 0xee, sizeof(dout));
	t.data_in = pkt;
	t.data_size_in = 64;
	t.data_out = dout;
	t.data_size_out = sizeof(dout);
	t.repeat = 5;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_xor, &t);
	print_tr("xor repeat=5", r, &t, dout, t.data_size_out);
	CHECK(r == 0 && t.retval == XDP_PASS && t.data_size_out == 64 && !memcmp(dout, want, 64) && dout[64] == 0xee,
	      "xdp-data_out-is-transformed-input", "ret=%d retval=%u size=%u", r, t.retval, t.data_size_out);

	T0();
	memset(dout, 0xee, sizeof(dout));
	t.data_in = pkt;
	t.data_size_in = 64;
	t.data_out = dout;
	t.data_size_out = 8;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_xor, &t);
	print_tr("xor data_size_out=8", r, &t, dout, 12);
	CHECK(r == -ENOSPC && t.data_size_out == 64 && !memcmp(dout, want, 8) && dout[8] == 0xee,
	      "xdp-short-data_out-truncated", "ret=%d size=%u", r, t.data_size_out);

	T0();
	t.data_in = pkt;
	t.data_size_in = 64;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_xor, &t);
	print_tr("xor no data_out", r, &t, NULL, 0);

	T0();
	memset(dout, 0xee, sizeof(dout));
	t.data_in = pkt;
	t.data_size_in = 10;
	t.data_out = dout;
	t.data_size_out = 64;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_xor, &t);
	print_tr("xor data_size_in=10 (too small)", r, &t, NULL, 0);

	T0();
	t.sz = 4;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_xor, &t);
	print_tr("xor opts.sz=4", r, &t, NULL, 0);

	guard("xor test_run opts=NULL", tr_null_opts);

	T0();
	t.data_in = pkt;
	t.data_size_in = 64;
	t.batch_size = 4;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_xdp, &t);
	print_tr("xdp batch_size=4 without LIVE_FRAMES", r, &t, NULL, 0);

	T0();
	t.data_in = pkt;
	t.data_size_in = 64;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_sock, &t);
	print_tr("sock repeat=0", r, &t, NULL, 0);
	CHECK(r == 0 && t.retval == 7, "socket-filter-retval", "ret=%d retval=%u", r, t.retval);

	T0();
	t.data_in = pkt;
	t.data_size_in = 64;
	t.flags = BPF_F_TEST_RUN_ON_CPU;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_sock, &t);
	print_tr("sock flags=RUN_ON_CPU", r, &t, NULL, 0);

	__u32 k = 0;
	__u64 v = 42;
	RI("pval update k=0 v=42", bpf_map_update_elem(m_pval, &k, &v, BPF_ANY));
	T0();
	t.data_in = pkt;
	t.data_size_in = 64;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_mapread, &t);
	print_tr("mapread", r, &t, NULL, 0);
	CHECK(r == 0 && t.retval == 42, "map-fd-prog-reads-updated-value", "ret=%d retval=%u want 42", r, t.retval);
	T0();
	t.data_in = pkt;
	t.data_size_in = 64;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_mapidx, &t);
	print_tr("mapidx", r, &t, NULL, 0);
	CHECK(r == 0 && t.retval == 42, "fd_array-prog-reads-updated-value", "ret=%d retval=%u want 42", r, t.retval);

	__u64 ctx[2] = { 1, 2 };
	T0();
	t.ctx_in = ctx;
	t.ctx_size_in = sizeof(ctx);
	t.flags = BPF_F_TEST_RUN_ON_CPU;
	t.cpu = 0;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_rawtp, &t);
	print_tr("rawtp ctx_in RUN_ON_CPU cpu=0", r, &t, NULL, 0);
	t.cpu = 4096;
	t.retval = NSENT;
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_rawtp, &t);
	print_tr("rawtp RUN_ON_CPU cpu=4096", r, &t, NULL, 0);

	T0();
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(-1, &t);
	print_tr("bad prog fd", r, &t, NULL, 0);
	T0();
	errno = SENTINEL;
	r = bpf_prog_test_run_opts(p_cg1, &t);
	print_tr("cgroup_skb no data", r, &t, NULL, 0);
#undef T0
}

/* ---------------------------------------------------------------- stats */

static void sec_stats(void)
{
	sec = "stats";
	struct bpf_prog_info pi;
	int sfd = RF("enable_stats RUN_TIME", bpf_enable_stats(BPF_STATS_RUN_TIME));
	int sfd2 = RF("enable_stats RUN_TIME again", bpf_enable_stats(BPF_STATS_RUN_TIME));
	cfd(&sfd2);
	int bad = RF("enable_stats type=99", bpf_enable_stats((enum bpf_stats_type)99));
	cfd(&bad);
	raw_info(p_xdp, &pi, sizeof(pi));
	__u64 before = pi.run_cnt;
	struct bpf_test_run_opts t;
	memset(&t, 0, sizeof(t));
	t.sz = sizeof(t);
	t.data_in = pkt;
	t.data_size_in = 64;
	t.repeat = 7;
	RI("xdp test_run repeat=7", bpf_prog_test_run_opts(p_xdp, &t));
	memset(&pi, 0, sizeof(pi));
	__u32 len = sizeof(pi);
	RI("xdp info", bpf_obj_get_info_by_fd(p_xdp, &pi, &len));
	P("run_cnt delta=%llu run_time_ns>0=%d", (unsigned long long)(pi.run_cnt - before), pi.run_time_ns > 0);
	struct bpf_prog_info rp;
	raw_info(p_xdp, &rp, sizeof(rp));
	CHECK(rp.run_cnt - before == 7 && rp.run_time_ns > 0 && pi.run_cnt == rp.run_cnt,
	      "run_cnt-counts-test_run-repeats", "raw delta=%llu lib run_cnt=%llu raw=%llu",
	      (unsigned long long)(rp.run_cnt - before), (unsigned long long)pi.run_cnt, (unsigned long long)rp.run_cnt);
	cfd(&sfd);
	raw_info(p_xdp, &rp, sizeof(rp));
	before = rp.run_cnt;
	t.repeat = 3;
	RI("xdp test_run after stats fd closed", bpf_prog_test_run_opts(p_xdp, &t));
	raw_info(p_xdp, &rp, sizeof(rp));
	P("run_cnt delta after close=%llu", (unsigned long long)(rp.run_cnt - before));
}

/* ------------------------------------------------------------- bind_map */

static void sec_bind_map(void)
{
	sec = "bind_map";
	struct bpf_prog_bind_opts bo;
	print_prog_info("sock before", p_sock);
	RI("bind sock <- hash opts=NULL", bpf_prog_bind_map(p_sock, m_hash, NULL));
	print_prog_info("sock after", p_sock);
	struct bpf_prog_info pi;
	__u32 ids[4] = { 0 };
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = 4;
	pi.map_ids = (__u64)(unsigned long)ids;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = p_sock;
	a.info.info_len = sizeof(pi);
	a.info.info = (__u64)(unsigned long)&pi;
	int r = sysbpf(BPF_OBJ_GET_INFO_BY_FD, &a);
	CHECK(r == 0 && pi.nr_map_ids == 1 && ids[0] == reg_id('m', "hash"), "bound-map-in-prog-info",
	      "r=%d nr_map_ids=%u id0=%s", r, pi.nr_map_ids, idn('m', ids[0]));
	RI("bind same map again", bpf_prog_bind_map(p_sock, m_hash, NULL));
	memset(&bo, 0, sizeof(bo));
	bo.sz = sizeof(bo);
	RI("bind opts zeroed", bpf_prog_bind_map(p_sock, m_arr, &bo));
	bo.flags = 1;
	RI("bind opts.flags=1", bpf_prog_bind_map(p_sock, m_arr, &bo));
	bo.flags = 0;
	bo.sz = 4;
	RI("bind opts.sz=4", bpf_prog_bind_map(p_sock, m_arr, &bo));
	RI("bind bad map fd", bpf_prog_bind_map(p_sock, -1, NULL));
	RI("bind non-prog fd", bpf_prog_bind_map(m_hash, m_arr, NULL));
	print_prog_info("sock final", p_sock);
}

/* ------------------------------------------------------------------ pin */

/* emit a child's output; returns the value of its "id <n>" line (0 if none) */
static __u32 emit_child(const char *tag, struct child_out *co, char kind)
{
	char st[64];
	char *save = NULL;
	char *o = co->out ? co->out : "";
	__u32 id = 0;
	int first = 1;
	for (char *l = strtok_r(o, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (first && !strncmp(l, "MAPPED", 6)) {
			first = 0;
			int same = !strncmp(l, mapped_self, strlen(mapped_self) - 1) && strlen(l) == strlen(mapped_self) - 1;
			P("%s child-maps %s", tag, same ? "same" : "DIFFERENT");
			if (!same)
				P("%s child-maps DIFFERENT: %s", tag, l);
			continue;
		}
		first = 0;
		if (!strncmp(l, "id ", 3)) {
			id = strtoul(l + 3, NULL, 10);
			P("%s out id=%s", tag, idn(kind, id));
			continue;
		}
		P("%s out %s", tag, l);
	}
	if (co->err_len) {
		fprintf(out, "%s %s stderr ", sec, tag);
		put_esc(out, co->err, co->err_len);
		fputc('\n', out);
	}
	describe_status(st, sizeof(st), co->status);
	P("%s %s", tag, st);
	return id;
}

static int mode_pinget(const char *path)
{
	out = stdout;
	sec = "pinget";
	print_mapped(stdout);
	libbpf_set_print(print_cb);
	errno = SENTINEL;
	int fd = bpf_obj_get(path);
	if (fd < 0) {
		printf("obj_get ret=%d errno=%s\n", fd, ename(errno));
		return 1;
	}
	printf("obj_get %s\n", fdstate(fd));
	printf("id %u\n", raw_id('m', fd));
	return 0;
}

static void sec_pin(void)
{
	char p[PATH_MAX];
	int fd;
	sec = "pin";
	if (!bpffs) {
		P("SKIPPED: SYSCALLS_BPFFS not set");
		CHECK(0, "bpffs-available", "SYSCALLS_BPFFS not set");
		return;
	}
	snprintf(pin_map, sizeof(pin_map), "%s/map_hash", bpffs);
	snprintf(pin_prog, sizeof(pin_prog), "%s/prog_sock", bpffs);
	RI("pin map", bpf_obj_pin(m_hash, pin_map));
	RI("pin map again (same path)", bpf_obj_pin(m_hash, pin_map));
	RI("pin prog", bpf_obj_pin(p_sock, pin_prog));
	RI("pin btf", bpf_obj_pin(btf_fd, (snprintf(p, sizeof(p), "%s/btf", bpffs), p)));
	unlink(p);
	snprintf(p, sizeof(p), "%s/nonexistent_dir/x", bpffs);
	RI("pin into missing dir", bpf_obj_pin(m_hash, p));
	snprintf(p, sizeof(p), "%s/not_bpffs_pin", scratch ? scratch : "/tmp");
	RI("pin on non-bpffs path", bpf_obj_pin(m_hash, p));
	unlink(p);
	snprintf(p, sizeof(p), "%s/badfd", bpffs);
	RI("pin bad fd", bpf_obj_pin(-1, p));
	RI("pin non-bpf fd", bpf_obj_pin(0, p));
	RI("pin path=NULL", bpf_obj_pin(m_hash, NULL));
	RI("pin relative path", bpf_obj_pin(m_hash, "relative_pin_path_xyz"));

	fd = RF("obj_get map", bpf_obj_get(pin_map));
	P("obj_get map id=%s", idn('m', raw_id('m', fd)));
	print_map_info("obj_get map info", fd);
	cfd(&fd);
	struct bpf_obj_get_opts go;
	memset(&go, 0, sizeof(go));
	go.sz = sizeof(go);
	go.file_flags = BPF_F_RDONLY;
	fd = RF("obj_get_opts map RDONLY", bpf_obj_get_opts(pin_map, &go));
	up("update via RDONLY fd", fd, 1, 1, BPF_ANY);
	lk("lookup via RDONLY fd", fd, 1, 0, 0);
	cfd(&fd);
	go.file_flags = BPF_F_WRONLY;
	fd = RF("obj_get_opts map WRONLY", bpf_obj_get_opts(pin_map, &go));
	up("update via WRONLY fd", fd, 1, 1, BPF_ANY);
	lk("lookup via WRONLY fd", fd, 1, 0, 0);
	__u32 k = 1;
	RI("delete via WRONLY fd", bpf_map_delete_elem(fd, &k));
	cfd(&fd);
	go.file_flags = BPF_F_RDONLY | BPF_F_WRONLY;
	fd = RF("obj_get_opts map RDONLY|WRONLY", bpf_obj_get_opts(pin_map, &go));
	cfd(&fd);
	go.file_flags = 0x100000;
	fd = RF("obj_get_opts file_flags=0x100000", bpf_obj_get_opts(pin_map, &go));
	cfd(&fd);
	go.file_flags = 0;
	fd = RF("obj_get_opts zeroed", bpf_obj_get_opts(pin_map, &go));
	cfd(&fd);
	go.sz = 4;
	fd = RF("obj_get_opts opts.sz=4", bpf_obj_get_opts(pin_map, &go));
	cfd(&fd);
	fd = RF("obj_get_opts opts=NULL", bpf_obj_get_opts(pin_map, NULL));
	cfd(&fd);
	go.sz = sizeof(go);
	fd = RF("obj_get prog", bpf_obj_get(pin_prog));
	P("obj_get prog id=%s", idn('p', raw_id('p', fd)));
	cfd(&fd);
	go.file_flags = BPF_F_RDONLY;
	fd = RF("obj_get_opts prog RDONLY", bpf_obj_get_opts(pin_prog, &go));
	cfd(&fd);
	snprintf(p, sizeof(p), "%s/missing", bpffs);
	fd = RF("obj_get missing", bpf_obj_get(p));
	cfd(&fd);
	fd = RF("obj_get non-bpffs file", bpf_obj_get("/proc/self/exe"));
	cfd(&fd);
	fd = RF("obj_get path=NULL", bpf_obj_get(NULL));
	cfd(&fd);

	/* second path: a fresh process obtains the pinned map, same id */
	struct child_out co;
	char *argv[] = { "probe", "child-pinget", pin_map, NULL };
	if (run_child(argv, &co)) {
		P("pinget child: cannot run");
		CHECK(0, "child-pinned-map-same-id", "cannot run child");
		return;
	}
	int fdok = strstr(co.out ? co.out : "", "obj_get fd ok") != NULL;
	__u32 cid = emit_child("pinget", &co, 'm');
	CHECK(co.status == 0 && cid && cid == reg_id('m', "hash"), "child-pinned-map-same-id",
	      "child id %s, want hash (status 0x%x)", idn('m', cid), co.status);
	CHECK(fdok, "child-obj_get-fd-ok", "child output lacks 'obj_get fd ok'");
	free(co.out);
	free(co.err);
}

/* --------------------------------------------------------------- cgroup */

static void query(const char *what, int target, enum bpf_attach_type t, __u32 qflags, __u32 cnt, int with_ids)
{
	__u32 ids[8], af = NSENT;
	for (int i = 0; i < 8; i++)
		ids[i] = NSENT;
	errno = SENTINEL;
	int r = bpf_prog_query(target, t, qflags, &af, with_ids ? ids : NULL, &cnt);
	int e = errno;
	char b[256] = "";
	for (__u32 i = 0; with_ids && i < cnt && i < 8; i++)
		sprintf(b + strlen(b), "%s%s", i ? "," : "", idn('p', ids[i]));
	if (r < 0)
		P("%s: ret=%d errno=%s attach_flags=0x%x cnt=%u ids=[%s]", what, r, ename(e), af, cnt, b);
	else
		P("%s: ret=%d attach_flags=0x%x cnt=%u ids=[%s]%s", what, r, af, cnt, b, enote(e));
}

static int raw_query(int target, enum bpf_attach_type t, __u32 *ids, __u32 *cnt)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = target;
	a.query.attach_type = t;
	a.query.prog_ids = (__u64)(unsigned long)ids;
	a.query.prog_cnt = *cnt;
	int r = sysbpf(BPF_PROG_QUERY, &a);
	*cnt = a.query.prog_cnt;
	return r;
}

static void sec_cgroup(void)
{
	sec = "cgroup";
	const enum bpf_attach_type EG = BPF_CGROUP_INET_EGRESS;
	if (!cgpath || (cg = open(cgpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		P("SKIPPED: no cgroup v2 directory");
		CHECK(0, "cgroup-available", "SYSCALLS_CGROUP unset or cannot open");
		return;
	}
	query("query empty", cg, EG, 0, 8, 1);
	RI("attach cg1 ALLOW_MULTI", bpf_prog_attach(p_cg1, cg, EG, BPF_F_ALLOW_MULTI));
	RI("attach cg2 ALLOW_MULTI", bpf_prog_attach(p_cg2, cg, EG, BPF_F_ALLOW_MULTI));
	RI("attach cg2 ALLOW_MULTI again", bpf_prog_attach(p_cg2, cg, EG, BPF_F_ALLOW_MULTI));
	RI("attach cg1 flags=0 into multi", bpf_prog_attach(p_cg1, cg, EG, 0));
	query("query 2 attached", cg, EG, 0, 8, 1);
	__u32 ids[8], cnt = 8;
	int r = raw_query(cg, EG, ids, &cnt);
	CHECK(r == 0 && cnt == 2 && ids[0] == reg_id('p', "cg1") && ids[1] == reg_id('p', "cg2"),
	      "attached-progs-visible-raw", "r=%d cnt=%u", r, cnt);
	query("query cnt=1 (too small)", cg, EG, 0, 1, 1);
	query("query ids=NULL cnt=0", cg, EG, 0, 0, 0);
	query("query EFFECTIVE", cg, EG, BPF_F_QUERY_EFFECTIVE, 8, 1);
	query("query INGRESS (none)", cg, BPF_CGROUP_INET_INGRESS, 0, 8, 1);
	query("query bad fd", -1, EG, 0, 8, 1);
	query("query query_flags=0x80", cg, EG, 0x80, 8, 1);

	struct bpf_prog_query_opts qo;
	__u32 pf[8];
	memset(&qo, 0, sizeof(qo));
	qo.sz = sizeof(qo);
	memset(ids, 0, sizeof(ids));
	memset(pf, 0xff, sizeof(pf));
	qo.prog_ids = ids;
	qo.prog_attach_flags = pf;
	qo.prog_cnt = 8;
	qo.attach_flags = NSENT;
	RI("query_opts with prog_attach_flags", bpf_prog_query_opts(cg, EG, &qo));
	P("attach_flags=0x%x cnt=%u ids=[%s,%s] prog_attach_flags=[0x%x,0x%x]", qo.attach_flags, qo.prog_cnt,
	  idn('p', ids[0]), idn('p', ids[1]), pf[0], pf[1]);
	qo.query_flags = BPF_F_QUERY_EFFECTIVE;
	qo.prog_cnt = 8;
	qo.attach_flags = NSENT;
	RI("query_opts EFFECTIVE with prog_attach_flags", bpf_prog_query_opts(cg, EG, &qo));
	P("attach_flags=0x%x cnt=%u", qo.attach_flags, qo.prog_cnt);
	qo.prog_attach_flags = NULL;
	qo.prog_cnt = 8;
	qo.attach_flags = NSENT;
	RI("query_opts EFFECTIVE", bpf_prog_query_opts(cg, EG, &qo));
	P("attach_flags=0x%x cnt=%u ids=[%s,%s]", qo.attach_flags, qo.prog_cnt, idn('p', ids[0]), idn('p', ids[1]));
	qo.query_flags = 0;
	qo.prog_cnt = 5;
	qo.attach_flags = NSENT;
	RI("query_opts bad fd", bpf_prog_query_opts(-1, EG, &qo));
	P("attach_flags=0x%x cnt=%u", qo.attach_flags, qo.prog_cnt);
	qo.sz = 4;
	qo.prog_cnt = 5;
	qo.attach_flags = NSENT;
	RI("query_opts opts.sz=4", bpf_prog_query_opts(cg, EG, &qo));
	P("attach_flags=0x%x cnt=%u", qo.attach_flags, qo.prog_cnt);

	RI("detach2 cg1", bpf_prog_detach2(p_cg1, cg, EG));
	RI("detach2 cg1 again", bpf_prog_detach2(p_cg1, cg, EG));
	query("query after detach2", cg, EG, 0, 8, 1);

	struct bpf_prog_attach_opts ao;
	memset(&ao, 0, sizeof(ao));
	ao.sz = sizeof(ao);
	ao.flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE;
	ao.replace_prog_fd = p_cg2;
	RI("attach_opts cg1 REPLACE cg2", bpf_prog_attach_opts(p_cg1, cg, EG, &ao));
	query("query after replace", cg, EG, 0, 8, 1);
	RI("attach_opts cg2 REPLACE cg2 (not attached)", bpf_prog_attach_opts(p_cg2, cg, EG, &ao));
	ao.flags = BPF_F_ALLOW_MULTI;
	RI("attach_opts replace_prog_fd without REPLACE flag", bpf_prog_attach_opts(p_cg2, cg, EG, &ao));
	ao.sz = 4;
	RI("attach_opts opts.sz=4", bpf_prog_attach_opts(p_cg2, cg, EG, &ao));
	RI("attach_opts opts=NULL into multi", bpf_prog_attach_opts(p_cg2, cg, EG, NULL));
	RI("detach (no prog) in multi mode", bpf_prog_detach(cg, EG));
	RI("detach2 cg1", bpf_prog_detach2(p_cg1, cg, EG));
	RI("detach2 cg2", bpf_prog_detach2(p_cg2, cg, EG));
	query("query empty again", cg, EG, 0, 8, 1);

	RI("attach cg1 flags=0 (exclusive)", bpf_prog_attach(p_cg1, cg, EG, 0));
	RI("attach cg2 flags=0 over exclusive", bpf_prog_attach(p_cg2, cg, EG, 0));
	query("query exclusive", cg, EG, 0, 8, 1);
	RI("detach exclusive", bpf_prog_detach(cg, EG));
	RI("detach again", bpf_prog_detach(cg, EG));
	RI("attach cg1 ALLOW_OVERRIDE", bpf_prog_attach(p_cg1, cg, EG, BPF_F_ALLOW_OVERRIDE));
	RI("attach cg2 ALLOW_OVERRIDE (replaces)", bpf_prog_attach(p_cg2, cg, EG, BPF_F_ALLOW_OVERRIDE));
	query("query override", cg, EG, 0, 8, 1);
	RI("detach2 cg1 (not attached)", bpf_prog_detach2(p_cg1, cg, EG));
	RI("detach override", bpf_prog_detach(cg, EG));
	query("query empty at end", cg, EG, 0, 8, 1);

	RI("attach connect prog to INET6_CONNECT", bpf_prog_attach(p_connect, cg, BPF_CGROUP_INET6_CONNECT, 0));
	RI("attach connect prog to INET4_CONNECT", bpf_prog_attach(p_connect, cg, BPF_CGROUP_INET4_CONNECT, 0));
	query("query INET4_CONNECT", cg, BPF_CGROUP_INET4_CONNECT, 0, 8, 1);
	RI("detach2 connect", bpf_prog_detach2(p_connect, cg, BPF_CGROUP_INET4_CONNECT));
	RI("attach socket filter to cgroup", bpf_prog_attach(p_sock, cg, EG, 0));
	RI("attach to non-cgroup fd", bpf_prog_attach(p_cg1, m_hash, EG, 0));
	RI("attach bad prog fd", bpf_prog_attach(-1, cg, EG, 0));
	RI("attach flags=0x80000", bpf_prog_attach(p_cg1, cg, EG, 0x80000));
	RI("detach bad target", bpf_prog_detach(-1, EG));
	RI("detach2 bad prog fd", bpf_prog_detach2(-1, cg, EG));
}

/* ----------------------------------------------------------------- link */

static void check_link(const char *name, int lfd, __u32 want_type, const char *want_prog)
{
	struct bpf_link_info li;
	int r = raw_info(lfd, &li, sizeof(li));
	CHECK(r == 0 && li.type == want_type && li.prog_id == reg_id('p', want_prog), name,
	      "r=%d type=%u prog=%s, want type=%u prog=%s", r, li.type, idn('p', li.prog_id), want_type, want_prog);
}

static void sec_link(void)
{
	sec = "link";
	const enum bpf_attach_type EG = BPF_CGROUP_INET_EGRESS;
	struct bpf_link_create_opts lo;
	struct bpf_link_update_opts uo;
	int fd;
	if (cg < 0) {
		P("SKIPPED: no cgroup");
		CHECK(0, "cgroup-available", "no cgroup fd");
		return;
	}
	l_cg = RF("link_create cg1 -> cgroup EGRESS opts=NULL", bpf_link_create(p_cg1, cg, EG, NULL));
	reg_add('l', "cglink", l_cg);
	print_link_info("info after create", l_cg);
	check_link("cgroup-link-info-after-create", l_cg, BPF_LINK_TYPE_CGROUP, "cg1");
	query("query with link", cg, EG, 0, 8, 1);
	RI("prog_attach cg2 flags=0 next to link", bpf_prog_attach(p_cg2, cg, EG, 0));
	RI("prog_detach while only a link is attached", bpf_prog_detach(cg, EG));

	RI("link_update -> cg2 opts=NULL", bpf_link_update(l_cg, p_cg2, NULL));
	print_link_info("info after update", l_cg);
	check_link("cgroup-link-info-after-update", l_cg, BPF_LINK_TYPE_CGROUP, "cg2");
	memset(&uo, 0, sizeof(uo));
	uo.sz = sizeof(uo);
	uo.flags = BPF_F_REPLACE;
	uo.old_prog_fd = p_cg1;
	RI("link_update -> cg1 REPLACE old=cg1 (wrong old)", bpf_link_update(l_cg, p_cg1, &uo));
	check_link("cgroup-link-unchanged-after-failed-replace", l_cg, BPF_LINK_TYPE_CGROUP, "cg2");
	uo.old_prog_fd = p_cg2;
	RI("link_update -> cg1 REPLACE old=cg2", bpf_link_update(l_cg, p_cg1, &uo));
	print_link_info("info after REPLACE update", l_cg);
	check_link("cgroup-link-info-after-replace-update", l_cg, BPF_LINK_TYPE_CGROUP, "cg1");
	uo.flags = 0;
	uo.old_prog_fd = p_cg1;
	RI("link_update old_prog_fd without REPLACE flag", bpf_link_update(l_cg, p_cg2, &uo));
	uo.flags = BPF_F_REPLACE;
	uo.old_prog_fd = 0;
	RI("link_update REPLACE with old_prog_fd=0", bpf_link_update(l_cg, p_cg2, &uo));
	uo.flags = 0x100;
	RI("link_update flags=0x100", bpf_link_update(l_cg, p_cg2, &uo));
	uo.flags = 0;
	uo.old_prog_fd = 0;
	RI("link_update opts zeroed -> cg1 (same prog)", bpf_link_update(l_cg, p_cg1, &uo));
	uo.sz = 4;
	RI("link_update opts.sz=4", bpf_link_update(l_cg, p_cg2, &uo));
	RI("link_update to socket filter", bpf_link_update(l_cg, p_sock, NULL));
	RI("link_update bad link fd", bpf_link_update(-1, p_cg2, NULL));
	RI("link_update non-link fd", bpf_link_update(m_hash, p_cg2, NULL));
	query("query after updates", cg, EG, 0, 8, 1);

	if (bpffs) {
		snprintf(pin_link, sizeof(pin_link), "%s/link_cg", bpffs);
		RI("pin link", bpf_obj_pin(l_cg, pin_link));
		fd = RF("obj_get link", bpf_obj_get(pin_link));
		P("obj_get link id=%s", idn('l', raw_id('l', fd)));
		cfd(&fd);
		unlink(pin_link);
	}

	memset(&lo, 0, sizeof(lo));
	lo.sz = sizeof(lo);
	fd = RF("link_create cg2 opts zeroed", bpf_link_create(p_cg2, cg, EG, &lo));
	query("query with 2 links", cg, EG, 0, 8, 1);
	cfd(&fd);
	query("query after closing 2nd link fd", cg, EG, 0, 8, 1);
	lo.flags = 1;
	fd = RF("link_create opts.flags=1", bpf_link_create(p_cg2, cg, EG, &lo));
	cfd(&fd);
	lo.flags = 0;
	lo.perf_event.bpf_cookie = 5;
	fd = RF("link_create cgroup with perf_event.bpf_cookie set", bpf_link_create(p_cg2, cg, EG, &lo));
	cfd(&fd);
	fd = RF("link_create bad prog fd with perf_event.bpf_cookie set", bpf_link_create(-1, cg, EG, &lo));
	cfd(&fd);
	lo.perf_event.bpf_cookie = 0;
	lo.iter_info_len = 4;
	lo.target_btf_id = 1;
	fd = RF("link_create iter_info_len and target_btf_id", bpf_link_create(p_cg2, cg, EG, &lo));
	cfd(&fd);
	lo.iter_info_len = 0;
	fd = RF("link_create target_btf_id=1 on cgroup", bpf_link_create(p_cg2, cg, EG, &lo));
	cfd(&fd);
	lo.target_btf_id = 0;
	lo.sz = 4;
	fd = RF("link_create opts.sz=4", bpf_link_create(p_cg2, cg, EG, &lo));
	cfd(&fd);
	fd = RF("link_create cg1 INGRESS (expected EGRESS)", bpf_link_create(p_cg1, cg, BPF_CGROUP_INET_INGRESS, NULL));
	cfd(&fd);
	fd = RF("link_create socket filter -> cgroup", bpf_link_create(p_sock, cg, EG, NULL));
	cfd(&fd);
	fd = RF("link_create bad target fd", bpf_link_create(p_cg1, -1, EG, NULL));
	cfd(&fd);
	fd = RF("link_create xdp -> ifindex 1 (lo)", bpf_link_create(p_xdp, 1, BPF_XDP, NULL));
	if (fd >= 0) {
		reg_add('l', "xdplink", fd);
		print_link_info("xdp link info", fd);
	}
	cfd(&fd);
	reg_dead('l', "xdplink");

	RI("link_detach cgroup link", bpf_link_detach(l_cg));
	print_link_info("info after detach", l_cg);
	query("query after link_detach", cg, EG, 0, 8, 1);
	RI("link_detach again", bpf_link_detach(l_cg));
	RI("link_update after detach", bpf_link_update(l_cg, p_cg2, NULL));
	RI("link_detach bad fd", bpf_link_detach(-1));
	RI("link_detach non-link fd", bpf_link_detach(m_hash));
}

/* --------------------------------------------------------------- raw_tp */

static void tfq(const char *what, int pid, int fd, __u32 flags, __u32 blen, int withbuf, char kind)
{
	char buf[64];
	__u32 len = blen, prog_id = NSENT, type = NSENT;
	__u64 off = 0xdeadbeefdeadbeefULL, addr = 0xdeadbeefdeadbeefULL;
	memset(buf, '#', sizeof(buf));
	buf[sizeof(buf) - 1] = 0;
	errno = SENTINEL;
	int r = bpf_task_fd_query(pid, fd, flags, withbuf ? buf : NULL, &len, &prog_id, &type, &off, &addr);
	int e = errno;
	char b[80];
	snprintf(b, sizeof(b), "%.*s", (int)(blen < 63 ? blen + 1 : 63), buf);
	P("%s: ret=%d errno=%s buf_len=%u buf=\"%s\" prog=%s fd_type=0x%x probe_offset=0x%llx probe_addr=0x%llx", what, r,
	  r < 0 ? ename(e) : (e == SENTINEL ? "-" : ename(e)), len, withbuf ? b : "(null)", idn(kind, prog_id), type,
	  (unsigned long long)off, (unsigned long long)addr);
}

static void sec_raw_tp(void)
{
	sec = "raw_tp";
	int fd;
	l_rtp = RF("raw_tracepoint_open sys_enter", bpf_raw_tracepoint_open("sys_enter", p_rawtp));
	reg_add('l', "rtplink", l_rtp);
	print_link_info("info", l_rtp);
	check_link("raw-tp-link-info", l_rtp, BPF_LINK_TYPE_RAW_TRACEPOINT, "rawtp");
	tfq("task_fd_query raw_tp link", getpid(), l_rtp, 0, 64, 1, 'p');
	fd = RF("raw_tracepoint_open no_such_tp", bpf_raw_tracepoint_open("sb_no_such_tracepoint", p_rawtp));
	cfd(&fd);
	fd = RF("raw_tracepoint_open name=NULL (raw_tp prog)", bpf_raw_tracepoint_open(NULL, p_rawtp));
	cfd(&fd);
	fd = RF("raw_tracepoint_open with socket filter", bpf_raw_tracepoint_open("sys_enter", p_sock));
	cfd(&fd);
	fd = RF("raw_tracepoint_open bad prog fd", bpf_raw_tracepoint_open("sys_enter", -1));
	cfd(&fd);
	fd = RF("link_create raw_tp prog BPF_TRACE_RAW_TP target 0", bpf_link_create(p_rawtp, 0, BPF_TRACE_RAW_TP, NULL));
	cfd(&fd);
	fd = RF("link_create raw_tp prog BPF_TRACE_FENTRY target 0", bpf_link_create(p_rawtp, 0, BPF_TRACE_FENTRY, NULL));
	cfd(&fd);
	RI("link_detach raw_tp link", bpf_link_detach(l_rtp));
	print_link_info("info after detach", l_rtp);
}

/* ----------------------------------------------------------------- perf */

static int perf_open(__u64 id)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = id;
	a.sample_period = 1;
	a.wakeup_events = 1;
	return syscall(__NR_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void sec_perf(void)
{
	sec = "perf";
	char p[PATH_MAX];
	unsigned long long tpid = 0;
	FILE *f;
	snprintf(p, sizeof(p), "%s/events/syscalls/sys_enter_getpid/id", tracing ? tracing : "/sys/kernel/tracing");
	if (!(f = fopen(p, "r")) || fscanf(f, "%llu", &tpid) != 1) {
		P("SKIPPED: cannot read tracepoint id");
		CHECK(0, "tracefs-available", "cannot read %s", p);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	P("tracepoint id read: yes");
	pfd = perf_open(tpid);
	pfd2 = perf_open(tpid);
	if (pfd < 0 || pfd2 < 0) {
		P("perf_event_open failed: %s", ename(errno));
		CHECK(0, "perf_event_open", "%s", ename(errno));
		return;
	}
	P("perf_event_open: ok");
	struct bpf_link_create_opts lo;
	memset(&lo, 0, sizeof(lo));
	lo.sz = sizeof(lo);
	lo.perf_event.bpf_cookie = 0x1234567890abcdefULL;
	/* other union arm, beyond perf_event: must be rejected by the library */
	lo.kprobe_multi.cookies = (const __u64 *)pkt;
	int fd = RF("link_create PERF_EVENT with kprobe_multi.cookies set", bpf_link_create(p_tp, pfd2, BPF_PERF_EVENT, &lo));
	cfd(&fd);
	lo.kprobe_multi.cookies = NULL;
	lo.perf_event.bpf_cookie = 0x1234567890abcdefULL;
	lo.flags = 1;
	fd = RF("link_create PERF_EVENT flags=1", bpf_link_create(p_tp, pfd2, BPF_PERF_EVENT, &lo));
	cfd(&fd);
	lo.flags = 0;
	fd = RF("link_create PERF_EVENT with socket filter", bpf_link_create(p_sock, pfd2, BPF_PERF_EVENT, &lo));
	cfd(&fd);

	__u32 k = 0;
	__u64 v = 0;
	bpf_map_update_elem(m_cookie, &k, &v, BPF_ANY);
	l_perf = RF("link_create PERF_EVENT bpf_cookie=0x1234567890abcdef", bpf_link_create(p_tp, pfd, BPF_PERF_EVENT, &lo));
	reg_add('l', "perflink", l_perf);
	print_link_info("info", l_perf);
	check_link("perf-link-info", l_perf, BPF_LINK_TYPE_PERF_EVENT, "tp");
	fd = RF("link_create PERF_EVENT on busy perf fd", bpf_link_create(p_tp, pfd, BPF_PERF_EVENT, &lo));
	cfd(&fd);
	for (int i = 0; i < 3; i++)
		syscall(SYS_getpid);
	v = 0;
	RI("cookie map lookup after getpid()", bpf_map_lookup_elem(m_cookie, &k, &v));
	P("cookie seen by program=0x%llx", (unsigned long long)v);
	CHECK(v == 0x1234567890abcdefULL, "bpf_cookie-reaches-program", "map holds 0x%llx", (unsigned long long)v);

	tfq("task_fd_query perf fd", getpid(), pfd, 0, 64, 1, 'p');
	tfq("task_fd_query buf_len=4", getpid(), pfd, 0, 4, 1, 'p');
	tfq("task_fd_query buf=NULL len=0", getpid(), pfd, 0, 0, 0, 'p');
	tfq("task_fd_query flags=1", getpid(), pfd, 1, 64, 1, 'p');
	tfq("task_fd_query map fd", getpid(), m_hash, 0, 64, 1, 'p');
	tfq("task_fd_query perf fd without prog", getpid(), pfd2, 0, 64, 1, 'p');
	tfq("task_fd_query bad fd", getpid(), 9999, 0, 64, 1, 'p');
	tfq("task_fd_query bad pid", 0x3fffffff, pfd, 0, 64, 1, 'p');
	__u32 len = 64, pid = 0, ty = 0;
	__u64 o2 = 0, a2 = 0;
	char buf[64];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.task_fd_query.pid = getpid();
	a.task_fd_query.fd = pfd;
	a.task_fd_query.buf = (__u64)(unsigned long)buf;
	a.task_fd_query.buf_len = sizeof(buf);
	int rr = sysbpf(BPF_TASK_FD_QUERY, &a);
	int lr = bpf_task_fd_query(getpid(), pfd, 0, buf, &len, &pid, &ty, &o2, &a2);
	CHECK(rr == 0 && lr == 0 && pid == a.task_fd_query.prog_id && ty == a.task_fd_query.fd_type &&
	      len == a.task_fd_query.buf_len && pid == reg_id('p', "tp"),
	      "task_fd_query-matches-raw", "raw r=%d lib r=%d", rr, lr);
	RI("link_detach perf link", bpf_link_detach(l_perf));
}

/* -------------------------------------------------------------- next_id */

static void walk_ids(const char *kname, char kind, int (*fn)(__u32, __u32 *), int rawcmd)
{
	__u32 ids[4096], id = 0, next;
	int n = 0, asc = 1, r;
	for (;;) {
		next = NSENT;
		errno = SENTINEL;
		r = fn(id, &next);
		if (r)
			break;
		if (next <= id)
			asc = 0;
		if (n < 4096)
			ids[n++] = next;
		id = next;
		if (n >= 4096)
			break;
	}
	int e = errno;
	P("%s walk: ascending=%s ended ret=%d errno=%s next-untouched-on-error=%s", kname, asc ? "yes" : "no", r,
	  ename(e), next == NSENT ? "yes" : "no");
	char miss[512] = "";
	int found = 0, total = 0;
	for (int i = 0; i < nreg; i++) {
		if (reg[i].kind != kind || reg[i].dead)
			continue;
		total++;
		int f = 0;
		for (int j = 0; j < n && !f; j++)
			f = ids[j] == reg[i].id;
		if (f)
			found++;
		else
			sprintf(miss + strlen(miss), " %s", reg[i].name);
	}
	P("%s walk: ours found %d/%d%s%s", kname, found, total, *miss ? ", missing:" : "", miss);
	/* second path: the raw syscall walk sees the same ids */
	int same = 1, m = 0;
	id = 0;
	while (!raw_next_id(rawcmd, id, &next) && m < 4096) {
		/* objects may come and go; compare only ids at or below our last */
		if (m < n && ids[m] != next && next <= ids[n - 1])
			same = 0;
		m++;
		id = next;
	}
	char cn[64];
	snprintf(cn, sizeof(cn), "%s-walk-matches-raw", kname);
	CHECK(same && found == total, cn, "same=%d found=%d/%d", same, found, total);
	next = NSENT;
	snprintf(cn, sizeof(cn), "%s get_next_id from UINT_MAX", kname);
	RI(cn, fn(UINT_MAX, &next));
	P("%s next untouched: %s", kname, next == NSENT ? "yes" : "no");
}

static void sec_next_id(void)
{
	sec = "next_id";
	walk_ids("prog", 'p', bpf_prog_get_next_id, BPF_PROG_GET_NEXT_ID);
	walk_ids("map", 'm', bpf_map_get_next_id, BPF_MAP_GET_NEXT_ID);
	walk_ids("btf", 'b', bpf_btf_get_next_id, BPF_BTF_GET_NEXT_ID);
	walk_ids("link", 'l', bpf_link_get_next_id, BPF_LINK_GET_NEXT_ID);
}

/* ------------------------------------------------------------- fd_by_id */

static void sec_fd_by_id(void)
{
	sec = "fd_by_id";
	struct bpf_get_fd_by_id_opts go;
	int fd;
	__u32 mid = reg_id('m', "hash"), pid = reg_id('p', "sock"), bid = reg_id('b', "btf");
	__u32 lid = reg_id('l', "rtplink"), lid2 = reg_id('l', "cglink");
#define GO(f) (memset(&go, 0, sizeof(go)), go.sz = sizeof(go), go.open_flags = (f))

	fd = RF("map_get_fd_by_id hash", bpf_map_get_fd_by_id(mid));
	P("id=%s", idn('m', raw_id('m', fd)));
	CHECK(raw_id('m', fd) == mid, "map-fd-by-id-same-object", "got %s", idn('m', raw_id('m', fd)));
	cfd(&fd);
	GO(BPF_F_RDONLY);
	fd = RF("map_get_fd_by_id_opts RDONLY", bpf_map_get_fd_by_id_opts(mid, &go));
	up("update via RDONLY fd", fd, 1, 1, BPF_ANY);
	lk("lookup via RDONLY fd", fd, 1, 0, 0);
	cfd(&fd);
	GO(BPF_F_WRONLY);
	fd = RF("map_get_fd_by_id_opts WRONLY", bpf_map_get_fd_by_id_opts(mid, &go));
	lk("lookup via WRONLY fd", fd, 1, 0, 0);
	cfd(&fd);
	GO(0x8000);
	fd = RF("map_get_fd_by_id_opts open_flags=0x8000", bpf_map_get_fd_by_id_opts(mid, &go));
	cfd(&fd);
	GO(0);
	fd = RF("map_get_fd_by_id_opts zeroed", bpf_map_get_fd_by_id_opts(mid, &go));
	cfd(&fd);
	fd = RF("map_get_fd_by_id_opts opts=NULL", bpf_map_get_fd_by_id_opts(mid, NULL));
	cfd(&fd);
	go.sz = 4;
	fd = RF("map_get_fd_by_id_opts opts.sz=4", bpf_map_get_fd_by_id_opts(mid, &go));
	cfd(&fd);
	fd = RF("map_get_fd_by_id 0", bpf_map_get_fd_by_id(0));
	cfd(&fd);
	fd = RF("map_get_fd_by_id 0x7fffffff", bpf_map_get_fd_by_id(0x7fffffff));
	cfd(&fd);

	fd = RF("prog_get_fd_by_id sock", bpf_prog_get_fd_by_id(pid));
	P("id=%s", idn('p', raw_id('p', fd)));
	CHECK(raw_id('p', fd) == pid, "prog-fd-by-id-same-object", "got %s", idn('p', raw_id('p', fd)));
	cfd(&fd);
	GO(0);
	fd = RF("prog_get_fd_by_id_opts zeroed", bpf_prog_get_fd_by_id_opts(pid, &go));
	cfd(&fd);
	GO(BPF_F_RDONLY);
	fd = RF("prog_get_fd_by_id_opts RDONLY", bpf_prog_get_fd_by_id_opts(pid, &go));
	cfd(&fd);
	go.sz = 4;
	fd = RF("prog_get_fd_by_id_opts opts.sz=4", bpf_prog_get_fd_by_id_opts(pid, &go));
	cfd(&fd);
	fd = RF("prog_get_fd_by_id 0x7fffffff", bpf_prog_get_fd_by_id(0x7fffffff));
	cfd(&fd);

	fd = RF("btf_get_fd_by_id btf", bpf_btf_get_fd_by_id(bid));
	P("id=%s", idn('b', raw_id('b', fd)));
	CHECK(raw_id('b', fd) == bid, "btf-fd-by-id-same-object", "got %s", idn('b', raw_id('b', fd)));
	cfd(&fd);
	GO(0);
	fd = RF("btf_get_fd_by_id_opts zeroed", bpf_btf_get_fd_by_id_opts(bid, &go));
	cfd(&fd);
	GO(BPF_F_RDONLY);
	fd = RF("btf_get_fd_by_id_opts RDONLY", bpf_btf_get_fd_by_id_opts(bid, &go));
	cfd(&fd);
	go.sz = 4;
	fd = RF("btf_get_fd_by_id_opts opts.sz=4", bpf_btf_get_fd_by_id_opts(bid, &go));
	cfd(&fd);
	fd = RF("btf_get_fd_by_id 0x7fffffff", bpf_btf_get_fd_by_id(0x7fffffff));
	cfd(&fd);
	/* kernel BTF: find vmlinux through the raw walk */
	__u32 id = 0, next, vm = 0;
	while (!vm && !raw_next_id(BPF_BTF_GET_NEXT_ID, id, &next)) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.btf_id = next;
		int bfd = sysbpf(BPF_BTF_GET_FD_BY_ID, &a);
		if (bfd >= 0) {
			struct bpf_btf_info bi;
			char nm[64] = "";
			memset(&bi, 0, sizeof(bi));
			bi.name = (__u64)(unsigned long)nm;
			bi.name_len = sizeof(nm);
			union bpf_attr ia;
			memset(&ia, 0, sizeof(ia));
			ia.info.bpf_fd = bfd;
			ia.info.info_len = sizeof(bi);
			ia.info.info = (__u64)(unsigned long)&bi;
			if (!sysbpf(BPF_OBJ_GET_INFO_BY_FD, &ia) && bi.kernel_btf && !strcmp(nm, "vmlinux"))
				vm = next;
			close(bfd);
		}
		id = next;
	}
	if (vm) {
		fd = RF("btf_get_fd_by_id vmlinux", bpf_btf_get_fd_by_id(vm));
		struct bpf_btf_info bi;
		char nm[64] = "";
		memset(&bi, 0, sizeof(bi));
		bi.name = (__u64)(unsigned long)nm;
		bi.name_len = sizeof(nm);
		__u32 len = sizeof(bi);
		RI("vmlinux info", bpf_obj_get_info_by_fd(fd, &bi, &len));
		P("vmlinux: len=%u name=\"%s\" name_len=%u kernel_btf=%u btf_size>0=%d", len, nm, bi.name_len,
		  bi.kernel_btf, bi.btf_size > 0);
		cfd(&fd);
	} else {
		P("vmlinux btf not found");
	}

	fd = RF("link_get_fd_by_id rtplink", bpf_link_get_fd_by_id(lid));
	P("id=%s", idn('l', raw_id('l', fd)));
	CHECK(raw_id('l', fd) == lid, "link-fd-by-id-same-object", "got %s", idn('l', raw_id('l', fd)));
	cfd(&fd);
	fd = RF("link_get_fd_by_id cglink (detached)", bpf_link_get_fd_by_id(lid2));
	cfd(&fd);
	GO(0);
	fd = RF("link_get_fd_by_id_opts zeroed", bpf_link_get_fd_by_id_opts(lid, &go));
	cfd(&fd);
	GO(BPF_F_RDONLY);
	fd = RF("link_get_fd_by_id_opts RDONLY", bpf_link_get_fd_by_id_opts(lid, &go));
	cfd(&fd);
	go.sz = 4;
	fd = RF("link_get_fd_by_id_opts opts.sz=4", bpf_link_get_fd_by_id_opts(lid, &go));
	cfd(&fd);
	fd = RF("link_get_fd_by_id 0x7fffffff", bpf_link_get_fd_by_id(0x7fffffff));
	cfd(&fd);
#undef GO
}

/* ----------------------------------------------------------------- info */

static void info_sizes(const char *kname, int fd, size_t full)
{
	unsigned char b[1024];
	__u32 len;
	char what[96];
	__u32 sizes[] = { 0, 4, 8, 12 };
	for (size_t i = 0; i < NI(sizes); i++) {
		memset(b, 0xee, sizeof(b));
		len = sizes[i];
		snprintf(what, sizeof(what), "%s info_len=%u", kname, sizes[i]);
		errno = SENTINEL;
		int r = bpf_obj_get_info_by_fd(fd, sizes[i] ? b : NULL, &len);
		int e = errno;
		char h[64];
		hex(h, b, 12);
		if (r)
			P("%s: ret=%d errno=%s info_len=%u", what, r, ename(e), len);
		else
			P("%s: ret=%d info_len=%u bytes[0..12)=%s%s", what, r, len,
			  /* bytes 4..8 are the id for prog/map/link: normalise */
			  sizes[i] >= 8 && kname[0] != 'b' ? "(type+id)" : h, enote(e));
		if (!r && sizes[i] >= 8 && kname[0] != 'b') {
			__u32 t, id;
			memcpy(&t, b, 4);
			memcpy(&id, b + 4, 4);
			P("%s: type=%u id=%s byte[%u] untouched=%s", what, t, idn(kname[0] == 'm' ? 'm' : kname[0] == 'p' ? 'p' : 'l', id),
			  sizes[i], b[sizes[i]] == 0xee ? "yes" : "no");
		}
	}
	/* larger than the (reference) header struct: zero tail accepted */
	memset(b, 0, sizeof(b));
	len = full + 64;
	snprintf(what, sizeof(what), "%s info_len=sizeof+64 zero tail", kname);
	errno = SENTINEL;
	int r = bpf_obj_get_info_by_fd(fd, b, &len);
	if (r)
		ri(what, r);
	else
		P("%s: ret=%d info_len=%u", what, r, len);
	memset(b, 0, sizeof(b));
	b[full + 63] = 1;
	len = full + 64;
	snprintf(what, sizeof(what), "%s info_len=sizeof+64 non-zero tail", kname);
	errno = SENTINEL;
	r = bpf_obj_get_info_by_fd(fd, b, &len);
	int e = errno;
	P("%s: ret=%d errno=%s info_len=%u", what, r, r ? ename(e) : "-", len);
}

static void sec_info(void)
{
	sec = "info";
	info_sizes("prog", p_sock, sizeof(struct bpf_prog_info));
	print_prog_info("prog full", p_sock);
	print_prog_info("prog mapread full", p_mapread);
	/* xlated instructions of a 2-insn program */
	struct bpf_prog_info pi;
	struct bpf_insn xl[4];
	memset(&pi, 0, sizeof(pi));
	memset(xl, 0, sizeof(xl));
	pi.xlated_prog_len = sizeof(xl);
	pi.xlated_prog_insns = (__u64)(unsigned long)xl;
	__u32 len = sizeof(pi);
	RI("prog xlated insns", bpf_obj_get_info_by_fd(p_sock, &pi, &len));
	char h[80];
	hex(h, xl, 16);
	P("xlated_prog_len=%u insns=%s", pi.xlated_prog_len, h);
	info_sizes("map", m_btf, sizeof(struct bpf_map_info));
	print_map_info("map full", m_btf);
	info_sizes("btf", btf_fd, sizeof(struct bpf_btf_info));
	struct bpf_btf_info bi;
	unsigned char raw[512];
	memset(&bi, 0, sizeof(bi));
	memset(raw, 0, sizeof(raw));
	bi.btf = (__u64)(unsigned long)raw;
	bi.btf_size = sizeof(raw);
	len = sizeof(bi);
	RI("btf full with data buffer", bpf_obj_get_info_by_fd(btf_fd, &bi, &len));
	P("btf: len=%u id=%s btf_size=%u data-equals-blob=%s name_len=%u kernel_btf=%u", len, idn('b', bi.id), bi.btf_size,
	  bi.btf_size == btf_len && !memcmp(raw, btf_blob, btf_len) ? "yes" : "no", bi.name_len, bi.kernel_btf);
	CHECK(bi.btf_size == btf_len && !memcmp(raw, btf_blob, btf_len), "btf-info-data-equals-blob", "btf_size=%u", bi.btf_size);
	memset(&bi, 0, sizeof(bi));
	bi.btf = (__u64)(unsigned long)raw;
	bi.btf_size = 8;
	len = sizeof(bi);
	RI("btf with 8-byte data buffer", bpf_obj_get_info_by_fd(btf_fd, &bi, &len));
	P("btf_size=%u", bi.btf_size);
	info_sizes("link", l_rtp, sizeof(struct bpf_link_info));
	print_link_info("link raw_tp full", l_rtp);
	print_link_info("link cgroup (detached) full", l_cg);
	print_link_info("link perf full", l_perf);
	len = sizeof(pi);
	RI("info bad fd", bpf_obj_get_info_by_fd(-1, &pi, &len));
	P("info_len=%u", len);
	int dn = open("/dev/null", O_RDONLY | O_CLOEXEC);
	len = sizeof(pi);
	RI("info non-bpf fd", bpf_obj_get_info_by_fd(dn, &pi, &len));
	P("info_len=%u", len);
	close(dn);
	len = sizeof(pi);
	RI("info info=NULL info_len=sizeof", bpf_obj_get_info_by_fd(p_sock, NULL, &len));
	P("info_len=%u", len);
}

/* ----------------------------------------------------------------- iter */

static void sec_iter(void)
{
	sec = "iter";
	int fd;
	fd = RF("iter_create on raw_tp link", bpf_iter_create(l_rtp));
	cfd(&fd);
	fd = RF("iter_create on detached cgroup link", bpf_iter_create(l_cg));
	cfd(&fd);
	fd = RF("iter_create on map fd", bpf_iter_create(m_hash));
	cfd(&fd);
	fd = RF("iter_create bad fd", bpf_iter_create(-1));
	cfd(&fd);
	fd = RF("iter_create fd 9999", bpf_iter_create(9999));
	cfd(&fd);
}

/* ---------------------------------------------------------------- lowfd */

static int lowbad;

static int lowchk(const char *what, int fd)
{
	int e = errno;
	if (fd < 0) {
		P("%s: ret=%d errno=%s", what, fd, ename(e));
		lowbad++;
		return -1;
	}
	const char *st = fdstate(fd);
	P("%s: %s", what, st);
	if (strcmp(st, "fd ok"))
		lowbad++;
	if (fd <= 2) {
		int n = fcntl(fd, F_DUPFD_CLOEXEC, 50);
		close(fd);
		fd = n;
	}
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) >= 0) {
			P("%s: fd %d left open by the library", what, i);
			lowbad++;
			int n = fcntl(i, F_DUPFD_CLOEXEC, 50);
			close(i);
			(void)n;
		}
	return fd;
}
#define LF(what, expr) (errno = SENTINEL, lowchk((what), (expr)))

static int hi_fd(int fd)
{
	if (fd < 0)
		return fd;
	int n = fcntl(fd, F_DUPFD_CLOEXEC, 40);
	close(fd);
	return n;
}

static int mode_lowfd(void)
{
	print_mapped(stdout);
	fflush(stdout);
	int hi = fcntl(1, F_DUPFD_CLOEXEC, 40);
	out = fdopen(hi, "w");
	if (!out)
		return 3;
	setvbuf(out, NULL, _IOLBF, 0);
	sec = "lowfd";
	libbpf_set_print(print_cb);
	bpffs = envs("SYSCALLS_BPFFS");
	cgpath = envs("SYSCALLS_CGROUP");
	int cgfd = cgpath ? hi_fd(open(cgpath, O_RDONLY | O_DIRECTORY)) : -1;
	close(0);
	close(1);
	close(2);
	P("fds 0,1,2 closed: %s", fcntl(0, F_GETFD) < 0 && fcntl(1, F_GETFD) < 0 && fcntl(2, F_GETFD) < 0 ? "yes" : "no");

	unsigned char blob[512];
	size_t bl = build_btf(blob, 0);
	int b = LF("btf_load", bpf_btf_load(blob, bl, NULL));
	char log[4096];
	struct bpf_btf_load_opts bo;
	memset(&bo, 0, sizeof(bo));
	bo.sz = sizeof(bo);
	bo.log_buf = log;
	bo.log_size = sizeof(log);
	bo.log_level = 1;
	int b2 = LF("btf_load log_level=1", bpf_btf_load(blob, bl, &bo));
	int m = LF("map_create array", bpf_map_create(BPF_MAP_TYPE_ARRAY, "sb_low", 4, 8, 1, NULL));
	struct bpf_map_create_opts mo;
	memset(&mo, 0, sizeof(mo));
	mo.sz = sizeof(mo);
	mo.btf_fd = b;
	mo.btf_key_type_id = 1;
	mo.btf_value_type_id = 2;
	int mb = LF("map_create with BTF", bpf_map_create(BPF_MAP_TYPE_HASH, "sb_lowbtf", 4, 8, 1, &mo));
	int p = LF("prog_load socket_filter", bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sb_low", "GPL", i_sock, NI(i_sock), NULL));
	struct bpf_prog_load_opts po;
	memset(&po, 0, sizeof(po));
	po.sz = sizeof(po);
	po.log_buf = log;
	po.log_size = sizeof(log);
	po.log_level = 1;
	int p2 = LF("prog_load with log", bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "sb_low2", "GPL", i_sock, NI(i_sock), &po));
	memset(&po, 0, sizeof(po));
	po.sz = sizeof(po);
	po.expected_attach_type = BPF_CGROUP_INET_EGRESS;
	int c = LF("prog_load cgroup_skb", bpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "sb_lowcg", "GPL", i_ret1, NI(i_ret1), &po));
	int r = LF("prog_load raw_tracepoint", bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "sb_lowrt", "GPL", i_ret0, NI(i_ret0), NULL));
	int g = -1, g2 = -1;
	if (bpffs) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/lowfd_map", bpffs);
		RI("obj_pin", bpf_obj_pin(m, path));
		g = LF("obj_get", bpf_obj_get(path));
		struct bpf_obj_get_opts go;
		memset(&go, 0, sizeof(go));
		go.sz = sizeof(go);
		go.file_flags = BPF_F_RDONLY;
		g2 = LF("obj_get_opts RDONLY", bpf_obj_get_opts(path, &go));
		unlink(path);
	} else {
		P("obj_get: SKIPPED (no bpffs)");
		lowbad++;
	}
	struct bpf_get_fd_by_id_opts io;
	memset(&io, 0, sizeof(io));
	io.sz = sizeof(io);
	int f1 = LF("map_get_fd_by_id", bpf_map_get_fd_by_id(raw_id('m', m)));
	int f2 = LF("map_get_fd_by_id_opts", bpf_map_get_fd_by_id_opts(raw_id('m', m), &io));
	int f3 = LF("prog_get_fd_by_id", bpf_prog_get_fd_by_id(raw_id('p', p)));
	int f4 = LF("prog_get_fd_by_id_opts", bpf_prog_get_fd_by_id_opts(raw_id('p', p), &io));
	int f5 = LF("btf_get_fd_by_id", bpf_btf_get_fd_by_id(raw_id('b', b)));
	int f6 = LF("btf_get_fd_by_id_opts", bpf_btf_get_fd_by_id_opts(raw_id('b', b), &io));
	int l = -1, f7 = -1, f8 = -1;
	if (cgfd >= 0) {
		l = LF("link_create cgroup", bpf_link_create(c, cgfd, BPF_CGROUP_INET_EGRESS, NULL));
		f7 = LF("link_get_fd_by_id", bpf_link_get_fd_by_id(raw_id('l', l)));
		f8 = LF("link_get_fd_by_id_opts", bpf_link_get_fd_by_id_opts(raw_id('l', l), &io));
	} else {
		P("link_create: SKIPPED (no cgroup)");
		lowbad++;
	}
	int rt = LF("raw_tracepoint_open", bpf_raw_tracepoint_open("sys_enter", r));
	int st = LF("enable_stats", bpf_enable_stats(BPF_STATS_RUN_TIME));
	P("summary bad=%d", lowbad);
	int all[] = { b, b2, m, mb, p, p2, c, r, g, g2, f1, f2, f3, f4, f5, f6, l, f7, f8, rt, st, cgfd };
	for (size_t i = 0; i < NI(all); i++)
		if (all[i] >= 0)
			close(all[i]);
	fflush(out);
	return lowbad ? 1 : 0;
}

static void sec_lowfd(void)
{
	sec = "lowfd";
	struct child_out co;
	char *argv[] = { "probe", "child-lowfd", NULL };
	if (run_child(argv, &co)) {
		P("cannot run child");
		CHECK(0, "fds-above-2-and-cloexec", "cannot run child");
		return;
	}
	int ok = co.status == 0 && strstr(co.out ? co.out : "", "lowfd summary bad=0") != NULL;
	emit_child("child", &co, 'm');
	CHECK(ok, "fds-above-2-and-cloexec", "child status 0x%x (see lowfd lines)", co.status);
	free(co.out);
	free(co.err);
}

/* -------------------------------------------------------------- cleanup */

static void sec_cleanup(void)
{
	sec = "cleanup";
	int n = 0;
	if (*pin_map)
		n += !unlink(pin_map);
	if (*pin_prog)
		n += !unlink(pin_prog);
	P("pins removed: %d", n);
	int *fds[] = { &btf_fd, &m_hash, &m_hash2, &m_arr, &m_pcpu, &m_pcpuh, &m_queue, &m_stack, &m_aom, &m_rdprog,
		       &m_rdonly, &m_btf, &m_frz, &m_cookie, &m_pval, &m_bloom, &m_long, &m_numa, &m_big,
		       &p_sock, &p_xdp, &p_xor, &p_mapread, &p_mapidx, &p_cg1, &p_cg2, &p_connect, &p_rawtp, &p_tp,
		       &p_noname, &p_long, &l_cg, &l_rtp, &l_perf, &pfd, &pfd2 };
	for (size_t i = 0; i < NI(fds); i++)
		cfd(fds[i]);
	if (cg >= 0) {
		__u32 cnt = 8, ids[8];
		int r = raw_query(cg, BPF_CGROUP_INET_EGRESS, ids, &cnt);
		P("cgroup EGRESS progs left: r=%d cnt=%u", r, cnt);
		cfd(&cg);
	}
}

/* ----------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	out = stdout;
	if (argc > 2 && !strcmp(argv[1], "child-pinget"))
		return mode_pinget(argv[2]);
	if (argc > 1 && !strcmp(argv[1], "child-lowfd"))
		return mode_lowfd();
	if (argc != 2 || strcmp(argv[1], "diff")) {
		fprintf(stderr, "usage: %s diff\n", argv[0]);
		return 2;
	}
	print_mapped(stdout);
	char *mb = NULL;
	size_t ml = 0;
	FILE *mf = open_memstream(&mb, &ml);
	print_mapped(mf);
	fclose(mf);
	snprintf(mapped_self, sizeof(mapped_self), "%s", mb);
	free(mb);
	bpffs = envs("SYSCALLS_BPFFS");
	cgpath = envs("SYSCALLS_CGROUP");
	tracing = envs("SYSCALLS_TRACING");
	scratch = envs("SYSCALLS_SCRATCH");

	sec = "setup";
	libbpf_set_print(print_cb);
	ncpus = libbpf_num_possible_cpus();
	P("possible cpus > 0: %s", ncpus > 0 ? "yes" : "no");
	P("env bpffs=%s cgroup=%s tracing=%s", bpffs ? "set" : "unset", cgpath ? "set" : "unset", tracing ? "set" : "unset");

	sec_btf();
	sec_map_create();
	sec_elem();
	sec_queue();
	sec_percpu();
	sec_inmap();
	sec_freeze();
	sec_batch();
	sec_prog_load();
	sec_prog_log();
	sec_test_run();
	sec_stats();
	sec_bind_map();
	sec_pin();
	sec_cgroup();
	sec_link();
	sec_raw_tp();
	sec_perf();
	sec_next_id();
	sec_fd_by_id();
	sec_info();
	sec_iter();
	sec_lowfd();
	sec_cleanup();
	printf("END\n");
	return 0;
}
