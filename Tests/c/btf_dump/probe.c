/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * SwiftBPF btf_dump probe: btf_dump__dump_type / btf_dump__emit_type_decl,
 * run once against the reference libbpf.so.1 and once against ours (run.sh).
 * Compiled once against /usr/include, linked with -lbpf; LD_LIBRARY_PATH
 * decides which library is loaded.
 *
 * Usage: probe MODE OUT LOG
 *   MODE  dump      every vmlinux id 1..n-1 in order, on one btf_dump object
 *         dumprev   the same in reverse id order (other fwd-decl paths)
 *         decl      emit_type_decl for every vmlinux id: field "x", indent 0
 *                   and 2, strip_mods false and true (4 calls per id), and
 *                   field "" / indent 1 / NULL opts for every 5th id
 *         mixed     dump_type then emit_type_decl per id, one object
 *         hand      hand-built BTFs (btf__new_empty + btf__add_*), and a
 *                   split BTF on top of vmlinux when it is readable
 *         benchN    best time of N full dumps (fresh dump objects) into
 *                   /dev/null, printed as "BENCH <ms>" to OUT
 *   OUT   file that receives "MAPPED <realpath>" then the printed text
 *   LOG   file that receives libbpf's log lines (prefixed with the call)
 * Timing of the dump loop goes to stderr as "TIME <mode> <ms>".
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
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

static FILE *out, *logf_;
static char ctx_tag[128] = "";

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

static void dump_printf(void *ctx, const char *fmt, va_list args)
{
	vfprintf((FILE *)ctx, fmt, args);
}

static int log_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fprintf(logf_, "%s%s", ctx_tag, level == LIBBPF_WARN ? "W " : "I ");
	return vfprintf(logf_, fmt, args);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct btf *load_vmlinux(void)
{
	struct btf *btf = btf__parse_raw("/sys/kernel/btf/vmlinux");
	if (!btf) {
		fprintf(stderr, "cannot parse /sys/kernel/btf/vmlinux: %d\n", -errno);
		exit(2);
	}
	return btf;
}

static struct btf_dump *new_dump(struct btf *btf)
{
	struct btf_dump *d = btf_dump__new(btf, dump_printf, out, NULL);
	if (!d) {
		fprintf(stderr, "btf_dump__new failed: %d\n", -errno);
		exit(2);
	}
	return d;
}

/* dump_type and report a failure (the text of a success is the output itself) */
static void dump_one(struct btf_dump *d, __u32 id)
{
	int err;

	snprintf(ctx_tag, sizeof(ctx_tag), "[dump %u] ", id);
	errno = 12345;
	err = btf_dump__dump_type(d, id);
	if (err)
		fprintf(out, "\n!! dump_type(%u) = %d errno=%d\n", id, err, errno);
}

static void decl_one(struct btf_dump *d, __u32 id, const char *fname, int lvl, int strip, int null_opts)
{
	LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = fname,
		    .indent_level = lvl, .strip_mods = strip);
	int err;

	snprintf(ctx_tag, sizeof(ctx_tag), "[decl %u %s %d %d%s] ", id, fname, lvl, strip,
		 null_opts ? " null" : "");
	fprintf(out, "D %u '%s' %d %d%s: ", id, fname, lvl, strip, null_opts ? " null" : "");
	errno = 12345;
	err = btf_dump__emit_type_decl(d, id, null_opts ? NULL : &opts);
	if (err)
		fprintf(out, " !! = %d errno=%d", err, errno);
	fprintf(out, "\n");
}

/* best of N fresh full dumps into /dev/null, for timing only */
static void mode_bench(int reps)
{
	struct btf *btf = load_vmlinux();
	__u32 n = btf__type_cnt(btf), id;
	FILE *null = fopen("/dev/null", "w");
	double best = 1e9, t0, t;
	int r;

	setvbuf(null, NULL, _IOFBF, 1 << 16);
	for (r = 0; r < reps; r++) {
		struct btf_dump *d = btf_dump__new(btf, dump_printf, null, NULL);

		t0 = now_ms();
		for (id = 1; id < n; id++)
			btf_dump__dump_type(d, id);
		fflush(null);
		t = now_ms() - t0;
		if (t < best)
			best = t;
		btf_dump__free(d);
	}
	fprintf(out, "BENCH %.1f\n", best);
	fclose(null);
	btf__free(btf);
}

static void mode_vmlinux(const char *mode)
{
	struct btf *btf = load_vmlinux();
	__u32 n = btf__type_cnt(btf), id;
	struct btf_dump *d = new_dump(btf);
	double t0, t1;

	t0 = now_ms();
	if (!strcmp(mode, "dump")) {
		for (id = 1; id < n; id++)
			dump_one(d, id);
	} else if (!strcmp(mode, "dumprev")) {
		for (id = n - 1; id >= 1; id--)
			dump_one(d, id);
	} else if (!strcmp(mode, "decl")) {
		for (id = 0; id < n; id++) {
			decl_one(d, id, "x", 0, 0, 0);
			decl_one(d, id, "x", 2, 1, 0);
			decl_one(d, id, "x", 0, 1, 0);
			decl_one(d, id, "x", 2, 0, 0);
			if (id % 5 == 0) {
				decl_one(d, id, "", 1, 0, 0);
				decl_one(d, id, "", 0, 0, 1);
			}
		}
	} else if (!strcmp(mode, "mixed")) {
		for (id = 1; id < n; id++) {
			dump_one(d, id);
			if (id % 3 == 0)
				decl_one(d, id, "fld", 1, id % 2, 0);
		}
		/* everything emitted already: must print nothing more */
		for (id = 1; id < n; id += 97)
			dump_one(d, id);
		fprintf(out, "-- after second pass\n");
	}
	fflush(out);
	t1 = now_ms();
	fprintf(stderr, "TIME %s %.1f\n", mode, t1 - t0);
	btf_dump__free(d);
	btf__free(btf);
}

/* ------------------------------------------------------------ hand-built */

static void section(const char *name)
{
	fprintf(out, "\n===== %s\n", name);
	snprintf(ctx_tag, sizeof(ctx_tag), "[%s] ", name);
}

/* dump every id of btf on a fresh dump object, then emit decls of all ids */
static void dump_all(struct btf *btf, const char *name)
{
	__u32 n = btf__type_cnt(btf), id;
	struct btf_dump *d;

	section(name);
	d = new_dump(btf);
	for (id = 1; id < n; id++)
		dump_one(d, id);
	fprintf(out, "-- decls\n");
	for (id = 1; id < n; id++) {
		decl_one(d, id, "v", 1, 0, 0);
		decl_one(d, id, "", 0, 1, 0);
	}
	btf_dump__free(d);
	/* fresh object, reverse order */
	fprintf(out, "-- reverse\n");
	d = new_dump(btf);
	for (id = n - 1; id >= 1; id--)
		dump_one(d, id);
	btf_dump__free(d);
	/* fresh object, decls first */
	fprintf(out, "-- decls first\n");
	d = new_dump(btf);
	for (id = 1; id < n; id++)
		decl_one(d, id, "f", 3, 0, 0);
	for (id = 1; id < n; id++)
		dump_one(d, id);
	btf_dump__free(d);
}

#define CHECK(x) do { if ((int)(x) < 0) { fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #x, (int)(x)); exit(3); } } while (0)

static void hand_names(void)
{
	struct btf *btf = btf__new_empty();
	int i_int, i_char, s1, u1, e1, t1, fwd1, e0, s2, big, ptr;
	char longname[400];

	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	btf__add_int(btf, "foo", 4, 0);                 /* an int named like the structs */
	s1 = btf__add_struct(btf, "foo", 4);
	CHECK(btf__add_field(btf, "a", i_int, 0, 0));
	u1 = btf__add_union(btf, "foo", 4);
	CHECK(btf__add_field(btf, "b", i_int, 0, 0));
	e1 = btf__add_enum(btf, "foo", 4);
	CHECK(btf__add_enum_value(btf, "A", 1));
	CHECK(btf__add_enum_value(btf, "bar", 2));
	CHECK(btf__add_enum_value(btf, "A", 3));
	t1 = btf__add_typedef(btf, "bar", i_int);
	btf__add_typedef(btf, "bar", i_char);
	btf__add_typedef(btf, "A", s1);
	fwd1 = btf__add_fwd(btf, "foo", BTF_FWD_STRUCT);
	btf__add_fwd(btf, "foo", BTF_FWD_UNION);
	btf__add_fwd(btf, "zed", BTF_FWD_UNION);
	e0 = btf__add_enum(btf, "foo", 4);              /* enum fwd (no values) */
	btf__add_enum(btf, "", 4);                      /* anonymous, unreferenced */
	CHECK(btf__add_enum_value(btf, "A", 7));
	ptr = btf__add_ptr(btf, fwd1);
	s2 = btf__add_struct(btf, "user", 40);
	CHECK(btf__add_field(btf, "s", s1, 0, 0));
	CHECK(btf__add_field(btf, "u", u1, 32, 0));
	CHECK(btf__add_field(btf, "e", e1, 64, 0));
	CHECK(btf__add_field(btf, "t", t1, 96, 0));
	CHECK(btf__add_field(btf, "f", ptr, 128, 0));
	CHECK(btf__add_field(btf, "e0", e0, 192, 0));
	memset(longname, 'L', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	big = btf__add_struct(btf, longname, 4);
	CHECK(btf__add_field(btf, "a", i_int, 0, 0));
	btf__add_struct(btf, longname, 4);
	CHECK(btf__add_field(btf, "b", i_int, 0, 0));
	(void)big; (void)s2;
	btf__add_int(btf, "__Poly8_t", 1, 0);
	btf__add_int(btf, "__Poly128_t", 16, 0);
	btf__add_typedef(btf, "__builtin_va_list", btf__add_ptr(btf, i_char));
	btf__add_typedef(btf, "__gnuc_va_list", 0);
	btf__add_typedef(btf, "vptr_t", btf__add_ptr(btf, 0));
	btf__add_float(btf, "double", 8);
	btf__add_int(btf, "__int128", 16, BTF_INT_SIGNED);
	btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	dump_all(btf, "names");
	btf__free(btf);
}

static void hand_bitfields(int ptr_sz)
{
	struct btf *btf = btf__new_empty();
	int i_int, i_uint, i_char, i_short, i_long, s, u, p, td;

	if (ptr_sz)
		btf__set_pointer_size(btf, ptr_sz);
	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_uint = btf__add_int(btf, "unsigned int", 4, 0);
	i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	i_short = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	i_long = btf__add_int(btf, "long", ptr_sz ? ptr_sz : 8, BTF_INT_SIGNED);

	s = btf__add_struct(btf, "bits", 24);
	CHECK(btf__add_field(btf, "a", i_uint, 0, 3));
	CHECK(btf__add_field(btf, "b", i_uint, 3, 5));
	CHECK(btf__add_field(btf, "c", i_uint, 20, 4));      /* gap inside bitfield run */
	CHECK(btf__add_field(btf, "d", i_char, 40, 0));
	CHECK(btf__add_field(btf, "e", i_uint, 64, 7));       /* after a hole */
	CHECK(btf__add_field(btf, "f", i_long, 128, 0));
	s = btf__add_struct(btf, "holes", 32);
	CHECK(btf__add_field(btf, "c", i_char, 0, 0));
	CHECK(btf__add_field(btf, "s", i_short, 16, 0));
	CHECK(btf__add_field(btf, "l", i_long, 128, 0));     /* needs explicit padding */
	CHECK(btf__add_field(btf, "c2", i_char, 200, 0));
	s = btf__add_struct(btf, "tailpad", 16);
	CHECK(btf__add_field(btf, "x", i_int, 0, 0));
	s = btf__add_struct(btf, "nomembers", 12);
	s = btf__add_struct(btf, "empty", 0);
	u = btf__add_union(btf, "ubits", 8);
	CHECK(btf__add_field(btf, "a", i_uint, 0, 3));
	CHECK(btf__add_field(btf, "l", i_long, 0, 0));
	s = btf__add_struct(btf, "packed1", 5);
	CHECK(btf__add_field(btf, "c", i_char, 0, 0));
	CHECK(btf__add_field(btf, "i", i_int, 8, 0));
	s = btf__add_struct(btf, "packed2", 6);
	CHECK(btf__add_field(btf, "i", i_int, 0, 0));
	CHECK(btf__add_field(btf, "s", i_short, 32, 0));
	s = btf__add_struct(btf, "outer", 16);
	CHECK(btf__add_field(btf, "c", i_char, 0, 0));
	CHECK(btf__add_field(btf, "p", btf__type_cnt(btf) - 2, 8, 0)); /* packed2 at byte 1 */
	s = btf__add_struct(btf, "zero_bf", 8);
	CHECK(btf__add_field(btf, "a", i_char, 0, 2));
	CHECK(btf__add_field(btf, "b", i_int, 32, 3));
	CHECK(btf__add_field(btf, "c", i_short, 48, 0));
	s = btf__add_struct(btf, "big_gap", 64);
	CHECK(btf__add_field(btf, "a", i_char, 0, 0));
	CHECK(btf__add_field(btf, "b", i_char, 8 * 37, 0));
	CHECK(btf__add_field(btf, "c", i_uint, 8 * 40 + 1, 9));
	p = btf__add_array(btf, i_int, i_int, 3);
	td = btf__add_array(btf, i_int, p, 2);
	u = btf__add_array(btf, i_int, i_char, 0);
	s = btf__add_struct(btf, "arrays", 48);
	CHECK(btf__add_field(btf, "a3", p, 0, 0));
	CHECK(btf__add_field(btf, "a23", td, 96, 0));
	CHECK(btf__add_field(btf, "flex", u, 352, 0));
	td = btf__add_typedef(btf, "bits_t", 6);
	s = btf__add_struct(btf, "tdbits", 8);
	CHECK(btf__add_field(btf, "x", td, 0, 0));
	(void)s; (void)u;
	dump_all(btf, ptr_sz == 4 ? "bitfields-ptr4" : "bitfields");
	btf__free(btf);
}

static void hand_nested(void)
{
	struct btf *btf = btf__new_empty();
	int i_int, i_char, a, b, anon_s, anon_u, anon_e, pa, pb, s, ta, x, tx, ptx, p, cyc1, cyc2;

	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);      /* 1 */
	i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);    /* 2 */
	pa = btf__add_ptr(btf, 4);                                /* 3: A * */
	a = btf__add_struct(btf, "A", 16);                        /* 4 */
	CHECK(btf__add_field(btf, "next", pa, 0, 0));
	CHECK(btf__add_field(btf, "b", 6, 64, 0));                /* B * */
	b = btf__add_struct(btf, "B", 8);                         /* 5 */
	CHECK(btf__add_field(btf, "a", pa, 0, 0));
	pb = btf__add_ptr(btf, b);                                /* 6 */
	anon_s = btf__add_struct(btf, NULL, 16);                  /* 7 */
	CHECK(btf__add_field(btf, "a", a, 0, 0));
	anon_e = btf__add_enum(btf, NULL, 4);                     /* 8 */
	CHECK(btf__add_enum_value(btf, "X1", 0));
	CHECK(btf__add_enum_value(btf, "X2", -1));
	anon_u = btf__add_union(btf, NULL, 4);                    /* 9 */
	CHECK(btf__add_field(btf, "i", i_int, 0, 0));
	CHECK(btf__add_field(btf, "e", anon_e, 0, 0));
	CHECK(btf__add_field(btf, "c", i_char, 0, 0));
	p = btf__add_ptr(btf, anon_s);                            /* 10 */
	tx = btf__add_array(btf, i_int, anon_s, 2);               /* 11 */
	s = btf__add_struct(btf, "C", 48);                        /* 12 */
	CHECK(btf__add_field(btf, "ps", p, 0, 0));
	CHECK(btf__add_field(btf, NULL, anon_u, 64, 0));
	CHECK(btf__add_field(btf, "arr", tx, 128, 0));
	(void)s;
	/* typedef'd self-reference: typedef struct X X_t; struct X { X_t *next; } */
	x = btf__add_struct(btf, "X", 8);
	tx = btf__type_cnt(btf) + 1;
	ptx = btf__type_cnt(btf);
	CHECK(btf__add_field(btf, "next", ptx, 0, 0));
	CHECK(btf__add_ptr(btf, tx));
	CHECK(btf__add_typedef(btf, "X_t", x));
	/* typedef of an anonymous struct */
	ta = btf__add_struct(btf, NULL, 4);
	CHECK(btf__add_field(btf, "v", i_int, 0, 0));
	CHECK(btf__add_typedef(btf, "anon_t", ta));
	/* anonymous enum used only through a var: referenced */
	anon_e = btf__add_enum(btf, NULL, 4);
	CHECK(btf__add_enum_value(btf, "ONLY_VAR", 5));
	CHECK(btf__add_var(btf, "the_var", BTF_VAR_GLOBAL_ALLOCATED, anon_e));
	CHECK(btf__add_datasec(btf, ".data", 4));
	CHECK(btf__add_datasec_var_info(btf, btf__type_cnt(btf) - 1, 0, 4));
	/* unsatisfiable embedding cycle */
	cyc1 = btf__type_cnt(btf);
	cyc2 = cyc1 + 1;
	CHECK(btf__add_struct(btf, "CYC1", 4));
	CHECK(btf__add_field(btf, "c", cyc2, 0, 0));
	CHECK(btf__add_struct(btf, "CYC2", 4));
	CHECK(btf__add_field(btf, "c", cyc1, 0, 0));
	/* (an anonymous struct pointing to itself is left out: the reference
	 * recurses without end when it emits its declaration) */
	/* deep nesting of anonymous structs (indent beyond 13 tabs) */
	{
		int prev = i_int, k;
		for (k = 0; k < 16; k++) {
			int t = btf__add_struct(btf, NULL, 4);
			CHECK(btf__add_field(btf, k % 2 ? "odd" : "even", prev, 0, 0));
			prev = t;
		}
		CHECK(btf__add_struct(btf, "deep", 4));
		CHECK(btf__add_field(btf, "d", prev, 0, 0));
	}
	/* struct containing a pointer to a named struct only defined later */
	s = btf__add_struct(btf, "early", 8);
	CHECK(btf__add_field(btf, "late", btf__type_cnt(btf), 0, 0));
	CHECK(btf__add_ptr(btf, btf__type_cnt(btf) + 1));
	CHECK(btf__add_struct(btf, "late", 4));
	CHECK(btf__add_field(btf, "v", i_int, 0, 0));
	/* typedef chain reached through a pointer before its struct */
	s = btf__add_struct(btf, "holder", 8);
	CHECK(btf__add_field(btf, "p", btf__type_cnt(btf), 0, 0));
	CHECK(btf__add_ptr(btf, btf__type_cnt(btf) + 1));
	CHECK(btf__add_typedef(btf, "later_t", btf__type_cnt(btf) + 1));
	CHECK(btf__add_struct(btf, "later", 8));
	CHECK(btf__add_field(btf, "h", s, 0, 0));
	(void)pb;
	dump_all(btf, "nested");
	btf__free(btf);
}

static void hand_funcs(void)
{
	struct btf *btf = btf__new_empty();
	int i_int, i_char, pc, fp, pfp, cv, ccv, arr, fp2, pfp2, td, st, e64, e64s, e, ptag, tag, cint;

	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i_char = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	pc = btf__add_ptr(btf, i_char);
	/* int (*)(int, char *) */
	fp = btf__add_func_proto(btf, i_int);
	CHECK(btf__add_func_param(btf, "a", i_int));
	CHECK(btf__add_func_param(btf, "", pc));
	pfp = btf__add_ptr(btf, fp);
	td = btf__add_typedef(btf, "fn_t", pfp);
	/* void (*)(void) and varargs */
	fp2 = btf__add_func_proto(btf, 0);
	pfp2 = btf__add_ptr(btf, fp2);
	cv = btf__add_ptr(btf, btf__add_const(btf, i_char));
	fp2 = btf__add_func_proto(btf, i_int);
	CHECK(fp2);
	CHECK(btf__add_func_param(btf, "fmt", cv));
	CHECK(btf__add_func_param(btf, NULL, 0));
	CHECK(btf__add_ptr(btf, fp2));
	/* a function returning a pointer to a function returning a pointer to an array */
	arr = btf__add_array(btf, i_int, i_int, 10);
	CHECK(btf__add_func_proto(btf, btf__add_ptr(btf, arr)));
	CHECK(btf__add_func_param(btf, "n", i_int));
	CHECK(btf__add_func_proto(btf, btf__add_ptr(btf, btf__type_cnt(btf) - 1)));
	CHECK(btf__add_func_param(btf, "cb", pfp));
	CHECK(btf__add_func(btf, "weird", BTF_FUNC_GLOBAL, btf__type_cnt(btf) - 1));
	/* array of function pointers, pointer to array */
	CHECK(btf__add_array(btf, i_int, pfp2, 4));
	CHECK(btf__add_ptr(btf, arr));
	CHECK(btf__add_array(btf, i_int, btf__add_array(btf, i_int, pc, 3), 2));
	/* qualifiers */
	cint = btf__add_const(btf, i_int);
	cv = btf__add_volatile(btf, cint);
	ccv = btf__add_ptr(btf, cv);
	CHECK(btf__add_const(btf, ccv));
	CHECK(btf__add_restrict(btf, btf__add_ptr(btf, btf__add_volatile(btf, btf__add_ptr(btf, cint)))));
	CHECK(btf__add_const(btf, arr));
	CHECK(btf__add_array(btf, i_int, cint, 5));
	CHECK(btf__add_volatile(btf, fp));
	CHECK(btf__add_ptr(btf, btf__type_cnt(btf) - 1));
	CHECK(btf__add_const(btf, 0));
	CHECK(btf__add_ptr(btf, btf__type_cnt(btf) - 1));
	/* type tags */
	tag = btf__add_type_tag(btf, "user", i_int);
	ptag = btf__add_ptr(btf, tag);
	CHECK(btf__add_type_tag(btf, "rcu", ptag));
	CHECK(btf__add_const(btf, btf__add_type_tag(btf, "percpu", cint)));
	/* a struct with all of them as members */
	cv = btf__add_ptr(btf, btf__add_func_proto(btf, pfp));
	st = btf__add_struct(btf, "funcs", 64);
	CHECK(btf__add_field(btf, "f", td, 0, 0));
	CHECK(btf__add_field(btf, "g", pfp2, 64, 0));
	CHECK(btf__add_field(btf, "t", ptag, 128, 0));
	CHECK(btf__add_field(btf, "h", cv, 192, 0));
	CHECK(btf__add_field(btf, "arr", arr, 256, 0));
	CHECK(btf__add_decl_tag(btf, "dtag", st, -1));
	CHECK(btf__add_decl_tag(btf, "dtag_f", st, 0));
	(void)ccv;
	/* enums and enum64 */
	e64 = btf__add_enum64(btf, "big", 8, false);
	CHECK(btf__add_enum64_value(btf, "B1", 0xffffffffffffffffULL));
	CHECK(btf__add_enum64_value(btf, "B2", 1ULL << 40));
	CHECK(btf__add_enum64_value(btf, "B3", 3));
	e64s = btf__add_enum64(btf, "sbig", 8, true);
	CHECK(btf__add_enum64_value(btf, "S1", -5));
	CHECK(btf__add_enum64_value(btf, "S2", (__u64)INT64_MIN));
	CHECK(btf__add_enum64_value(btf, "B3", 4));
	CHECK(btf__add_enum64(btf, "small64", 8, false));
	CHECK(btf__add_enum64_value(btf, "SM1", 1));
	CHECK(btf__add_enum64_value(btf, "SM2", 0xffffffff));
	CHECK(btf__add_enum64(btf, "four64", 4, true));
	CHECK(btf__add_enum64_value(btf, "F1", -1));
	e = btf__add_enum(btf, "byte_enum", 1);
	CHECK(btf__add_enum_value(btf, "BE1", 1));
	CHECK(btf__add_enum(btf, "word_enum", 8));
	CHECK(btf__add_enum_value(btf, "WE1", 1));
	CHECK(btf__add_enum(btf, "signed_enum", 4));
	CHECK(btf__add_enum_value(btf, "NEG", -2147483647 - 1));
	CHECK(btf__add_enum_value(btf, "POS", 2147483647));
	CHECK(btf__add_enum(btf, "short_enum", 2));
	CHECK(btf__add_enum_value(btf, "SE1", 0));
	CHECK(btf__add_enum64(btf, NULL, 8, false));
	CHECK(btf__add_enum64_value(btf, "ANON64", 1ULL << 33));
	cv = btf__add_enum(btf, NULL, 1);
	CHECK(btf__add_enum_value(btf, "INL", 1));
	st = btf__add_struct(btf, "with_enums", 24);
	CHECK(btf__add_field(btf, "a", e64, 0, 0));
	CHECK(btf__add_field(btf, "b", e64s, 64, 0));
	CHECK(btf__add_field(btf, "c", e, 128, 0));
	CHECK(btf__add_field(btf, "d", cv, 136, 0));
	(void)st;
	/* func proto with unnamed / named params of anonymous struct type */
	CHECK(btf__add_struct(btf, NULL, 4));
	CHECK(btf__add_field(btf, "q", i_int, 0, 0));
	CHECK(btf__add_func_proto(btf, btf__type_cnt(btf) - 1));
	CHECK(btf__add_func_param(btf, "s", btf__type_cnt(btf) - 2));
	CHECK(btf__add_typedef(btf, "anon_fn", btf__type_cnt(btf) - 1));
	dump_all(btf, "funcs");
	btf__free(btf);
}

/* the dump object sees types added after it was created */
static void hand_grow(void)
{
	struct btf *btf = btf__new_empty();
	struct btf_dump *d;
	int i_int, s, e;
	__u32 id, n;

	section("grow");
	i_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	s = btf__add_struct(btf, "first", 4);
	CHECK(btf__add_field(btf, "a", i_int, 0, 0));
	d = new_dump(btf);
	for (id = 1; id < btf__type_cnt(btf); id++)
		dump_one(d, id);
	e = btf__add_enum(btf, NULL, 4);
	CHECK(btf__add_enum_value(btf, "G1", 1));
	CHECK(btf__add_struct(btf, "second", 12));
	CHECK(btf__add_field(btf, "f", s, 0, 0));
	CHECK(btf__add_field(btf, "e", e, 32, 0));
	CHECK(btf__add_field(btf, "p", btf__type_cnt(btf), 64, 0));
	CHECK(btf__add_ptr(btf, btf__type_cnt(btf) + 1));
	CHECK(btf__add_struct(btf, "first", 4));
	CHECK(btf__add_field(btf, "b", i_int, 0, 0));
	n = btf__type_cnt(btf);
	decl_one(d, n - 1, "x", 0, 0, 0);
	for (id = 1; id < n; id++)
		dump_one(d, id);
	CHECK(btf__add_typedef(btf, "first", s));
	decl_one(d, btf__type_cnt(btf) - 1, "y", 1, 0, 0);
	dump_one(d, btf__type_cnt(btf) - 1);
	btf_dump__free(d);
	btf__free(btf);
}

/* split BTF on top of vmlinux: new types refer to (and clash with) base ones */
static void hand_split(void)
{
	struct btf *base, *btf;
	struct btf_dump *d;
	int task, list, i_int, ptask, s;
	__u32 id, n, first;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return;
	section("split");
	base = load_vmlinux();
	btf = btf__new_empty_split(base);
	task = btf__find_by_name_kind(base, "task_struct", BTF_KIND_STRUCT);
	list = btf__find_by_name_kind(base, "list_head", BTF_KIND_STRUCT);
	i_int = btf__find_by_name_kind(base, "int", BTF_KIND_INT);
	if (task <= 0 || list <= 0 || i_int <= 0) {
		fprintf(out, "base types not found\n");
		goto out;
	}
	first = btf__type_cnt(btf);
	ptask = btf__add_ptr(btf, task);
	s = btf__add_struct(btf, "mod_struct", 32);
	CHECK(btf__add_field(btf, "t", ptask, 0, 0));
	CHECK(btf__add_field(btf, "l", list, 64, 0));
	CHECK(btf__add_field(btf, "x", i_int, 192, 0));
	CHECK(btf__add_struct(btf, "list_head", 4));
	CHECK(btf__add_field(btf, "mine", i_int, 0, 0));
	CHECK(btf__add_typedef(btf, "mod_t", s));
	n = btf__type_cnt(btf);
	d = new_dump(btf);
	for (id = first; id < n; id++)
		dump_one(d, id);
	for (id = first; id < n; id++)
		decl_one(d, id, "m", 1, 0, 0);
	decl_one(d, list, "l", 0, 0, 0);
	btf_dump__free(d);
out:
	btf__free(btf);
	btf__free(base);
}

static void hand_errors(void)
{
	struct btf *btf = btf__new_empty();
	struct btf_dump *d;
	struct { struct btf_dump_emit_type_decl_opts o; char extra[16]; } big;
	int err;

	section("errors");
	btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	d = new_dump(btf);
	dump_one(d, 2);
	dump_one(d, 1000000);
	dump_one(d, 0xffffffff);
	dump_one(d, 0);
	fprintf(out, "\n");
	memset(&big, 0, sizeof(big));
	big.o.sz = 4;
	errno = 12345;
	err = btf_dump__emit_type_decl(d, 1, &big.o);
	fprintf(out, "small sz: %d errno=%d\n", err, errno);
	big.o.sz = sizeof(big);
	big.extra[3] = 1;
	errno = 12345;
	err = btf_dump__emit_type_decl(d, 1, &big.o);
	fprintf(out, "extra bytes: %d errno=%d\n", err, errno);
	big.extra[3] = 0;
	big.o.field_name = "ok";
	big.o.indent_level = -1;
	errno = 12345;
	err = btf_dump__emit_type_decl(d, 1, &big.o);
	fprintf(out, " <- bigger zeroed sz: %d\n", err);
	/* a struct at negative / huge indent */
	btf__add_struct(btf, NULL, 4);
	btf__add_field(btf, "m", 1, 0, 0);
	big.o.sz = sizeof(big.o);
	big.o.indent_level = -3;
	err = btf_dump__emit_type_decl(d, 2, &big.o);
	fprintf(out, " <- negative indent: %d\n", err);
	big.o.indent_level = 20;
	err = btf_dump__emit_type_decl(d, 2, &big.o);
	fprintf(out, " <- indent 20: %d\n", err);
	/* opts shorter than strip_mods: defaults */
	btf__add_const(btf, 1);
	big.o.sz = offsetof(struct btf_dump_emit_type_decl_opts, strip_mods);
	big.o.strip_mods = true;
	big.o.indent_level = 0;
	err = btf_dump__emit_type_decl(d, 3, &big.o);
	fprintf(out, " <- short opts: %d\n", err);
	btf_dump__free(d);
	btf__free(btf);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s MODE OUT LOG\n", argv[0]);
		return 2;
	}
	out = fopen(argv[2], "w");
	logf_ = fopen(argv[3], "w");
	if (!out || !logf_) {
		perror("fopen");
		return 2;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	print_mapped(out);
	fflush(out);
	libbpf_set_print(log_print);
	if (!strncmp(argv[1], "bench", 5)) {
		mode_bench(atoi(argv[1] + 5) ?: 5);
	} else if (!strcmp(argv[1], "hand")) {
		hand_names();
		hand_bitfields(0);
		hand_bitfields(4);
		hand_nested();
		hand_funcs();
		hand_grow();
		hand_split();
		hand_errors();
	} else {
		mode_vmlinux(argv[1]);
	}
	fprintf(out, "\nEND\n");
	fclose(out);
	fclose(logf_);
	return 0;
}
