/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SwiftBPF btf_dump_data probe: btf_dump__dump_type_data() differential test.
 * One binary, compiled once against the reference headers (-I/usr/include,
 * -lbpf), run once against the reference libbpf.so.1 and once against ours
 * (see run.sh).
 *
 * Output: "MAPPED <realpath>..." then "<section> <case> ..." lines that must be
 * identical for both libraries, then "END". For every dump call:
 *   <section> <case> ret=<return value> errno=<errno after the call>
 *   <section> <case> | <one line of the dumped text>        (escaped)
 *   <section> <case> log: <one libbpf log message>           (escaped)
 * errno is set to 0 before each call. Everything is deterministic (seeded
 * pseudo-random data, no addresses: the data buffers are 16-aligned and the
 * pointer values printed come from the data itself).
 *
 * Sections:
 *   types    every type of a hand-built BTF (ints of all sizes, char/bool,
 *            floats, enums/enum64 signed and unsigned, bitfields, pointers,
 *            typedefs, modifiers, arrays incl. char and multi-dim, structs,
 *            unions, nested anonymous members, packed layouts, var/datasec,
 *            duplicate names) over 6 sample memories x 4 option sets
 *   combos   the struct/union types x 6 memories x 32 option combinations
 *            (compact, skip_names, emit_zeroes, indent_str, indent_level)
 *   unaligned the struct types at data+1 and data+3
 *   sizes    too-small / exact / larger data_sz for every type
 *   ptr4     a BTF with 4-byte pointers
 *   errors   bad ids, id 0, func/fwd/decl_tag ids, bad opts, NULL opts/data
 *   vmlinux  200 sampled struct/union ids of /sys/kernel/btf/vmlinux plus
 *            task_struct, random and sparse data, several option sets, one
 *            btf_dump object for the whole section (name ___N suffixes)
 *   vmsmall  200 sampled non-struct vmlinux types (ints, enums, typedefs,
 *            pointers, arrays, vars) and a vmlinux datasec
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* ------------------------------------------------------------------ utils */

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

/* a growable text buffer */
struct text {
	char *buf;
	size_t len, cap;
};

static void text_vappend(struct text *t, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		t->buf = realloc(t->buf, cap);
		t->cap = cap;
	}
	vsnprintf(t->buf + t->len, n + 1, fmt, ap);
	t->len += n;
}

static struct text out, logs;
static int capture_logs;

static void dump_printf(void *ctx, const char *fmt, va_list ap)
{
	(void)ctx;
	text_vappend(&out, fmt, ap);
}

static int log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!capture_logs)
		return 0;
	struct text one = {0};
	text_vappend(&one, fmt, ap);
	if (one.buf) {
		/* one line per message */
		size_t n = one.len;
		while (n && one.buf[n - 1] == '\n')
			n--;
		one.buf[n] = 0;
		char lvl[16];
		snprintf(lvl, sizeof(lvl), "%d:", level);
		struct text *t = &logs;
		va_list none;
		(void)none;
		size_t need = t->len + strlen(lvl) + n + 2;
		if (need > t->cap) {
			size_t cap = t->cap ? t->cap : 4096;
			while (cap < need)
				cap *= 2;
			t->buf = realloc(t->buf, cap);
			t->cap = cap;
		}
		t->len += sprintf(t->buf + t->len, "%s%s\n", lvl, one.buf);
		free(one.buf);
	}
	return 0;
}

static void put_line(const char *sec, const char *label, const char *kind, const char *s, size_t n)
{
	printf("%s %s %s", sec, label, kind);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c >= 0x20 && c < 0x7f)
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
}

static void put_lines(const char *sec, const char *label, const char *kind, const struct text *t)
{
	if (!t->len)
		return;
	const char *p = t->buf, *end = t->buf + t->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		put_line(sec, label, kind, p, n);
		p += n + 1;
	}
	/* a trailing newline is visible as an empty last line */
	if (end[-1] == '\n')
		put_line(sec, label, kind, "", 0);
}

/* One btf_dump__dump_type_data() call, reported. */
static int dump(const char *sec, const char *label, struct btf_dump *d, __u32 id,
		const void *data, size_t sz, const struct btf_dump_type_data_opts *o)
{
	out.len = 0;
	logs.len = 0;
	capture_logs = 1;
	errno = 0;
	int r = btf_dump__dump_type_data(d, id, data, sz, o);
	int e = errno;
	capture_logs = 0;
	printf("%s %s ret=%d errno=%d\n", sec, label, r, e);
	put_lines(sec, label, "| ", &out);
	put_lines(sec, label, "log: ", &logs);
	return r;
}

/* xorshift64* pseudo-random bytes */
static uint64_t rng_state;
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void fill_random(unsigned char *p, size_t n, uint64_t seed)
{
	rng_state = seed | 1;
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(rng() >> 56);
}

/* mostly zero, a few non-zero bytes */
static void fill_sparse(unsigned char *p, size_t n, uint64_t seed)
{
	rng_state = seed | 1;
	memset(p, 0, n);
	for (size_t i = 0; i < n; i++)
		if (rng() % 23 == 0)
			p[i] = (unsigned char)(rng() >> 56);
}

/* ------------------------------------------------------------- memories */

#define MEMSZ 1024
enum { M_ZERO, M_FF, M_PATTERN, M_RANDOM, M_TEXT, M_SPARSE, NMEM };
static const char *mem_names[NMEM] = { "zero", "ff", "pattern", "random", "text", "sparse" };
static unsigned char mems[NMEM][MEMSZ + 64] __attribute__((aligned(64)));

static void init_mems(void)
{
	static const char text[] = "Hello, world!\0tab\there\x01\x7f\x80\xff printable ~ text 0123456789";
	memset(mems[M_ZERO], 0, sizeof(mems[0]));
	memset(mems[M_FF], 0xff, sizeof(mems[0]));
	for (int i = 0; i < MEMSZ + 64; i++)
		mems[M_PATTERN][i] = (unsigned char)(i * 37 + 11);
	fill_random(mems[M_RANDOM], sizeof(mems[0]), 0x5eed1234);
	for (int i = 0; i < MEMSZ + 64; i++)
		mems[M_TEXT][i] = text[i % (sizeof(text) - 1)];
	fill_sparse(mems[M_SPARSE], sizeof(mems[0]), 0xabcdef);
	/* the sparse memory starts with zeros (zero-first-member cases) */
	memset(mems[M_SPARSE], 0, 8);
	mems[M_SPARSE][9] = 'A';
}

/* ------------------------------------------------------------- options */

#define OPTS(name, ...) LIBBPF_OPTS(btf_dump_type_data_opts, name, __VA_ARGS__)

static const char *indents[] = { NULL, "  ", "", "<-------------this indent string is longer than 31 bytes------------>" };
static const int levels[] = { 0, 2, -1, 257 };

struct combo {
	char label[32];
	struct btf_dump_type_data_opts o;
	int null_opts;
};

static int ncombos;
static struct combo combos[96];

static void init_combos(void)
{
	/* all 8 flag combinations with default indentation */
	for (int f = 0; f < 8; f++) {
		struct combo *c = &combos[ncombos++];
		memset(c, 0, sizeof(*c));
		c->o.sz = sizeof(c->o);
		c->o.compact = f & 1;
		c->o.skip_names = (f >> 1) & 1;
		c->o.emit_zeroes = (f >> 2) & 1;
		snprintf(c->label, sizeof(c->label), "c%ds%dz%d", f & 1, (f >> 1) & 1, (f >> 2) & 1);
	}
	/* indent strings x levels, with and without emit_zeroes (and one compact) */
	for (int i = 0; i < 4; i++)
		for (int l = 0; l < 4; l++)
			for (int z = 0; z < 2; z++) {
				struct combo *c = &combos[ncombos++];
				memset(c, 0, sizeof(*c));
				c->o.sz = sizeof(c->o);
				c->o.indent_str = indents[i];
				c->o.indent_level = levels[l];
				c->o.emit_zeroes = z;
				c->o.compact = (i == 1 && l == 1 && z == 1);
				snprintf(c->label, sizeof(c->label), "i%dl%dz%dc%d", i, levels[l], z, c->o.compact);
			}
}

/* ------------------------------------------------------ hand-built BTF */

struct named_id {
	const char *name;
	int id;
};

static struct named_id tids[256];
static int ntids;
static int struct_ids[64];
static int nstructs;

#define T(nm, expr) do { int _id = (expr); tids[ntids].name = (nm); tids[ntids++].id = _id; } while (0)
#define S(nm, expr) do { int _id = (expr); tids[ntids].name = (nm); tids[ntids++].id = _id; struct_ids[nstructs++] = _id; } while (0)

static struct btf *build_btf(void)
{
	struct btf *b = btf__new_empty();
	int t_char, t_uchar, t_bool, t_short, t_ushort, t_int, t_uint, t_long, t_ulong, t_i128, t_u128;
	int t_float, t_double, t_ldouble;

	T("char", t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED | BTF_INT_CHAR));
	T("uchar", t_uchar = btf__add_int(b, "unsigned char", 1, 0));
	T("bool", t_bool = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL));
	T("short", t_short = btf__add_int(b, "short", 2, BTF_INT_SIGNED));
	T("ushort", t_ushort = btf__add_int(b, "unsigned short", 2, 0));
	T("int", t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	T("uint", t_uint = btf__add_int(b, "unsigned int", 4, 0));
	T("long", t_long = btf__add_int(b, "long", 8, BTF_INT_SIGNED));
	T("ulong", t_ulong = btf__add_int(b, "long unsigned int", 8, 0));
	T("i128", t_i128 = btf__add_int(b, "__int128", 16, BTF_INT_SIGNED));
	T("u128", t_u128 = btf__add_int(b, "unsigned __int128", 16, 0));
	T("float", t_float = btf__add_float(b, "float", 4));
	T("double", t_double = btf__add_float(b, "double", 8));
	T("ldouble", t_ldouble = btf__add_float(b, "long double", 16));

	/* enums */
	int e_s, e_u, e_1, e_2, e_8, e_anon, e_empty, e64_s, e64_u;
	T("e_s", e_s = btf__add_enum(b, "e_s", 4));
	btf__add_enum_value(b, "ES_A", 1);
	btf__add_enum_value(b, "ES_M1", -1);
	btf__add_enum_value(b, "ES_Z", 0);
	T("e_u", e_u = btf__add_enum(b, "e_u", 4));
	btf__add_enum_value(b, "EU_ONE", 1);
	btf__add_enum_value(b, "EU_MAX", 0xffffffffLL);
	btf__add_enum_value(b, "EU_HI", 0x80000000LL);
	T("e_1", e_1 = btf__add_enum(b, "e_1", 1));
	btf__add_enum_value(b, "E1_FF", 0xff);
	btf__add_enum_value(b, "E1_1", 1);
	T("e_2", e_2 = btf__add_enum(b, "e_2", 2));
	btf__add_enum_value(b, "E2_X", 0x3725);
	btf__add_enum_value(b, "E2_N", -2);
	T("e_8", e_8 = btf__add_enum(b, "e_8", 8));
	btf__add_enum_value(b, "E8_A", 7);
	T("e_anon", e_anon = btf__add_enum(b, NULL, 4));
	btf__add_enum_value(b, "EA_0", 0);
	btf__add_enum_value(b, "EA_1", 0x0b0a0908);
	T("e_empty", e_empty = btf__add_enum(b, "e_empty", 4));
	T("e64_s", e64_s = btf__add_enum64(b, "e64_s", 8, true));
	btf__add_enum64_value(b, "E64S_M5", -5);
	btf__add_enum64_value(b, "E64S_BIG", 1ULL << 40);
	btf__add_enum64_value(b, "E64S_M1", -1);
	T("e64_u", e64_u = btf__add_enum64(b, "e64_u", 8, false));
	btf__add_enum64_value(b, "E64U_MAX", ~0ULL);
	btf__add_enum64_value(b, "E64U_1", 1);
	btf__add_enum64_value(b, "E64U_TOP", 1ULL << 63);
	int e64_4;
	T("e64_4", e64_4 = btf__add_enum64(b, "e64_4", 4, false));
	btf__add_enum64_value(b, "E644_A", 0x0d0c0b0a);

	/* modifiers and typedefs */
	int c_char, v_int, c_int, td_int, td_int2, td_char, v_long;
	T("const_char", c_char = btf__add_const(b, t_char));
	T("volatile_int", v_int = btf__add_volatile(b, t_int));
	T("const_int", c_int = btf__add_const(b, t_int));
	T("v_long", v_long = btf__add_volatile(b, t_long));
	T("myint", td_int = btf__add_typedef(b, "myint", t_int));
	T("myint2", td_int2 = btf__add_typedef(b, "myint2", td_int));
	T("tchar", td_char = btf__add_typedef(b, "tchar", t_char));
	int tag_int;
	T("tag_int", tag_int = btf__add_type_tag(b, "user", t_int));

	/* forward declarations and a struct used by pointers */
	int fwd_s, fwd_u, s_point;
	T("fwd_s", fwd_s = btf__add_fwd(b, "fwd_s", BTF_FWD_STRUCT));
	T("fwd_u", fwd_u = btf__add_fwd(b, "fwd_u", BTF_FWD_UNION));
	S("point", s_point = btf__add_struct(b, "point", 8));
	btf__add_field(b, "x", t_int, 0, 0);
	btf__add_field(b, "y", t_int, 32, 0);

	/* function prototypes */
	int fp_void, fp_args, fp_var, fn;
	T("fp_void", fp_void = btf__add_func_proto(b, 0));
	int pp_cchar = btf__add_ptr(b, c_char), pp_point = btf__add_ptr(b, s_point), pp_char = btf__add_ptr(b, t_char);
	T("fp_args", fp_args = btf__add_func_proto(b, t_int));
	btf__add_func_param(b, "a", t_int);
	btf__add_func_param(b, "", pp_cchar);
	btf__add_func_param(b, "pt", pp_point);
	T("fp_var", fp_var = btf__add_func_proto(b, pp_char));
	btf__add_func_param(b, "fmt", pp_cchar);
	btf__add_func_param(b, NULL, 0);
	T("func", fn = btf__add_func(b, "some_func", BTF_FUNC_GLOBAL, fp_args));
	int fp_void1;
	T("fp_void1", fp_void1 = btf__add_func_proto(b, t_int));
	btf__add_func_param(b, NULL, 0);

	/* pointers */
	int p_void, p_char, p_cchar, p_point, p_fwd_s, p_fwd_u, p_fp, p_fp2, p_pp, p_td, p_enum, p_tag, p_cp, p_vp;
	T("p_void", p_void = btf__add_ptr(b, 0));
	T("p_char", p_char = btf__add_ptr(b, t_char));
	T("p_cchar", p_cchar = btf__add_ptr(b, c_char));
	T("p_point", p_point = btf__add_ptr(b, s_point));
	T("p_fwd_s", p_fwd_s = btf__add_ptr(b, fwd_s));
	T("p_fwd_u", p_fwd_u = btf__add_ptr(b, fwd_u));
	T("p_fp_void", p_fp = btf__add_ptr(b, fp_void));
	T("p_fp_args", p_fp2 = btf__add_ptr(b, fp_args));
	T("p_p_char", p_pp = btf__add_ptr(b, p_char));
	T("p_myint", p_td = btf__add_ptr(b, td_int));
	T("p_enum", p_enum = btf__add_ptr(b, e_s));
	T("p_tag", p_tag = btf__add_ptr(b, tag_int));
	T("const_p_char", p_cp = btf__add_const(b, p_char));
	T("volatile_p_void", p_vp = btf__add_volatile(b, p_void));
	int r_p = btf__add_restrict(b, p_char);
	T("restrict_p", r_p);
	int td_fp;
	T("td_fp", td_fp = btf__add_typedef(b, "callback_t", p_fp2));
	T("p_fp_var", btf__add_ptr(b, fp_var));
	T("p_fp_void1", btf__add_ptr(b, fp_void1));

	/* arrays */
	int a_char8, a_char2x4, a_uchar6, a_int4, a_int2x3, a_int0, a_long3, a_point2, a_pchar3, a_bool4,
	    a_enum3, a_tchar5, a_cchar6, a_float2, a_fp2, p_a_int4, a_v_int3, a_char1, a_char2x4x2;
	T("char8", a_char8 = btf__add_array(b, t_int, t_char, 8));
	T("char2x4", a_char2x4 = btf__add_array(b, t_int, btf__add_array(b, t_int, t_char, 4), 2));
	T("char2x4x2", a_char2x4x2 = btf__add_array(b, t_int, a_char2x4, 2));
	T("uchar6", a_uchar6 = btf__add_array(b, t_int, t_uchar, 6));
	T("int4", a_int4 = btf__add_array(b, t_int, t_int, 4));
	T("int2x3", a_int2x3 = btf__add_array(b, t_int, btf__add_array(b, t_int, t_int, 3), 2));
	T("int0", a_int0 = btf__add_array(b, t_int, t_int, 0));
	T("long3", a_long3 = btf__add_array(b, t_int, t_long, 3));
	T("point2", a_point2 = btf__add_array(b, t_int, s_point, 2));
	T("pchar3", a_pchar3 = btf__add_array(b, t_int, p_char, 3));
	T("bool4", a_bool4 = btf__add_array(b, t_int, t_bool, 4));
	T("enum3", a_enum3 = btf__add_array(b, t_int, e_s, 3));
	T("tchar5", a_tchar5 = btf__add_array(b, t_int, td_char, 5));
	T("cchar6", a_cchar6 = btf__add_array(b, t_int, c_char, 6));
	T("float2", a_float2 = btf__add_array(b, t_int, t_float, 2));
	T("fp2", a_fp2 = btf__add_array(b, t_int, p_fp2, 2));
	T("p_int4", p_a_int4 = btf__add_ptr(b, a_int4));
	T("vint3", a_v_int3 = btf__add_array(b, t_int, v_int, 3));
	T("char1", a_char1 = btf__add_array(b, t_int, t_char, 1));
	int td_arr;
	T("td_arr", td_arr = btf__add_typedef(b, "name_t", a_char8));
	T("p_p_int4", btf__add_ptr(b, p_a_int4));
	T("a_p_a", btf__add_array(b, t_int, p_a_int4, 2));

	/* structs and unions */
	int s;
	S("basic", s = btf__add_struct(b, "basic", 48));
	btf__add_field(b, "a", t_int, 0, 0);
	btf__add_field(b, "name", a_char8, 32, 0);
	btf__add_field(b, "x", t_uchar, 96, 0);
	btf__add_field(b, "flag", t_bool, 104, 0);
	btf__add_field(b, "arr", a_int4, 128, 0);
	btf__add_field(b, "n2", a_char8, 256, 0);
	btf__add_field(b, "c", t_char, 320, 0);
	btf__add_field(b, "tail", a_int2x3, 352 - 32, 0);

	S("numbers", s = btf__add_struct(b, "numbers", 96));
	btf__add_field(b, "c", t_char, 0, 0);
	btf__add_field(b, "uc", t_uchar, 8, 0);
	btf__add_field(b, "s", t_short, 16, 0);
	btf__add_field(b, "us", t_ushort, 32, 0);
	btf__add_field(b, "i", t_int, 64, 0);
	btf__add_field(b, "ui", t_uint, 96, 0);
	btf__add_field(b, "l", t_long, 128, 0);
	btf__add_field(b, "ul", t_ulong, 192, 0);
	btf__add_field(b, "f", t_float, 256, 0);
	btf__add_field(b, "d", t_double, 320, 0);
	btf__add_field(b, "ld", t_ldouble, 384, 0);
	btf__add_field(b, "q", t_i128, 512, 0);
	btf__add_field(b, "uq", t_u128, 640, 0);

	S("enums", s = btf__add_struct(b, "enums", 48));
	btf__add_field(b, "es", e_s, 0, 0);
	btf__add_field(b, "eu", e_u, 32, 0);
	btf__add_field(b, "e1", e_1, 64, 0);
	btf__add_field(b, "e2", e_2, 80, 0);
	btf__add_field(b, "ea", e_anon, 96, 0);
	btf__add_field(b, "e8", e_8, 128, 0);
	btf__add_field(b, "e64s", e64_s, 192, 0);
	btf__add_field(b, "e64u", e64_u, 256, 0);
	btf__add_field(b, "ee", e_empty, 320, 0);
	btf__add_field(b, "e644", e64_4, 352, 0);

	S("bits", s = btf__add_struct(b, "bits", 24));
	btf__add_field(b, "a", t_int, 0, 3);
	btf__add_field(b, "b", t_uint, 3, 5);
	btf__add_field(b, "c", t_int, 8, 1);
	btf__add_field(b, "d", t_uint, 9, 20);
	btf__add_field(b, "e", t_int, 29, 3);
	btf__add_field(b, "f", t_ulong, 32, 33);
	btf__add_field(b, "g", t_long, 65, 7);
	btf__add_field(b, "h", e_s, 72, 4);
	btf__add_field(b, "i", e_u, 76, 4);
	btf__add_field(b, "j", t_uchar, 80, 3);
	btf__add_field(b, "k", t_bool, 83, 1);
	btf__add_field(b, "l", e64_s, 96, 40);
	btf__add_field(b, "m", td_int, 160, 6);
	btf__add_field(b, "n", t_short, 166, 10);

	S("tailbits", s = btf__add_struct(b, "tailbits", 2));
	btf__add_field(b, "lo", t_uchar, 0, 4);
	btf__add_field(b, "hi", t_int, 4, 9);

	S("packed", s = btf__add_struct(b, "packed", 27));
	btf__add_field(b, "c", t_char, 0, 0);
	btf__add_field(b, "i", t_int, 8, 0);
	btf__add_field(b, "p", p_char, 40, 0);
	btf__add_field(b, "e", e_s, 104, 0);
	btf__add_field(b, "s", t_short, 136, 0);
	btf__add_field(b, "f", t_float, 152, 0);
	btf__add_field(b, "e1", e_1, 184, 0);
	btf__add_field(b, "e64", e64_u, 192 - 8, 0);

	int anon_s, anon_u;
	anon_s = btf__add_struct(b, NULL, 8);
	btf__add_field(b, "ax", t_int, 0, 0);
	btf__add_field(b, "ay", t_int, 32, 0);
	anon_u = btf__add_union(b, NULL, 8);
	btf__add_field(b, "ui", t_int, 0, 0);
	btf__add_field(b, "uf", t_float, 0, 0);
	btf__add_field(b, "up", p_void, 0, 0);
	T("anon_struct", anon_s);
	T("anon_union", anon_u);
	int td_anon;
	T("td_anon", td_anon = btf__add_typedef(b, "anon_t", anon_s));
	S("nest", s = btf__add_struct(b, "nest", 112));
	btf__add_field(b, NULL, anon_s, 0, 0);
	btf__add_field(b, NULL, anon_u, 64, 0);
	btf__add_field(b, "named_anon", anon_s, 128, 0);
	btf__add_field(b, "pt", s_point, 192, 0);
	btf__add_field(b, "pts", a_point2, 256, 0);
	btf__add_field(b, "ta", td_anon, 384, 0);
	btf__add_field(b, "pp", p_point, 448, 0);
	btf__add_field(b, "cb", td_fp, 512, 0);
	btf__add_field(b, "fps", a_fp2, 576, 0);
	btf__add_field(b, "pa", p_a_int4, 704, 0);
	btf__add_field(b, "nm", td_arr, 768, 0);
	btf__add_field(b, "pf", p_fwd_s, 832, 0);

	int u;
	S("u", u = btf__add_union(b, "u", 16));
	btf__add_field(b, "i", t_int, 0, 0);
	btf__add_field(b, "c", a_char8, 0, 0);
	btf__add_field(b, "f", t_double, 0, 0);
	btf__add_field(b, "e", e_s, 0, 0);
	btf__add_field(b, "q", t_u128, 0, 0);

	S("mods", s = btf__add_struct(b, "mods", 64));
	btf__add_field(b, "ci", c_int, 0, 0);
	btf__add_field(b, "vi", v_int, 32, 0);
	btf__add_field(b, "vl", v_long, 64, 0);
	btf__add_field(b, "cp", p_cchar, 128, 0);
	btf__add_field(b, "pc", p_cp, 192, 0);
	btf__add_field(b, "rp", r_p, 256, 0);
	btf__add_field(b, "tg", tag_int, 320, 0);
	btf__add_field(b, "ptg", p_tag, 384, 0);
	btf__add_field(b, "cc", a_cchar6, 448, 0);

	int p_p_a_int4 = btf__add_ptr(b, p_a_int4);
	S("ptrs", s = btf__add_struct(b, "ptrs", 96));
	btf__add_field(b, "v", p_void, 0, 0);
	btf__add_field(b, "fs", p_fwd_s, 64, 0);
	btf__add_field(b, "fu", p_fwd_u, 128, 0);
	btf__add_field(b, "f0", p_fp, 192, 0);
	btf__add_field(b, "pp", p_pp, 256, 0);
	btf__add_field(b, "pe", p_enum, 320, 0);
	btf__add_field(b, "vp", p_vp, 384, 0);
	btf__add_field(b, "pcs", a_pchar3, 448, 0);
	btf__add_field(b, "pti", p_td, 640, 0);
	btf__add_field(b, "ppa", p_p_a_int4, 704, 0);

	S("zfirst", s = btf__add_struct(b, "zfirst", 16));
	btf__add_field(b, "z", t_int, 0, 0);
	btf__add_field(b, "nz", t_int, 32, 0);
	btf__add_field(b, "inner", s_point, 64, 0);
	S("zouter", btf__add_struct(b, "zouter", 24));
	btf__add_field(b, "first", s, 0, 0);
	btf__add_field(b, "other", t_long, 128, 0);

	S("empty", btf__add_struct(b, "empty", 0));
	S("empty_u", btf__add_union(b, "empty_u", 0));
	int empty2 = btf__add_struct(b, "empty2", 0);
	S("hasempty", s = btf__add_struct(b, "hasempty", 8));
	btf__add_field(b, "e", empty2, 0, 0);
	btf__add_field(b, "z", a_int0, 0, 0);
	btf__add_field(b, "v", t_int, 0, 0);
	btf__add_field(b, "w", t_int, 32, 0);

	S("arrays", s = btf__add_struct(b, "arrays", 128));
	btf__add_field(b, "i4", a_int4, 0, 0);
	btf__add_field(b, "m", a_int2x3, 128, 0);
	btf__add_field(b, "b4", a_bool4, 320, 0);
	btf__add_field(b, "e3", a_enum3, 352, 0);
	btf__add_field(b, "f2", a_float2, 448, 0);
	btf__add_field(b, "c24", a_char2x4, 512, 0);
	btf__add_field(b, "u6", a_uchar6, 576, 0);
	btf__add_field(b, "t5", a_tchar5, 624, 0);
	btf__add_field(b, "c1", a_char1, 664, 0);
	btf__add_field(b, "v3", a_v_int3, 672, 0);
	btf__add_field(b, "l3", a_long3, 768, 0);

	/* the char flag sticks: arrays and 1-byte ints after a char array */
	S("sticky", s = btf__add_struct(b, "sticky", 40));
	btf__add_field(b, "i4", a_int4, 0, 0);
	btf__add_field(b, "u", t_uchar, 128, 0);
	btf__add_field(b, "name", a_char8, 136, 0);
	btf__add_field(b, "after", a_int4, 200, 0);
	btf__add_field(b, "b", t_bool, 328, 0);

	/* members whose dump fails */
	S("badfwd", s = btf__add_struct(b, "badfwd", 8));
	btf__add_field(b, "ok", t_int, 0, 0);
	btf__add_field(b, "f", fwd_s, 32, 0);
	btf__add_field(b, "after", t_int, 32, 0);
	int dtag;
	T("decl_tag", dtag = btf__add_decl_tag(b, "tagged", t_int, -1));
	S("badtag", s = btf__add_struct(b, "badtag", 8));
	btf__add_field(b, "ok", t_int, 0, 0);
	btf__add_field(b, "t", dtag, 32, 0);
	S("badproto", s = btf__add_struct(b, "badproto", 8));
	btf__add_field(b, "ok", t_int, 0, 0);
	btf__add_field(b, "fp", fp_args, 32, 0);
	/* an array of zero-sized elements: "unexpected elem size" */
	int empty3 = btf__add_struct(b, "empty3", 0);
	T("a_empty", btf__add_array(b, t_int, empty3, 3));
	int a_empty3 = btf__add_array(b, t_int, empty3, 3);
	S("arrbad", s = btf__add_struct(b, "arrbad", 8));
	btf__add_field(b, "ok", t_int, 0, 0);
	btf__add_field(b, "ae", a_empty3, 32, 0);
	btf__add_field(b, "after", t_int, 32, 0);
	/* an array of structs cut short by data_sz (element errors are ignored) */
	int a_point4 = btf__add_array(b, t_int, s_point, 4);
	S("ptarr", s = btf__add_struct(b, "ptarr", 36));
	btf__add_field(b, "n", t_int, 0, 0);
	btf__add_field(b, "pts", a_point4, 32, 0);

	/* duplicate names: numbered in the order they are first printed */
	int d1, d2, d3, dt1, dt2;
	S("dup1", d1 = btf__add_struct(b, "dup", 4));
	btf__add_field(b, "a", t_int, 0, 0);
	S("dup2", d2 = btf__add_struct(b, "dup", 4));
	btf__add_field(b, "b", t_int, 0, 0);
	S("dup3", d3 = btf__add_union(b, "dup", 4));
	btf__add_field(b, "c", t_int, 0, 0);
	T("dupt1", dt1 = btf__add_typedef(b, "dup", d2));
	T("dupt2", dt2 = btf__add_typedef(b, "dup", d1));
	int de = btf__add_enum(b, "dup", 4);
	btf__add_enum_value(b, "DUP_A", 1);
	T("dupe", de);
	int p_dup_fwd = btf__add_ptr(b, btf__add_fwd(b, "dup", BTF_FWD_UNION));
	S("dups", s = btf__add_struct(b, "dups", 28));
	btf__add_field(b, "x", d2, 0, 0);
	btf__add_field(b, "y", d1, 32, 0);
	btf__add_field(b, "z", dt2, 64, 0);
	btf__add_field(b, "w", dt1, 96, 0);
	btf__add_field(b, "v", d3, 128, 0);
	btf__add_field(b, "e", de, 160, 0);
	btf__add_field(b, "p", p_dup_fwd, 192 - 32, 0);

	/* variables and a section */
	int v1, v2, v3, v4, ds;
	T("var_static", v1 = btf__add_var(b, "counter", BTF_VAR_STATIC, t_int));
	T("var_global", v2 = btf__add_var(b, "gpoint", BTF_VAR_GLOBAL_ALLOCATED, s_point));
	T("var_extern", v3 = btf__add_var(b, "ext_name", BTF_VAR_GLOBAL_EXTERN, a_char8));
	T("var_anon", v4 = btf__add_var(b, "ganon", BTF_VAR_GLOBAL_ALLOCATED, anon_s));
	T("datasec", ds = btf__add_datasec(b, ".data", 40));
	btf__add_datasec_var_info(b, v1, 0, 4);
	btf__add_datasec_var_info(b, v2, 4, 8);
	btf__add_datasec_var_info(b, v3, 12, 8);
	btf__add_datasec_var_info(b, v4, 24, 8);
	T("datasec_empty", btf__add_datasec(b, ".bss", 0));
	(void)e64_4;
	return b;
}

/* ------------------------------------------------------------ sections */

static const char *kind_names[] = { "void", "int", "ptr", "array", "struct", "union", "enum", "fwd",
				    "typedef", "volatile", "const", "restrict", "func", "func_proto",
				    "var", "datasec", "float", "decl_tag", "type_tag", "enum64" };

static void label_of(struct btf *b, int id, char *buf, size_t n)
{
	for (int i = 0; i < ntids; i++)
		if (tids[i].id == id) {
			snprintf(buf, n, "%s#%d", tids[i].name, id);
			return;
		}
	const struct btf_type *t = btf__type_by_id(b, id);
	int k = t ? btf_kind(t) : 0;
	snprintf(buf, n, "%s#%d", k < 20 ? kind_names[k] : "?", id);
}

static void section_types(struct btf *b)
{
	struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
	OPTS(z, .emit_zeroes = 1);
	OPTS(c, .compact = 1);
	OPTS(csz, .compact = 1, .skip_names = 1, .emit_zeroes = 1);
	const struct btf_dump_type_data_opts *os[] = { NULL, &z, &c, &csz };
	const char *on[] = { "null", "z", "c", "csz" };
	char name[64], label[128];
	int n = btf__type_cnt(b);

	for (int id = 1; id < n; id++) {
		label_of(b, id, name, sizeof(name));
		long long size = btf__resolve_size(b, id);
		size_t sz = size > 0 && size <= MEMSZ ? (size_t)size : 64;
		for (int m = 0; m < NMEM; m++)
			for (int o = 0; o < 4; o++) {
				snprintf(label, sizeof(label), "%s/%s/%s", name, mem_names[m], on[o]);
				dump("types", label, d, id, mems[m], sz, os[o]);
			}
	}
	btf_dump__free(d);
}

static void section_combos(struct btf *b)
{
	struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
	char name[64], label[160];

	for (int i = 0; i < nstructs; i++) {
		int id = struct_ids[i];
		label_of(b, id, name, sizeof(name));
		long long size = btf__resolve_size(b, id);
		for (int m = 0; m < NMEM; m++)
			for (int c = 0; c < ncombos; c++) {
				snprintf(label, sizeof(label), "%s/%s/%s", name, mem_names[m], combos[c].label);
				dump("combos", label, d, id, mems[m], (size_t)size, &combos[c].o);
			}
	}
	btf_dump__free(d);
}

static void section_unaligned(struct btf *b)
{
	struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
	OPTS(z, .emit_zeroes = 1);
	const int ms[] = { M_RANDOM, M_PATTERN, M_FF, M_ZERO };
	char name[64], label[160];
	int n = btf__type_cnt(b);

	for (int id = 1; id < n; id++) {
		label_of(b, id, name, sizeof(name));
		long long size = btf__resolve_size(b, id);
		if (size <= 0 || size > MEMSZ)
			continue;
		for (int m = 0; m < 4; m++)
			for (int off = 1; off <= 3; off += 2) {
				snprintf(label, sizeof(label), "%s/%s/+%d/null", name, mem_names[ms[m]], off);
				dump("unaligned", label, d, id, mems[ms[m]] + off, (size_t)size, NULL);
				snprintf(label, sizeof(label), "%s/%s/+%d/z", name, mem_names[ms[m]], off);
				dump("unaligned", label, d, id, mems[ms[m]] + off, (size_t)size, &z);
			}
	}
	btf_dump__free(d);
}

static void section_sizes(struct btf *b)
{
	struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
	OPTS(z, .emit_zeroes = 1);
	char name[64], label[160];
	int n = btf__type_cnt(b);

	for (int id = 1; id < n; id++) {
		label_of(b, id, name, sizeof(name));
		long long size = btf__resolve_size(b, id);
		if (size < 0 || size > MEMSZ)
			continue;
		long long szs[] = { 0, 1, size - 1, size / 2, size + 16 };
		for (int i = 0; i < 5; i++) {
			if (szs[i] < 0 || (i > 0 && szs[i] == szs[i - 1]) || szs[i] == size)
				continue;
			snprintf(label, sizeof(label), "%s/random/sz%lld/null", name, szs[i]);
			dump("sizes", label, d, id, mems[M_RANDOM], (size_t)szs[i], NULL);
			snprintf(label, sizeof(label), "%s/sparse/sz%lld/z", name, szs[i]);
			dump("sizes", label, d, id, mems[M_SPARSE], (size_t)szs[i], &z);
		}
	}
	btf_dump__free(d);
}

static void section_ptr4(void)
{
	OPTS(z, .emit_zeroes = 1);
	for (int variant = 0; variant < 2; variant++) {
		struct btf *b = btf__new_empty();
		int t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
		int t_char = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
		if (variant == 1)
			btf__add_int(b, "long int", 4, BTF_INT_SIGNED); /* the size is deduced from long */
		int p_void = btf__add_ptr(b, 0);
		int p_char = btf__add_ptr(b, t_char);
		int arr = btf__add_array(b, t_int, p_void, 2);
		int s = btf__add_struct(b, "p4", 24);
		btf__add_field(b, "a", p_void, 0, 0);
		btf__add_field(b, "b", p_char, 32, 0);
		btf__add_field(b, "c", t_int, 64, 0);
		btf__add_field(b, "d", p_void, 104, 0);
		btf__add_field(b, "e", arr, 128, 0);
		if (variant == 0)
			btf__set_pointer_size(b, 4);
		struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
		const int ms[] = { M_ZERO, M_PATTERN, M_RANDOM, M_FF };
		char label[128];
		for (int m = 0; m < 4; m++)
			for (int off = 0; off < 3; off++) {
				snprintf(label, sizeof(label), "v%d/p4/%s/+%d/null", variant, mem_names[ms[m]], off);
				dump("ptr4", label, d, s, mems[ms[m]] + off, 24, NULL);
				snprintf(label, sizeof(label), "v%d/p4/%s/+%d/z", variant, mem_names[ms[m]], off);
				dump("ptr4", label, d, s, mems[ms[m]] + off, 24, &z);
				snprintf(label, sizeof(label), "v%d/ptr/%s/+%d/null", variant, mem_names[ms[m]], off);
				dump("ptr4", label, d, p_void, mems[ms[m]] + off, 8, NULL);
				snprintf(label, sizeof(label), "v%d/ptr/%s/+%d/sz3", variant, mem_names[ms[m]], off);
				dump("ptr4", label, d, p_void, mems[ms[m]] + off, 3, NULL);
			}
		btf_dump__free(d);
		btf__free(b);
	}
}

static void section_errors(struct btf *b)
{
	struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
	int n = btf__type_cnt(b);
	int basic = btf__find_by_name_kind(b, "basic", BTF_KIND_STRUCT);
	int t_int = btf__find_by_name_kind(b, "int", BTF_KIND_INT);
	int empty = btf__find_by_name_kind(b, "empty", BTF_KIND_STRUCT);
	char label[128];
	const __u32 bad[] = { (__u32)n, (__u32)n + 1, (__u32)n + 1000, 0x7fffffff, 0xffffffff, 0 };
	for (int i = 0; i < 6; i++) {
		snprintf(label, sizeof(label), "badid/%u", bad[i]);
		dump("errors", label, d, bad[i], mems[M_RANDOM], 64, NULL);
	}

	/* opts validation and sizes */
	struct {
		struct btf_dump_type_data_opts o;
		char tail[16];
	} big;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.emit_zeroes = 1;
	dump("errors", "opts/bigger-zero-tail", d, basic, mems[M_SPARSE], 48, &big.o);
	big.tail[3] = 1;
	dump("errors", "opts/bigger-nonzero-tail", d, basic, mems[M_SPARSE], 48, &big.o);
	big.tail[3] = 0;
	big.o.sz = 23; /* up to emit_zeroes: the __last_field boundary */
	dump("errors", "opts/sz23", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 22; /* emit_zeroes not covered */
	dump("errors", "opts/sz22", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 24;
	big.o.indent_str = "--";
	big.o.indent_level = 1;
	big.o.compact = 0;
	dump("errors", "opts/sz24", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 16; /* indent_str only */
	dump("errors", "opts/sz16", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 8;
	dump("errors", "opts/sz8", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 4;
	dump("errors", "opts/sz4", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 0;
	dump("errors", "opts/sz0", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 4;
	dump("errors", "opts/sz4-badid", d, n + 5, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 17; /* part of indent_level */
	dump("errors", "opts/sz17", d, basic, mems[M_SPARSE], 48, &big.o);
	big.o.sz = 21;
	big.o.compact = 1;
	dump("errors", "opts/sz21-compact", d, basic, mems[M_SPARSE], 48, &big.o);

	/* NULL opts, NULL data */
	dump("errors", "nullopts/basic", d, basic, mems[M_PATTERN], 48, NULL);
	dump("errors", "nulldata/int-sz0", d, t_int, NULL, 0, NULL);
	dump("errors", "nulldata/basic-sz0", d, basic, NULL, 0, NULL);
	dump("errors", "nulldata/empty-sz0", d, empty, NULL, 0, NULL);
	dump("errors", "sz0/empty", d, empty, mems[M_RANDOM], 0, NULL);
	dump("errors", "sz0/int", d, t_int, mems[M_RANDOM], 0, NULL);
	dump("errors", "sz3/int", d, t_int, mems[M_RANDOM], 3, NULL);
	dump("errors", "sz4/int", d, t_int, mems[M_RANDOM], 4, NULL);
	dump("errors", "szmax/int", d, t_int, mems[M_RANDOM], (size_t)-1 / 2, NULL);
	btf_dump__free(d);
}

/* ------------------------------------------------------------- vmlinux */

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void section_vmlinux(void)
{
	struct btf *b = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	if (!b) {
		printf("vmlinux unavailable\n");
		printf("vmsmall unavailable\n");
		return;
	}
	int n = btf__type_cnt(b);
	int *structs = calloc(n, sizeof(int)), *smalls = calloc(n, sizeof(int));
	int ns = 0, nsm = 0;
	long long maxsz = 0;
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		int k = btf_kind(t);
		long long size = btf__resolve_size(b, id);
		if (size < 0 || size > 65536)
			continue;
		if ((k == BTF_KIND_STRUCT || k == BTF_KIND_UNION) && size > 0)
			structs[ns++] = id;
		else if (k != BTF_KIND_STRUCT && k != BTF_KIND_UNION && k != BTF_KIND_DATASEC)
			smalls[nsm++] = id;
		else
			continue;
		if (size > maxsz)
			maxsz = size;
	}
	int sample[256], nsample = 0;
	for (int i = 0; i < 200 && ns; i++)
		sample[nsample++] = structs[(long long)i * ns / 200];
	int task = btf__find_by_name_kind(b, "task_struct", BTF_KIND_STRUCT);
	if (task > 0)
		sample[nsample++] = task;
	printf("vmlinux structs=%d sampled=%d\n", ns, nsample);

	unsigned char *buf;
	if (posix_memalign((void **)&buf, 64, maxsz + 256))
		return;
	struct btf_dump *d = btf_dump__new(b, dump_printf, NULL, NULL);
	OPTS(z, .emit_zeroes = 1);
	OPTS(cs, .compact = 1, .skip_names = 1);
	OPTS(ind, .indent_str = "  ", .indent_level = 1);
	char label[160];
	for (int i = 0; i < nsample; i++) {
		int id = sample[i];
		long long size = btf__resolve_size(b, id);
		const char *name = btf__name_by_offset(b, btf__type_by_id(b, id)->name_off);
		fill_random(buf, size + 256, 0x1234567ULL * id);
		snprintf(label, sizeof(label), "%s#%d/random/null", name && *name ? name : "anon", id);
		dump("vmlinux", label, d, id, buf, size, NULL);
		snprintf(label, sizeof(label), "%s#%d/random/cs", name && *name ? name : "anon", id);
		dump("vmlinux", label, d, id, buf, size, &cs);
		if (i % 4 == 0) {
			snprintf(label, sizeof(label), "%s#%d/random/half", name && *name ? name : "anon", id);
			dump("vmlinux", label, d, id, buf, size / 2, NULL);
		}
		fill_sparse(buf, size + 256, 0x7654321ULL * id);
		snprintf(label, sizeof(label), "%s#%d/sparse/ind", name && *name ? name : "anon", id);
		dump("vmlinux", label, d, id, buf, size, &ind);
		if (i % 3 == 0) {
			snprintf(label, sizeof(label), "%s#%d/sparse/z", name && *name ? name : "anon", id);
			dump("vmlinux", label, d, id, buf, size, &z);
		}
	}

	/* small types */
	qsort(smalls, nsm, sizeof(int), cmp_int);
	printf("vmsmall types=%d\n", nsm);
	for (int i = 0; i < 200 && nsm; i++) {
		int id = smalls[(long long)i * nsm / 200];
		long long size = btf__resolve_size(b, id);
		const struct btf_type *t = btf__type_by_id(b, id);
		const char *name = btf__name_by_offset(b, t->name_off);
		fill_random(buf, size + 256, 0x55aa55ULL * id);
		snprintf(label, sizeof(label), "%s#%d/random/null", name && *name ? name : kind_names[btf_kind(t)], id);
		dump("vmsmall", label, d, id, buf, size, NULL);
		snprintf(label, sizeof(label), "%s#%d/random/cs", name && *name ? name : kind_names[btf_kind(t)], id);
		dump("vmsmall", label, d, id, buf, size, &cs);
		memset(buf, 0, size + 256);
		snprintf(label, sizeof(label), "%s#%d/zero/z", name && *name ? name : kind_names[btf_kind(t)], id);
		dump("vmsmall", label, d, id, buf, size, &z);
	}
	/* a section with variables, if one is small enough */
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		if (btf_kind(t) != BTF_KIND_DATASEC || t->size > 1 << 20)
			continue;
		unsigned char *sec;
		if (posix_memalign((void **)&sec, 64, t->size + 256))
			break;
		fill_sparse(sec, t->size + 256, 99);
		snprintf(label, sizeof(label), "datasec#%d/sparse/null", id);
		dump("vmsmall", label, d, id, sec, t->size, NULL);
		free(sec);
		break;
	}
	btf_dump__free(d);
	free(buf);
	free(structs);
	free(smalls);
	btf__free(b);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	setvbuf(stdout, NULL, getenv("PROBE_LINEBUF") ? _IOLBF : _IOFBF, 1 << 20);
	print_mapped();
	libbpf_set_print(log_print);
	init_mems();
	init_combos();
	struct btf *b = build_btf();
	printf("setup types=%u structs=%d combos=%d\n", btf__type_cnt(b), nstructs, ncombos);
	section_types(b);
	section_combos(b);
	section_unaligned(b);
	section_sizes(b);
	section_ptr4();
	section_errors(b);
	section_vmlinux();
	btf__free(b);
	printf("END\n");
	return 0;
}
