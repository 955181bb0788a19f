/* SwiftBPF btf_malformed test: feeds the blobs gen.py made (malformed and
 * accepted-but-odd BTF and .BTF.ext) to btf__new,
 * btf_ext__new and the btf__parse* family, and queries what was accepted.
 * (btf__new_split and btf_ext__raw_data are declared by the 1.1.2 headers but
 * not exported by the reference: split blobs go through btf__parse_raw_split,
 * raw .BTF.ext data through btf_ext__get_raw_data.)
 * Compiled once against the reference headers and run by run.sh against the
 * reference libbpf and against ours.
 *
 * usage: malformed MANIFEST
 *
 * Output (every line after MAPPED starts with the case name):
 *   MAPPED <realpath of every libbpf.so* mapped into this process>
 *   <case> call <api> ret=<NULL|obj> [errno=<e>] [ext=<NULL|obj>]
 *   <case> log <level> <message, escaped>        messages of the call
 *   <case> ...                                   queries on an accepted object
 *   END
 * errno is printed only for failed calls (set to 12345 before each call).
 * resolve_size / resolve_type / align_of run in a forked child each (they
 * follow type references, and the reference recurses without limit in
 * align_of): a line "<case> q <query> CRASH sig=<n>" records a crash (or a
 * hang: sig=14 after 0.5 s); the
 * messages of such a query are appended to its line as [L<level>:<text>].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/btf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_legacy.h>

#define SENTINEL 12345
#define MAX_IDS 64

static const char *g_case = "-";
static int g_capture;
static char g_captured[16384];

static void escape(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (; *in && n + 5 < size; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else if (c == '\\') {
			out[n++] = '\\';
			out[n++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			n += snprintf(out + n, size - n, "\\x%02x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = 0;
}

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char text[4096], esc[8192];
	vsnprintf(text, sizeof(text), fmt, ap);
	escape(text, esc, sizeof(esc));
	if (g_capture) {
		size_t n = strlen(g_captured);
		snprintf(g_captured + n, sizeof(g_captured) - n, " [L%d:%s]", (int)level, esc);
	} else {
		printf("%s log %d %s\n", g_case, (int)level, esc);
	}
	return 0;
}

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(n ? n : 1);
	if (n && fread(buf, 1, n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*size = n;
	return buf;
}

/* ------------------------------------------------------------ queries */

/* Number of u32 words after the 12-byte btf_type, as libbpf 1.1 sizes records. */
static int trailing_words(const struct btf_type *t)
{
	int vlen = BTF_INFO_VLEN(t->info);
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: return 1;
	case BTF_KIND_ARRAY: return 3;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: return 2 * vlen;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64: return 3 * vlen;
	default: return 0;
	}
}

static void print_name(const char *what, const struct btf *btf, __u32 off)
{
	char esc[1024];
	errno = SENTINEL;
	const char *s = btf__name_by_offset(btf, off);
	int e = errno;
	if (!s) {
		printf("%s %s %u -> NULL errno=%d\n", g_case, what, off, e);
		return;
	}
	escape(s, esc, sizeof(esc));
	printf("%s %s %u -> \"%s\"\n", g_case, what, off, esc);
}

enum query { Q_SIZE, Q_TYPE, Q_ALIGN };
static const char *query_names[] = { "resolve_size", "resolve_type", "align_of" };

/* Runs one following query in a child; prints its one line (or CRASH). */
static void forked_query(const struct btf *btf, enum query q, __u32 id)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char line[512];
		long long ret;
		int e;
		/* the reference loops forever on some reference loops (a tail
		 * call in align_of): such a query is ended after 0.5 s (SIGALRM) */
		struct itimerval limit = { .it_value = { .tv_sec = 0, .tv_usec = 500000 } };
		setitimer(ITIMER_REAL, &limit, NULL);
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		g_capture = 1;
		g_captured[0] = 0;
		errno = SENTINEL;
		switch (q) {
		case Q_SIZE: ret = btf__resolve_size(btf, id); break;
		case Q_TYPE: ret = btf__resolve_type(btf, id); break;
		default: ret = btf__align_of(btf, id); break;
		}
		e = errno;
		int failed = q == Q_ALIGN ? ret == 0 : ret < 0;
		if (failed)
			snprintf(line, sizeof(line), "ret=%lld errno=%d", ret, e);
		else
			snprintf(line, sizeof(line), "ret=%lld", ret);
		printf("%s q %s(%u) %s%s\n", g_case, query_names[q], id, line, g_captured);
		fflush(stdout);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("%s q %s(%u) CRASH sig=%d\n", g_case, query_names[q], id, WTERMSIG(status));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("%s q %s(%u) CRASH exit=%d\n", g_case, query_names[q], id, WEXITSTATUS(status));
}

static void query_btf(const struct btf *btf)
{
	__u32 cnt = btf__type_cnt(btf);
	__u32 raw_size = 0, limit;
	const void *raw;
	char esc[1024];

	printf("%s type_cnt %u\n", g_case, cnt);
	printf("%s endianness %d\n", g_case, (int)btf__endianness(btf));
	printf("%s base %s\n", g_case, btf__base_btf(btf) ? "yes" : "no");
	errno = SENTINEL;
	raw = btf__raw_data(btf, &raw_size);
	if (raw)
		printf("%s raw_data size=%u fnv=%016llx\n", g_case, raw_size, (unsigned long long)fnv(raw, raw_size));
	else
		printf("%s raw_data NULL errno=%d\n", g_case, errno);

	/* the other byte order and back (libbpf keeps one raw size for both) */
	enum btf_endianness native = btf__endianness(btf);
	struct btf *mbtf = (struct btf *)btf;
	for (int round = 0; round < 2; round++) {
		enum btf_endianness want = round == 0 ? (native == BTF_LITTLE_ENDIAN ? BTF_BIG_ENDIAN : BTF_LITTLE_ENDIAN) : native;
		int r = btf__set_endianness(mbtf, want);
		errno = SENTINEL;
		raw_size = 0;
		raw = btf__raw_data(btf, &raw_size);
		if (raw)
			printf("%s raw_data endian=%d set=%d size=%u fnv=%016llx\n", g_case, (int)want, r, raw_size,
			       (unsigned long long)fnv(raw, raw_size));
		else
			printf("%s raw_data endian=%d set=%d NULL errno=%d\n", g_case, (int)want, r, errno);
	}

	limit = cnt + 2 < MAX_IDS ? cnt + 2 : MAX_IDS;
	for (__u32 id = 0; id < limit; id++) {
		errno = SENTINEL;
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t) {
			printf("%s type %u -> NULL errno=%d\n", g_case, id, errno);
			continue;
		}
		printf("%s type %u -> kind=%u vlen=%u kflag=%u name_off=%u size_type=%u", g_case, id,
		       BTF_INFO_KIND(t->info), BTF_INFO_VLEN(t->info), BTF_INFO_KFLAG(t->info), t->name_off, t->size);
		const __u32 *w = (const __u32 *)(t + 1);
		for (int i = 0; i < trailing_words(t); i++)
			printf(" %u", w[i]);
		printf("\n");
		print_name("type_name", btf, t->name_off);
	}
	/* names: every offset of a small string section, then the extremes */
	for (__u32 off = 0; off < 96; off++)
		print_name("name", btf, off);
	__u32 extremes[] = { 200, 1000, 4096, 0x7fffffff, 0x80000000, 0xffffffff };
	for (size_t i = 0; i < sizeof(extremes) / sizeof(extremes[0]); i++)
		print_name("name", btf, extremes[i]);

	/* lookups: every name a type has, with its kind and another kind */
	const char *fixed[] = { "void", "", "nonexistent", "int", "long int", "t", "s" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		errno = SENTINEL;
		int r = btf__find_by_name(btf, fixed[i]);
		printf("%s find \"%s\" -> %d%s\n", g_case, fixed[i], r, r < 0 ? (errno == -r ? " errno=same" : " errno=other") : "");
	}
	for (__u32 id = 1; id < limit && id < cnt; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (!name)
			continue;
		escape(name, esc, sizeof(esc));
		__u32 kind = BTF_INFO_KIND(t->info);
		int r1 = btf__find_by_name(btf, name);
		int r2 = btf__find_by_name_kind(btf, name, kind);
		int r3 = btf__find_by_name_kind(btf, name, kind == BTF_KIND_TYPEDEF ? BTF_KIND_STRUCT : BTF_KIND_TYPEDEF);
		int r4 = btf__find_by_name_kind(btf, name, 0);
		printf("%s find_of %u \"%s\" -> %d %d %d %d\n", g_case, id, esc, r1, r2, r3, r4);
	}

	for (__u32 id = 0; id < limit; id++) {
		forked_query(btf, Q_SIZE, id);
		forked_query(btf, Q_TYPE, id);
		/* align_of of an id past the end dereferences NULL in the reference;
		 * ours answers EINVAL: both are covered by the CRASH rule in run.sh */
		forked_query(btf, Q_ALIGN, id);
	}
	/* pointer_size last: determining it may scan names */
	printf("%s pointer_size %zu\n", g_case, btf__pointer_size(btf));
}

static void query_ext(const struct btf_ext *ext, const void *input, size_t input_size)
{
	__u32 size = 0;
	const void *raw = btf_ext__get_raw_data(ext, &size);
	printf("%s ext_raw size=%u fnv=%016llx same_as_input=%s\n", g_case, size,
	       (unsigned long long)(raw ? fnv(raw, size) : 0),
	       input ? (raw && size == input_size && !memcmp(raw, input, size) ? "yes" : "no") : "n/a");
}

/* ---------------------------------------------------------------- main */

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

static void call_result(const char *api, const void *obj, int e, int has_ext, const void *ext)
{
	printf("%s call %s ret=%s", g_case, api, obj ? "obj" : "NULL");
	if (!obj)
		printf(" errno=%d", e);
	if (has_ext)
		printf(" ext=%s", ext ? "obj" : "NULL");
	printf("\n");
}

int main(int argc, char **argv)
{
	char line[8192];
	FILE *manifest;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MANIFEST\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	print_mapped();
	libbpf_set_print(print_cb);
	manifest = fopen(argv[1], "r");
	if (!manifest) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), manifest)) {
		char api[64], name[256], file[4096], basefile[4096] = "";
		if (sscanf(line, "%63s %255s %4095s %4095s", api, name, file, basefile) < 3)
			continue;
		g_case = name;
		size_t size = 0;
		void *data = NULL;
		struct btf *base = NULL, *btf = NULL;
		struct btf_ext *ext = NULL;
		int e;

		if (basefile[0]) {
			size_t bsize;
			void *bdata = read_file(basefile, &bsize);
			base = btf__new(bdata, bsize);
			free(bdata);
			if (!base) {
				printf("%s setup base failed errno=%d\n", name, errno);
				continue;
			}
		}
		if (!strcmp(api, "new") || !strcmp(api, "ext_new")) {
			if (strcmp(file, "-"))
				data = read_file(file, &size);
		}

		errno = SENTINEL;
		if (!strcmp(api, "new")) {
			btf = btf__new(data, size);
			e = errno;
			call_result(api, btf, e, 0, NULL);
		} else if (!strcmp(api, "ext_new")) {
			ext = btf_ext__new(data, size);
			e = errno;
			call_result(api, ext, e, 0, NULL);
			if (ext)
				query_ext(ext, data, size);
			btf_ext__free(ext);
		} else if (!strcmp(api, "parse_raw")) {
			btf = btf__parse_raw(file);
			e = errno;
			call_result(api, btf, e, 0, NULL);
		} else if (!strcmp(api, "parse_raw_split")) {
			btf = btf__parse_raw_split(file, base);
			e = errno;
			call_result(api, btf, e, 0, NULL);
		} else if (!strcmp(api, "parse") || !strcmp(api, "parse_elf")) {
			/* must be NULL: on a failure before .BTF.ext is parsed the
			 * reference frees whatever *btf_ext holds */
			ext = NULL;
			btf = !strcmp(api, "parse") ? btf__parse(file, &ext) : btf__parse_elf(file, &ext);
			e = errno;
			call_result(api, btf, e, 1, ext);
			if (ext)
				query_ext(ext, NULL, 0);
			btf_ext__free(ext);
		} else {
			printf("%s unknown api %s\n", name, api);
		}
		if (btf)
			query_btf(btf);
		btf__free(btf);
		btf__free(base);
		free(data);
		fflush(stdout);
	}
	fclose(manifest);
	printf("END\n");
	return 0;
}
