/*
 * SwiftBPF usdt probe: bpf_program__attach_usdt and SEC("usdt/...") auto-attach,
 * for real: the probe's own USDT probes (sys/sdt.h, several argument kinds, a
 * probe inlined at three sites, a semaphore probe), the probes of a shared
 * library built by run.sh (libusdt.so, one with a semaphore) and hand-written
 * SDT notes (edge cases of the note and argument formats) are attached, fired,
 * and what the BPF programs recorded through usdt.bpf.h (bpf_usdt_arg,
 * bpf_usdt_arg_cnt, bpf_usdt_cookie, BPF_USDT) is read back with raw bpf(2)
 * syscalls and printed. The spec map (__bpf_usdt_specs) is dumped raw after
 * attaches to show spec ids, dedup and the encoding of every argument kind.
 *
 * Compiled ONCE against the reference headers and linked with -lbpf and
 * libusdt.so; LD_LIBRARY_PATH decides which libbpf.so.1 is loaded.
 * argv: GEN dir (BPF objects, skeleton), LIB path, a non-ELF file, a 32-bit and
 * a big-endian copy of an ELF binary.
 *
 * Output: "MAPPED <realpath>", then "<section> ..." lines, then "END". The
 * library's log (warnings and info; debug lines of the USDT code) goes into the
 * current section, fds normalised. Lines starting with "<section> expect" hold
 * values fixed by the test itself (run.sh checks them against hand-written
 * values).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/sdt.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common.h"
#include "skel.skel.h"

#define SENTINEL 12345

static const char *section = "setup";
static char gen_dir[PATH_MAX], self_path[PATH_MAX];
static const char *lib_path, *text_path, *elf32_path, *elfbe_path;

int libusdt_add(int a, long b);
int libusdt_sema(int a);
int libusdt_sema_value(void);
int fire_sema(int v);
extern unsigned short test_sema_semaphore;

/* ------------------------------------------------------------- probes */

__attribute__((noinline, optimize("O0"))) void fire_args(uint64_t hint)
{
	int8_t a = -5;
	uint8_t b = 250;
	int16_t c = -1234;
	uint16_t d = 60000;
	int32_t e = -100000;
	uint32_t f = 4000000000u;
	int64_t g = -5000000000000LL;
	uint64_t h = 0xfedcba9876543210ULL;
	STAP_PROBE12(test, args, a, b, c, d, e, f, g, h, 42, -7, (int16_t)-300, hint);
}

static inline __attribute__((always_inline)) void multi(long x, int y)
{
	STAP_PROBE2(test, multi, x, y);
}

__attribute__((noinline)) void fire_multi(long base)
{
	multi(base + 1, 10);
	multi(base * 3, -20);
	multi(7, (int)base);
}

/* Hand-written SDT notes (never executed): name, argument string, base
 * expression, semaphore expression. Each site is 16 nops then the probe's nop,
 * so a base 0x10 too high (a "prelinked" binary) still lands on an
 * instruction. */
#define NOTE(prov, name, args, base, sema)                                              \
	__asm__ __volatile__(".rept 16\n nop\n .endr\n990: nop\n"                         \
			     ".pushsection .note.stapsdt,\"?\",\"note\"\n"                 \
			     ".balign 4\n .4byte 992f-991f, 994f-993f, 3\n"                \
			     "991: .asciz \"stapsdt\"\n992: .balign 4\n"                   \
			     "993: .8byte 990b\n .8byte " base "\n .8byte " sema "\n"     \
			     ".asciz \"" prov "\"\n .asciz \"" name "\"\n .asciz \"" args \
			     "\"\n994: .balign 4\n .popsection\n"                         \
			     ".ifndef _.stapsdt.base\n"                                   \
			     ".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
			     ".weak _.stapsdt.base\n .hidden _.stapsdt.base\n"            \
			     "_.stapsdt.base: .space 1\n .size _.stapsdt.base, 1\n"       \
			     ".popsection\n .endif\n")
#define N(name, args) NOTE("edge", name, args, "_.stapsdt.base", "0")
#define NOTEIP(name, ip)                                                    \
	__asm__ __volatile__(".pushsection .note.stapsdt,\"?\",\"note\"\n"   \
			     ".balign 4\n .4byte 992f-991f, 994f-993f, 3\n"  \
			     "991: .asciz \"stapsdt\"\n992: .balign 4\n"     \
			     "993: .8byte " ip "\n .8byte _.stapsdt.base\n .8byte 0\n" \
			     ".asciz \"edge\"\n .asciz \"" name "\"\n .asciz \"\"\n" \
			     "994: .balign 4\n .popsection\n")

long data_word = 5;

__attribute__((noinline, used)) void never_called(void)
{
	N("regs64", "8@%rip 8@%rax 8@%rbx 8@%rcx 8@%rdx 8@%rsi 8@%rdi 8@%rbp 8@%rsp 8@%r8 8@%r9 8@%r10");
	N("regs64b", "8@%r11 8@%r12 8@%r13 8@%r14 -8@%r15 -8@%eip");
	N("regs32", "4@%eax 4@%ebx 4@%ecx 4@%edx 4@%esi 4@%edi 4@%ebp 4@%esp 4@%r8d 4@%r9d 4@%r10d 4@%r11d");
	N("regs16", "2@%ax 2@%bx 2@%cx 2@%dx 2@%si 2@%di 2@%bp 2@%sp 2@%r12w 2@%r13w 2@%r14w 2@%r15w");
	N("regs8", "1@%al 1@%bl 1@%cl 1@%dl 1@%sil 1@%dil 1@%bpl 1@%spl 1@%r8b 1@%r9b -1@%r10b -1@%r15b");
	N("consts", "-4@$5 8@$-9 1@$300 -2@$-16 4@$077 -1@$-1 2@$65536 8@$99999999999999999999 -8@$-99999999999999999999 4@$+3");
	N("mem", "-4@-1204(%rbp) 8@(%rax) 2@8(%rsp) 1@ 3 ( %rbx) -8@+16(%r12) 4@-16(%rdi)");
	N("spaces", "  8@%rax \t -2@$7\n");
	N("empty", "");
	N("twelve", "1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 1@$11 1@$12");
	N("stale", "1@$1 8@(%rax");
	N("bad-ah", "1@%ah");
	N("bad-ip", "8@%ip");
	N("bad-xmm", "3@%xmm0");
	N("bad-long", "8@%abcdefghijklmnopqrs");
	N("bad-seg", "8@%fs:0x28");
	N("bad-index", "8@(%rax,%rbx,8)");
	N("bad-paren", "-8@16( %r12 )");
	N("bad-size3", "3@%rax");
	N("bad-size16", "8@%rax -16@%rax");
	N("bad-size0", "0@$1");
	N("bad-hex", "4@$1 1@$0x10");
	N("bad-junk", "8@%rax junk");
	N("bad-spaces", "   ");
	N("bad-nosize", "%rax");
	N("bad-13", "1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 1@$11 1@$12 1@$13");
	N("bad-12junk", "1@$1 1@$2 1@$3 1@$4 1@$5 1@$6 1@$7 1@$8 1@$9 1@$10 1@$11 1@$12 junk");
	N("bad-cut", "8@(%rax");
	N("bad-comma", "8@%rax,4@$7");
	N("bad-then-ok", "8@%xmm1");
	N("bad-then-ok", "8@%rax");
	NOTE("edge", "prelinked", "8@%rax", "_.stapsdt.base+0x10", "0");
	NOTE("edge", "sema-prelinked", "8@%rax", "_.stapsdt.base+0x10", "data_word");
	NOTE("edge", "sema-exec", "8@%rax", "_.stapsdt.base", "never_called");
	NOTE("edge", "sema-out", "8@%rax", "_.stapsdt.base", "0x7777777");
	NOTE("edge", "sema-badargs", "8@%xmm0", "_.stapsdt.base", "never_called");
	NOTEIP("ip-data", "data_word");
	NOTEIP("ip-out", "0x7777777");
	/* spec ids: one site; three sites with two distinct argument strings (the
	 * same operands spelt differently are different specs); three distinct */
	NOTE("spec", "one", "8@%rax", "_.stapsdt.base", "0");
	NOTE("spec", "dup", "8@%rax", "_.stapsdt.base", "0");
	NOTE("spec", "dup", " 8@%rax", "_.stapsdt.base", "0");
	NOTE("spec", "dup", "8@%rax", "_.stapsdt.base", "0");
	NOTE("spec", "three", "-4@%edi", "_.stapsdt.base", "0");
	NOTE("spec", "three", "2@%si", "_.stapsdt.base", "0");
	NOTE("spec", "three", "1@$9", "_.stapsdt.base", "0");
}

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

/* "fd=12", "FD 12" -> "fd=N", "FD N" */
static void normalise(char *s)
{
	char buf[4096], *o = buf;
	for (const char *p = s; *p && o < buf + sizeof(buf) - 8;) {
		if ((!strncmp(p, "fd=", 3) || !strncmp(p, "FD ", 3)) && p[3] >= '0' && p[3] <= '9') {
			memcpy(o, p, 3);
			o += 3;
			*o++ = 'N';
			p += 3;
			while (*p >= '0' && *p <= '9')
				p++;
			continue;
		}
		*o++ = *p++;
	}
	*o = 0;
	strcpy(s, buf);
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level == LIBBPF_DEBUG && !strstr(msg, "libbpf: usdt:"))
		return 0;
	msg[strcspn(msg, "\n")] = 0;
	normalise(msg);
	printf("%s log%d: %s\n", section, level, msg);
	return 0;
}

/* --------------------------------------------------------- raw bpf(2) */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int raw_lookup(int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &a);
}

static int raw_update(int fd, const void *key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &a);
}

/* ----------------------------------------------------------- records */

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	return m ? bpf_map__fd(m) : -1;
}

static void clear_recs(struct bpf_object *obj)
{
	int rfd = map_fd(obj, "recs"), nfd = map_fd(obj, "nrec");
	struct rec zero;
	__u32 k, z = 0;
	memset(&zero, 0, sizeof(zero));
	for (k = 0; k < NREC; k++)
		raw_update(rfd, &k, &zero);
	k = 0;
	raw_update(nfd, &k, &z);
}

/* Prints the records: "<tag> rec #i prog P pid self|child|other cnt C cookie X
 * rets ... args ..." (rets/args up to max(cnt, nargs)). */
static unsigned long long last_cookies[NREC];

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return x < y ? -1 : x > y;
}

static int print_recs(struct bpf_object *obj, const char *tag, int nargs, pid_t child)
{
	int rfd = map_fd(obj, "recs"), nfd = map_fd(obj, "nrec");
	__u32 k = 0, n = 0;
	char line[2048];
	raw_lookup(nfd, &k, &n);
	out("%s records %u", tag, n);
	for (k = 0; k < n && k < NREC; k++) {
		struct rec r;
		int len, i, shown;
		memset(&r, 0, sizeof(r));
		raw_lookup(rfd, &k, &r);
		last_cookies[k] = r.cookie;
		shown = r.prog == 1 ? 12 : nargs;
		len = snprintf(line, sizeof(line), "%s rec #%u prog %u pid %s cnt %d cookie 0x%llx", tag, k, r.prog,
			       r.pid == (__u32)getpid() ? "self" : (child && r.pid == (__u32)child) ? "child" : "other", r.cnt,
			       (unsigned long long)r.cookie);
		if (r.prog == 1) {
			len += snprintf(line + len, sizeof(line) - len, " rets");
			for (i = 0; i < 12; i++)
				len += snprintf(line + len, sizeof(line) - len, " %d", r.rets[i]);
			shown = r.cnt > 0 ? r.cnt : 0;
		}
		len += snprintf(line + len, sizeof(line) - len, " args");
		for (i = 0; i < shown && i < 12; i++)
			len += snprintf(line + len, sizeof(line) - len, " %lld", (long long)r.args[i]);
		out("%s", line);
	}
	clear_recs(obj);
	return n;
}

/* The spec map, raw: every non-zero element. */
struct arg_spec {
	__u64 val_off;
	__u32 arg_type;
	short reg_off;
	char arg_signed;
	char arg_bitshift;
};
struct usdt_spec {
	struct arg_spec args[12];
	__u64 cookie;
	short cnt;
};

static void clear_specs(struct bpf_object *obj)
{
	int fd = map_fd(obj, "__bpf_usdt_specs");
	struct usdt_spec zero;
	memset(&zero, 0, sizeof(zero));
	for (__u32 k = 0; k < 256; k++)
		if (raw_update(fd, &k, &zero))
			break;
}

static void dump_specs(struct bpf_object *obj, const char *tag)
{
	int fd = map_fd(obj, "__bpf_usdt_specs");
	static const struct usdt_spec zero;
	char line[2048];
	for (__u32 k = 0; k < 256; k++) {
		struct usdt_spec s;
		int len, i;
		memset(&s, 0, sizeof(s));
		if (raw_lookup(fd, &k, &s))
			break;
		if (!memcmp(&s, &zero, sizeof(s)))
			continue;
		len = snprintf(line, sizeof(line), "%s spec #%u cookie 0x%llx cnt %d:", tag, k, (unsigned long long)s.cookie,
			       s.cnt);
		for (i = 0; i < s.cnt && i < 12; i++)
			len += snprintf(line + len, sizeof(line) - len, " [%u 0x%llx %d %d %d]", s.args[i].arg_type,
					(unsigned long long)s.args[i].val_off, s.args[i].reg_off, s.args[i].arg_signed,
					s.args[i].arg_bitshift);
		out("%s", line);
	}
}

/* ------------------------------------------------------------ helpers */

static struct bpf_object *open_load(const char *file)
{
	char path[PATH_MAX + 64];
	struct bpf_object *obj;
	snprintf(path, sizeof(path), "%s/%s", gen_dir, file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		out("open %s failed errno %d", file, errno);
		return NULL;
	}
	if (bpf_object__load(obj)) {
		out("load %s failed errno %d", file, errno);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

static struct bpf_program *prog(struct bpf_object *obj, const char *name)
{
	return bpf_object__find_program_by_name(obj, name);
}

/* Attaches and prints "<tag> -> ok|NULL errno E"; returns the link. */
static struct bpf_link *attach(const char *tag, struct bpf_program *p, pid_t pid, const char *path, const char *provider,
			       const char *name, const struct bpf_usdt_opts *opts)
{
	struct bpf_link *l;
	errno = SENTINEL;
	l = bpf_program__attach_usdt(p, pid, path, provider, name, opts);
	if (l)
		out("%s -> ok", tag);
	else
		out("%s -> NULL errno %d get_error %ld", tag, errno, libbpf_get_error(l));
	return l;
}

static void destroy(const char *tag, struct bpf_link *l)
{
	if (!l)
		return;
	errno = SENTINEL;
	int r = bpf_link__destroy(l);
	out("%s destroy %d", tag, r);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ------------------------------------------------------------ sections */

static struct bpf_object *main_obj;

static void t_args(void)
{
	section = "args";
	LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = 0xc0ffee);
	struct bpf_link *l = attach("attach test:args", prog(main_obj, "rec_any"), -1, self_path, "test", "args", &o);
	out("link fd %d", l ? bpf_link__fd(l) : -99);
	fire_args(0x1234);
	print_recs(main_obj, "expect args", 12, 0);
	destroy("test:args", l);
	fire_args(1);
	print_recs(main_obj, "expect after-destroy", 12, 0);

	/* the inlined probe: three sites, through bpf_usdt_arg and BPF_USDT */
	l = attach("attach test:multi own pid", prog(main_obj, "rec_any"), getpid(), self_path, "test", "multi", NULL);
	fire_multi(5);
	print_recs(main_obj, "expect multi", 2, 0);
	destroy("test:multi", l);
	l = attach("attach test:multi typed", prog(main_obj, "rec_typed"), -1, self_path, "test", "multi", NULL);
	fire_multi(-4);
	print_recs(main_obj, "expect typed", 2, 0);
	destroy("test:multi typed", l);
}

static void t_sema(void)
{
	section = "sema";
	out("expect semaphore before %u", test_sema_semaphore);
	struct bpf_link *l = attach("attach test:sema", prog(main_obj, "rec_any"), -1, self_path, "test", "sema", NULL);
	out("expect semaphore attached %u", test_sema_semaphore);
	fire_sema(21);
	print_recs(main_obj, "expect sema", 2, 0);
	struct bpf_link *l2 = attach("attach test:sema again", prog(main_obj, "rec_any"), getpid(), self_path, "test", "sema", NULL);
	out("expect semaphore twice %u", test_sema_semaphore);
	destroy("test:sema", l);
	destroy("test:sema again", l2);
	out("expect semaphore after %u", test_sema_semaphore);
	fire_sema(22);
	print_recs(main_obj, "expect sema-after", 2, 0);
}

static void t_lib(void)
{
	section = "lib";
	LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = 77);
	struct bpf_link *l = attach("attach libusdt:add", prog(main_obj, "rec_any"), -1, lib_path, "libusdt", "add", &o);
	libusdt_add(-3, -4000000000L);
	print_recs(main_obj, "expect lib-add", 2, 0);
	destroy("libusdt:add", l);
	out("expect lib semaphore before %u", libusdt_sema_value());
	l = attach("attach libusdt:sema", prog(main_obj, "rec_any"), getpid(), lib_path, "libusdt", "sema", NULL);
	out("expect lib semaphore attached %u", libusdt_sema_value());
	libusdt_sema(99);
	print_recs(main_obj, "expect lib-sema", 1, 0);
	destroy("libusdt:sema", l);
	out("expect lib semaphore after %u", libusdt_sema_value());
	/* the lib's probes are not in the executable, and the reverse */
	attach("attach libusdt:add in exe", prog(main_obj, "rec_any"), -1, self_path, "libusdt", "add", NULL);
	attach("attach test:args in lib", prog(main_obj, "rec_any"), -1, lib_path, "test", "args", NULL);
}

static void t_pid(void)
{
	int go[2];
	pid_t child;
	section = "pid";
	if (pipe(go)) {
		out("pipe failed");
		return;
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		fire_args(2);
		libusdt_add(1, 2);
		_exit(0);
	}
	close(go[0]);
	LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = 7);
	struct bpf_link *l = attach("attach test:args pid child", prog(main_obj, "rec_any"), child, self_path, "test", "args", &o);
	struct bpf_link *l2 = attach("attach libusdt:add pid child", prog(main_obj, "rec_typed"), child, lib_path, "libusdt", "add", NULL);
	struct bpf_link *l3 = attach("attach test:args pid self", prog(main_obj, "rec_typed"), getpid(), self_path, "test", "args", NULL);
	if (write(go[1], "g", 1) != 1)
		out("write failed");
	close(go[1]);
	waitpid(child, NULL, 0);
	fire_args(3);
	libusdt_add(5, 6);
	print_recs(main_obj, "expect pid", 2, child);
	destroy("pid child", l);
	destroy("pid child lib", l2);
	destroy("pid self", l3);
}

static void t_cookie(void)
{
	section = "cookie";
	LIBBPF_OPTS(bpf_usdt_opts, o1, .usdt_cookie = 0x1111111111111111ULL);
	LIBBPF_OPTS(bpf_usdt_opts, o2, .usdt_cookie = 2);
	struct bpf_link *l1 = attach("attach cookie 1", prog(main_obj, "rec_any"), -1, self_path, "test", "multi", &o1);
	struct bpf_link *l2 = attach("attach cookie 2", prog(main_obj, "rec_typed"), -1, self_path, "test", "multi", &o2);
	struct bpf_link *l3 = attach("attach cookie none", prog(main_obj, "rec_typed"), -1, self_path, "test", "multi", NULL);
	/* sz 8: usdt_cookie is past sz and reads as 0 */
	struct { size_t sz; uint64_t cookie; } small = { 8, 55 };
	struct bpf_link *l4 = attach("attach cookie sz8", prog(main_obj, "rec_typed"), -1, self_path, "test", "multi", (void *)&small);
	multi(100, 200);
	int n = print_recs(main_obj, "expect cookie", 2, 0);
	char line[512];
	int len = snprintf(line, sizeof(line), "expect cookies");
	qsort(last_cookies, n, sizeof(last_cookies[0]), cmp_u64);
	for (int i = 0; i < n && i < NREC; i++)
		len += snprintf(line + len, sizeof(line) - len, " 0x%llx", last_cookies[i]);
	out("%s", line);
	destroy("cookie 1", l1);
	destroy("cookie 2", l2);
	destroy("cookie none", l3);
	destroy("cookie sz8", l4);
}

static void t_auto(void)
{
	struct bpf_link *l, *l2;
	section = "auto";
	errno = SENTINEL;
	l = bpf_program__attach(prog(main_obj, "rec_auto"));
	out("attach rec_auto -> %s errno %d", l ? "ok" : "NULL", l ? 0 : errno);
	errno = SENTINEL;
	l2 = bpf_program__attach(prog(main_obj, "rec_autolib"));
	out("attach rec_autolib -> %s errno %d", l2 ? "ok" : "NULL", l2 ? 0 : errno);
	fire_multi(10);
	libusdt_add(8, 9);
	print_recs(main_obj, "expect auto", 2, 0);
	destroy("rec_auto", l);
	destroy("rec_autolib", l2);
	errno = SENTINEL;
	l = bpf_program__attach(prog(main_obj, "rec_missing"));
	out("attach rec_missing -> %s errno %d", l ? "ok" : "NULL", l ? 0 : errno);
	errno = SENTINEL;
	l = bpf_program__attach(prog(main_obj, "rec_badsec"));
	out("attach rec_badsec -> %s errno %d", l ? "ok" : "NULL", l ? 0 : errno);

	section = "skel";
	struct skel *s = skel__open_and_load();
	if (!s) {
		out("open_and_load failed errno %d", errno);
		return;
	}
	out("expect lib semaphore before %u", libusdt_sema_value());
	errno = SENTINEL;
	int r = skel__attach(s);
	out("attach %d links %s %s", r, s->links.skel_args ? "set" : "unset", s->links.skel_libsema ? "set" : "unset");
	out("expect lib semaphore attached %u", libusdt_sema_value());
	fire_args(0x55);
	libusdt_sema(-8);
	print_recs(s->obj, "expect skel", 3, 0);
	skel__destroy(s);
	out("expect lib semaphore after %u", libusdt_sema_value());
}

static void t_specs(void)
{
	section = "specs";
	struct bpf_object *obj = open_load("small.bpf.o");
	if (!obj)
		return;
	struct bpf_program *p = prog(obj, "small");
	struct bpf_link *l[8] = { 0 };
	LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = 1);
	l[0] = attach("L0 spec:dup c1", p, -1, self_path, "spec", "dup", &o);
	dump_specs(obj, "after L0");
	o.usdt_cookie = 2;
	l[1] = attach("L1 spec:three c2", p, -1, self_path, "spec", "three", &o);
	o.usdt_cookie = 3;
	l[2] = attach("L2 spec:one c3", p, -1, self_path, "spec", "one", &o);
	dump_specs(obj, "after L2");
	o.usdt_cookie = 4;
	l[3] = attach("L3 spec:one c4", p, -1, self_path, "spec", "one", &o);
	destroy("L0", l[0]);
	o.usdt_cookie = 5;
	l[4] = attach("L4 spec:three c5", p, -1, self_path, "spec", "three", &o);
	dump_specs(obj, "after L4");
	destroy("L2", l[2]);
	destroy("L3", l[3]);
	o.usdt_cookie = 6;
	l[5] = attach("L5 spec:dup c6", p, -1, self_path, "spec", "dup", &o);
	dump_specs(obj, "after L5");
	destroy("L4", l[4]);
	destroy("L5", l[5]);
	bpf_object__close(obj);
}

static void t_parse(void)
{
	static const char *names[] = {
		"regs64", "regs64b", "regs32", "regs16", "regs8", "consts", "mem", "spaces", "empty", "twelve", "stale",
		"bad-ah", "bad-ip", "bad-xmm", "bad-long", "bad-seg", "bad-index", "bad-paren", "bad-size3",
		"bad-size16", "bad-size0", "bad-hex", "bad-junk", "bad-spaces", "bad-nosize", "bad-13", "bad-12junk",
		"bad-cut", "bad-comma", "bad-then-ok", "prelinked", "sema-prelinked", "sema-exec", "sema-out",
		"sema-badargs", "ip-data", "ip-out", "no-such-name",
	};
	section = "parse";
	struct bpf_object *obj = open_load("usdt.bpf.o");
	if (!obj)
		return;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char tag[128];
		LIBBPF_OPTS(bpf_usdt_opts, o, .usdt_cookie = 0x100 + i);
		clear_specs(obj);
		snprintf(tag, sizeof(tag), "edge:%s", names[i]);
		struct bpf_link *l = attach(tag, prog(obj, "rec_any"), -1, self_path, "edge", names[i], &o);
		dump_specs(obj, tag);
		destroy(tag, l);
	}
	bpf_object__close(obj);
}

static void t_errors(void)
{
	section = "errors";
	struct bpf_program *p = prog(main_obj, "rec_any");
	attach("unknown name", p, -1, self_path, "test", "nope", NULL);
	attach("unknown provider", p, -1, self_path, "nope", "args", NULL);
	attach("missing binary", p, -1, "/nonexistent/usdt-binary", "test", "args", NULL);
	attach("missing binary no slash", p, -1, "swiftbpf-no-such-binary", "test", "args", NULL);
	attach("no notes via PATH", p, -1, "true", "test", "args", NULL);
	attach("no notes", p, -1, "/bin/true", "test", "args", NULL);
	attach("not ELF", p, -1, text_path, "test", "args", NULL);
	attach("directory", p, -1, gen_dir, "test", "args", NULL);
	{
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/usdt.bpf.o", gen_dir);
		attach("ET_REL", p, -1, path, "test", "args", NULL);
	}
	attach("32-bit", p, -1, elf32_path, "test", "args", NULL);
	attach("big-endian", p, -1, elfbe_path, "test", "args", NULL);
	attach("NULL path", p, -1, NULL, "test", "args", NULL);
	attach("bad pid", p, 999999999, self_path, "test", "args", NULL);
	struct bpf_link *l = attach("pid 0", p, 0, self_path, "test", "multi", NULL);
	destroy("pid 0", l);

	struct { size_t sz; uint64_t v[6]; } opts;
	memset(&opts, 0, sizeof(opts));
	attach("opts sz 0", p, -1, self_path, "test", "multi", (void *)&opts);
	opts.sz = 4;
	attach("opts sz 4", p, -1, self_path, "test", "multi", (void *)&opts);
	opts.sz = 48;
	((unsigned char *)&opts)[40] = 1;
	attach("opts sz 48 byte 40", p, -1, self_path, "test", "multi", (void *)&opts);
	memset(&opts, 0, sizeof(opts));
	opts.sz = 40;
	((unsigned char *)&opts)[32] = 1;
	l = attach("opts sz 40 byte 32", p, -1, self_path, "test", "multi", (void *)&opts);
	destroy("opts sz 40", l);
	opts.sz = 0;
	/* the opts are checked before the program fd and the binary */
	{
		char path[PATH_MAX + 32];
		snprintf(path, sizeof(path), "%s/usdt.bpf.o", gen_dir);
		struct bpf_object *obj = bpf_object__open_file(path, NULL);
		struct bpf_program *up = obj ? prog(obj, "rec_any") : NULL;
		attach("unloaded program", up, -1, self_path, "test", "args", NULL);
		attach("unloaded program, bad opts", up, -1, self_path, "test", "args", (void *)&opts);
		attach("unloaded program, NULL path", up, -1, NULL, "test", "args", NULL);
		errno = SENTINEL;
		struct bpf_link *al = bpf_program__attach(up ? prog(obj, "rec_auto") : NULL);
		out("auto-attach unloaded -> %s errno %d", al ? "ok" : "NULL", al ? 0 : errno);
		bpf_object__close(obj);
	}
	struct bpf_object *nm = open_load("nomap.bpf.o");
	if (nm) {
		attach("no usdt maps", prog(nm, "nomap"), -1, self_path, "test", "args", NULL);
		attach("no usdt maps, no slash", prog(nm, "nomap"), -1, "swiftbpf-no-such-binary", "test", "args", NULL);
		attach("no usdt maps, missing binary", prog(nm, "nomap"), -1, "/nonexistent/x", "test", "args", NULL);
		bpf_object__close(nm);
	}
}

static void t_leaks(void)
{
	section = "leaks";
	int initial = count_fds();
	struct bpf_object *obj = open_load("small.bpf.o");
	if (!obj)
		return;
	struct bpf_program *p = prog(obj, "small");
	int before = count_fds(), ok = 0, fail = 0;
	libbpf_set_print(NULL);
	for (int i = 0; i < 20; i++) {
		struct bpf_link *l = bpf_program__attach_usdt(p, -1, self_path, "spec", i % 2 ? "three" : "dup", NULL);
		if (l)
			ok++;
		else
			fail++;
		bpf_link__destroy(l);
		/* failing attaches must not leak either */
		l = bpf_program__attach_usdt(p, -1, self_path, "edge", "bad-xmm", NULL);
		bpf_link__destroy(l);
	}
	libbpf_set_print(print_fn);
	int after = count_fds();
	out("expect 20 attach/destroy cycles: ok %d failed %d", ok, fail);
	out("expect fds equal %s", before == after ? "yes" : "no");
	/* all 4 spec ids are free again */
	struct bpf_link *a = attach("dup after cycles", p, -1, self_path, "spec", "dup", NULL);
	struct bpf_link *b = attach("one after cycles", p, -1, self_path, "spec", "one", NULL);
	struct bpf_link *c = attach("one again (E2BIG)", p, -1, self_path, "spec", "one", NULL);
	struct bpf_link *d = attach("one again", p, -1, self_path, "spec", "one", NULL);
	destroy("dup", a);
	destroy("one", b);
	destroy("one again", c);
	destroy("one again", d);
	bpf_object__close(obj);
	out("expect fds after close equal %s", count_fds() == initial ? "yes" : "no");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	if (argc < 6) {
		printf("setup usage: probe GEN LIB TEXT ELF32 ELFBE\nEND\n");
		return 2;
	}
	snprintf(gen_dir, sizeof(gen_dir), "%s", argv[1]);
	lib_path = argv[2];
	text_path = argv[3];
	elf32_path = argv[4];
	elfbe_path = argv[5];
	if (!realpath("/proc/self/exe", self_path)) {
		printf("setup realpath failed\nEND\n");
		return 2;
	}
	libbpf_set_print(print_fn);
	section = "load";
	main_obj = open_load("usdt.bpf.o");
	if (!main_obj) {
		printf("END\n");
		return 1;
	}
	out("loaded");
	t_args();
	t_sema();
	t_lib();
	t_pid();
	t_cookie();
	t_auto();
	t_specs();
	t_parse();
	t_errors();
	t_leaks();
	bpf_object__close(main_obj);
	section = "END";
	printf("END\n");
	return 0;
}
