/* SwiftBPF sec_names probe: the ELF section-name table of libbpf 1.1
 * (libbpf_prog_type_by_name, libbpf_attach_type_by_name) and the custom
 * handler API (libbpf_register_prog_handler, libbpf_unregister_prog_handler).
 *
 * Compiled ONCE against the reference headers and linked with -lbpf; which
 * libbpf.so.1 is loaded is decided by LD_LIBRARY_PATH at run time.
 *
 * Modes:
 *   probe diff     "MAPPED <realpath>" then "<section> ..." lines that must be
 *                  identical for both libraries (run.sh diffs them per section).
 *                  Register/unregister scenarios each run in a forked child, so
 *                  every one starts from an empty handler registry.
 *   probe crash    calls where the reference dereferences a NULL output
 *                  pointer or corrupts its heap, one forked child each:
 *                  "crash <case> <outcome>" (ours must return -EINVAL / work).
 *
 * Every line is deterministic (no pointers, no pids). Log messages are printed
 * in full the first time a given text is seen and as "#<n>" afterwards, so the
 * long "supported section(type) names are:" lists appear once.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#define SENTINEL_ERRNO 12345
#define SENTINEL_TYPE 0x5a5a

/* ------------------------------------------------------------- mapping */

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

/* ------------------------------------------------------ log recording */

#define MAX_MSG 16
#define MAX_SEEN 8192
static char *msgs[MAX_MSG];
static int msg_level[MAX_MSG];
static int nmsg, dropped;
static char *seen_texts[MAX_SEEN];
static int nseen_texts;

static int rec_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	if (nmsg < MAX_MSG && s) {
		msg_level[nmsg] = level;
		msgs[nmsg++] = s;
	} else {
		free(s);
		dropped++;
	}
	errno = 777; /* the library must not leak this to its caller */
	return 0;
}

/* print a string with non-printable bytes escaped */
static void put_esc(const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* emit and clear the recorded log messages */
static void flush_log(const char *sec)
{
	for (int i = 0; i < nmsg; i++) {
		int idx = -1;
		for (int j = 0; j < nseen_texts; j++)
			if (!strcmp(seen_texts[j], msgs[i])) {
				idx = j;
				break;
			}
		printf("%s   log %d ", sec, msg_level[i]);
		if (idx >= 0) {
			printf("#%d\n", idx);
			free(msgs[i]);
		} else {
			if (nseen_texts < MAX_SEEN)
				seen_texts[nseen_texts++] = msgs[i];
			printf("#%d=", nseen_texts - 1);
			put_esc(msgs[i]);
			printf("\n");
		}
	}
	if (dropped)
		printf("%s   log dropped=%d\n", sec, dropped);
	nmsg = 0;
	dropped = 0;
}

/* ------------------------------------------------------------ lookups */

static void show_name(const char *name)
{
	if (!name) {
		printf("(NULL)");
		return;
	}
	printf("'");
	if (strlen(name) > 120) {
		char b[64];
		snprintf(b, sizeof(b), "%.40s", name);
		put_esc(b);
		printf("...(len %zu)", strlen(name));
	} else {
		put_esc(name);
	}
	printf("'");
}

/* both lookups of one name, with all outputs */
static void lookup(const char *sec, const char *name)
{
	enum bpf_prog_type pt = SENTINEL_TYPE;
	enum bpf_attach_type at = SENTINEL_TYPE, at2 = SENTINEL_TYPE;
	int r, e;

	printf("%s ", sec);
	show_name(name);
	printf("\n");
	errno = SENTINEL_ERRNO;
	r = libbpf_prog_type_by_name(name, &pt, &at);
	e = errno;
	printf("%s   prog_type_by_name ret=%d errno=%d prog_type=%d attach_type=%d\n", sec, r, e,
	       (int)pt, (int)at);
	flush_log(sec);
	errno = SENTINEL_ERRNO;
	r = libbpf_attach_type_by_name(name, &at2);
	e = errno;
	printf("%s   attach_type_by_name ret=%d errno=%d attach_type=%d\n", sec, r, e, (int)at2);
	flush_log(sec);
}

/* The section patterns of libbpf 1.1's table (as the reference prints them). */
static const char *table[] = {
	"socket", "sk_reuseport/migrate", "sk_reuseport", "kprobe+", "uprobe+", "uprobe.s+",
	"kretprobe+", "uretprobe+", "uretprobe.s+", "kprobe.multi+", "kretprobe.multi+",
	"ksyscall+", "kretsyscall+", "usdt+", "tc", "classifier", "action", "tracepoint+", "tp+",
	"raw_tracepoint+", "raw_tp+", "raw_tracepoint.w+", "raw_tp.w+", "tp_btf+", "fentry+",
	"fmod_ret+", "fexit+", "fentry.s+", "fmod_ret.s+", "fexit.s+", "freplace+", "lsm+",
	"lsm.s+", "lsm_cgroup+", "iter+", "iter.s+", "syscall", "xdp.frags/devmap", "xdp/devmap",
	"xdp.frags/cpumap", "xdp/cpumap", "xdp.frags", "xdp", "perf_event", "lwt_in", "lwt_out",
	"lwt_xmit", "lwt_seg6local", "sockops", "sk_skb/stream_parser", "sk_skb/stream_verdict",
	"sk_skb", "sk_msg", "lirc_mode2", "flow_dissector", "cgroup_skb/ingress",
	"cgroup_skb/egress", "cgroup/skb", "cgroup/sock_create", "cgroup/sock_release",
	"cgroup/sock", "cgroup/post_bind4", "cgroup/post_bind6", "cgroup/bind4", "cgroup/bind6",
	"cgroup/connect4", "cgroup/connect6", "cgroup/sendmsg4", "cgroup/sendmsg6",
	"cgroup/recvmsg4", "cgroup/recvmsg6", "cgroup/getpeername4", "cgroup/getpeername6",
	"cgroup/getsockname4", "cgroup/getsockname6", "cgroup/sysctl", "cgroup/getsockopt",
	"cgroup/setsockopt", "cgroup/dev", "struct_ops+", "sk_lookup",
};

static const char *legacy[] = {
	"kprobe/", "kprobe/do_sys_open", "kprobe//", "kprobe/a/b", "kretprobe/x", "xdp_devmap/",
	"xdp_devmap", "xdp_cpumap/x", "xdp/", "xdp/x", "xdp.frags/", "xdp.frags/devmap/x",
	"xdp/devmap/x", "cgroup/bind4/x", "cgroup/", "cgroup", "cgroup_skb", "cgroup_skb/",
	"cgroup/dev/x", "cgroup/sock/x", "cgroup/skb/x", "classifier/x", "classifier/", "action/x",
	"socket/x", "socket/", "socket1", "tc/ingress", "tc/egress", "tc/", "tcx/ingress",
	"uprobe.s/x", "uprobe//bin/sh:main", "uprobe.s", "uretprobe.s/x", "usdt/a:b:c",
	"ksyscall/write", "kretsyscall/write", "kprobe.multi/*", "kretprobe.multi/x*",
	"kprobe.multi", "uprobe.multi/x", "iter/task", "iter.s/task", "iter/", "iter",
	"struct_ops/x", "struct_ops", "struct_ops.s/x", "fentry/x", "fentry.s/x", "fexit/x",
	"fexit.s/x", "fmod_ret/x", "fmod_ret.s/x", "freplace/x", "tp_btf/sched_switch", "tp_btf",
	"lsm/x", "lsm.s/x", "lsm_cgroup/x", "lsm_cgroup", "raw_tp/sys_enter", "raw_tp.w/x",
	"raw_tracepoint/x", "raw_tracepoint.w/x", "tp/sched/sched_switch", "tracepoint/a/b",
	"tracepoint", "tp", "perf_event/x", "sockops/x", "sk_skb/", "sk_skb/x",
	"sk_skb/stream_parser/x", "sk_msg/x", "sk_lookup/x", "sk_reuseport/migrate/x",
	"sk_reuseport/x", "lwt_in/x", "syscall/x", "flow_dissector/x", "lirc_mode2/x",
	"netfilter", "/", "+", "//", "kprobe+", "kprobe+/x", "xdp+", "fentry+x", " kprobe",
	"kprobe ", "kprobe\t", "kprobe\n", "\xff", "kprobe\xff", "kprobe/\xff", "perf_event\x01",
	"cgroup\\bind4", "%s%s%n", "kprobe/%s%n", "zzz",
};

static void for_each_variant(const char *pat)
{
	char b[256], *p;
	size_t n = strlen(pat);

	lookup("table", pat);
	snprintf(b, sizeof(b), "%s/foo", pat);
	lookup("table", b);
	snprintf(b, sizeof(b), "%sfoo", pat);
	lookup("table", b);
	snprintf(b, sizeof(b), "%.*s", (int)(n - 1), pat);
	lookup("table", b);
	if (pat[n - 1] == '+') {
		snprintf(b, sizeof(b), "%.*s/foo", (int)(n - 1), pat);
		lookup("table", b);
		snprintf(b, sizeof(b), "%.*s/", (int)(n - 1), pat);
		lookup("table", b);
		snprintf(b, sizeof(b), "%.*sx", (int)(n - 1), pat);
		lookup("table", b);
	}
	if ((p = strchr(pat, '/'))) {
		/* the part before the first '/', the name without its '/', and with '/' doubled */
		snprintf(b, sizeof(b), "%.*s", (int)(p - pat), pat);
		lookup("table", b);
		snprintf(b, sizeof(b), "%.*s%s", (int)(p - pat), pat, p + 1);
		lookup("table", b);
		snprintf(b, sizeof(b), "%.*s/%s", (int)(p - pat + 1), pat, p + 1);
		lookup("table", b);
		snprintf(b, sizeof(b), "%.*s_%s", (int)(p - pat), pat, p + 1);
		lookup("table", b);
	}
	snprintf(b, sizeof(b), "%s", pat);
	for (p = b; *p; p++)
		*p = toupper((unsigned char)*p);
	lookup("table", b);
	snprintf(b, sizeof(b), "%s", pat);
	b[0] = toupper((unsigned char)b[0]);
	lookup("table", b);
}

static void mode_lookups(void)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for_each_variant(table[i]);
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++)
		lookup("legacy", legacy[i]);

	/* very long names */
	size_t big = 5000;
	char *s = malloc(big + 16);
	memset(s, 'a', big);
	s[big] = 0;
	lookup("legacy", s);
	memcpy(s, "kprobe/", 7);
	lookup("legacy", s);
	free(s);

	/* empty name and NULL arguments that the reference survives */
	lookup("nullargs", "");
	lookup("nullargs", NULL);
	enum bpf_prog_type pt = SENTINEL_TYPE;
	enum bpf_attach_type at = SENTINEL_TYPE;
	int r, e;
#define CALL(desc, expr)                                                                  \
	do {                                                                              \
		pt = SENTINEL_TYPE;                                                       \
		at = SENTINEL_TYPE;                                                       \
		errno = SENTINEL_ERRNO;                                                   \
		r = (expr);                                                               \
		e = errno;                                                                \
		printf("nullargs %s ret=%d errno=%d prog_type=%d attach_type=%d\n", desc, r, e, \
		       (int)pt, (int)at);                                                 \
		flush_log("nullargs");                                                    \
	} while (0)
	CALL("ptype(NULL,NULL,NULL)", libbpf_prog_type_by_name(NULL, NULL, NULL));
	CALL("ptype(NULL,&pt,NULL)", libbpf_prog_type_by_name(NULL, &pt, NULL));
	CALL("ptype(zzz,NULL,NULL)", libbpf_prog_type_by_name("zzz", NULL, NULL));
	CALL("ptype('',NULL,NULL)", libbpf_prog_type_by_name("", NULL, NULL));
	CALL("atype(NULL,NULL)", libbpf_attach_type_by_name(NULL, NULL));
	CALL("atype(zzz,NULL)", libbpf_attach_type_by_name("zzz", NULL));
	CALL("atype(kprobe,NULL)", libbpf_attach_type_by_name("kprobe", NULL));
	CALL("atype(sk_skb,NULL)", libbpf_attach_type_by_name("sk_skb", NULL));
	CALL("atype(xdp.frags,NULL)", libbpf_attach_type_by_name("xdp.frags", NULL));

	/* without a print callback nothing changes but the log */
	libbpf_set_print(NULL);
	CALL("silent ptype(zzz)", libbpf_prog_type_by_name("zzz", &pt, &at));
	CALL("silent ptype(xdp)", libbpf_prog_type_by_name("xdp", &pt, &at));
	CALL("silent atype(zzz)", libbpf_attach_type_by_name("zzz", &at));
	CALL("silent atype(xdp)", libbpf_attach_type_by_name("xdp", &at));
	libbpf_set_print(rec_cb);
}

/* ------------------------------------------------- custom handlers */

static const char *cur; /* current scenario name, the section of its lines */

static int fake_setup(struct bpf_program *prog, long cookie) { return 0; }
static int fake_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie) { return 0; }
static int fake_attach(const struct bpf_program *prog, long cookie, struct bpf_link **link) { return 0; }

static int reg(const char *sec, int pt, int at, const struct libbpf_prog_handler_opts *opts)
{
	errno = SENTINEL_ERRNO;
	int r = libbpf_register_prog_handler(sec, (enum bpf_prog_type)pt, (enum bpf_attach_type)at, opts);
	int e = errno;
	printf("%s register ", cur);
	show_name(sec);
	printf(" pt=%d at=%d opts=%s ret=%d errno=%d\n", pt, at, opts ? "yes" : "NULL", r, e);
	flush_log(cur);
	return r;
}

static void unreg(int id)
{
	errno = SENTINEL_ERRNO;
	int r = libbpf_unregister_prog_handler(id);
	int e = errno;
	printf("%s unregister %d ret=%d errno=%d\n", cur, id, r, e);
	flush_log(cur);
}

static void q(const char *name) { lookup(cur, name); }

/* one scenario in a forked child: fresh registry every time */
static void scenario(const char *name, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		cur = name;
		fn();
		printf("%s done\n", name);
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		printf("%s exit=%d\n", name, WEXITSTATUS(st));
	else
		printf("%s signal=%d\n", name, WIFSIGNALED(st) ? WTERMSIG(st) : -1);
}

static void sc_plus(void)
{
	int id = reg("foo+", BPF_PROG_TYPE_PERF_EVENT, BPF_CGROUP_SYSCTL, NULL);
	q("foo"); q("foo/"); q("foo/x"); q("foox"); q("fo"); q("foo+"); q("FOO");
	unreg(id);
	q("foo"); q("foo/x");
}

static void sc_slash(void)
{
	int id = reg("foo/", BPF_PROG_TYPE_LSM, BPF_LSM_MAC, NULL);
	q("foo"); q("foo/"); q("foo/bar"); q("foo/bar/baz"); q("foox"); q("foo+");
	unreg(id);
	q("foo/bar");
}

static void sc_exact(void)
{
	int id = reg("foo", BPF_PROG_TYPE_XDP, BPF_XDP, NULL);
	q("foo"); q("foo/"); q("foo/bar"); q("fo"); q("foox");
	unreg(id);
	q("foo");
}

static void sc_override_builtin(void)
{
	reg("kprobe+", BPF_PROG_TYPE_SOCKET_FILTER, BPF_SK_LOOKUP, NULL);
	reg("xdp", BPF_PROG_TYPE_SCHED_CLS, BPF_XDP_DEVMAP, NULL);
	reg("cgroup/", BPF_PROG_TYPE_SK_MSG, BPF_SK_MSG_VERDICT, NULL);
	reg("kprobe", BPF_PROG_TYPE_EXT, 0, NULL); /* shadowed by kprobe+ */
	q("kprobe"); q("kprobe/x"); q("kretprobe/x"); q("xdp"); q("xdp/devmap"); q("xdp.frags");
	q("cgroup/bind4"); q("cgroup_skb/ingress"); q("cgroup/");
	/* the "names are:" lists with custom handlers registered */
	q("zzz");
	unreg(1);
	q("kprobe"); q("kprobe/x");
	unreg(4);
	q("kprobe");
	unreg(2);
	q("xdp");
	unreg(3);
	q("cgroup/bind4");
}

static void sc_order(void)
{
	reg("a/", 1, 1, NULL);
	reg("a+", 2, 2, NULL);
	reg("a", 3, 3, NULL);
	q("a"); q("a/x"); q("ax");
	unreg(1);
	q("a"); q("a/x");
	unreg(2);
	q("a"); q("a/x");
	reg("a/", 4, 4, NULL); /* appended: after "a" */
	q("a"); q("a/x");
	unreg(3);
	q("a"); q("a/x");
}

static void sc_fallback(void)
{
	struct libbpf_prog_handler_opts o = { .sz = sizeof(o), .cookie = 42 };
	int fb = reg(NULL, BPF_PROG_TYPE_PERF_EVENT, BPF_PERF_EVENT, &o);
	q("zzz"); q(""); q("kprobe"); q("kprobe/x"); q("xdp"); q("cgroup/"); q("FOO");
	reg(NULL, BPF_PROG_TYPE_KPROBE, 0, NULL); /* only one fallback */
	reg(NULL, BPF_PROG_TYPE_KPROBE, 0, &o);
	int x = reg("x", BPF_PROG_TYPE_SK_SKB, 0, NULL); /* the failures took no id */
	q("x"); q("zzz");
	unreg(fb);
	unreg(fb);
	q("zzz"); q("x");
	fb = reg(NULL, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, NULL);
	q("zzz"); q("x");
	unreg(x);
	q("x");
	unreg(fb);
	q("x");
	reg(NULL, BPF_PROG_TYPE_SYSCALL, 0, NULL);
	q("x");
}

static void sc_duplicates(void)
{
	int a = reg("dup+", BPF_PROG_TYPE_KPROBE, 0, NULL);
	int b = reg("dup+", BPF_PROG_TYPE_XDP, BPF_XDP, NULL);
	int c = reg("dup+", BPF_PROG_TYPE_XDP, BPF_XDP, NULL);
	q("dup"); q("dup/x");
	unreg(a);
	q("dup");
	unreg(a);
	unreg(c);
	q("dup");
	unreg(b);
	q("dup");
	unreg(b);
}

static void sc_invalid_types(void)
{
	reg("big", 1000, 5000, NULL);
	reg("neg", -1, -1, NULL);
	reg("max", BPF_PROG_TYPE_SYSCALL + 1, __MAX_BPF_ATTACH_TYPE, NULL);
	reg("min", INT_MIN, INT_MIN, NULL);
	reg("unspec", BPF_PROG_TYPE_UNSPEC, 0, NULL);
	q("big"); q("neg"); q("max"); q("min"); q("unspec");
}

static void sc_bad_opts(void)
{
	struct {
		struct libbpf_prog_handler_opts o;
		char tail[16];
	} big;
	struct libbpf_prog_handler_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = 0;
	reg("o0", 1, 0, &o);
	o.sz = 4;
	reg("o4", 1, 0, &o);
	o.sz = 7;
	reg("o7", 1, 0, &o);
	o.sz = 8;
	reg("o8", 1, 0, &o);
	o.sz = (size_t)-1;
	reg("ohuge", 1, 0, &o);
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.tail[15] = 1;
	reg("otail", 2, 0, &big.o);
	big.tail[15] = 0;
	big.tail[0] = 1;
	big.o.sz = sizeof(big.o) + 1;
	reg("otail1", 2, 0, &big.o);
	big.o.sz = sizeof(big.o);
	reg("oexact-with-garbage-after", 3, 0, &big.o);
	big.tail[0] = 0;
	big.o.sz = sizeof(big);
	big.o.cookie = -5;
	big.o.prog_setup_fn = fake_setup;
	big.o.prog_prepare_load_fn = fake_prepare;
	big.o.prog_attach_fn = fake_attach;
	reg("ozero-tail", 4, 0, &big.o);
	/* an older caller: fields past sz are ignored, however they are set */
	big.o.sz = offsetof(struct libbpf_prog_handler_opts, prog_setup_fn);
	big.o.prog_setup_fn = (void *)1;
	reg("oold", 5, 0, &big.o);
	q("o0"); q("otail"); q("oexact-with-garbage-after"); q("ozero-tail"); q("oold");
	/* custom handlers are never attachable, whatever their cookie says */
	big.o.sz = sizeof(big.o);
	big.o.cookie = 0xffff;
	reg("ocookie", BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, &big.o);
	q("ocookie");
}

static void sc_unregister_ids(void)
{
	unreg(0); unreg(-1); unreg(INT_MIN); unreg(1); unreg(INT_MAX);
	int a = reg("a", 1, 0, NULL);
	int b = reg("b", 2, 0, NULL);
	unreg(a);
	int c = reg("c", 3, 0, NULL); /* ids are not reused */
	unreg(a); unreg(b + 10);
	int fb = reg(NULL, 4, 0, NULL);
	unreg(fb); unreg(fb); unreg(c);
	q("b"); q("c"); q("zzz");
	unreg(b);
	q("b");
}

static void sc_strings(void)
{
	reg("", BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, NULL);
	reg("/", BPF_PROG_TYPE_SK_MSG, 0, NULL);
	reg("+", BPF_PROG_TYPE_SK_SKB, 0, NULL);
	reg("we ird\t+", BPF_PROG_TYPE_LWT_IN, 0, NULL);
	reg("x/y+", BPF_PROG_TYPE_LWT_OUT, 0, NULL);
	reg("++", BPF_PROG_TYPE_LWT_XMIT, 0, NULL);
	q(""); q("/"); q("/x"); q("+"); q("x"); q("we ird\t"); q("we ird\t/1"); q("we ird\t+");
	q("x/y"); q("x/y/z"); q("x/yz"); q("++"); q("+/"); q("+x");
	/* the pattern is copied: changing the caller's buffer changes nothing */
	char buf[16];
	strcpy(buf, "mut+");
	reg(buf, BPF_PROG_TYPE_TRACING, 0, NULL);
	strcpy(buf, "other");
	q("mut"); q("other");
	char *heap = strdup("heap");
	reg(heap, BPF_PROG_TYPE_KPROBE, 0, NULL);
	free(heap);
	q("heap");
}

static void sc_many(void)
{
	char b[32];
	int ids[40];
	for (int i = 0; i < 40; i++) {
		snprintf(b, sizeof(b), "m%d+", i);
		ids[i] = reg(b, i % 32, i, NULL);
	}
	q("m0"); q("m17/x"); q("m39"); q("m40");
	for (int i = 0; i < 40; i += 2)
		unreg(ids[i]);
	q("m0"); q("m17/x"); q("m38"); q("m39");
	for (int i = 1; i < 40; i += 2)
		unreg(ids[i]);
	q("m1");
}

static void mode_diff(void)
{
	print_mapped();
	fflush(stdout);
	libbpf_set_print(rec_cb);
	mode_lookups();
	scenario("reg_plus", sc_plus);
	scenario("reg_slash", sc_slash);
	scenario("reg_exact", sc_exact);
	scenario("reg_override", sc_override_builtin);
	scenario("reg_order", sc_order);
	scenario("reg_fallback", sc_fallback);
	scenario("reg_dup", sc_duplicates);
	scenario("reg_types", sc_invalid_types);
	scenario("reg_opts", sc_bad_opts);
	scenario("reg_ids", sc_unregister_ids);
	scenario("reg_strings", sc_strings);
	scenario("reg_many", sc_many);
	printf("END\n");
}

/* --------------------------------------------------------- crash cases */

static void crash_case(const char *name, int which)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		enum bpf_prog_type pt = SENTINEL_TYPE;
		enum bpf_attach_type at = SENTINEL_TYPE;
		int r = 0;
		errno = SENTINEL_ERRNO;
		switch (which) {
		case 0: r = libbpf_prog_type_by_name("xdp", NULL, &at); break;
		case 1: r = libbpf_prog_type_by_name("xdp", &pt, NULL); break;
		case 2: r = libbpf_prog_type_by_name("kprobe/x", NULL, NULL); break;
		case 3: r = libbpf_attach_type_by_name("xdp", NULL); break;
		case 4: r = libbpf_attach_type_by_name("cgroup/bind4", NULL); break;
		case 5:
			libbpf_register_prog_handler(NULL, BPF_PROG_TYPE_XDP, 0, NULL);
			r = libbpf_prog_type_by_name("zzz", NULL, NULL);
			break;
		case 6: {
			/* The reference frees its handler array when the last custom
			 * handler is unregistered but keeps the pointer: registering
			 * again corrupts the heap (glibc aborts after a few rounds). */
			for (int round = 0; round < 8; round++) {
				int a = libbpf_register_prog_handler("a", 1, 0, NULL);
				int u = libbpf_unregister_prog_handler(a);
				int b = libbpf_register_prog_handler("b+", 2, 0, NULL);
				int c = libbpf_register_prog_handler("c", 3, 0, NULL);
				void *junk[8];
				for (int i = 0; i < 8; i++)
					memset(junk[i] = malloc(56), 0x41, 56);
				int r1 = libbpf_prog_type_by_name("b/x", &pt, &at);
				int p1 = pt;
				int r2 = libbpf_prog_type_by_name("c", &pt, &at);
				printf("crash %s round=%d ids=%d,%d,%d,%d lookups=%d/%d,%d/%d\n", name,
				       round, a, u, b, c, r1, p1, r2, (int)pt);
				fflush(stdout);
				for (int i = 0; i < 8; i++)
					free(junk[i]);
				libbpf_unregister_prog_handler(b);
				libbpf_unregister_prog_handler(c);
			}
			r = 0;
			pt = SENTINEL_TYPE;
			at = SENTINEL_TYPE;
			errno = SENTINEL_ERRNO;
			break;
		}
		}
		printf("crash %s ret=%d errno=%d prog_type=%d attach_type=%d\n", name, r, errno,
		       (int)pt, (int)at);
		fflush(stdout);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("crash %s signal=%d\n", name, WTERMSIG(st));
}

static void mode_crash(void)
{
	print_mapped();
	crash_case("ptype(xdp,NULL,&at)", 0);
	crash_case("ptype(xdp,&pt,NULL)", 1);
	crash_case("ptype(kprobe/x,NULL,NULL)", 2);
	crash_case("atype(xdp,NULL)", 3);
	crash_case("atype(cgroup/bind4,NULL)", 4);
	crash_case("fallback+ptype(zzz,NULL,NULL)", 5);
	crash_case("reregister-after-empty", 6);
	printf("END\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (argc > 1 && !strcmp(argv[1], "diff"))
		mode_diff();
	else if (argc > 1 && !strcmp(argv[1], "crash"))
		mode_crash();
	else {
		fprintf(stderr, "usage: %s diff|crash\n", argv[0]);
		return 2;
	}
	fflush(stdout);
	return 0;
}
