/* SwiftBPF netlink differential probe: bpf_xdp_attach/detach/query/query_id and
 * bpf_tc_hook_create/hook_destroy/attach/detach/query, run inside a private
 * network namespace (run.sh) with lo up and a veth pair sbpf_a/sbpf_b.
 *
 * Every line starts with its section name; the print callback's lines are
 * "<section> log <level> <text>". Program ids are printed as the names of the
 * probe's programs (XA, XB, TA, TB, XT), fds as names too, so two runs compare
 * line by line. Each call line ends with the change in the number of open fds
 * (a leaked netlink socket shows there).
 *
 * "<section> expect <name> ok|FAILED <details>" lines check values that come
 * from neither library: the kernel's view of the devices read back with
 * ip(8)/tc(8) and with raw bpf(2), and what the kernel's documented semantics
 * give (exclusive create of an existing qdisc is EEXIST, ...). run.sh requires
 * every one to be ok in both runs.
 *
 * Programs are loaded with the raw bpf(2) syscall, not through either library. */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

static const char *sec = "init";
static int va, vb, lo;
static int XA, XB, TA, TB, XT;       /* xdp, xdp, sched_cls, sched_cls, xdp used on tc */
static __u32 idXA, idXB, idTA, idTB, idXT;
static void (*shim_set)(const char *);

static void print_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], path[PATH_MAX];
	if (!f) { printf("MAPPED ?\n"); return; }
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		if (!p || !strstr(p, "libbpf.so")) continue;
		p[strcspn(p, "\n")] = 0;
		if (!realpath(p, path)) snprintf(path, sizeof(path), "%s", p);
		printf("MAPPED %s\n", path);
		fclose(f);
		return;
	}
	fclose(f);
	printf("MAPPED none\n");
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	if (!d) return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') n++;
	closedir(d);
	return n - 1;
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, args);
	buf[strcspn(buf, "\n")] = 0;
	printf("%s log %d %s\n", sec, (int)level, buf);
	return 0;
}

/* ---------------------------------------------------------------- programs */
static int prog_load(enum bpf_prog_type type, int ret, const char *name)
{
	struct bpf_insn insns[2] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
	int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) { printf("init FATAL prog load %s: %s\n", name, strerror(errno)); exit(2); }
	return fd;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (unsigned long)&info;
	if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr))) return 0;
	return info.id;
}

static const char *idname(__u32 id)
{
	static char other[8][32];
	static int n;
	if (id == 0) return "0";
	if (id == idXA) return "XA";
	if (id == idXB) return "XB";
	if (id == idTA) return "TA";
	if (id == idTB) return "TB";
	if (id == idXT) return "XT";
	if (id == 0xAAAAAAAAu) return "untouched";
	n = (n + 1) % 8;
	snprintf(other[n], sizeof(other[n]), "other(%s)", id > 1000 ? "big" : "small");
	return other[n];
}

static const char *devname_(int ifindex)
{
	static char b[4][32];
	static int n;
	n = (n + 1) % 4;
	if (ifindex == va) return "sbpf_a";
	if (ifindex == vb) return "sbpf_b";
	if (ifindex == lo) return "lo";
	snprintf(b[n], sizeof(b[n]), "%d", ifindex);
	return b[n];
}

/* ------------------------------------------------------------------ output */
static int fds_before;
static void call_begin(void) { fds_before = count_fds(); errno = 0; }
static void call_end(const char *what, int ret)
{
	int e = errno;
	int delta = count_fds() - fds_before;
	printf("%s call %s = %d errno %d fds %+d\n", sec, what, ret, e, delta);
}
#define CALL(what, expr) ({ call_begin(); int _r = (expr); call_end(what, _r); _r; })

static int nexpect_failed;
static void expect(int ok, const char *name, const char *fmt, ...)
{
	char buf[512] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%s expect %s %s%s%s\n", sec, name, ok ? "ok" : "FAILED", ok ? "" : " ", ok ? "" : buf);
	if (!ok) nexpect_failed++;
}

static void shim(const char *mode) { if (shim_set) shim_set(mode); }

/* ------------------------------------------------- the kernel's view (ip, tc) */
/* "<mode> <prog>" of a device's XDP: mode is xdpgeneric/xdp/xdpoffload/none. */
static const char *xdp_state(const char *dev)
{
	static char out[128];
	char cmd[128], line[4096];
	snprintf(cmd, sizeof(cmd), "ip -o link show dev %s 2>&1", dev);
	FILE *p = popen(cmd, "r");
	snprintf(out, sizeof(out), "none 0");
	if (!p) return out;
	if (fgets(line, sizeof(line), p)) {
		const char *mode = "none";
		char *m;
		if (strstr(line, " xdpgeneric ")) mode = "xdpgeneric";
		else if (strstr(line, " xdpoffload ")) mode = "xdpoffload";
		else if (strstr(line, " xdpmulti ")) mode = "xdpmulti";
		else if (strstr(line, " xdp ")) mode = "xdp";
		m = strstr(line, "prog/xdp id ");
		snprintf(out, sizeof(out), "%s %s", mode, m ? idname(strtoul(m + 12, NULL, 10)) : "0");
	}
	pclose(p);
	return out;
}

/* The filters of one clsact direction as "pref/handle/prog/da;..." */
static const char *tc_state(const char *dev, const char *dir)
{
	static char out[1024];
	char cmd[160], line[4096];
	size_t used = 0;
	snprintf(cmd, sizeof(cmd), "tc filter show dev %s %s 2>&1", dev, dir);
	FILE *p = popen(cmd, "r");
	out[0] = 0;
	if (!p) return "popen-failed";
	while (fgets(line, sizeof(line), p)) {
		char *h = strstr(line, " handle "), *pr = strstr(line, " pref "), *id = strstr(line, " id ");
		if (strncmp(line, "Error", 5) == 0 || strstr(line, "Cannot")) {
			used += snprintf(out + used, sizeof(out) - used, "error;");
			continue;
		}
		if (!h || !pr || !id) continue;
		used += snprintf(out + used, sizeof(out) - used, "%lu/%#lx/%s%s;", strtoul(pr + 6, NULL, 10),
				 strtoul(h + 8, NULL, 16), idname(strtoul(id + 4, NULL, 10)),
				 strstr(line, "direct-action") ? "/da" : "");
		if (used >= sizeof(out)) break;
	}
	pclose(p);
	return out[0] ? out : "empty";
}

static int has_clsact(const char *dev)
{
	char cmd[128], line[512];
	int found = 0;
	snprintf(cmd, sizeof(cmd), "tc qdisc show dev %s 2>&1", dev);
	FILE *p = popen(cmd, "r");
	if (!p) return -1;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, "qdisc clsact ffff: parent ffff:fff1")) found = 1;
	pclose(p);
	return found;
}

/* ------------------------------------------------------------------- XDP */
static void print_query(const char *what, struct bpf_xdp_query_opts *q)
{
	printf("%s query %s sz %zu prog %s drv %s hw %s skb %s mode %u\n", sec, what, q->sz, idname(q->prog_id),
	       idname(q->drv_prog_id), idname(q->hw_prog_id), idname(q->skb_prog_id), q->attach_mode);
}

static void query_dev(int ifindex, const char *what)
{
	struct bpf_xdp_query_opts q;
	char label[128];
	memset(&q, 0xAA, sizeof(q));
	q.sz = offsetof(struct bpf_xdp_query_opts, attach_mode) + 1;
	snprintf(label, sizeof(label), "xdp_query(%s)", what);
	CALL(label, bpf_xdp_query(ifindex, 0, &q));
	print_query(what, &q);
}

static void query_ids(int ifindex, const char *what)
{
	for (int f = 0; f <= 0x1f; f++) {
		__u32 id = 0xAAAAAAAAu;
		char label[128];
		snprintf(label, sizeof(label), "xdp_query_id(%s, %#x)", what, f);
		CALL(label, bpf_xdp_query_id(ifindex, f, &id));
		printf("%s query_id %s %#x -> %s\n", sec, what, f, idname(id));
	}
}

static void xdp_args(void)
{
	struct bpf_xdp_attach_opts o;
	struct { struct bpf_xdp_attach_opts o; long tail[2]; } big;
	struct bpf_xdp_query_opts q;
	struct { struct bpf_xdp_query_opts q; long tail[2]; } bigq;
	sec = "xdp_args";

	memset(&o, 0, sizeof(o));
	size_t sizes[] = { 0, 1, 4, 7, 8, 12, 16 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char label[64];
		o.sz = sizes[i];
		o.old_prog_fd = 0;
		snprintf(label, sizeof(label), "xdp_attach(opts.sz=%zu)", sizes[i]);
		CALL(label, bpf_xdp_attach(lo, XA, XDP_FLAGS_SKB_MODE, &o));
		snprintf(label, sizeof(label), "xdp_detach(opts.sz=%zu)", sizes[i]);
		CALL(label, bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, &o));
	}
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	CALL("xdp_attach(big opts, zero tail)", bpf_xdp_attach(lo, XA, XDP_FLAGS_SKB_MODE, &big.o));
	CALL("xdp_detach(big opts, zero tail)", bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, &big.o));
	big.tail[1] = 1;
	CALL("xdp_attach(big opts, non-zero tail)", bpf_xdp_attach(lo, XA, XDP_FLAGS_SKB_MODE, &big.o));
	CALL("xdp_detach(big opts, non-zero tail)", bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, &big.o));
	/* the padding after old_prog_fd is past the known size */
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	((unsigned char *)&o)[sizeof(o) - 1] = 1;
	CALL("xdp_attach(opts padding non-zero)", bpf_xdp_attach(lo, XA, XDP_FLAGS_SKB_MODE, &o));

	/* devices and fds the kernel refuses */
	CALL("xdp_attach(ifindex 0)", bpf_xdp_attach(0, XA, 0, NULL));
	CALL("xdp_attach(ifindex -1)", bpf_xdp_attach(-1, XA, 0, NULL));
	CALL("xdp_attach(ifindex 9999)", bpf_xdp_attach(9999, XA, 0, NULL));
	CALL("xdp_attach(fd 0: not a program)", bpf_xdp_attach(va, 0, 0, NULL));
	CALL("xdp_attach(fd 999: closed)", bpf_xdp_attach(va, 999, 0, NULL));
	CALL("xdp_attach(fd -5)", bpf_xdp_attach(va, -5, 0, NULL));
	CALL("xdp_attach(sched_cls program)", bpf_xdp_attach(va, TA, 0, NULL));
	CALL("xdp_attach(flags 1<<20)", bpf_xdp_attach(va, XA, 1u << 20, NULL));
	CALL("xdp_attach(flags skb|drv)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE | XDP_FLAGS_DRV_MODE, NULL));
	CALL("xdp_attach(flags hw)", bpf_xdp_attach(va, XA, XDP_FLAGS_HW_MODE, NULL));
	CALL("xdp_detach(nothing attached)", bpf_xdp_detach(va, 0, NULL));
	CALL("xdp_detach(ifindex 9999)", bpf_xdp_detach(9999, 0, NULL));
	CALL("xdp_detach(flags 1<<20)", bpf_xdp_detach(va, 1u << 20, NULL));

	/* query's opts and flags */
	for (int sz = 0; sz <= 40; sz += (sz < 28 ? 1 : 4)) {
		char label[64];
		memset(&bigq, 0, sizeof(bigq));
		memset(&bigq.q, 0xAA, offsetof(struct bpf_xdp_query_opts, attach_mode) + 1);
		bigq.q.sz = sz;
		snprintf(label, sizeof(label), "xdp_query(sz=%d)", sz);
		CALL(label, bpf_xdp_query(va, 0, &bigq.q));
		print_query(label, &bigq.q);
	}
	memset(&bigq, 0, sizeof(bigq));
	bigq.q.sz = sizeof(bigq);
	bigq.tail[0] = 5;
	CALL("xdp_query(big opts, non-zero tail)", bpf_xdp_query(va, 0, &bigq.q));
	CALL("xdp_query(NULL opts)", bpf_xdp_query(va, 0, NULL));
	int qflags[] = { 1 << 5, 1 << 10, -1, INT_MIN, XDP_FLAGS_REPLACE, XDP_FLAGS_UPDATE_IF_NOEXIST, 0x1f, 0x3f };
	for (unsigned i = 0; i < sizeof(qflags) / sizeof(qflags[0]); i++) {
		char label[64];
		memset(&q, 0, sizeof(q));
		q.sz = sizeof(q);
		snprintf(label, sizeof(label), "xdp_query(flags %#x)", qflags[i]);
		CALL(label, bpf_xdp_query(va, qflags[i], &q));
		__u32 id = 0xAAAAAAAAu;
		snprintf(label, sizeof(label), "xdp_query_id(flags %#x)", qflags[i]);
		CALL(label, bpf_xdp_query_id(va, qflags[i], &id));
		printf("%s query_id flags %#x -> %s\n", sec, qflags[i], idname(id));
	}
	memset(&q, 0, sizeof(q));
	q.sz = 7;
	CALL("xdp_query(bad sz and bad flags)", bpf_xdp_query(va, 1 << 10, &q));
	o.sz = 3;
	CALL("xdp_detach(bad sz and bad flags)", bpf_xdp_detach(va, 1u << 20, &o));
	expect(strcmp(xdp_state("sbpf_a"), "none 0") == 0, "xdp_args/nothing-attached", "%s", xdp_state("sbpf_a"));
	expect(strcmp(xdp_state("lo"), "none 0") == 0, "xdp_args/lo-clean", "%s", xdp_state("lo"));
}

static void xdp_modes(void)
{
	struct bpf_xdp_query_opts q;
	int r;
	sec = "xdp_skb";
	r = CALL("xdp_attach(XA, skb)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE, NULL));
	expect(r == 0, "skb/attach", "ret %d", r);
	expect(strcmp(xdp_state("sbpf_a"), "xdpgeneric XA") == 0, "skb/ip-shows-XA", "%s", xdp_state("sbpf_a"));
	memset(&q, 0, sizeof(q));
	q.sz = sizeof(q);
	r = CALL("xdp_query(full)", bpf_xdp_query(va, 0, &q));
	print_query("full", &q);
	expect(r == 0 && q.prog_id == idXA && q.skb_prog_id == idXA && q.drv_prog_id == 0 && q.hw_prog_id == 0 &&
	       q.attach_mode == XDP_ATTACHED_SKB, "skb/query", "ret %d prog %u skb %u mode %u", r, q.prog_id, q.skb_prog_id, q.attach_mode);
	query_ids(va, "sbpf_a skb");
	r = CALL("xdp_attach(XB, skb|UPDATE_IF_NOEXIST)", bpf_xdp_attach(va, XB, XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL));
	expect(r == -EBUSY, "skb/noexist-busy", "ret %d", r);
	r = CALL("xdp_attach(XB, drv while skb)", bpf_xdp_attach(va, XB, XDP_FLAGS_DRV_MODE, NULL));
	expect(r == -EEXIST, "skb/drv-conflict", "ret %d", r);
	r = CALL("xdp_attach(XB, skb) plain replace", bpf_xdp_attach(va, XB, XDP_FLAGS_SKB_MODE, NULL));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "xdpgeneric XB") == 0, "skb/plain-replace", "ret %d %s", r, xdp_state("sbpf_a"));
	r = CALL("xdp_attach(XA, skb) back", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE, NULL));

	sec = "xdp_replace";
	struct bpf_xdp_attach_opts o = { .sz = sizeof(o) };
	o.old_prog_fd = XB;
	r = CALL("xdp_attach(XB, old=XB wrong)", bpf_xdp_attach(va, XB, XDP_FLAGS_SKB_MODE, &o));
	expect(r == -EEXIST && strcmp(xdp_state("sbpf_a"), "xdpgeneric XA") == 0, "replace/wrong-old", "ret %d %s", r, xdp_state("sbpf_a"));
	o.old_prog_fd = XA;
	r = CALL("xdp_attach(XB, old=XA right)", bpf_xdp_attach(va, XB, XDP_FLAGS_SKB_MODE, &o));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "xdpgeneric XB") == 0, "replace/right-old", "ret %d %s", r, xdp_state("sbpf_a"));
	o.old_prog_fd = -1;
	r = CALL("xdp_attach(XA, old=-1)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE, &o));
	expect(r == -EEXIST, "replace/old-minus-one-while-attached", "ret %d", r);
	r = CALL("xdp_attach(XA, REPLACE flag, no opts)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE, NULL));
	expect(r == -EEXIST, "replace/flag-without-old", "ret %d", r);
	o.old_prog_fd = 0;
	r = CALL("xdp_attach(XA, REPLACE flag, old=0)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE, &o));
	o.old_prog_fd = 999;
	r = CALL("xdp_attach(XA, old=999 closed fd)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE, &o));
	o.old_prog_fd = TA;
	r = CALL("xdp_attach(XA, old=TA sched_cls)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE, &o));
	o.old_prog_fd = XA;
	r = CALL("xdp_detach(old=XA wrong)", bpf_xdp_detach(va, XDP_FLAGS_SKB_MODE, &o));
	expect(r == -EEXIST && strcmp(xdp_state("sbpf_a"), "xdpgeneric XB") == 0, "replace/detach-wrong-old", "ret %d %s", r, xdp_state("sbpf_a"));
	o.old_prog_fd = XB;
	r = CALL("xdp_detach(old=XB right)", bpf_xdp_detach(va, XDP_FLAGS_SKB_MODE, &o));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "none 0") == 0, "replace/detach-right-old", "ret %d %s", r, xdp_state("sbpf_a"));
	o.old_prog_fd = -1;
	r = CALL("xdp_attach(XA, old=-1 nothing attached)", bpf_xdp_attach(va, XA, XDP_FLAGS_SKB_MODE, &o));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "xdpgeneric XA") == 0, "replace/old-minus-one-empty", "ret %d %s", r, xdp_state("sbpf_a"));
	r = CALL("xdp_detach(drv while skb)", bpf_xdp_detach(va, XDP_FLAGS_DRV_MODE, NULL));
	printf("%s state %s\n", sec, xdp_state("sbpf_a"));
	r = CALL("xdp_detach(skb)", bpf_xdp_detach(va, XDP_FLAGS_SKB_MODE, NULL));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "none 0") == 0, "replace/detached", "ret %d %s", r, xdp_state("sbpf_a"));
	query_dev(va, "sbpf_a empty");

	sec = "xdp_drv";
	r = CALL("xdp_attach(XA, drv)", bpf_xdp_attach(va, XA, XDP_FLAGS_DRV_MODE, NULL));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "xdp XA") == 0, "drv/attach", "ret %d %s", r, xdp_state("sbpf_a"));
	memset(&q, 0, sizeof(q));
	q.sz = sizeof(q);
	r = CALL("xdp_query(full)", bpf_xdp_query(va, 0, &q));
	print_query("full", &q);
	expect(r == 0 && q.prog_id == idXA && q.drv_prog_id == idXA && q.skb_prog_id == 0 && q.attach_mode == XDP_ATTACHED_DRV,
	       "drv/query", "prog %u drv %u mode %u", q.prog_id, q.drv_prog_id, q.attach_mode);
	query_ids(va, "sbpf_a drv");
	r = CALL("xdp_attach(XB, skb while drv)", bpf_xdp_attach(va, XB, XDP_FLAGS_SKB_MODE, NULL));
	expect(r == -EEXIST, "drv/skb-conflict", "ret %d", r);
	r = CALL("xdp_attach(XB, default mode replaces drv)", bpf_xdp_attach(va, XB, 0, NULL));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "xdp XB") == 0, "drv/default-mode-is-native", "ret %d %s", r, xdp_state("sbpf_a"));
	r = CALL("xdp_attach(XA, vb skb)", bpf_xdp_attach(vb, XA, XDP_FLAGS_SKB_MODE, NULL));
	expect(r == 0 && strcmp(xdp_state("sbpf_b"), "xdpgeneric XA") == 0, "drv/peer-skb", "ret %d %s", r, xdp_state("sbpf_b"));
	r = CALL("xdp_attach(XA, lo default mode)", bpf_xdp_attach(lo, XA, 0, NULL));
	expect(r == 0 && strcmp(xdp_state("lo"), "xdpgeneric XA") == 0, "drv/lo-generic-fallback", "ret %d %s", r, xdp_state("lo"));
	query_dev(va, "sbpf_a");
	query_dev(vb, "sbpf_b");
	query_dev(lo, "lo");
	query_dev(0, "ifindex 0 (every device)");
	query_dev(9999, "ifindex 9999");
	query_dev(-3, "ifindex -3");
	query_ids(0, "ifindex 0");
	query_ids(lo, "lo");
	r = CALL("xdp_detach(lo, 0)", bpf_xdp_detach(lo, 0, NULL));
	query_dev(0, "ifindex 0 after lo detach");
	r = CALL("xdp_detach(sbpf_b, skb)", bpf_xdp_detach(vb, XDP_FLAGS_SKB_MODE, NULL));
	query_dev(0, "ifindex 0 after sbpf_b detach");
	r = CALL("xdp_detach(sbpf_a, 0)", bpf_xdp_detach(va, 0, NULL));
	expect(r == 0 && strcmp(xdp_state("sbpf_a"), "none 0") == 0 && strcmp(xdp_state("sbpf_b"), "none 0") == 0 &&
	       strcmp(xdp_state("lo"), "none 0") == 0, "drv/all-detached", "%s / %s / %s", xdp_state("sbpf_a"), xdp_state("sbpf_b"), xdp_state("lo"));
	query_dev(0, "ifindex 0 nothing attached");
	query_ids(va, "sbpf_a none");
}

/* -------------------------------------------------------------------- TC */
#define HOOK(ifi, ap, par) ((struct bpf_tc_hook){ .sz = sizeof(struct bpf_tc_hook), .ifindex = (ifi), .attach_point = (ap), .parent = (par) })

static const char *fdname(int fd)
{
	static char b[16];
	if (fd == TA) return "TA";
	if (fd == TB) return "TB";
	if (fd == XT) return "XT";
	snprintf(b, sizeof(b), "%d", fd);
	return b;
}

static void print_opts(const char *what, const struct bpf_tc_opts *o)
{
	printf("%s opts %s sz %zu fd %s flags %u id %s handle %#x prio %u\n", sec, what, o->sz, fdname(o->prog_fd), o->flags,
	       idname(o->prog_id), o->handle, o->priority);
}

static const char *apname(unsigned ap)
{
	static char b[16];
	switch (ap) {
	case 0: return "0";
	case BPF_TC_INGRESS: return "ingress";
	case BPF_TC_EGRESS: return "egress";
	case BPF_TC_INGRESS | BPF_TC_EGRESS: return "ingress|egress";
	case BPF_TC_CUSTOM: return "custom";
	case BPF_TC_CUSTOM | BPF_TC_INGRESS: return "custom|ingress";
	}
	snprintf(b, sizeof(b), "%#x", ap);
	return b;
}

static void tc_args(void)
{
	unsigned aps[] = { 0, BPF_TC_INGRESS, BPF_TC_EGRESS, BPF_TC_INGRESS | BPF_TC_EGRESS, BPF_TC_CUSTOM,
			   BPF_TC_CUSTOM | BPF_TC_INGRESS, 8, 0x80000000u };
	__u32 parents[] = { 0, 0xFFFFFFF2u, 0x10001u };
	int ifis[] = { 0, -1, 9999, 1 /* replaced by sbpf_b */ };
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	char label[200];
	sec = "tc_args";
	ifis[3] = vb;

	CALL("tc_hook_create(NULL)", bpf_tc_hook_create(NULL));
	CALL("tc_hook_destroy(NULL)", bpf_tc_hook_destroy(NULL));
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA };
	h = HOOK(vb, BPF_TC_INGRESS, 0);
	CALL("tc_attach(NULL, opts)", bpf_tc_attach(NULL, &o));
	CALL("tc_attach(hook, NULL)", bpf_tc_attach(&h, NULL));
	CALL("tc_detach(NULL, opts)", bpf_tc_detach(NULL, &o));
	CALL("tc_detach(hook, NULL)", bpf_tc_detach(&h, NULL));
	CALL("tc_query(NULL, opts)", bpf_tc_query(NULL, &o));
	CALL("tc_query(hook, NULL)", bpf_tc_query(&h, NULL));

	/* hook and opts sizes */
	size_t hsz[] = { 0, 4, 8, 12, 16, 20, 24 };
	for (unsigned i = 0; i < sizeof(hsz) / sizeof(hsz[0]); i++) {
		h = HOOK(vb, BPF_TC_INGRESS | BPF_TC_EGRESS, 0);
		h.sz = hsz[i];
		snprintf(label, sizeof(label), "tc_hook_create(hook.sz=%zu)", hsz[i]);
		CALL(label, bpf_tc_hook_create(&h));
		snprintf(label, sizeof(label), "tc_hook_destroy(hook.sz=%zu)", hsz[i]);
		CALL(label, bpf_tc_hook_destroy(&h));
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 1, .priority = 1 };
		snprintf(label, sizeof(label), "tc_query(hook.sz=%zu)", hsz[i]);
		CALL(label, bpf_tc_query(&h, &o));
	}
	struct { struct bpf_tc_hook h; long tail[2]; } bigh;
	memset(&bigh, 0, sizeof(bigh));
	bigh.h = HOOK(vb, BPF_TC_INGRESS, 0);
	bigh.h.sz = sizeof(bigh);
	bigh.tail[1] = 7;
	CALL("tc_hook_create(big hook, non-zero tail)", bpf_tc_hook_create(&bigh.h));
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA };
	CALL("tc_attach(big hook, non-zero tail)", bpf_tc_attach(&bigh.h, &o));
	bigh.tail[1] = 0;
	CALL("tc_hook_create(big hook, zero tail)", bpf_tc_hook_create(&bigh.h));
	size_t osz[] = { 0, 4, 8, 12, 16, 20, 24, 28, 32 };
	for (unsigned i = 0; i < sizeof(osz) / sizeof(osz[0]); i++) {
		h = HOOK(vb, BPF_TC_INGRESS, 0);
		o = (struct bpf_tc_opts){ .sz = osz[i], .prog_fd = TA, .handle = 0x40 + i, .priority = 0x40 + i };
		snprintf(label, sizeof(label), "tc_attach(opts.sz=%zu)", osz[i]);
		CALL(label, bpf_tc_attach(&h, &o));
		print_opts(label, &o);
		o.prog_fd = 0;
		o.prog_id = 0;
		snprintf(label, sizeof(label), "tc_query(opts.sz=%zu)", osz[i]);
		CALL(label, bpf_tc_query(&h, &o));
		print_opts(label, &o);
		snprintf(label, sizeof(label), "tc_detach(opts.sz=%zu)", osz[i]);
		CALL(label, bpf_tc_detach(&h, &o));
	}
	struct { struct bpf_tc_opts o; long tail[2]; } bigo;
	memset(&bigo, 0, sizeof(bigo));
	bigo.o = (struct bpf_tc_opts){ .sz = sizeof(bigo), .prog_fd = TA };
	bigo.tail[0] = 1;
	h = HOOK(vb, BPF_TC_INGRESS, 0);
	CALL("tc_attach(big opts, non-zero tail)", bpf_tc_attach(&h, &bigo.o));
	h.sz = 3;
	CALL("tc_attach(bad hook sz and bad opts sz)", bpf_tc_attach(&h, &bigo.o));
	CALL("tc_attach(bad hook sz, NULL opts)", bpf_tc_attach(&h, NULL));
	CALL("tc_detach(bad hook sz, NULL opts)", bpf_tc_detach(&h, NULL));

	/* attach points x parents x ifindexes for the hook functions */
	for (unsigned a = 0; a < sizeof(aps) / sizeof(aps[0]); a++)
		for (unsigned p = 0; p < 3; p++)
			for (unsigned i = 0; i < 4; i++) {
				h = HOOK(ifis[i], aps[a], parents[p]);
				snprintf(label, sizeof(label), "tc_hook_create(%s, %s, parent %#x)", devname_(ifis[i]), apname(aps[a]), parents[p]);
				CALL(label, bpf_tc_hook_create(&h));
				snprintf(label, sizeof(label), "tc_hook_destroy(%s, %s, parent %#x)", devname_(ifis[i]), apname(aps[a]), parents[p]);
				CALL(label, bpf_tc_hook_destroy(&h));
			}

	/* attach: attach point x parent x fd x id x flags x priority x handle */
	h = HOOK(vb, BPF_TC_INGRESS, 0);
	CALL("tc_hook_create(sbpf_b) for the attach table", bpf_tc_hook_create(&h));
	int fds[] = { TA, 0, -1, XT };
	__u32 prios[] = { 0, 5, 0xFFFF, 0x10000 };
	for (unsigned a = 0; a < 6; a++)
		for (unsigned p = 0; p < 2; p++)
			for (unsigned f = 0; f < 4; f++)
				for (unsigned id = 0; id < 2; id++)
					for (unsigned fl = 0; fl < 3; fl++)
						for (unsigned pr = 0; pr < 4; pr++)
							for (unsigned hd = 0; hd < 2; hd++) {
								h = HOOK(vb, aps[a], parents[p]);
								o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = fds[f], .prog_id = id,
											  .flags = fl, .priority = prios[pr], .handle = hd ? 9 : 0 };
								snprintf(label, sizeof(label), "tc_attach(%s, parent %#x, fd %s, id %u, flags %u, prio %#x, handle %u)",
									 apname(aps[a]), parents[p], fdname(fds[f]), id, fl, prios[pr], o.handle);
								int r = CALL(label, bpf_tc_attach(&h, &o));
								if (r == 0) print_opts(label, &o);
							}
	for (unsigned a = 0; a < 6; a++)
		for (unsigned p = 0; p < 2; p++)
			for (unsigned f = 0; f < 2; f++)
				for (unsigned id = 0; id < 2; id++)
					for (unsigned fl = 0; fl < 2; fl++)
						for (unsigned pr = 0; pr < 4; pr++)
							for (unsigned hd = 0; hd < 2; hd++) {
								h = HOOK(vb, aps[a], parents[p]);
								o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = f ? TA : 0, .prog_id = id,
											  .flags = fl, .priority = prios[pr], .handle = hd ? 9 : 0 };
								snprintf(label, sizeof(label), "(%s, parent %#x, fd %s, id %u, flags %u, prio %#x, handle %u)",
									 apname(aps[a]), parents[p], fdname(o.prog_fd), id, fl, prios[pr], o.handle);
								char l2[256];
								snprintf(l2, sizeof(l2), "tc_query%s", label);
								int r = CALL(l2, bpf_tc_query(&h, &o));
								if (r == 0) print_opts(l2, &o);
							}
	for (unsigned a = 0; a < 6; a++)
		for (unsigned p = 0; p < 2; p++)
			for (unsigned f = 0; f < 2; f++)
				for (unsigned id = 0; id < 2; id++)
					for (unsigned fl = 0; fl < 2; fl++)
						for (unsigned pr = 0; pr < 4; pr++)
							for (unsigned hd = 0; hd < 2; hd++) {
								h = HOOK(vb, aps[a], parents[p]);
								o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = f ? TA : 0, .prog_id = id,
											  .flags = fl, .priority = prios[pr], .handle = hd ? 9 : 0 };
								snprintf(label, sizeof(label), "tc_detach(%s, parent %#x, fd %s, id %u, flags %u, prio %#x, handle %u)",
									 apname(aps[a]), parents[p], fdname(o.prog_fd), id, fl, prios[pr], o.handle);
								CALL(label, bpf_tc_detach(&h, &o));
							}
	printf("%s state ingress %s\n", sec, tc_state("sbpf_b", "ingress"));
	printf("%s state egress %s\n", sec, tc_state("sbpf_b", "egress"));
	h = HOOK(vb, BPF_TC_INGRESS | BPF_TC_EGRESS, 0);
	int r = CALL("tc_hook_destroy(sbpf_b ingress|egress) cleanup", bpf_tc_hook_destroy(&h));
	expect(r == 0 && has_clsact("sbpf_b") == 0, "tc_args/cleanup", "ret %d clsact %d", r, has_clsact("sbpf_b"));
}

static void tc_flow(void)
{
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	int r;

	sec = "tc_noqdisc";
	h = HOOK(va, BPF_TC_INGRESS, 0);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA };
	r = CALL("tc_attach(no clsact)", bpf_tc_attach(&h, &o));
	print_opts("no clsact", &o);
	expect(r == -EINVAL, "noqdisc/attach", "ret %d", r);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 1, .priority = 1 };
	r = CALL("tc_query(no clsact)", bpf_tc_query(&h, &o));
	r = CALL("tc_detach(no clsact)", bpf_tc_detach(&h, &o));
	r = CALL("tc_hook_destroy(ingress, no clsact)", bpf_tc_hook_destroy(&h));
	h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	r = CALL("tc_hook_destroy(ingress|egress, no clsact)", bpf_tc_hook_destroy(&h));
	expect(r < 0, "noqdisc/destroy-fails", "ret %d", r);

	sec = "tc_hook";
	h = HOOK(va, BPF_TC_INGRESS, 0);
	r = CALL("tc_hook_create(ingress)", bpf_tc_hook_create(&h));
	expect(r == 0 && has_clsact("sbpf_a") == 1, "hook/create", "ret %d clsact %d", r, has_clsact("sbpf_a"));
	r = CALL("tc_hook_create(ingress) again", bpf_tc_hook_create(&h));
	expect(r == -EEXIST, "hook/create-again-eexist", "ret %d", r);
	h.attach_point = BPF_TC_EGRESS;
	r = CALL("tc_hook_create(egress) on existing clsact", bpf_tc_hook_create(&h));
	expect(r == -EEXIST, "hook/egress-same-qdisc", "ret %d", r);
	h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	r = CALL("tc_hook_create(ingress|egress) on existing clsact", bpf_tc_hook_create(&h));
	expect(r == -EEXIST, "hook/both-same-qdisc", "ret %d", r);
	h.attach_point = BPF_TC_CUSTOM;
	h.parent = 0xFFFFFFF2u;
	r = CALL("tc_hook_create(custom)", bpf_tc_hook_create(&h));
	expect(r == -EOPNOTSUPP, "hook/custom-unsupported", "ret %d", r);

	sec = "tc_attach";
	h = HOOK(va, BPF_TC_INGRESS, 0);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA };
	r = CALL("tc_attach(TA ingress, defaults)", bpf_tc_attach(&h, &o));
	print_opts("TA ingress", &o);
	expect(r == 0 && o.prog_id == idTA && o.handle == 1 && o.priority == 49152, "attach/defaults-filled",
	       "ret %d id %u handle %u prio %u", r, o.prog_id, o.handle, o.priority);
	expect(strcmp(tc_state("sbpf_a", "ingress"), "49152/0x1/TA/da;") == 0, "attach/tc-shows-TA", "%s", tc_state("sbpf_a", "ingress"));
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TB };
	r = CALL("tc_attach(TB ingress, defaults)", bpf_tc_attach(&h, &o));
	print_opts("TB ingress", &o);
	expect(r == 0 && o.prog_id == idTB && o.priority == 49151, "attach/second-gets-next-prio", "ret %d prio %u", r, o.priority);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TB, .handle = 7, .priority = 3 };
	r = CALL("tc_attach(TB handle 7 prio 3)", bpf_tc_attach(&h, &o));
	print_opts("TB 7/3", &o);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA, .handle = 7, .priority = 3 };
	r = CALL("tc_attach(TA handle 7 prio 3) again", bpf_tc_attach(&h, &o));
	print_opts("TA 7/3 again", &o);
	expect(r == -EEXIST, "attach/exclusive", "ret %d", r);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA, .handle = 7, .priority = 3, .flags = BPF_TC_F_REPLACE };
	r = CALL("tc_attach(TA handle 7 prio 3, REPLACE)", bpf_tc_attach(&h, &o));
	print_opts("TA 7/3 replace", &o);
	expect(r == 0 && o.prog_id == idTA, "attach/replace", "ret %d id %s", r, idname(o.prog_id));
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TB, .handle = 8, .priority = 4, .flags = BPF_TC_F_REPLACE };
	r = CALL("tc_attach(TB handle 8 prio 4, REPLACE of nothing)", bpf_tc_attach(&h, &o));
	print_opts("TB 8/4 replace-new", &o);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TB, .handle = 9, .priority = 0xFFFF };
	r = CALL("tc_attach(TB handle 9 prio 0xffff)", bpf_tc_attach(&h, &o));
	print_opts("TB 9/65535", &o);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = XT };
	r = CALL("tc_attach(xdp program)", bpf_tc_attach(&h, &o));
	print_opts("xdp prog", &o);
	expect(r == -EINVAL, "attach/wrong-prog-type", "ret %d", r);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = 999 };
	r = CALL("tc_attach(closed fd)", bpf_tc_attach(&h, &o));
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = 1 };
	r = CALL("tc_attach(fd 1: not bpf)", bpf_tc_attach(&h, &o));
	h = HOOK(va, BPF_TC_EGRESS, 0);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA, .handle = 2, .priority = 2 };
	r = CALL("tc_attach(TA egress 2/2)", bpf_tc_attach(&h, &o));
	print_opts("TA egress", &o);
	h = HOOK(va, BPF_TC_CUSTOM, 0xFFFFFFF3u);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TB, .handle = 3, .priority = 2 };
	r = CALL("tc_attach(TB custom parent ffff:fff3 3/2)", bpf_tc_attach(&h, &o));
	print_opts("TB custom egress", &o);
	h = HOOK(va, BPF_TC_CUSTOM, 0x10001u);
	r = CALL("tc_attach(custom parent 1:1, no such qdisc)", bpf_tc_attach(&h, &o));
	h = HOOK(9999, BPF_TC_INGRESS, 0);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA };
	r = CALL("tc_attach(ifindex 9999)", bpf_tc_attach(&h, &o));
	expect(strcmp(tc_state("sbpf_a", "ingress"), "3/0x7/TA/da;4/0x8/TB/da;49151/0x1/TB/da;49152/0x1/TA/da;65535/0x9/TB/da;") == 0,
	       "attach/ingress-filters", "%s", tc_state("sbpf_a", "ingress"));
	expect(strcmp(tc_state("sbpf_a", "egress"), "2/0x3/TB/da;2/0x2/TA/da;") == 0, "attach/egress-filters", "%s", tc_state("sbpf_a", "egress"));

	sec = "tc_query";
	h = HOOK(va, BPF_TC_INGRESS, 0);
	struct { __u32 handle, prio; } q[] = { { 1, 49152 }, { 1, 49151 }, { 7, 3 }, { 8, 4 }, { 9, 0xFFFF }, { 5, 3 }, { 7, 4 }, { 2, 2 } };
	for (unsigned i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char label[64];
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = q[i].handle, .priority = q[i].prio };
		snprintf(label, sizeof(label), "tc_query(ingress %u/%u)", q[i].handle, q[i].prio);
		r = CALL(label, bpf_tc_query(&h, &o));
		print_opts(label, &o);
	}
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 7, .priority = 3 };
	r = CALL("tc_query(ingress 7/3) for expect", bpf_tc_query(&h, &o));
	expect(r == 0 && o.prog_id == idTA, "query/replaced-filter", "ret %d id %s", r, idname(o.prog_id));
	h = HOOK(va, BPF_TC_EGRESS, 0);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 3, .priority = 2 };
	r = CALL("tc_query(egress 3/2)", bpf_tc_query(&h, &o));
	print_opts("egress 3/2", &o);
	expect(r == 0 && o.prog_id == idTB, "query/egress", "ret %d id %s", r, idname(o.prog_id));
	h = HOOK(va, BPF_TC_CUSTOM, 0xFFFFFFF3u);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 2, .priority = 2 };
	r = CALL("tc_query(custom ffff:fff3 2/2)", bpf_tc_query(&h, &o));
	print_opts("custom 2/2", &o);
	h = HOOK(vb, BPF_TC_EGRESS, 0);
	r = CALL("tc_query(sbpf_b egress, no qdisc)", bpf_tc_query(&h, &o));

	sec = "tc_detach";
	h = HOOK(va, BPF_TC_INGRESS, 0);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 7, .priority = 3 };
	r = CALL("tc_detach(ingress 7/3)", bpf_tc_detach(&h, &o));
	print_opts("after detach", &o);
	expect(r == 0, "detach/ok", "ret %d", r);
	r = CALL("tc_detach(ingress 7/3) again", bpf_tc_detach(&h, &o));
	expect(r == -ENOENT || r == -EINVAL, "detach/again-fails", "ret %d", r);
	r = CALL("tc_query(ingress 7/3) after detach", bpf_tc_query(&h, &o));
	expect(r < 0, "detach/query-fails", "ret %d", r);
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 2, .priority = 4 };
	r = CALL("tc_detach(ingress 2/4 wrong handle)", bpf_tc_detach(&h, &o));
	expect(strcmp(tc_state("sbpf_a", "ingress"), "4/0x8/TB/da;49151/0x1/TB/da;49152/0x1/TA/da;65535/0x9/TB/da;") == 0,
	       "detach/ingress-filters", "%s", tc_state("sbpf_a", "ingress"));

	sec = "tc_destroy";
	h = HOOK(va, BPF_TC_INGRESS, 0);
	r = CALL("tc_hook_destroy(ingress)", bpf_tc_hook_destroy(&h));
	expect(r == 0 && strcmp(tc_state("sbpf_a", "ingress"), "empty") == 0, "destroy/ingress-flushed", "ret %d %s", r, tc_state("sbpf_a", "ingress"));
	expect(strcmp(tc_state("sbpf_a", "egress"), "2/0x3/TB/da;2/0x2/TA/da;") == 0, "destroy/egress-kept", "%s", tc_state("sbpf_a", "egress"));
	expect(has_clsact("sbpf_a") == 1, "destroy/qdisc-kept", "clsact %d", has_clsact("sbpf_a"));
	r = CALL("tc_hook_destroy(ingress) again: empty chain", bpf_tc_hook_destroy(&h));
	h.attach_point = BPF_TC_EGRESS;
	r = CALL("tc_hook_destroy(egress)", bpf_tc_hook_destroy(&h));
	expect(r == 0 && strcmp(tc_state("sbpf_a", "egress"), "empty") == 0, "destroy/egress-flushed", "ret %d %s", r, tc_state("sbpf_a", "egress"));
	o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA, .handle = 4, .priority = 4 };
	r = CALL("tc_attach(egress 4/4) before qdisc destroy", bpf_tc_attach(&h, &o));
	h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	r = CALL("tc_hook_destroy(ingress|egress)", bpf_tc_hook_destroy(&h));
	expect(r == 0 && has_clsact("sbpf_a") == 0, "destroy/qdisc-removed", "ret %d clsact %d", r, has_clsact("sbpf_a"));
	r = CALL("tc_hook_destroy(ingress|egress) again", bpf_tc_hook_destroy(&h));
	expect(r < 0, "destroy/again-fails", "ret %d", r);
	h.attach_point = BPF_TC_EGRESS;
	r = CALL("tc_hook_create(egress) after destroy", bpf_tc_hook_create(&h));
	expect(r == 0 && has_clsact("sbpf_a") == 1, "destroy/recreate", "ret %d clsact %d", r, has_clsact("sbpf_a"));
	h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	r = CALL("tc_hook_destroy(ingress|egress) final", bpf_tc_hook_destroy(&h));
	expect(r == 0 && has_clsact("sbpf_a") == 0, "destroy/final", "ret %d clsact %d", r, has_clsact("sbpf_a"));
}

/* ------------------------------------------------------------ fault injection */
static void faults(void)
{
	/* run.sh reads this list (one section per mode): keep it between the markers */
	static const char *modes[] = { /* MODES-BEGIN */
		"noextack", "socketfail", "bindfail", "gsnfail", "gsnlen", "sendfail", "recv_eagain_once",
		"recv_eintr_once", "recv_enobufs", "recv_enobufs_real", "recv_zero", "badpid", "badseq",
		"noacktlvs", "capped", "errpos", "ackerr", "tlvbadlen", "tlvshortlen", "tlvnonul", "tlvtypebits",
		"tlvempty", "tlvdup", "donerr", "linkmulti", "tf_type", "tf_noecho", "tf_handle", "tf_info", "tf_kind",
		"tf_nokind", "tf_noopts", "tf_noid", "tf_id0",
	/* MODES-END */ };
	struct bpf_tc_hook h;
	struct bpf_tc_opts o;
	struct bpf_xdp_query_opts q;
	char label[128];
	int r;
	sec = "faults";
	if (!shim_set) {
		printf("%s shim not loaded\n", sec);
		return;
	}
	for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *mode = modes[m];
		char secname[64];
		snprintf(secname, sizeof(secname), "fault_%s", mode);
		sec = secname;
#define FCALL(what, expr) ({ shim(mode); snprintf(label, sizeof(label), "[%s] %s", mode, what); int _r = CALL(label, expr); shim(""); _r; })
		/* xdp: an attach that succeeds, one the kernel refuses, a query */
		FCALL("xdp_attach(lo, XA)", bpf_xdp_attach(lo, XA, XDP_FLAGS_SKB_MODE, NULL));
		FCALL("xdp_attach(lo, XB, NOEXIST)", bpf_xdp_attach(lo, XB, XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL));
		memset(&q, 0xAA, sizeof(q));
		q.sz = offsetof(struct bpf_xdp_query_opts, attach_mode) + 1;
		FCALL("xdp_query(lo)", bpf_xdp_query(lo, 0, &q));
		print_query(label, &q);
		__u32 id = 0xAAAAAAAAu;
		FCALL("xdp_query_id(0)", bpf_xdp_query_id(0, 0, &id));
		printf("%s query_id %s -> %s\n", sec, label, idname(id));
		bpf_xdp_detach(lo, 0, NULL);
		/* tc: create, create again (EEXIST), attach, attach again, query, detach, destroy */
		h = HOOK(vb, BPF_TC_INGRESS, 0);
		FCALL("tc_hook_create", bpf_tc_hook_create(&h));
		bpf_tc_hook_create(&h);
		FCALL("tc_hook_create again", bpf_tc_hook_create(&h));
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TA, .handle = 5, .priority = 5 };
		r = FCALL("tc_attach", bpf_tc_attach(&h, &o));
		print_opts(label, &o);
		if (r) bpf_tc_attach(&h, &o);
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .prog_fd = TB, .handle = 5, .priority = 5 };
		r = FCALL("tc_attach again", bpf_tc_attach(&h, &o));
		print_opts(label, &o);
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 5, .priority = 5 };
		FCALL("tc_query", bpf_tc_query(&h, &o));
		print_opts(label, &o);
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 6, .priority = 6 };
		FCALL("tc_query missing", bpf_tc_query(&h, &o));
		print_opts(label, &o);
		o = (struct bpf_tc_opts){ .sz = sizeof(o), .handle = 5, .priority = 5 };
		FCALL("tc_detach", bpf_tc_detach(&h, &o));
		h.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		FCALL("tc_hook_destroy", bpf_tc_hook_destroy(&h));
		bpf_tc_hook_destroy(&h);
#undef FCALL
	}
	sec = "faults";
	expect(strcmp(xdp_state("lo"), "none 0") == 0 && has_clsact("sbpf_b") == 0, "faults/clean", "%s clsact %d", xdp_state("lo"), has_clsact("sbpf_b"));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	libbpf_set_print(print_fn);
	shim_set = (void (*)(const char *))dlsym(RTLD_DEFAULT, "nlshim_set");
	unsetenv("LD_PRELOAD");  /* ip(8) and tc(8) run without the shim */
	va = if_nametoindex("sbpf_a");
	vb = if_nametoindex("sbpf_b");
	lo = if_nametoindex("lo");
	if (!va || !vb || !lo) { printf("init FATAL devices missing (run inside run.sh's namespace)\n"); return 2; }
	XA = prog_load(BPF_PROG_TYPE_XDP, 2, "sbpf_xa");
	XB = prog_load(BPF_PROG_TYPE_XDP, 2, "sbpf_xb");
	TA = prog_load(BPF_PROG_TYPE_SCHED_CLS, 0, "sbpf_ta");
	TB = prog_load(BPF_PROG_TYPE_SCHED_CLS, 0, "sbpf_tb_long_nm");
	XT = prog_load(BPF_PROG_TYPE_XDP, 2, "x");
	idXA = prog_id(XA); idXB = prog_id(XB); idTA = prog_id(TA); idTB = prog_id(TB); idXT = prog_id(XT);
	printf("init shim %s\n", shim_set ? "loaded" : "absent");
	int start = count_fds();

	const char *only = argc > 1 ? argv[1] : "all";
	if (!strcmp(only, "all") || !strcmp(only, "xdp")) { xdp_args(); xdp_modes(); }
	if (!strcmp(only, "all") || !strcmp(only, "tc")) { tc_args(); tc_flow(); }
	if (!strcmp(only, "all") || !strcmp(only, "faults")) faults();

	sec = "end";
	printf("end fds %s\n", count_fds() == start ? "same" : "CHANGED");
	printf("end expect-failures %d\n", nexpect_failed);
	printf("END\n");
	return 0;
}
