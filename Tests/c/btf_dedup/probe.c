/* SwiftBPF btf_dedup probe: runs btf__dedup on many BTFs and reports, per case,
 * the return value, errno, the raw data (size + FNV-1a hash, and the bytes in
 * OUTDIR/<case>.btf for a byte-level compare by run.sh), a walk of every type
 * through the query API, lookups by name, and what adding a type/string after
 * dedup gives (the string index and type offsets must stay consistent).
 *
 * Compiled ONCE against the reference headers and linked with -lbpf; which
 * libbpf.so.1 gets loaded is decided by LD_LIBRARY_PATH at run time.
 *
 * Usage: probe hand   OUTDIR                 hand-built BTFs
 *        probe objs   OUTDIR OBJ...          BPF objects (.BTF and .BTF.ext), their union
 *        probe vmlinux OUTDIR VMLINUX OBJ... vmlinux, vmlinux twice, split BTF on it
 * Output: "MAPPED <realpath>" then "case ..." / "log ..." lines (deterministic),
 * and "time <case> <usec>" lines (timing, not compared).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static const char *outdir;

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
		char *p = strchr(line, '/'), rp[PATH_MAX];
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strncmp(strrchr(p, '/') + 1, "libbpf.so", 9) != 0)
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
	fclose(m);
	printf("\n");
}

/* libbpf log lines, all levels, as "log <level> <text>" */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, args);
	buf[strcspn(buf, "\n")] = 0;
	printf("log %d %s\n", level, buf);
	return 0;
}

static uint64_t fnv(const void *data, size_t n, uint64_t h)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}
#define FNV0 1469598103934665603ULL

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void write_file(const char *name, const char *suffix, const void *data, size_t n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s.%s", outdir, name, suffix);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	if (n)
		fwrite(data, 1, n, f);
	fclose(f);
}

/* raw size/hash; every type through btf__type_by_id and its name; lookups */
static void describe(const char *name, const char *what, struct btf *btf)
{
	uint32_t size = 0, n = btf__type_cnt(btf);
	const void *raw = btf__raw_data(btf, &size);
	uint64_t h = FNV0;
	char file[256];

	printf("case %s %s raw=%s size=%u hash=%016llx types=%u\n", name, what, raw ? "ok" : "NULL", size,
	       raw ? (unsigned long long)fnv(raw, size, FNV0) : 0ULL, n);
	snprintf(file, sizeof(file), "%s.%s", name, what);
	if (raw)
		write_file(file, "btf", raw, size);
	const struct btf *base = btf__base_btf(btf);
	uint32_t first = base ? btf__type_cnt(base) : 1;
	for (uint32_t id = first; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		if (!t) {
			printf("case %s %s type %u NULL\n", name, what, id);
			continue;
		}
		const char *nm = btf__name_by_offset(btf, t->name_off);
		h = fnv(t, sizeof(*t), h);
		if (nm)
			h = fnv(nm, strlen(nm) + 1, h);
		/* name lookups for a sample of named types */
		if (nm && *nm && id % 7 == 0) {
			int byname = btf__find_by_name_kind(btf, nm, btf_kind(t));
			h = fnv(&byname, sizeof(byname), h);
		}
	}
	printf("case %s %s walk=%016llx\n", name, what, (unsigned long long)h);
}

/* dedup with opts; report; then modify after dedup and report again */
static int run_dedup(const char *name, struct btf *btf, struct btf_ext *ext, int force)
{
	LIBBPF_OPTS(btf_dedup_opts, opts, .btf_ext = ext, .force_collisions = force);
	errno = 0;
	double t0 = now_us();
	int err = btf__dedup(btf, &opts);
	double t1 = now_us();
	int e = errno;
	printf("case %s dedup ret=%d errno=%d\n", name, err, err ? e : 0);
	fprintf(stderr, "time %s %.0f\n", name, t1 - t0);
	describe(name, "after", btf);
	if (ext) {
		uint32_t sz = 0;
		const void *d = btf_ext__get_raw_data(ext, &sz);
		printf("case %s ext size=%u hash=%016llx\n", name, sz, d ? (unsigned long long)fnv(d, sz, FNV0) : 0ULL);
		if (d) {
			char file[256];
			snprintf(file, sizeof(file), "%s.ext", name);
			write_file(file, "btf", d, sz);
		}
	}
	return err;
}

static void post_modify(const char *name, struct btf *btf)
{
	/* the string index must know every string of the rewritten section */
	int s1 = btf__find_str(btf, "int");
	int s2 = btf__add_str(btf, "int");
	int s3 = btf__add_str(btf, "a brand new string");
	int id = btf__add_int(btf, "post_dedup_int", 4, 0);
	int p = btf__add_ptr(btf, id > 0 ? id : 0);
	printf("case %s post find=%d add=%d new=%d int=%d ptr=%d\n", name, s1, s2, s3, id, p);
	describe(name, "post", btf);
}

/* ---------------------------------------------------------------- explode
 * Rebuilds a BTF from its raw data with every string reference pointing to its
 * own copy of the string (and junk strings in between), so that string dedup has
 * work to do: what several compilation units' BTF looks like before dedup.
 * Split BTF: base strings referenced are copied too (dedup maps them back). */
static int rec_size(const uint32_t *t)
{
	uint32_t info = t[1], kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: return 16;
	case BTF_KIND_ARRAY: return 24;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC: case BTF_KIND_ENUM64: return 12 + 12 * vlen;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO: return 12 + 8 * vlen;
	default: return 12;
	}
}

static int str_fields(const uint32_t *t, int *offs)
{
	uint32_t info = t[1], kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
	int n = 0;
	offs[n++] = 0;
	for (uint32_t i = 0; i < vlen; i++) {
		if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM64)
			offs[n++] = 3 + 3 * i;
		else if (kind == BTF_KIND_ENUM || kind == BTF_KIND_FUNC_PROTO)
			offs[n++] = 3 + 2 * i;
	}
	return n;
}

static struct btf *explode(struct btf *src, struct btf *base, int swap)
{
	uint32_t size;
	const struct btf_header *h = btf__raw_data(src, &size);
	if (!h)
		return NULL;
	uint32_t start_str = 0;
	if (base) {
		uint32_t bs;
		const struct btf_header *bh = btf__raw_data(base, &bs);
		start_str = bh->str_len;
	}
	uint32_t tlen = h->type_len;
	uint32_t *types = malloc(tlen + 4);
	memcpy(types, (const char *)h + h->hdr_len + h->type_off, tlen);
	size_t cap = 1 << 16, slen = 0;
	char *strs = malloc(cap);
	if (!base)
		strs[slen++] = 0;
	const char *junk[] = { "junk", "int", "", "zzz" };
	int *offs = malloc(sizeof(int) * 3 * 65536 + 64), k = 0;
	for (uint32_t off = 0; off < tlen;) {
		uint32_t *t = (uint32_t *)((char *)types + off);
		int n = str_fields(t, offs);
		for (int i = 0; i < n; i++) {
			uint32_t so = t[offs[i]];
			if (so == 0)
				continue;
			const char *s = btf__str_by_offset(src, so);
			if (!s)
				continue;
			const char *j = junk[k++ % 4];
			size_t need = strlen(s) + strlen(j) + 2;
			while (slen + need > cap)
				strs = realloc(strs, cap *= 2);
			if (k % 3 == 0) { /* junk before */
				memcpy(strs + slen, j, strlen(j) + 1);
				slen += strlen(j) + 1;
			}
			t[offs[i]] = start_str + slen;
			memcpy(strs + slen, s, strlen(s) + 1);
			slen += strlen(s) + 1;
		}
		off += rec_size(t);
	}
	size_t total = sizeof(struct btf_header) + tlen + slen;
	struct btf_header *out = calloc(1, total);
	out->magic = BTF_MAGIC;
	out->version = 1;
	out->hdr_len = sizeof(struct btf_header);
	out->type_off = 0;
	out->type_len = tlen;
	out->str_off = tlen;
	out->str_len = slen;
	memcpy((char *)(out + 1), types, tlen);
	memcpy((char *)(out + 1) + tlen, strs, slen);
	struct btf *res;
	if (swap) {
		/* byte-swap everything: header and every 32-bit word of the types */
		uint32_t *w = (uint32_t *)((char *)(out + 1));
		for (uint32_t i = 0; i < tlen / 4; i++)
			w[i] = __builtin_bswap32(w[i]);
		out->magic = __builtin_bswap16(out->magic);
		out->hdr_len = __builtin_bswap32(out->hdr_len);
		out->type_len = __builtin_bswap32(out->type_len);
		out->str_off = __builtin_bswap32(out->str_off);
		out->str_len = __builtin_bswap32(out->str_len);
	}
	if (base) {
		/* btf__new_split is not exported by libbpf 1.1.2: go through a file */
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/split.tmp", outdir);
		FILE *f = fopen(path, "wb");
		if (f) {
			fwrite(out, 1, total, f);
			fclose(f);
		}
		res = btf__parse_raw_split(path, base);
	} else {
		res = btf__new(out, total);
	}
	free(types);
	free(strs);
	free(offs);
	free(out);
	return res ? res : NULL;
}

/* A BTF from raw with a bigger header (hdr_len 32) */
static struct btf *big_header(struct btf *src)
{
	uint32_t size;
	const struct btf_header *h = btf__raw_data(src, &size);
	size_t total = size + 8;
	char *out = calloc(1, total);
	memcpy(out, h, sizeof(*h));
	((struct btf_header *)out)->hdr_len = 32;
	memcpy(out + 32, (const char *)h + h->hdr_len, size - h->hdr_len);
	struct btf *res = btf__new(out, total);
	free(out);
	return res;
}

/* ----------------------------------------------------------- hand-built */
/* every add in the builders must succeed (a failed add would silently build
 * something else): failures are printed, as part of the compared output */
static int chk(int r, int line)
{
	if (r < 0)
		printf("builder error line %d: %d\n", line, r);
	return r;
}
#define btf__add_int(...) chk(btf__add_int(__VA_ARGS__), __LINE__)
#define btf__add_float(...) chk(btf__add_float(__VA_ARGS__), __LINE__)
#define btf__add_ptr(...) chk(btf__add_ptr(__VA_ARGS__), __LINE__)
#define btf__add_const(...) chk(btf__add_const(__VA_ARGS__), __LINE__)
#define btf__add_volatile(...) chk(btf__add_volatile(__VA_ARGS__), __LINE__)
#define btf__add_restrict(...) chk(btf__add_restrict(__VA_ARGS__), __LINE__)
#define btf__add_typedef(...) chk(btf__add_typedef(__VA_ARGS__), __LINE__)
#define btf__add_type_tag(...) chk(btf__add_type_tag(__VA_ARGS__), __LINE__)
#define btf__add_decl_tag(...) chk(btf__add_decl_tag(__VA_ARGS__), __LINE__)
#define btf__add_array(...) chk(btf__add_array(__VA_ARGS__), __LINE__)
#define btf__add_struct(...) chk(btf__add_struct(__VA_ARGS__), __LINE__)
#define btf__add_union(...) chk(btf__add_union(__VA_ARGS__), __LINE__)
#define btf__add_field(...) chk(btf__add_field(__VA_ARGS__), __LINE__)
#define btf__add_enum(...) chk(btf__add_enum(__VA_ARGS__), __LINE__)
#define btf__add_enum_value(...) chk(btf__add_enum_value(__VA_ARGS__), __LINE__)
#define btf__add_enum64(...) chk(btf__add_enum64(__VA_ARGS__), __LINE__)
#define btf__add_enum64_value(...) chk(btf__add_enum64_value(__VA_ARGS__), __LINE__)
#define btf__add_fwd(...) chk(btf__add_fwd(__VA_ARGS__), __LINE__)
#define btf__add_func(...) chk(btf__add_func(__VA_ARGS__), __LINE__)
#define btf__add_func_proto(...) chk(btf__add_func_proto(__VA_ARGS__), __LINE__)
#define btf__add_func_param(...) chk(btf__add_func_param(__VA_ARGS__), __LINE__)
#define btf__add_var(...) chk(btf__add_var(__VA_ARGS__), __LINE__)
#define btf__add_datasec(...) chk(btf__add_datasec(__VA_ARGS__), __LINE__)
#define btf__add_datasec_var_info(...) chk(btf__add_datasec_var_info(__VA_ARGS__), __LINE__)
#define btf__add_str(...) chk(btf__add_str(__VA_ARGS__), __LINE__)

typedef void (*builder_fn)(struct btf *b);

static int I(struct btf *b) { return btf__add_int(b, "int", 4, BTF_INT_SIGNED); }

static void b_prims(struct btf *b)
{
	I(b); I(b); I(b);
	btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	btf__add_int(b, "long", 8, BTF_INT_SIGNED);
	btf__add_int(b, "unsigned int", 4, 0);
	btf__add_int(b, "char", 1, BTF_INT_CHAR);
	btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	btf__add_int(b, "int", 8, BTF_INT_SIGNED); /* same name, other size */
	btf__add_float(b, "float", 4);
	btf__add_float(b, "float", 4);
	btf__add_float(b, "double", 8);
	btf__add_str(b, "unused string");
	btf__add_fwd(b, "S", BTF_FWD_STRUCT);
	btf__add_fwd(b, "S", BTF_FWD_STRUCT);
	btf__add_fwd(b, "S", BTF_FWD_UNION);
	/* enum forward declarations before and after full definitions */
	btf__add_fwd(b, "E", BTF_FWD_ENUM);
	btf__add_enum(b, "E", 4);
	btf__add_enum_value(b, "E_A", 1);
	btf__add_enum_value(b, "E_B", 2);
	btf__add_enum(b, "E", 4);
	btf__add_enum_value(b, "E_A", 1);
	btf__add_enum_value(b, "E_B", 2);
	btf__add_enum(b, "E", 4);
	btf__add_enum_value(b, "E_A", 1);
	btf__add_enum_value(b, "E_B", 3);
	btf__add_fwd(b, "E", BTF_FWD_ENUM);
	btf__add_enum(b, NULL, 4);
	btf__add_enum_value(b, "ANON_Q", 1);
	btf__add_enum(b, NULL, 4);
	btf__add_enum_value(b, "ANON_Q", 1);
	btf__add_enum(b, "Neg", 4);
	btf__add_enum_value(b, "N1", -5);
	btf__add_enum(b, "Neg", 4);
	btf__add_enum_value(b, "N1", -5);
	/* enum64 and enum forward declarations of it */
	btf__add_enum64(b, "E64", 8, false);
	btf__add_enum64_value(b, "BIG", 1ULL << 40);
	btf__add_fwd(b, "E64", BTF_FWD_ENUM);
	btf__add_enum64(b, "E64", 8, false);
	btf__add_enum64_value(b, "BIG", 1ULL << 40);
	btf__add_enum64(b, "E64", 8, true);
	btf__add_enum64_value(b, "BIG", 1ULL << 40);
	btf__add_enum64(b, "E64", 8, false);
	btf__add_enum64(b, "F64", 8, false);
	btf__add_enum(b, "F64", 4);
	btf__add_enum_value(b, "F64_V", 7);
	btf__add_enum(b, "G", 4);
	btf__add_enum64(b, "G", 8, false);
	btf__add_enum64_value(b, "G_V", 1);
	btf__add_enum(b, "G", 4);
	btf__add_enum_value(b, "G_V", 1);
}

static void b_refs(struct btf *b)
{
	int i1 = I(b), i2 = I(b);
	int u = btf__add_int(b, "unsigned int", 4, 0);
	btf__add_ptr(b, i1); btf__add_ptr(b, i2); btf__add_ptr(b, i1);
	int c1 = btf__add_const(b, i1), c2 = btf__add_const(b, i2);
	btf__add_volatile(b, c1); btf__add_volatile(b, c2);
	int p1 = btf__add_ptr(b, c1);
	btf__add_restrict(b, p1);
	btf__add_restrict(b, btf__add_ptr(b, c2));
	btf__add_typedef(b, "u32", u); btf__add_typedef(b, "u32", u);
	btf__add_typedef(b, "u32", i1);
	btf__add_array(b, u, i1, 10); btf__add_array(b, u, i2, 10);
	btf__add_array(b, i1, i1, 10); btf__add_array(b, u, i1, 11);
	int fp1 = btf__add_func_proto(b, i1);
	btf__add_func_param(b, "a", i1);
	btf__add_func_param(b, "b", i2);
	int fp2 = btf__add_func_proto(b, i2);
	btf__add_func_param(b, "a", i2);
	btf__add_func_param(b, "b", i1);
	btf__add_func_proto(b, i2);
	btf__add_func_param(b, "x", i2);
	btf__add_func_param(b, "b", i1);
	int fpv = btf__add_func_proto(b, 0);
	btf__add_func_param(b, NULL, i1);
	btf__add_func_param(b, NULL, 0); /* vararg */
	btf__add_func_proto(b, 0);
	btf__add_func_param(b, NULL, i2);
	btf__add_func_param(b, NULL, 0);
	btf__add_func(b, "f", BTF_FUNC_GLOBAL, fp1);
	btf__add_func(b, "f", BTF_FUNC_GLOBAL, fp2);
	btf__add_func(b, "f", BTF_FUNC_STATIC, fp2);
	btf__add_func(b, "g", BTF_FUNC_EXTERN, fpv);
	int tt1 = btf__add_type_tag(b, "user", i1);
	btf__add_type_tag(b, "user", i2);
	btf__add_ptr(b, tt1);
	int s1 = btf__add_struct(b, "tagged", 4);
	btf__add_field(b, "x", i1, 0, 0);
	int s2 = btf__add_struct(b, "tagged", 4);
	btf__add_field(b, "x", i2, 0, 0);
	btf__add_decl_tag(b, "dtag", s1, 0);
	btf__add_decl_tag(b, "dtag", s2, 0);
	btf__add_decl_tag(b, "dtag", s2, -1);
	int v1 = btf__add_var(b, "v", BTF_VAR_GLOBAL_ALLOCATED, i1);
	int v2 = btf__add_var(b, "v", BTF_VAR_GLOBAL_ALLOCATED, i2);
	btf__add_datasec(b, ".data", 8);
	btf__add_datasec_var_info(b, v1, 0, 4);
	btf__add_datasec_var_info(b, v2, 4, 4);
	btf__add_datasec(b, ".data", 8);
	btf__add_datasec_var_info(b, v2, 4, 4);
	btf__add_float(b, "float", 4);
	btf__add_ptr(b, 0);
	btf__add_ptr(b, 0);
	btf__add_const(b, 0);
}

/* one compilation unit: struct node (self pointer), mutually recursive A/B */
static void cu_structs(struct btf *b, int variant)
{
	int i = I(b);
	int l = btf__add_int(b, variant == 3 ? "long long" : "long", 8, BTF_INT_SIGNED);
	/* struct node { struct node *next; int v; long w; } */
	int node = btf__add_struct(b, "node", 24);
	int pn = node + 1;
	btf__add_field(b, "next", pn, 0, 0);
	btf__add_field(b, "v", i, 64, 0);
	btf__add_field(b, "w", l, 128, 0);
	btf__add_ptr(b, node);
	/* struct A { struct B *b; int x; }; struct B { struct A *a; struct node n; }
	 * (variant 2: B is only declared) */
	int a = btf__add_struct(b, "A", 16);
	btf__add_field(b, "b", a + 1, 0, 0);
	btf__add_field(b, "x", i, 64, 0);
	btf__add_ptr(b, a + 2);
	if (variant == 2) {
		btf__add_fwd(b, "B", BTF_FWD_STRUCT);
	} else {
		btf__add_struct(b, "B", 32);
		btf__add_field(b, "a", a + 3, 0, 0);
		btf__add_field(b, "n", node, 64, 0);
		btf__add_ptr(b, a);
	}
	/* anonymous struct and union members */
	int anon = btf__add_struct(b, NULL, 4);
	btf__add_field(b, "in", i, 0, 0);
	int un = btf__add_union(b, NULL, 8);
	btf__add_field(b, "u", i, 0, 0);
	btf__add_field(b, "l", l, 0, 0);
	int outer = btf__add_struct(b, "outer", 16);
	btf__add_field(b, "a", anon, 0, 0);
	btf__add_field(b, "un", un, 64, 0);
	/* bitfields */
	btf__add_struct(b, "bits", 4);
	btf__add_field(b, "x", i, 0, 3);
	btf__add_field(b, "y", i, 3, 5);
	/* a func proto taking struct pointers, a typedef of it */
	int po = btf__add_ptr(b, outer);
	int fp = btf__add_func_proto(b, i);
	btf__add_func_param(b, "n", pn);
	btf__add_func_param(b, "o", po);
	btf__add_typedef(b, "node_cb", btf__add_ptr(b, fp));
	btf__add_func(b, "walk", BTF_FUNC_GLOBAL, fp);
}

static void b_structs(struct btf *b)
{
	cu_structs(b, 0);
	cu_structs(b, 1);
	cu_structs(b, 2);
	cu_structs(b, 3);
	cu_structs(b, 1);
}

static void b_fwds(struct btf *b)
{
	int i = I(b);
	int f1 = btf__add_fwd(b, "U1", BTF_FWD_STRUCT);
	btf__add_ptr(b, f1);
	btf__add_struct(b, "U1", 4);
	btf__add_field(b, "a", i, 0, 0);
	int f2 = btf__add_fwd(b, "U2", BTF_FWD_STRUCT);
	btf__add_ptr(b, f2);
	btf__add_struct(b, "U2", 4);
	btf__add_field(b, "a", i, 0, 0);
	btf__add_struct(b, "U2", 8);
	btf__add_field(b, "b", i, 0, 0);
	int f3 = btf__add_fwd(b, "U3", BTF_FWD_UNION);
	btf__add_ptr(b, f3);
	btf__add_struct(b, "U3", 4);
	btf__add_field(b, "a", i, 0, 0);
	btf__add_fwd(b, "U4", BTF_FWD_UNION);
	btf__add_union(b, "U4", 4);
	btf__add_field(b, "a", i, 0, 0);
	btf__add_fwd(b, "U5", BTF_FWD_STRUCT); /* nothing to resolve to */
	/* fwd vs struct inside graphs: struct H { struct F *f; } twice, F full in one */
	int ff = btf__add_fwd(b, "F", BTF_FWD_STRUCT);
	int pff = btf__add_ptr(b, ff);
	int h1 = btf__add_struct(b, "H", 8);
	btf__add_field(b, "f", pff, 0, 0);
	int fs = btf__add_struct(b, "F", 4);
	btf__add_field(b, "z", i, 0, 0);
	int pfs = btf__add_ptr(b, fs);
	btf__add_struct(b, "H", 8);
	btf__add_field(b, "f", pfs, 0, 0);
	/* union fwd against struct in a graph: not equivalent */
	int uf = btf__add_fwd(b, "K", BTF_FWD_UNION);
	int puf = btf__add_ptr(b, uf);
	btf__add_struct(b, "J", 8);
	btf__add_field(b, "k", puf, 0, 0);
	int ks = btf__add_struct(b, "K", 4);
	btf__add_field(b, "z", i, 0, 0);
	int pks = btf__add_ptr(b, ks);
	btf__add_struct(b, "J", 8);
	btf__add_field(b, "k", pks, 0, 0);
	(void)h1;
}

/* many same-signature types: the candidate visiting order decides which of
 * several equivalent ones is picked. Candidates of one signature are visited
 * newest first, but every growth of the reference's hash table reverses that
 * order: fillers of other signatures in between make it grow. Typedefs of the
 * resolved types make the choice visible in the output. */
static void b_order(struct btf *b)
{
	char nm[32];
	/* prim phase: full enums, fillers, then enum forward declarations */
	for (int k = 0; k < 9; k++) {
		btf__add_enum(b, "EO", 4);
		btf__add_enum_value(b, "EO_V", k);
		if (k % 3 == 2) {
			snprintf(nm, sizeof(nm), "eo%d", k);
			btf__add_typedef(b, nm, btf__add_fwd(b, "EO", BTF_FWD_ENUM));
		}
	}
	for (int k = 0; k < 150; k++) {
		snprintf(nm, sizeof(nm), "filler%d", k);
		btf__add_int(b, nm, 4, 0);
		if (k % 40 == 39) {
			snprintf(nm, sizeof(nm), "eolate%d", k);
			btf__add_typedef(b, nm, btf__add_fwd(b, "EO", BTF_FWD_ENUM));
		}
	}
	/* struct phase: S { struct T *p; } for 40 different T */
	for (int k = 0; k < 40; k++) {
		snprintf(nm, sizeof(nm), "i%d", k);
		int it = btf__add_int(b, nm, 4, 0);
		int t = btf__add_struct(b, "T", 4);
		btf__add_field(b, "x", it, 0, 0);
		int pt = btf__add_ptr(b, t);
		btf__add_struct(b, "S", 8);
		btf__add_field(b, "p", pt, 0, 0);
		if (k % 5 == 4) {
			/* S with a FWD T: equivalent to every S so far */
			int f = btf__add_fwd(b, "T", BTF_FWD_STRUCT);
			int pf = btf__add_ptr(b, f);
			int sf = btf__add_struct(b, "S", 8);
			btf__add_field(b, "p", pf, 0, 0);
			snprintf(nm, sizeof(nm), "sfwd%d", k);
			btf__add_typedef(b, nm, sf);
		}
	}
	/* unique structs in between grow the table during the struct phase */
	for (int k = 0; k < 300; k++) {
		snprintf(nm, sizeof(nm), "U%d", k);
		btf__add_struct(b, nm, 4);
		btf__add_field(b, "u", 1, 0, 0);
		if (k % 60 == 59) {
			int f = btf__add_fwd(b, "T", BTF_FWD_STRUCT);
			int pf = btf__add_ptr(b, f);
			int sf = btf__add_struct(b, "S", 8);
			btf__add_field(b, "p", pf, 0, 0);
			snprintf(nm, sizeof(nm), "slate%d", k);
			btf__add_typedef(b, nm, sf);
		}
	}
}

/* split BTF whose base has duplicates: which base copy a split type maps to */
static struct btf *dup_base(void)
{
	char nm[32];
	struct btf *b = btf__new_empty();
	I(b); I(b);                         /* [1] [2] */
	btf__add_ptr(b, 1); btf__add_ptr(b, 2); /* [3] [4]: different */
	btf__add_ptr(b, 1);                 /* [5] = [3] */
	for (int k = 0; k < 150; k++) {
		snprintf(nm, sizeof(nm), "bfill%d", k);
		btf__add_int(b, nm, 4, 0);
	}
	btf__add_float(b, "float", 4);
	btf__add_float(b, "float", 4);
	btf__add_struct(b, "D", 4);
	btf__add_field(b, "d", 1, 0, 0);
	btf__add_struct(b, "D", 4);
	btf__add_field(b, "d", 2, 0, 0);
	btf__add_fwd(b, "DF", BTF_FWD_STRUCT);
	btf__add_fwd(b, "DF", BTF_FWD_STRUCT);
	return b;
}

static void b_dup_split(struct btf *b)
{
	char nm[32];
	/* enough new entries to grow the table once more before the
	 * candidates are looked up */
	for (int k = 0; k < 40; k++) {
		snprintf(nm, sizeof(nm), "sfill%d", k);
		btf__add_int(b, nm, 4, 0);
	}
	btf__add_typedef(b, "tp1", btf__add_ptr(b, 1));
	int i = I(b);
	btf__add_typedef(b, "ti", i);
	int p = btf__add_ptr(b, i);
	btf__add_typedef(b, "tp", p);
	btf__add_typedef(b, "tf", btf__add_float(b, "float", 4));
	int d = btf__add_struct(b, "D", 4);
	btf__add_field(b, "d", i, 0, 0);
	btf__add_typedef(b, "td", d);
	btf__add_typedef(b, "tdf", btf__add_fwd(b, "DF", BTF_FWD_STRUCT));
}

/* compilers emitting identical array/struct types twice in one unit: the
 * containing struct comes first (as in DWARF order), so that its members are
 * still unmapped when it is compared */
static void b_identical(struct btf *b)
{
	for (int cu = 0; cu < 2; cu++) {
		int i = I(b);
		int u = btf__add_int(b, "unsigned int", 4, 0);
		int x = btf__add_struct(b, "X", 32);
		int a1 = x + 1, a2 = cu ? x + 2 : a1;
		btf__add_field(b, "a", a1, 0, 0);
		btf__add_field(b, "b", a2, 128, 0);
		btf__add_array(b, u, i, 4);
		if (cu)
			btf__add_array(b, u, i, 4);
		int y = btf__add_struct(b, "Y", 8);
		int z1 = y + 1, z2 = cu ? y + 2 : z1;
		btf__add_field(b, "a", z1, 0, 0);
		btf__add_field(b, "b", z2, 32, 0);
		btf__add_struct(b, "Z", 4);
		btf__add_field(b, "z", i, 0, 0);
		if (cu) {
			btf__add_struct(b, "Z", 4);
			btf__add_field(b, "z", i, 0, 0);
		}
	}
	/* the other way round */
	for (int cu = 0; cu < 2; cu++) {
		int i = I(b);
		int y = btf__add_struct(b, "Y2", 8);
		int z1 = y + 1, z2 = cu ? z1 : y + 2;
		btf__add_field(b, "a", z1, 0, 0);
		btf__add_field(b, "b", z2, 32, 0);
		btf__add_struct(b, "Z2", 4);
		btf__add_field(b, "z", i, 0, 0);
		if (!cu) {
			btf__add_struct(b, "Z2", 4);
			btf__add_field(b, "z", i, 0, 0);
		}
	}
	/* identical but for equivalent (not the same) element/member type ids */
	for (int cu = 0; cu < 2; cu++) {
		int i1 = I(b), i2 = I(b);
		int u = btf__add_int(b, "unsigned int", 4, 0);
		int x = btf__add_struct(b, "X4", 32);
		int a1 = x + 1, a2 = cu ? x + 2 : a1;
		btf__add_field(b, "a", a1, 0, 0);
		btf__add_field(b, "b", a2, 128, 0);
		btf__add_array(b, u, i1, 4);
		if (cu)
			btf__add_array(b, u, i2, 4);
		int y = btf__add_struct(b, "Y4", 8);
		int z1 = y + 1, z2 = cu ? y + 2 : z1;
		btf__add_field(b, "a", z1, 0, 0);
		btf__add_field(b, "b", z2, 32, 0);
		btf__add_struct(b, "Z4", 4);
		btf__add_field(b, "z", i1, 0, 0);
		if (cu) {
			btf__add_struct(b, "Z4", 4);
			btf__add_field(b, "z", i2, 0, 0);
		}
	}
	/* identical but for member types: not accepted */
	for (int cu = 0; cu < 2; cu++) {
		int i = I(b);
		int l = btf__add_int(b, "long", 8, 0);
		int y = btf__add_struct(b, "Y3", 16);
		int z1 = y + 1, z2 = cu ? y + 2 : z1;
		btf__add_field(b, "a", z1, 0, 0);
		btf__add_field(b, "b", z2, 64, 0);
		btf__add_struct(b, "Z3", 8);
		btf__add_field(b, "z", i, 0, 0);
		if (cu) {
			btf__add_struct(b, "Z3", 8);
			btf__add_field(b, "z", y + 3, 0, 0);
			btf__add_typedef(b, "i_t", i);
		}
		(void)l;
	}
}

static void b_loop(struct btf *b)
{
	I(b);
	btf__add_ptr(b, 2); /* [2] ptr to itself */
}

static void b_loop2(struct btf *b)
{
	I(b);
	btf__add_ptr(b, 3);   /* [2] -> [3] */
	btf__add_const(b, 2); /* [3] -> [2] */
	btf__add_struct(b, "after", 4);
	btf__add_field(b, "x", 1, 0, 0);
}

static void b_var_member(struct btf *b)
{
	int i = I(b);
	for (int cu = 0; cu < 2; cu++) {
		int v = btf__add_var(b, "v", BTF_VAR_STATIC, i);
		btf__add_struct(b, "W", 4);
		btf__add_field(b, "m", v, 0, 0);
	}
}

static void b_empty(struct btf *b) { (void)b; }

static void b_all(struct btf *b)
{
	b_refs(b);
	b_prims(b);
	b_structs(b);
	b_fwds(b);
	b_identical(b);
	b_order(b);
}

struct hand_case {
	const char *name;
	builder_fn fn;
};

static const struct hand_case hand_cases[] = {
	{ "prims", b_prims }, { "refs", b_refs }, { "structs", b_structs }, { "fwds", b_fwds },
	{ "order", b_order }, { "identical", b_identical }, { "loop", b_loop }, { "loop2", b_loop2 },
	{ "var_member", b_var_member }, { "empty", b_empty }, { "all", b_all },
};

/* split BTF on a small hand-built base */
static struct btf *small_base(void)
{
	struct btf *b = btf__new_empty();
	int i = I(b);
	int s = btf__add_struct(b, "S", 16);
	btf__add_field(b, "a", i, 0, 0);
	btf__add_field(b, "next", s + 1, 64, 0);
	btf__add_ptr(b, s);
	int f = btf__add_fwd(b, "F", BTF_FWD_STRUCT);
	btf__add_struct(b, "H", 8);
	btf__add_field(b, "f", f + 2, 0, 0);
	btf__add_ptr(b, f);
	btf__add_struct(b, "G", 4);
	btf__add_field(b, "g", i, 0, 0);
	btf__add_fwd(b, "EF", BTF_FWD_ENUM);
	btf__add_typedef(b, "myint", i);
	btf__add_str(b, "base only string");
	/* [10] fwd F2, [11] H2 { struct F2 *f; struct G *g; }, [12] ptr F2, [13] ptr G */
	int f2 = btf__add_fwd(b, "F2", BTF_FWD_STRUCT);
	btf__add_struct(b, "H2", 16);
	btf__add_field(b, "f", f2 + 2, 0, 0);
	btf__add_field(b, "g", f2 + 3, 64, 0);
	btf__add_ptr(b, f2);
	btf__add_ptr(b, 7);
	return b;
}

static void b_split(struct btf *b)
{
	/* ids continue the base's: int [1], S [2], ptr [3], F [4], H [5], ptr [6], G [7], EF [8], myint [9] */
	int i = I(b);
	int s = btf__add_struct(b, "S", 16);
	btf__add_field(b, "a", i, 0, 0);
	btf__add_field(b, "next", s + 1, 64, 0);
	btf__add_ptr(b, s);
	btf__add_typedef(b, "myint", i);
	btf__add_typedef(b, "myint", 1);
	int fs = btf__add_struct(b, "F", 4);
	btf__add_field(b, "z", i, 0, 0);
	int pfs = btf__add_ptr(b, fs);
	btf__add_struct(b, "H", 8);
	btf__add_field(b, "f", pfs, 0, 0);
	btf__add_fwd(b, "G", BTF_FWD_STRUCT);
	btf__add_enum(b, "EF", 4);
	btf__add_enum_value(b, "EF_A", 1);
	int p2 = btf__add_ptr(b, 2);
	btf__add_struct(b, "new_one", 8);
	btf__add_field(b, "s", p2, 0, 0);
	btf__add_str(b, "base only string");
	btf__add_str(b, "split only string");
	/* H2 { struct F2 *f (full here); struct G *g (FWD here) }, H2 first */
	int h2 = btf__add_struct(b, "H2", 16);
	btf__add_field(b, "f", h2 + 1, 0, 0);
	btf__add_field(b, "g", h2 + 2, 64, 0);
	btf__add_ptr(b, h2 + 3);
	btf__add_ptr(b, h2 + 4);
	btf__add_struct(b, "F2", 4);
	btf__add_field(b, "z", i, 0, 0);
	int gf = btf__add_fwd(b, "G", BTF_FWD_STRUCT);
	btf__add_typedef(b, "g_fwd_t", gf);
	/* a second struct G: FWD G is ambiguous for the name-based resolution */
	btf__add_struct(b, "G", 8);
	btf__add_field(b, "other", i, 0, 0);
}

static int mode_hand(void)
{
	char name[128];
	for (size_t c = 0; c < sizeof(hand_cases) / sizeof(hand_cases[0]); c++) {
		for (int force = 0; force < 2; force++) {
			for (int form = 0; form < 4; form++) {
				/* 0: as built; 1: parsed with every string exploded; 2: same,
				 * byte-swapped; 3: parsed with a 32-byte header */
				static const char *forms[] = { "built", "exploded", "swapped", "bighdr" };
				snprintf(name, sizeof(name), "%s.%s%s", hand_cases[c].name, forms[form], force ? ".force" : "");
				struct btf *b = btf__new_empty(), *t = NULL;
				hand_cases[c].fn(b);
				if (form == 1 || form == 2)
					t = explode(b, NULL, form == 2);
				else if (form == 3)
					t = big_header(b);
				if (form) {
					btf__free(b);
					b = t;
				}
				if (!b) {
					printf("case %s setup failed errno=%d\n", name, errno);
					continue;
				}
				describe(name, "before", b);
				run_dedup(name, b, NULL, force);
				if (form == 0 || force) {
					post_modify(name, b);
					/* and dedup again */
					snprintf(name + strlen(name), sizeof(name) - strlen(name), ".again");
					run_dedup(name, b, NULL, 0);
				}
				btf__free(b);
			}
		}
	}
	/* split on a small base, and on a base with duplicates */
	for (int form = 0; form < 4; form++) {
		struct btf *base = form < 2 ? small_base() : dup_base();
		struct btf *s = btf__new_empty_split(base);
		snprintf(name, sizeof(name), "%s.%s", form < 2 ? "split" : "dupsplit", form % 2 ? "exploded" : "built");
		if (form < 2)
			b_split(s);
		else
			b_dup_split(s);
		if (form % 2) {
			struct btf *t = explode(s, base, 0);
			btf__free(s);
			s = t;
		}
		if (!s) {
			printf("case %s setup failed errno=%d\n", name, errno);
			btf__free(base);
			continue;
		}
		describe(name, "before", s);
		run_dedup(name, s, NULL, form % 2);
		describe(name, "base", base);
		post_modify(name, s);
		btf__free(s);
		btf__free(base);
	}
	/* opts */
	{
		struct btf *b = btf__new_empty();
		b_prims(b);
		struct { struct btf_dedup_opts o; char extra[16]; } big;
		memset(&big, 0, sizeof(big));
		big.o.sz = sizeof(big);
		errno = 0;
		int r = btf__dedup(b, &big.o);
		printf("case opts.bigzero ret=%d errno=%d\n", r, r ? errno : 0);
		big.extra[3] = 1;
		r = btf__dedup(b, &big.o);
		printf("case opts.bignonzero ret=%d errno=%d\n", r, errno);
		struct btf_dedup_opts small = { .sz = 4 };
		r = btf__dedup(b, &small);
		printf("case opts.small ret=%d errno=%d\n", r, errno);
		struct btf_dedup_opts szonly = { .sz = sizeof(size_t) };
		r = btf__dedup(b, &szonly);
		printf("case opts.szonly ret=%d errno=%d\n", r, r ? errno : 0);
		r = btf__dedup(b, NULL);
		printf("case opts.null ret=%d errno=%d\n", r, r ? errno : 0);
		describe("opts", "after", b);
		btf__free(b);
	}
	return 0;
}

/* ---------------------------------------------------------------- objects */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int mode_objs(int n, char **paths)
{
	char name[256];
	for (int i = 0; i < n; i++) {
		for (int variant = 0; variant < 4; variant++) {
			/* 0: with .BTF.ext; 1: without; 2: with ext, forced collisions;
			 * 3: exploded strings, no ext */
			struct btf_ext *ext = NULL;
			struct btf *b = btf__parse_elf(paths[i], variant == 1 || variant == 3 ? NULL : &ext);
			snprintf(name, sizeof(name), "obj.%s.%s", base_name(paths[i]),
				 variant == 0 ? "ext" : variant == 1 ? "noext" : variant == 2 ? "extforce" : "exploded");
			if (!b) {
				printf("case %s parse failed errno=%d\n", name, errno);
				continue;
			}
			if (variant == 3) {
				struct btf *t = explode(b, NULL, 0);
				btf__free(b);
				b = t;
				if (!b)
					continue;
			}
			describe(name, "before", b);
			run_dedup(name, b, ext, variant == 2);
			post_modify(name, b);
			btf__free(b);
			btf_ext__free(ext);
		}
	}
	/* all objects added to one BTF, then dedup (strings are unique already),
	 * and the same parsed back from raw (string dedup too) */
	for (int form = 0; form < 3; form++) {
		struct btf *all = btf__new_empty();
		for (int i = 0; i < n; i++) {
			struct btf *b = btf__parse_elf(paths[i], NULL);
			if (!b)
				continue;
			int r = btf__add_btf(all, b);
			if (r < 0)
				printf("case union add %s failed %d\n", base_name(paths[i]), r);
			btf__free(b);
		}
		snprintf(name, sizeof(name), "union.%s", form == 0 ? "built" : form == 1 ? "exploded" : "force");
		if (form == 1) {
			struct btf *t = explode(all, NULL, 0);
			btf__free(all);
			all = t;
		}
		describe(name, "before", all);
		run_dedup(name, all, NULL, form == 2);
		post_modify(name, all);
		btf__free(all);
	}
	return 0;
}

static int mode_vmlinux(const char *vmlinux, int n, char **paths)
{
	char name[256];
	struct btf *vm = btf__parse(vmlinux, NULL);
	if (!vm) {
		printf("case vmlinux parse failed errno=%d\n", errno);
		return 0;
	}
	run_dedup("vmlinux", vm, NULL, 0);
	btf__free(vm);

	/* vmlinux twice in one BTF */
	vm = btf__parse(vmlinux, NULL);
	struct btf *two = btf__new_empty();
	btf__add_btf(two, vm);
	btf__add_btf(two, vm);
	btf__free(vm);
	run_dedup("vmlinux.twice", two, NULL, 0);
	btf__free(two);

	/* module-like split BTF: objects' types on top of vmlinux */
	for (int form = 0; form < 2; form++) {
		struct btf *base = btf__parse(vmlinux, NULL);
		struct btf *s = btf__new_empty_split(base);
		for (int i = 0; i < n; i++) {
			struct btf *b = btf__parse_elf(paths[i], NULL);
			if (!b)
				continue;
			btf__add_btf(s, b);
			btf__free(b);
		}
		snprintf(name, sizeof(name), "vmsplit.%s", form ? "exploded" : "built");
		if (form) {
			struct btf *t = explode(s, base, 0);
			btf__free(s);
			s = t;
		}
		if (!s) {
			printf("case %s setup failed errno=%d\n", name, errno);
			btf__free(base);
			continue;
		}
		describe(name, "before", s);
		run_dedup(name, s, NULL, 0);
		post_modify(name, s);
		btf__free(s);
		btf__free(base);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: probe hand|objs|vmlinux OUTDIR ...\n");
		return 2;
	}
	outdir = argv[2];
	print_mapped();
	libbpf_set_print(print_fn);
	int r;
	if (!strcmp(argv[1], "hand"))
		r = mode_hand();
	else if (!strcmp(argv[1], "objs"))
		r = mode_objs(argc - 3, argv + 3);
	else if (!strcmp(argv[1], "vmlinux") && argc >= 4)
		r = mode_vmlinux(argv[3], argc - 4, argv + 4);
	else
		return 2;
	printf("END\n");
	return r;
}
