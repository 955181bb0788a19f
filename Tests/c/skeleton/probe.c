/*
 * SwiftBPF skeleton probe: bpf_object__open_skeleton, bpf_object__open_subskeleton,
 * bpf_object__destroy_subskeleton, and the parts of detach/destroy_skeleton that
 * need no load, driven through bpftool-generated skeleton headers (run.sh makes
 * them in the scratch directory) and through hand-built skeleton structs.
 *
 * Compiled ONCE against the reference headers (-I/usr/include) and linked with
 * -lbpf; which libbpf.so.1 gets loaded is decided by LD_LIBRARY_PATH at run time.
 * Output: "MAPPED <realpath>...", then "<section> ..." lines (run.sh diffs them
 * section by section), then "END". The library's whole log (every level) goes
 * through a print callback into the current section. No pointer is printed:
 * only where a pointer points (which map, offset into which buffer).
 *
 * Usage: probe NOBTF_OBJECT   (a BPF object without .BTF, for the subskeleton
 *                              "requires BTF" case)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "main.skel.h"
#include "badmap.skel.h"
#include "badprog.skel.h"
#include "linked.skel.h"
#include "lib.subskel.h"
#include "mainsub.subskel.h"

#define SENTINEL 12345 /* errno value set before every call */

static const char *section = "setup";
static const char *nobtf_path;

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

/* Every library message, one line each; a message without its trailing
 * newline is marked, embedded newlines are escaped. */
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

static const char *str(const char *s) { return s ? s : "(null)"; }

static void hex(const char *what, const void *data, size_t size)
{
	const unsigned char *p = data;
	char line[200];
	for (size_t off = 0; off < size; off += 48) {
		size_t n = size - off < 48 ? size - off : 48, k = 0;
		for (size_t i = 0; i < n; i++)
			k += snprintf(line + k, sizeof(line) - k, "%02x", p[off + i]);
		out("%s +%zu %s", what, off, line);
	}
}

/* Which map of obj a map pointer is (by name and index), or NULL/foreign. */
static void describe_map(const char *what, struct bpf_object *obj, const struct bpf_map *m)
{
	if (!m) {
		out("%s map NULL", what);
		return;
	}
	int idx = 0, found = -1;
	struct bpf_map *pos;
	bpf_object__for_each_map(pos, obj) {
		if (pos == m)
			found = idx;
		idx++;
	}
	out("%s map #%d '%s' type %d value_size %u internal %d", what, found, str(bpf_map__name(m)),
	    (int)bpf_map__type(m), bpf_map__value_size(m), bpf_map__is_internal(m));
}

/* Where an mmaped field points: NULL, the map's initial value, or elsewhere. */
static void describe_mmaped(const char *what, const struct bpf_map *m, const void *p, int dump)
{
	size_t sz = 0;
	const void *iv = m ? bpf_map__initial_value((struct bpf_map *)m, &sz) : NULL;
	if (!p) {
		out("%s mmaped NULL (initial_value %s)", what, iv ? "set" : "NULL");
		return;
	}
	if (p != iv) {
		out("%s mmaped is NOT the map's initial value", what);
		return;
	}
	out("%s mmaped = initial value, %zu bytes", what, sz);
	if (dump)
		hex(what, p, sz);
}

static void describe_prog(const char *what, struct bpf_object *obj, const struct bpf_program *p)
{
	if (!p) {
		out("%s prog NULL", what);
		return;
	}
	int idx = 0, found = -1;
	struct bpf_program *pos;
	bpf_object__for_each_program(pos, obj) {
		if (pos == p)
			found = idx;
		idx++;
	}
	out("%s prog #%d '%s' sec '%s' type %d autoload %d", what, found, str(bpf_program__name(p)),
	    str(bpf_program__section_name(p)), (int)bpf_program__type(p), bpf_program__autoload(p));
}

static void all_maps(struct bpf_object *obj)
{
	struct bpf_map *pos;
	bpf_object__for_each_map(pos, obj) {
		size_t sz = 0;
		const void *iv = bpf_map__initial_value(pos, &sz);
		out("object map '%s' initial_value %s %zu", str(bpf_map__name(pos)), iv ? "set" : "NULL", iv ? sz : 0);
	}
}

static void dump_main(struct main_bpf *skel)
{
	struct bpf_object *obj = skel->obj;
	out("obj %s name '%s'", obj ? "set" : "NULL", obj ? str(bpf_object__name(obj)) : "-");
	if (!obj)
		return;
	out("skeleton obj slot matches: %d", skel->skeleton && skel->skeleton->obj == &skel->obj);
	describe_map("maps.counts", obj, skel->maps.counts);
	describe_map("maps.arr", obj, skel->maps.arr);
	describe_map("maps.events", obj, skel->maps.events);
	describe_map("maps.data", obj, skel->maps.data);
	describe_map("maps.rodata", obj, skel->maps.rodata);
	describe_map("maps.data_custom", obj, skel->maps.data_custom);
	describe_map("maps.rodata_custom", obj, skel->maps.rodata_custom);
	describe_map("maps.bss", obj, skel->maps.bss);
	describe_map("maps.kconfig", obj, skel->maps.kconfig);
	describe_prog("progs.xdp_pass", obj, skel->progs.xdp_pass);
	describe_prog("progs.tp_open", obj, skel->progs.tp_open);
	describe_prog("progs.kp_off", obj, skel->progs.kp_off);
	out("links %d %d %d", skel->links.xdp_pass != NULL, skel->links.tp_open != NULL, skel->links.kp_off != NULL);
	describe_mmaped("data", skel->maps.data, skel->data, 1);
	describe_mmaped("rodata", skel->maps.rodata, skel->rodata, 1);
	describe_mmaped("data_custom", skel->maps.data_custom, skel->data_custom, 1);
	describe_mmaped("rodata_custom", skel->maps.rodata_custom, skel->rodata_custom, 1);
	describe_mmaped("bss", skel->maps.bss, skel->bss, 1);
	describe_mmaped("kconfig", skel->maps.kconfig, skel->kconfig, 1);
	if (skel->data)
		out("data: data_var %d data_str '%s' data_long %ld", skel->data->data_var, skel->data->data_str,
		    skel->data->data_long);
	if (skel->rodata)
		out("rodata: ro_limit %d ro_name '%s' ro_big %#llx", skel->rodata->ro_limit, skel->rodata->ro_name,
		    (unsigned long long)skel->rodata->ro_big);
	if (skel->data_custom)
		out("data_custom: my_custom %#x", skel->data_custom->my_custom);
	if (skel->rodata_custom)
		out("rodata_custom: ro_custom %#x", skel->rodata_custom->ro_custom);
	if (skel->bss)
		out("bss: bss_counter %d bss_arr %ld %ld %ld %ld", skel->bss->bss_counter, skel->bss->bss_arr[0],
		    skel->bss->bss_arr[1], skel->bss->bss_arr[2], skel->bss->bss_arr[3]);
	all_maps(obj);
}

/* ------------------------------------------------------------------ open */

static void test_open(void)
{
	section = "open";
	errno = SENTINEL;
	struct main_bpf *skel = main_bpf__open();
	out("main_bpf__open %s errno %d", skel ? "ok" : "NULL", skel ? 0 : errno);
	if (!skel)
		return;
	dump_main(skel);

	/* writes through the skeleton land in the map's initial value */
	section = "modify";
	skel->rodata->ro_limit = 99;
	strcpy((char *)skel->rodata->ro_name, "changed");
	skel->data->data_var = -1;
	skel->bss->bss_arr[3] = 0x77;
	size_t sz = 0;
	const int *ro = bpf_map__initial_value(skel->maps.rodata, &sz);
	out("rodata initial value after write: ro_limit %d ro_name '%s' size %zu", ro ? ro[0] : -12345,
	    ro ? (const char *)(ro + 1) : "-", sz);
	const int *d = bpf_map__initial_value(skel->maps.data, &sz);
	out("data initial value after write: data_var %d", d ? d[0] : -12345);
	const long *b = bpf_map__initial_value(skel->maps.bss, &sz);
	out("bss initial value after write: bss_arr[3] %#lx", b ? b[4] : -12345L);
	/* ... and set_initial_value is visible through the skeleton */
	int ro_custom = 0x1234;
	errno = SENTINEL;
	int err = bpf_map__set_initial_value(skel->maps.rodata_custom, &ro_custom, sizeof(ro_custom));
	out("set_initial_value(.rodata.custom) %d; skeleton sees %#x", err, skel->rodata_custom->ro_custom);

	section = "detach";
	errno = SENTINEL;
	main_bpf__detach(skel);
	out("detach errno %d links %d %d %d", errno, skel->links.xdp_pass != NULL, skel->links.tp_open != NULL,
	    skel->links.kp_off != NULL);

	section = "destroy";
	errno = SENTINEL;
	main_bpf__destroy(skel);
	out("main_bpf__destroy done");
	errno = SENTINEL;
	bpf_object__destroy_skeleton(NULL);
	bpf_object__destroy_subskeleton(NULL);
	out("destroy(NULL) errno %d", errno);
}

/* ------------------------------------------------------------------ opts */

static void open_with(const char *what, const struct bpf_object_open_opts *opts)
{
	errno = SENTINEL;
	struct main_bpf *skel = main_bpf__open_opts(opts);
	out("%s: main_bpf__open_opts %s errno %d", what, skel ? "ok" : "NULL", skel ? 0 : errno);
	if (!skel)
		return;
	out("%s: object name '%s' maps.data '%s' kconfig %s rodata ro_limit %d", what, str(bpf_object__name(skel->obj)),
	    str(bpf_map__name(skel->maps.data)), skel->kconfig ? "set" : "NULL", skel->rodata->ro_limit);
	main_bpf__destroy(skel);
}

static void test_opts(void)
{
	section = "opts";
	open_with("NULL", NULL);
	LIBBPF_OPTS(bpf_object_open_opts, plain);
	open_with("plain", &plain);
	LIBBPF_OPTS(bpf_object_open_opts, kcfg, .kconfig = "CONFIG_HZ=250", .pin_root_path = "/sys/fs/bpf/nowhere");
	open_with("kconfig", &kcfg);
	LIBBPF_OPTS(bpf_object_open_opts, same, .object_name = "main_bpf");
	open_with("same-name", &same);
	/* bpftool's internal map names carry the object name: renaming breaks them */
	LIBBPF_OPTS(bpf_object_open_opts, renamed, .object_name = "renamed");
	open_with("renamed", &renamed);
	LIBBPF_OPTS(bpf_object_open_opts, longname, .object_name = "a_rather_long_object_name");
	open_with("long-name", &longname);
	struct bpf_object_open_opts small = { .sz = 4 };
	open_with("sz-4", &small);
	struct bpf_object_open_opts only_sz = { .sz = 8 };
	open_with("sz-8", &only_sz);
	struct {
		struct bpf_object_open_opts o;
		long extra;
	} big = { .o = { .sz = sizeof(big) }, .extra = 1 };
	open_with("extra-nonzero", &big.o);
	big.extra = 0;
	open_with("extra-zero", &big.o);
	LIBBPF_OPTS(bpf_object_open_opts, badlog, .kernel_log_size = 100);
	open_with("log-size-no-buf", &badlog);
}

/* ------------------------------------------------------------------ bad */

static void test_bad(void)
{
	section = "badmap";
	errno = SENTINEL;
	struct badmap *bm = badmap__open();
	out("badmap__open %s errno %d", bm ? "ok" : "NULL", bm ? 0 : errno);
	if (bm)
		badmap__destroy(bm);

	section = "badprog";
	errno = SENTINEL;
	struct badprog *bp = badprog__open();
	out("badprog__open %s errno %d", bp ? "ok" : "NULL", bp ? 0 : errno);
	if (bp)
		badprog__destroy(bp);
}

/* ------------------------------------------------------------------ raw */

struct map_rec {
	struct bpf_map_skeleton s;
	char pad[16];
};
struct prog_rec {
	struct bpf_prog_skeleton s;
	char pad[8];
};

static struct bpf_object_skeleton *raw_skel(const char *name, const void *data, size_t size, struct bpf_object **obj)
{
	struct bpf_object_skeleton *s = calloc(1, sizeof(*s));
	s->sz = sizeof(*s);
	s->name = name;
	s->data = data;
	s->data_sz = size;
	s->obj = obj;
	return s;
}

static void raw_open(const char *what, struct bpf_object_skeleton *s, const struct bpf_object_open_opts *opts)
{
	struct bpf_object **slot = s->obj;
	errno = SENTINEL;
	int err = bpf_object__open_skeleton(s, opts);
	int e = errno;
	out("%s: open_skeleton %d errno %d obj %s", what, err, err ? e : 0,
	    !slot ? "-" : !*slot ? "NULL" : (void *)*slot == (void *)1 ? "untouched" : "set");
	if (slot && *slot && (void *)*slot != (void *)1)
		out("%s: object '%s'", what, str(bpf_object__name(*slot)));
	if (slot && (void *)*slot == (void *)1)
		*slot = NULL; /* destroy_skeleton closes *s->obj */
}

static void test_raw(void)
{
	size_t size;
	const void *elf = main_bpf__elf_bytes(&size);
	struct bpf_object *obj;

	section = "raw-stride";
	{
		/* records larger than libbpf 1.1's: map_skel_sz / prog_skel_sz strides */
		struct bpf_map *m[4] = { (void *)1, (void *)1, (void *)1, (void *)1 };
		void *mm[4] = { (void *)1, (void *)1, (void *)1, (void *)1 };
		struct bpf_program *p[2] = { (void *)1, (void *)1 };
		struct bpf_link *l[2] = { NULL, NULL };
		obj = (void *)1;
		struct bpf_object_skeleton *s = raw_skel("main_bpf", elf, size, &obj);
		const char *mnames[4] = { "arr", ".bss", "main_bpf.rodata", ".kconfig" };
		struct map_rec *maps = calloc(4, sizeof(*maps));
		for (int i = 0; i < 4; i++) {
			maps[i].s.name = mnames[i];
			maps[i].s.map = &m[i];
			maps[i].s.mmaped = &mm[i];
			memset(maps[i].pad, 0xee, sizeof(maps[i].pad));
		}
		struct prog_rec *progs = calloc(2, sizeof(*progs));
		progs[0].s.name = "kp_off";
		progs[0].s.prog = &p[0];
		progs[0].s.link = &l[0];
		progs[1].s.name = "xdp_pass";
		progs[1].s.prog = &p[1];
		progs[1].s.link = &l[1];
		s->map_cnt = 4;
		s->map_skel_sz = sizeof(struct map_rec);
		s->maps = (struct bpf_map_skeleton *)maps;
		s->prog_cnt = 2;
		s->prog_skel_sz = sizeof(struct prog_rec);
		s->progs = (struct bpf_prog_skeleton *)progs;
		raw_open("stride", s, NULL);
		if (obj && (void *)obj != (void *)1) {
			for (int i = 0; i < 4; i++) {
				char what[64];
				snprintf(what, sizeof(what), "map[%d] %s", i, mnames[i]);
				describe_map(what, obj, m[i]);
				if (mm[i] == (void *)1)
					out("%s mmaped untouched", what);
				else
					describe_mmaped(what, m[i], mm[i], 0);
			}
			describe_prog("prog[0]", obj, p[0]);
			describe_prog("prog[1]", obj, p[1]);
		}
		errno = SENTINEL;
		bpf_object__destroy_skeleton(s);
		out("destroy errno %d", errno);
	}

	section = "raw-empty";
	{
		obj = (void *)1;
		struct bpf_object_skeleton *s = raw_skel("main_bpf", elf, size, &obj);
		raw_open("no maps or programs", s, NULL);
		bpf_object__destroy_skeleton(s);
	}

	section = "raw-mmaped-null";
	{
		struct bpf_map *m = NULL;
		obj = (void *)1;
		struct bpf_object_skeleton *s = raw_skel("main_bpf", elf, size, &obj);
		s->map_cnt = 1;
		s->map_skel_sz = sizeof(struct bpf_map_skeleton);
		s->maps = calloc(1, sizeof(struct bpf_map_skeleton));
		s->maps[0].name = "main_bpf.data";
		s->maps[0].map = &m;
		raw_open("mmaped slot NULL", s, NULL);
		describe_map("map", obj, m);
		bpf_object__destroy_skeleton(s);
	}

	section = "raw-partial";
	{
		/* maps before the missing one are filled, the missing one is NULL */
		struct bpf_map *m[3] = { (void *)1, (void *)1, (void *)1 };
		obj = (void *)1;
		struct bpf_object_skeleton *s = raw_skel("main_bpf", elf, size, &obj);
		s->map_cnt = 3;
		s->map_skel_sz = sizeof(struct bpf_map_skeleton);
		s->maps = calloc(3, sizeof(struct bpf_map_skeleton));
		const char *names[3] = { "counts", "main_bpf.nope", "arr" };
		for (int i = 0; i < 3; i++) {
			s->maps[i].name = names[i];
			s->maps[i].map = &m[i];
		}
		raw_open("missing second map", s, NULL);
		for (int i = 0; i < 3; i++)
			out("m[%d] %s", i, m[i] == (void *)1 ? "untouched" : m[i] ? str(bpf_map__name(m[i])) : "NULL");
		bpf_object__destroy_skeleton(s);

		struct bpf_program *p[2] = { (void *)1, (void *)1 };
		struct bpf_link *l[2] = { NULL, NULL }; /* detach_skeleton needs link slots */
		obj = (void *)1;
		s = raw_skel("main_bpf", elf, size, &obj);
		s->prog_cnt = 2;
		s->prog_skel_sz = sizeof(struct bpf_prog_skeleton);
		s->progs = calloc(2, sizeof(struct bpf_prog_skeleton));
		s->progs[0].name = "helper"; /* a subprogram is not a program */
		s->progs[0].prog = &p[0];
		s->progs[1].name = "tp_open";
		s->progs[1].prog = &p[1];
		s->progs[0].link = &l[0];
		s->progs[1].link = &l[1];
		raw_open("subprogram", s, NULL);
		for (int i = 0; i < 2; i++)
			out("p[%d] %s", i, p[i] == (void *)1 ? "untouched" : p[i] ? str(bpf_program__name(p[i])) : "NULL");
		bpf_object__destroy_skeleton(s);
	}

	section = "raw-errors";
	{
		obj = (void *)1;
		struct bpf_object_skeleton *s = raw_skel(NULL, elf, size, &obj);
		raw_open("name NULL", s, NULL);
		bpf_object__destroy_skeleton(s);

		static char garbage[256];
		memset(garbage, 'x', sizeof(garbage));
		obj = (void *)1;
		s = raw_skel("garbage", garbage, sizeof(garbage), &obj);
		raw_open("not ELF", s, NULL);
		bpf_object__destroy_skeleton(s);

		obj = (void *)1;
		s = raw_skel("empty", elf, 0, &obj); /* not refused up front, unlike open_mem */
		raw_open("data_sz 0", s, NULL);
		bpf_object__destroy_skeleton(s);

		obj = (void *)1;
		s = raw_skel("truncated", elf, 200, &obj);
		raw_open("truncated ELF", s, NULL);
		bpf_object__destroy_skeleton(s);

		obj = (void *)1;
		s = raw_skel("main_bpf", elf, size, &obj);
		struct bpf_object_open_opts small = { .sz = 2 };
		raw_open("opts sz 2", s, &small);
		bpf_object__destroy_skeleton(s);
	}
}

/* ------------------------------------------------------------------ sub */

static void var_at(const char *what, const struct bpf_map *m, const void *addr, size_t size)
{
	size_t sz = 0;
	const char *base = m ? bpf_map__initial_value((struct bpf_map *)m, &sz) : NULL;
	if (!addr) {
		out("%s addr NULL", what);
		return;
	}
	if (!base || (const char *)addr < base || (const char *)addr >= base + sz) {
		out("%s addr outside the map's initial value", what);
		return;
	}
	char name[96];
	snprintf(name, sizeof(name), "%s @%s+%td", what, str(bpf_map__name(m)), (const char *)addr - base);
	hex(name, addr, size);
}

static void test_sub(void)
{
	section = "sub-linked";
	errno = SENTINEL;
	struct linked *skel = linked__open();
	out("linked__open %s errno %d", skel ? "ok" : "NULL", skel ? 0 : errno);
	if (!skel)
		return;
	errno = SENTINEL;
	struct lib *lib = lib__open(skel->obj);
	out("lib__open %s errno %d", lib ? "ok" : "NULL", lib ? 0 : errno);
	if (lib) {
		describe_map("lib maps.lib_stats", skel->obj, lib->maps.lib_stats);
		describe_map("lib maps.data", skel->obj, lib->maps.data);
		describe_map("lib maps.rodata", skel->obj, lib->maps.rodata);
		describe_map("lib maps.bss", skel->obj, lib->maps.bss);
		out("lib maps are the skeleton's: %d %d %d", lib->maps.data == skel->maps.data,
		    lib->maps.rodata == skel->maps.rodata, lib->maps.bss == skel->maps.bss);
		describe_prog("lib progs.lib_prog", skel->obj, lib->progs.lib_prog);
		out("lib_prog is the skeleton's: %d", lib->progs.lib_prog == skel->progs.lib_prog);
		var_at("lib_data", lib->maps.data, lib->data.lib_data, sizeof(*lib->data.lib_data));
		var_at("lib_data2", lib->maps.data, lib->data.lib_data2, sizeof(*lib->data.lib_data2));
		var_at("lib_ro", lib->maps.rodata, lib->rodata.lib_ro, sizeof(*lib->rodata.lib_ro));
		var_at("lib_ro_name", lib->maps.rodata, lib->rodata.lib_ro_name, sizeof(*lib->rodata.lib_ro_name));
		var_at("lib_bss", lib->maps.bss, lib->bss.lib_bss, sizeof(*lib->bss.lib_bss));
		var_at("lib_bss_arr", lib->maps.bss, lib->bss.lib_bss_arr, sizeof(*lib->bss.lib_bss_arr));
		/* writes through the subskeleton are seen through the skeleton */
		*lib->rodata.lib_ro = 77;
		*lib->data.lib_data = 1234;
		out("skeleton sees lib_ro %d lib_data %d", skel->rodata->lib_ro, skel->data->lib_data);
		errno = SENTINEL;
		lib__destroy(lib);
		out("lib__destroy errno %d", errno);
	}
	linked__destroy(skel);

	section = "sub-main";
	struct main_bpf *m = main_bpf__open();
	out("main_bpf__open %s", m ? "ok" : "NULL");
	if (!m)
		return;
	errno = SENTINEL;
	struct mainsub *ms = mainsub__open(m->obj);
	out("mainsub__open %s errno %d", ms ? "ok" : "NULL", ms ? 0 : errno);
	if (ms) {
		var_at("data_var", ms->maps.data, ms->data.data_var, 4);
		var_at("data_str", ms->maps.data, ms->data.data_str, 8);
		var_at("data_long", ms->maps.data, ms->data.data_long, 8);
		var_at("ro_limit", ms->maps.rodata, ms->rodata.ro_limit, 4);
		var_at("ro_name", ms->maps.rodata, ms->rodata.ro_name, 16);
		var_at("ro_big", ms->maps.rodata, ms->rodata.ro_big, 8);
		var_at("my_custom", ms->maps.data_custom, ms->data_custom.my_custom, 4);
		var_at("ro_custom", ms->maps.rodata_custom, ms->rodata_custom.ro_custom, 4);
		var_at("bss_counter", ms->maps.bss, ms->bss.bss_counter, 4);
		var_at("bss_arr", ms->maps.bss, ms->bss.bss_arr, 32);
		var_at("CONFIG_HZ", ms->maps.kconfig, ms->kconfig.CONFIG_HZ, 4);
		var_at("LINUX_KERNEL_VERSION", ms->maps.kconfig, ms->kconfig.LINUX_KERNEL_VERSION, 4);
		out("subskeleton ro_limit is the skeleton's: %d", (void *)ms->rodata.ro_limit == (void *)&m->rodata->ro_limit);
		mainsub__destroy(ms);
	}
	main_bpf__destroy(m);
}

/* ------------------------------------------------------------------ sub errors */

struct var_rec {
	struct bpf_var_skeleton s;
	char pad[24];
};

static struct bpf_object_subskeleton *raw_sub(const struct bpf_object *obj)
{
	struct bpf_object_subskeleton *s = calloc(1, sizeof(*s));
	s->sz = sizeof(*s);
	s->obj = obj;
	return s;
}

static void sub_open(const char *what, struct bpf_object_subskeleton *s, int preset_errno)
{
	errno = preset_errno;
	int err = bpf_object__open_subskeleton(s);
	out("%s: open_subskeleton %d errno %d", what, err, errno);
}

static void test_sub_errors(void)
{
	section = "sub-errors";
	struct main_bpf *m = main_bpf__open();
	if (!m) {
		out("main_bpf__open failed");
		return;
	}
	struct bpf_object_subskeleton *s = raw_sub(NULL);
	sub_open("obj NULL", s, SENTINEL);
	bpf_object__destroy_subskeleton(s);

	struct bpf_object *nobtf = bpf_object__open_file(nobtf_path, NULL);
	out("nobtf open %s btf %s", nobtf ? "ok" : "NULL", nobtf && bpf_object__btf(nobtf) ? "set" : "NULL");
	if (nobtf) {
		s = raw_sub(nobtf);
		sub_open("no BTF (errno 77)", s, 77);
		sub_open("no BTF (errno 0)", s, 0);
		bpf_object__destroy_subskeleton(s);
		bpf_object__close(nobtf);
	}

	/* a missing map, a missing program */
	struct bpf_map *map = (void *)1;
	struct bpf_program *prog = (void *)1;
	s = raw_sub(m->obj);
	s->map_cnt = 1;
	s->map_skel_sz = sizeof(struct bpf_map_skeleton);
	s->maps = calloc(1, sizeof(struct bpf_map_skeleton));
	s->maps[0].name = "no_such_map";
	s->maps[0].map = &map;
	sub_open("missing map", s, SENTINEL);
	out("map slot %s", map == (void *)1 ? "untouched" : map ? "set" : "NULL");
	s->maps[0].name = ".rodata";
	s->prog_cnt = 1;
	s->prog_skel_sz = sizeof(struct bpf_prog_skeleton);
	s->progs = calloc(1, sizeof(struct bpf_prog_skeleton));
	s->progs[0].name = "no_such_prog";
	s->progs[0].prog = &prog;
	sub_open("missing program", s, SENTINEL);
	out("map slot %s prog slot %s", map ? str(bpf_map__name(map)) : "NULL",
	    prog == (void *)1 ? "untouched" : prog ? "set" : "NULL");
	s->progs[0].name = "kp_off";
	sub_open("both found", s, SENTINEL);
	describe_prog("prog", m->obj, prog);

	/* variables: larger records (var_skel_sz), a name the DATASEC lacks, a
	 * map that is not global data */
	struct bpf_map *data = NULL, *rodata = NULL, *counts = NULL, *events = NULL;
	void *addr[4] = { (void *)1, (void *)1, (void *)1, (void *)1 };
	free(s->maps);
	s->map_cnt = 4;
	s->maps = calloc(4, sizeof(struct bpf_map_skeleton));
	s->maps[0] = (struct bpf_map_skeleton){ .name = ".data", .map = &data };
	s->maps[1] = (struct bpf_map_skeleton){ .name = ".rodata", .map = &rodata };
	s->maps[2] = (struct bpf_map_skeleton){ .name = "counts", .map = &counts };
	s->maps[3] = (struct bpf_map_skeleton){ .name = "events", .map = &events };
	struct var_rec *vars = calloc(4, sizeof(*vars));
	vars[0].s = (struct bpf_var_skeleton){ .name = "data_long", .map = &data, .addr = &addr[0] };
	vars[1].s = (struct bpf_var_skeleton){ .name = "ro_big", .map = &rodata, .addr = &addr[1] };
	vars[2].s = (struct bpf_var_skeleton){ .name = "no_such_var", .map = &rodata, .addr = &addr[2] };
	vars[3].s = (struct bpf_var_skeleton){ .name = "data_var", .map = &counts, .addr = &addr[3] };
	s->vars = (struct bpf_var_skeleton *)vars;
	s->var_skel_sz = sizeof(struct var_rec);
	s->var_cnt = 3;
	sub_open("vars stride", s, SENTINEL);
	var_at("addr[0] data_long", data, addr[0] == (void *)1 ? NULL : addr[0], 8);
	var_at("addr[1] ro_big", rodata, addr[1] == (void *)1 ? NULL : addr[1], 8);
	out("addr[2] %s", addr[2] == (void *)1 ? "untouched" : "set");
	s->var_cnt = 4;
	sub_open("var in a BTF-defined map", s, SENTINEL);
	out("addr[3] %s", addr[3] == (void *)1 ? "untouched" : "set");
	vars[3].s.map = &events; /* no value type: id 0 */
	sub_open("var in a map without value type", s, SENTINEL);
	vars[0].s.map = &counts;
	s->var_cnt = 1;
	sub_open("first var in a BTF-defined map", s, SENTINEL);
	s->var_cnt = 0;
	sub_open("no vars", s, SENTINEL);
	errno = SENTINEL;
	bpf_object__destroy_subskeleton(s);
	out("destroy_subskeleton errno %d", errno);

	main_bpf__destroy(m);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	if (argc < 2) {
		fprintf(stderr, "usage: %s NOBTF_OBJECT\n", argv[0]);
		return 2;
	}
	nobtf_path = argv[1];
	libbpf_set_print(print_fn);
	test_open();
	test_opts();
	test_bad();
	test_raw();
	test_sub();
	test_sub_errors();
	printf("END\n");
	return 0;
}
