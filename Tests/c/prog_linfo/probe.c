/* SwiftBPF prog_linfo probe: prints every observable result of
 * bpf_prog_linfo__new / __free / __lfind / __lfind_addr_func.
 *
 * Usage: probe OBJ...     differential output: "MAPPED <realpath>" then
 *                         "<section> ..." lines, identical for both libraries
 *        probe --null     calls the reference crashes on (NULL info, NULL
 *                         line_info with records, NULL prog_linfo); run
 *                         against ours only, checked against expected lines
 *
 * Sections:
 *   synth    hand-built struct bpf_prog_info with synthetic arrays (no kernel):
 *            new's result and errno for every shape, then every lookup
 *   load     each OBJ opened and loaded with bpf_object__open_file/load; per
 *            program the info is read twice with bpf_obj_get_info_by_fd (counts, then arrays), the
 *            arrays are handed to bpf_prog_linfo__new and then overwritten
 *            and freed, and every lookup is printed: for each instruction
 *            index and several nr_skip, for each jited line address (-1, 0,
 *            +1) in its own function and several nr_skip, around each
 *            function's bounds, and invalid inputs
 *   log      everything the library printed through the print callback
 *
 * Kernel addresses never appear: a jited address is printed as the index of
 * the jited line it was derived from and a delta. A returned record is printed
 * as its byte offset from record 0 of the copy and its bytes (up to the
 * record size), or as NULL and errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define SENTINEL 4242

static char logbuf[1 << 16];
static size_t loglen;

static int print_cb(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[2048];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n > 0 && loglen + strlen(line) + 16 < sizeof(logbuf))
		loglen += snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%d %s", level, line);
	return 0;
}

static void print_log(void)
{
	char *save, *l;

	for (l = strtok_r(logbuf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		printf("log %s\n", l);
	loglen = 0;
	logbuf[0] = 0;
}

/* realpath of every distinct libbpf.so* mapped into this process */
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

/* ---------------------------------------------------------------- results */

/* The current table: record 0 of the library's copy and the record size. */
static const char *cur_base;
static unsigned cur_rec;

/* A returned record: offset from record 0 and bytes, or NULL and errno. The
 * errno is preset to SENTINEL, so "errno unchanged on success" shows too. */
static const char *rec(const struct bpf_line_info *p, int err)
{
	static char b[4][512];
	static int k;
	char *s = b[k = (k + 1) % 4];
	int n;

	if (!p) {
		snprintf(s, 512, "NULL errno %d", err);
		return s;
	}
	if (!cur_base) {
		snprintf(s, 512, "rec ? errno %d", err);
		return s;
	}
	n = snprintf(s, 512, "rec @%ld", (long)((const char *)p - cur_base));
	unsigned show = cur_rec > 40 ? 40 : cur_rec;
	if (show)
		n += snprintf(s + n, 512 - n, " ");
	for (unsigned i = 0; i < show && n < 500; i++)
		n += snprintf(s + n, 512 - n, "%02x", ((const unsigned char *)p)[i]);
	if (err != SENTINEL)
		snprintf(s + n, 512 - n, " errno %d", err);
	return s;
}

static const char *lfind(const struct bpf_prog_linfo *l, __u32 insn, __u32 skip)
{
	const struct bpf_line_info *p;

	errno = SENTINEL;
	p = bpf_prog_linfo__lfind(l, insn, skip);
	return rec(p, errno);
}

static const char *lfind_addr(const struct bpf_prog_linfo *l, __u64 addr, __u32 f, __u32 skip)
{
	const struct bpf_line_info *p;

	errno = SENTINEL;
	p = bpf_prog_linfo__lfind_addr_func(l, addr, f, skip);
	return rec(p, errno);
}

/* ------------------------------------------------------------- synthetic */

#define MAXREC 8

struct synth {
	unsigned nr, rec;            /* line records and their size */
	__u32 insn[MAXREC];          /* insn_off of each record */
	unsigned njli, jrec;         /* jited records and their size */
	__u64 jli[MAXREC];
	unsigned nks, nfl;
	__u64 ks[4];
	__u32 fl[4];
	int no_jli_ptr, no_ks_ptr, no_fl_ptr;
};

/* Builds the arrays in malloc'd buffers (record i: insn_off, file_name_off
 * 100+i, line_off 0x10+i, line_col 0x4400+i, then 0xa0+i bytes up to the
 * record size), calls new, then overwrites and frees the buffers. */
static struct bpf_prog_linfo *synth_new(const char *name, const struct synth *s, int *err)
{
	struct bpf_prog_info info;
	unsigned char *li = calloc(s->nr ? s->nr : 1, s->rec > 16 ? s->rec : 16);
	unsigned char *jli = calloc(s->njli ? s->njli : 1, s->jrec > 8 ? s->jrec : 8);
	__u64 *ks = calloc(4, 8);
	__u32 *fl = calloc(4, 4);
	struct bpf_prog_linfo *l;

	for (unsigned i = 0; i < s->nr; i++) {
		struct bpf_line_info r = { s->insn[i], 100 + i, 0x10 + i, 0x4400 + i };
		unsigned char full[64];
		memset(full, 0xa0 + i, sizeof(full));
		memcpy(full, &r, sizeof(r));
		/* records are packed at the given size; a short record holds a prefix */
		memcpy(li + (size_t)i * s->rec, full, s->rec < sizeof(full) ? s->rec : sizeof(full));
	}
	for (unsigned i = 0; i < s->njli; i++) {
		memset(jli + (size_t)i * s->jrec, 0xc0 + i, s->jrec);
		if (s->jrec >= 8)
			memcpy(jli + (size_t)i * s->jrec, &s->jli[i], 8);
	}
	memcpy(ks, s->ks, sizeof(s->ks));
	memcpy(fl, s->fl, sizeof(s->fl));
	memset(&info, 0, sizeof(info));
	info.nr_line_info = s->nr;
	info.line_info_rec_size = s->rec;
	info.line_info = (uintptr_t)li;
	info.nr_jited_line_info = s->njli;
	info.jited_line_info_rec_size = s->jrec;
	info.jited_line_info = s->no_jli_ptr ? 0 : (uintptr_t)jli;
	info.nr_jited_ksyms = s->nks;
	info.jited_ksyms = s->no_ks_ptr ? 0 : (uintptr_t)ks;
	info.nr_jited_func_lens = s->nfl;
	info.jited_func_lens = s->no_fl_ptr ? 0 : (uintptr_t)fl;
	errno = SENTINEL;
	l = bpf_prog_linfo__new(&info);
	*err = errno;
	printf("synth %s new %s errno %d\n", name, l ? "ok" : "NULL", *err);
	memset(li, 0xee, (size_t)(s->nr ? s->nr : 1) * (s->rec > 16 ? s->rec : 16));
	memset(jli, 0xee, (size_t)(s->njli ? s->njli : 1) * (s->jrec > 8 ? s->jrec : 8));
	memset(ks, 0xee, 32);
	memset(fl, 0xee, 16);
	free(li);
	free(jli);
	free(ks);
	free(fl);
	return l;
}

static const __u32 skips[] = { 0, 1, 2, 3, 4, 7, 8, 0x7fffffff, 0xffffffff };
#define NSKIPS (sizeof(skips) / sizeof(skips[0]))

static void synth_case(const char *name, const struct synth *s)
{
	int err;
	struct bpf_prog_linfo *l = synth_new(name, s, &err);

	if (!l)
		return;
	/* record 0: the lookup of its own insn_off from skip 0 when record 1 is
	 * above it (every case but the ones that say otherwise) */
	errno = SENTINEL;
	cur_base = (const char *)bpf_prog_linfo__lfind(l, s->insn[0], 0);
	cur_rec = s->rec;
	printf("synth %s base %s\n", name, cur_base ? "found" : "NULL");
	/* instructions 0..12, and each record's insn_off -1, +0, +1 */
	for (unsigned k = 0; k < NSKIPS; k++) {
		for (__u32 insn = 0; insn <= 12; insn++)
			printf("synth %s lfind insn %u skip %u: %s\n", name, insn, skips[k], lfind(l, insn, skips[k]));
		for (unsigned i = 0; i < s->nr; i++)
			for (int d = -1; d <= 1; d++)
				printf("synth %s lfind insn[%u]%+d skip %u: %s\n", name, i, d, skips[k],
				       lfind(l, s->insn[i] + d, skips[k]));
	}
	printf("synth %s lfind insn max skip 0: %s\n", name, lfind(l, UINT32_MAX, 0));
	/* addresses: each jited address given and its neighbours, plus extremes */
	for (__u32 f = 0; f <= s->nks + 1; f++) {
		for (unsigned k = 0; k < 5; k++) {
			for (unsigned j = 0; j < s->njli; j++)
				for (int d = -1; d <= 1; d++)
					printf("synth %s addr jli[%u]%+d func %u skip %u: %s\n", name, j, d, f, skips[k],
					       lfind_addr(l, s->jli[j] + d, f, skips[k]));
			printf("synth %s addr 0 func %u skip %u: %s\n", name, f, skips[k], lfind_addr(l, 0, f, skips[k]));
			printf("synth %s addr max func %u skip %u: %s\n", name, f, skips[k],
			       lfind_addr(l, UINT64_MAX, f, skips[k]));
		}
	}
	printf("synth %s addr max func max skip 0: %s\n", name, lfind_addr(l, UINT64_MAX, UINT32_MAX, 0));
	printf("synth %s addr max func 0 skip max: %s\n", name, lfind_addr(l, UINT64_MAX, 0, UINT32_MAX));
	/* the same query twice gives the same pointer; a second object its own copy */
	{
		int err2;
		struct bpf_prog_linfo *l2 = synth_new(name, s, &err2);
		const struct bpf_line_info *a = bpf_prog_linfo__lfind(l, s->insn[0], 0);
		const struct bpf_line_info *b = bpf_prog_linfo__lfind(l, s->insn[0], 0);
		const struct bpf_line_info *c = l2 ? bpf_prog_linfo__lfind(l2, s->insn[0], 0) : NULL;
		printf("synth %s stable %d own-copy %d\n", name, a == b, a != c || !a);
		bpf_prog_linfo__free(l2);
	}
	cur_base = NULL;
	bpf_prog_linfo__free(l);
}

/* The base table: 4 records at insns 0 3 5 9, jited at 0x1000.. in two
 * functions (0x1000 + 0x20, 0x1020 + 0x20). */
static struct synth base4(void)
{
	struct synth s = {
		.nr = 4, .rec = 16, .insn = { 0, 3, 5, 9 },
		.njli = 4, .jrec = 8, .jli = { 0x1000, 0x1010, 0x1020, 0x1030 },
		.nks = 2, .nfl = 2, .ks = { 0x1000, 0x1020 }, .fl = { 0x20, 0x20 },
	};
	return s;
}

/* 5 records, three functions at 0x1000 0x1020 0x1040 (jited line 4 at 0x1040) */
static struct synth base5(void)
{
	struct synth s = {
		.nr = 5, .rec = 16, .insn = { 0, 3, 5, 9, 10 },
		.njli = 5, .jrec = 8, .jli = { 0x1000, 0x1010, 0x1020, 0x1030, 0x1040 },
		.nks = 3, .nfl = 3, .ks = { 0x1000, 0x1020, 0x1040 }, .fl = { 0x20, 0x20, 0x20 },
	};
	return s;
}

#define CASE(name, base, ...) do { struct synth s = base(); __VA_ARGS__; synth_case(name, &s); } while (0)

static void section_synth(void)
{
	CASE("full", base4, );
	CASE("empty", base4, s.nr = 0; s.njli = 0);
	CASE("empty-jited-ok", base4, s.nr = 0);
	/* record sizes */
	CASE("rec0", base4, s.rec = 0);
	CASE("rec1", base4, s.rec = 1);
	CASE("rec3", base4, s.rec = 3);
	CASE("rec4", base4, s.rec = 4; s.insn[0] = 0; s.insn[1] = 3; s.insn[2] = 5; s.insn[3] = 9);
	CASE("rec5", base4, s.rec = 5);
	CASE("rec8", base4, s.rec = 8);
	CASE("rec12", base4, s.rec = 12);
	CASE("rec15", base4, s.rec = 15);
	CASE("rec17", base4, s.rec = 17);
	CASE("rec24", base4, s.rec = 24);
	CASE("rec40", base4, s.rec = 40);
	/* which jited data is used */
	CASE("no-jited", base4, s.njli = 0; s.nks = 0; s.nfl = 0);
	CASE("jli-fewer", base4, s.njli = 3);
	CASE("jli-more", base5, s.nr = 4);
	CASE("jli-null", base4, s.no_jli_ptr = 1);
	CASE("jrec0", base4, s.jrec = 0);
	CASE("jrec4", base4, s.jrec = 4);
	CASE("jrec7", base4, s.jrec = 7);
	CASE("jrec9", base4, s.jrec = 9);
	CASE("jrec9-onefunc", base4, s.jrec = 9; s.nks = 1; s.nfl = 1);
	CASE("jrec12", base4, s.jrec = 12);
	CASE("jrec16", base4, s.jrec = 16);
	CASE("jrec16-onefunc", base4, s.jrec = 16; s.nks = 1; s.nfl = 1);
	CASE("ks0", base4, s.nks = 0);
	CASE("ks1-fl2", base4, s.nks = 1);
	CASE("ks3-fl2", base4, s.nks = 3);
	CASE("ks2-fl1", base4, s.nfl = 1);
	CASE("ks0-fl0", base4, s.nks = 0; s.nfl = 0);
	CASE("ks-null", base4, s.no_ks_ptr = 1);
	CASE("fl-null", base4, s.no_fl_ptr = 1);
	CASE("one-func", base4, s.nks = 1; s.nfl = 1);
	CASE("one-func-len1", base4, s.nks = 1; s.nfl = 1; s.fl[0] = 1);
	CASE("one-func-first-off", base4, s.nks = 1; s.nfl = 1; s.ks[0] = 0x1008);
	CASE("three-funcs", base5, );
	CASE("three-funcs-4lines", base5, s.nr = 4; s.njli = 4);
	CASE("two-of-three", base5, s.nks = 2; s.nfl = 2);
	/* function splitting */
	CASE("ks0-below", base4, s.ks[0] = 0xff0);
	CASE("ks0-inside", base4, s.ks[0] = 0x1008);
	CASE("ks1-between", base4, s.ks[1] = 0x1018);
	CASE("ks1-after", base4, s.ks[1] = 0x1028);
	CASE("ks1-at-line1", base4, s.ks[1] = 0x1010);
	CASE("ks1-at-line1-short", base4, s.ks[1] = 0x1010; s.fl[0] = 8);
	CASE("ks1-at-line3", base4, s.ks[1] = 0x1030);
	CASE("ks1-at-line3-long", base4, s.ks[1] = 0x1030; s.fl[0] = 0x40);
	CASE("ks1-same", base4, s.ks[1] = 0x1000);
	CASE("ks1-same-long", base4, s.ks[1] = 0x1000; s.fl[0] = 0x100);
	CASE("ks-desc", base4, s.ks[0] = 0x1020; s.ks[1] = 0x1000);
	CASE("ks1-missing", base4, s.ks[1] = 0x1040; s.fl[0] = 0x100);
	CASE("len0-8", base4, s.fl[0] = 8);
	CASE("len0-0x10", base4, s.fl[0] = 0x10);
	CASE("len0-0x11", base4, s.fl[0] = 0x11);
	CASE("len0-0", base4, s.fl[0] = 0);
	CASE("len1-1", base4, s.fl[1] = 1);
	CASE("len1-0", base4, s.fl[1] = 0);
	CASE("lens-big", base4, s.fl[0] = 0x100000; s.fl[1] = 0xffffffff);
	CASE("len-wide-gap", base4, s.jli[1] = 0x100001010ull; s.jli[2] = 0x200000000ull; s.jli[3] = 0x200000010ull;
	     s.ks[1] = 0x200000000ull);
	CASE("wrap", base4, s.ks[0] = s.jli[0] = 0xfffffffffffffff0ull; s.jli[1] = 0xfffffffffffffff8ull);
	CASE("wrap-into-next", base4, s.ks[0] = s.jli[0] = 0xfffffffffffffff0ull; s.jli[1] = 0xfffffffffffffff8ull;
	     s.ks[1] = s.jli[2] = 4; s.jli[3] = 0x10);
	/* order inside functions */
	CASE("jli-dup-f0", base4, s.jli[1] = 0x1000);
	CASE("jli-down-f0", base4, s.jli[1] = 0x1008; s.jli[0] = 0x1000; s.ks[0] = 0x1000; s.jli[1] = 0x0fff);
	CASE("jli-first-not-ks0", base4, s.jli[0] = 0x1010; s.jli[1] = 0x1008);
	CASE("jli-unsorted-last", base5, s.nks = 2; s.nfl = 2; s.jli[3] = 0x1050; s.jli[4] = 0x1030);
	CASE("jli-unsorted-last-2", base4, s.jli[3] = 0x1020);
	CASE("start-before-order", base4, s.jli[1] = 0x1020; s.jli[2] = 0x1010; s.ks[1] = 0x1010; s.fl[0] = 0x40);
	CASE("start-is-dup", base4, s.jli[2] = 0x1010; s.ks[1] = 0x1010; s.jli[1] = 0x1010);
	/* instruction offsets */
	CASE("insn-first-2", base4, s.insn[0] = 2);
	CASE("insn-dup-first", base4, s.insn[1] = 0);
	CASE("insn-dup-mid", base4, s.insn[2] = 3);
	CASE("insn-unsorted", base4, s.insn[1] = 5; s.insn[2] = 3);
	CASE("insn-unsorted-desc", base5, s.insn[0] = 9; s.insn[1] = 7; s.insn[2] = 5; s.insn[3] = 3; s.insn[4] = 1);
	CASE("insn-spike", base5, s.insn[1] = 8; s.insn[2] = 2; s.insn[3] = 3; s.insn[4] = 4);
	CASE("insn-big", base4, s.insn[1] = 0x7fffffff; s.insn[2] = 0xfffffffe; s.insn[3] = 0xffffffff);
	CASE("one-record", base4, s.nr = 1; s.njli = 1; s.nks = 1; s.nfl = 1);
	CASE("one-record-two-funcs", base4, s.nr = 1; s.njli = 1);
	CASE("eight-records", base4, s.nr = 8; s.njli = 8; s.nks = 4; s.nfl = 4;
	     for (unsigned i = 0; i < 8; i++) { s.insn[i] = 2 * i; s.jli[i] = 0x2000 + 0x10 * i; }
	     s.ks[0] = 0x2000; s.ks[1] = 0x2010; s.ks[2] = 0x2040; s.ks[3] = 0x2070;
	     s.fl[0] = 0x10; s.fl[1] = 0x30; s.fl[2] = 0x30; s.fl[3] = 1);
}

/* ------------------------------------------------------------------ load */

static __u64 u64_at(const void *p, unsigned rec, unsigned i)
{
	__u64 v;
	memcpy(&v, (const char *)p + (size_t)rec * i, 8);
	return v;
}

static void dump_prog(const char *obj, const char *prog, int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err) {
		printf("load %s/%s info1 err %d errno %d\n", obj, prog, err, errno);
		return;
	}
	__u32 nr = info.nr_line_info, nj = info.nr_jited_line_info, nk = info.nr_jited_ksyms;
	__u32 nf = info.nr_jited_func_lens, nfi = info.nr_func_info, ni = info.xlated_prog_len / 8;
	__u32 rs = info.line_info_rec_size, jrs = info.jited_line_info_rec_size, frs = info.func_info_rec_size;
	printf("load %s/%s counts insns %u line_info %u rec %u jited_line_info %u rec %u ksyms %u func_lens %u func_info %u\n",
	       obj, prog, ni, nr, rs, nj, jrs, nk, nf, nfi);
	void *li = calloc(nr ? nr : 1, rs ? rs : 1);
	void *jli = calloc(nj ? nj : 1, jrs ? jrs : 1);
	__u64 *ks = calloc(nk ? nk : 1, 8);
	__u32 *fl = calloc(nf ? nf : 1, 4);
	void *fi = calloc(nfi ? nfi : 1, frs ? frs : 1);
	memset(&info, 0, sizeof(info));
	info.nr_line_info = nr;
	info.line_info_rec_size = rs;
	info.line_info = (uintptr_t)li;
	info.nr_jited_line_info = nj;
	info.jited_line_info_rec_size = jrs;
	info.jited_line_info = (uintptr_t)jli;
	info.nr_jited_ksyms = nk;
	info.jited_ksyms = (uintptr_t)ks;
	info.nr_jited_func_lens = nf;
	info.jited_func_lens = (uintptr_t)fl;
	info.nr_func_info = nfi;
	info.func_info_rec_size = frs;
	info.func_info = (uintptr_t)fi;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err) {
		printf("load %s/%s info2 err %d errno %d\n", obj, prog, err, errno);
		return;
	}
	/* keep what the printing needs, then hand the arrays over and destroy them */
	__u64 *addr = calloc(nj ? nj : 1, 8), *ksyms = calloc(nk ? nk : 1, 8);
	__u32 *lens = calloc(nf ? nf : 1, 4);
	__u32 *fstart = calloc(nfi ? nfi : 1, 4);
	for (__u32 j = 0; j < nj; j++)
		addr[j] = u64_at(jli, jrs, j);
	memcpy(ksyms, ks, (size_t)nk * 8);
	memcpy(lens, fl, (size_t)nf * 4);
	for (__u32 f = 0; f < nfi; f++)
		memcpy(&fstart[f], (char *)fi + (size_t)f * frs, 4);
	__u32 first_insn = nr ? ((struct bpf_line_info *)li)->insn_off : 0;

	errno = SENTINEL;
	struct bpf_prog_linfo *l = bpf_prog_linfo__new(&info);
	printf("load %s/%s new %s errno %d\n", obj, prog, l ? "ok" : "NULL", errno);
	memset(li, 0xee, (size_t)nr * rs);
	memset(jli, 0xee, (size_t)nj * jrs);
	memset(ks, 0xee, (size_t)nk * 8);
	memset(fl, 0xee, (size_t)nf * 4);
	free(li);
	free(jli);
	free(ks);
	free(fl);
	free(fi);
	if (l) {
		cur_base = (const char *)bpf_prog_linfo__lfind(l, first_insn, 0);
		cur_rec = rs > 16 ? 16 : rs;
		/* every instruction; skip 0, 1, and from the record found at skip 0 */
		for (__u32 i = 0; i <= ni + 1; i++) {
			const struct bpf_line_info *p = bpf_prog_linfo__lfind(l, i, 0);
			__u32 idx = p && cur_base ? (__u32)(((const char *)p - cur_base) / rs) : 0;
			printf("load %s/%s lfind insn %u: %s | skip1 %s | skip-own %s | skip-own+1 %s\n", obj, prog, i,
			       lfind(l, i, 0), lfind(l, i, 1), lfind(l, i, idx), lfind(l, i, idx + 1));
		}
		printf("load %s/%s lfind skip nr: %s | skip max: %s\n", obj, prog, lfind(l, ni, nr), lfind(l, ni, UINT32_MAX));
		/* every jited line address (-1, 0, +1) in its own function, and in
		 * the out-of-range function nk; skip 0, 1, 2. (In another function
		 * the answer would depend on where the kernel placed the functions
		 * relative to each other, which differs between loads.) */
		for (__u32 f = 0; f <= nk && nk == nf; f++)
			for (__u32 j = 0; j < nj; j++) {
				if (f < nk && (addr[j] < ksyms[f] || addr[j] - ksyms[f] >= lens[f]))
					continue;
				for (int d = -1; d <= 1; d++)
					printf("load %s/%s addr jli[%u]%+d func %u: %s | skip1 %s | skip2 %s\n", obj, prog, j, d, f,
					       lfind_addr(l, addr[j] + d, f, 0), lfind_addr(l, addr[j] + d, f, 1),
					       lfind_addr(l, addr[j] + d, f, 2));
			}
		/* around each function: just before, at its end, far past it */
		for (__u32 f = 0; f < nk && nk == nf; f++)
			printf("load %s/%s addr func %u start-1: %s | end: %s | end+4096: %s | end skip3: %s\n", obj, prog, f,
			       lfind_addr(l, ksyms[f] - 1, f, 0), lfind_addr(l, ksyms[f] + lens[f], f, 0),
			       lfind_addr(l, ksyms[f] + lens[f] + 4096, f, 0), lfind_addr(l, ksyms[f] + lens[f], f, 3));
		printf("load %s/%s addr 0: %s | max: %s | func max: %s\n", obj, prog, lfind_addr(l, 0, 0, 0),
		       lfind_addr(l, UINT64_MAX, 0, 0), lfind_addr(l, addr[0], UINT32_MAX, 0));
		/* each function's first jited line is the line of its first instruction */
		for (__u32 f = 0; f < nk && f < nfi; f++) {
			const struct bpf_line_info *a = bpf_prog_linfo__lfind_addr_func(l, ksyms[f], f, 0);
			const struct bpf_line_info *b = bpf_prog_linfo__lfind(l, fstart[f], 0);
			printf("load %s/%s func %u entry-consistent %s\n", obj, prog, f, a && a == b ? "yes" : "no");
		}
		printf("load %s/%s funcs %u\n", obj, prog, nk);
		cur_base = NULL;
		bpf_prog_linfo__free(l);
	}
	free(addr);
	free(ksyms);
	free(lens);
	free(fstart);
}

static void section_load(const char *path)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;

	if (!obj) {
		printf("load %s open failed errno %d\n", name, errno);
		return;
	}
	int err = bpf_object__load(obj);
	printf("load %s load %d\n", name, err);
	if (!err)
		bpf_object__for_each_program(prog, obj)
			dump_prog(name, bpf_program__name(prog), bpf_program__fd(prog));
	bpf_object__close(obj);
}

/* ------------------------------------------------------------------ null */

static void section_null(void)
{
	struct bpf_prog_info info;
	const void *p;
	int e;

	errno = SENTINEL;
	p = bpf_prog_linfo__new(NULL);
	e = errno;
	printf("null new(NULL) %s errno %d\n", p ? "ok" : "NULL", e);
	memset(&info, 0, sizeof(info));
	info.nr_line_info = 4;
	info.line_info_rec_size = 16;
	errno = SENTINEL;
	p = bpf_prog_linfo__new(&info);
	e = errno;
	printf("null new(line_info 0, nr 4) %s errno %d\n", p ? "ok" : "NULL", e);
	errno = SENTINEL;
	p = bpf_prog_linfo__lfind(NULL, 0, 0);
	e = errno;
	printf("null lfind(NULL) %s errno %d\n", p ? "rec" : "NULL", e);
	errno = SENTINEL;
	p = bpf_prog_linfo__lfind_addr_func(NULL, 0, 0, 0);
	e = errno;
	printf("null lfind_addr_func(NULL) %s errno %d\n", p ? "rec" : "NULL", e);
	bpf_prog_linfo__free(NULL);
	printf("null free(NULL) returned\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	libbpf_set_print(print_cb);
	if (argc > 1 && !strcmp(argv[1], "--null")) {
		section_null();
		print_log();
		printf("END\n");
		return 0;
	}
	section_synth();
	for (int i = 1; i < argc; i++)
		section_load(argv[i]);
	print_log();
	printf("END\n");
	return 0;
}
