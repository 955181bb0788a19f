// SwiftBPF gen_loader probe: see run.sh.
#define _GNU_SOURCE
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/skel_internal.h>

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* one "log" line per message line */
	char *s = buf, *nl;
	while (*s) {
		nl = strchr(s, '\n');
		if (nl) *nl = 0;
		printf("log %d %s\n", level, s);
		if (!nl) break;
		s = nl + 1;
	}
	return 0;
}

static const char *base(const char *p) { const char *s = strrchr(p, '/'); return s ? s + 1 : p; }

/* "MAPPED <realpath>" of every distinct libbpf.so* mapped into this process */
static void maps_line(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], seen[4][PATH_MAX];
	int nseen = 0;
	printf("MAPPED");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		char rp[PATH_MAX];
		if (!p) continue;
		p[strcspn(p, "\n")] = 0;
		if (strncmp(strrchr(p, '/') + 1, "libbpf.so", 9)) continue;
		if (!realpath(p, rp)) snprintf(rp, sizeof(rp), "%s", p);
		int dup = 0;
		for (int i = 0; i < nseen; i++) dup |= !strcmp(seen[i], rp);
		if (dup || nseen == 4) continue;
		snprintf(seen[nseen++], PATH_MAX, "%s", rp);
		printf(" %s", rp);
	}
	printf("\n");
	if (f) fclose(f);
}

/* unsupported OBJ: an object the generator may refuse (ksyms): gen + load
 * return values and whether opts were filled. */
static void unsupported(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct gen_loader_opts gen = { .sz = sizeof(gen) };
	int e = bpf_object__gen_loader(obj, &gen);
	errno = 4242;
	int l = bpf_object__load(obj);
	printf("unsupported %s gen %d load %d errno %d insns %d data %d\n", base(path), e, l, errno,
	       gen.insns != NULL, gen.data != NULL);
	bpf_object__close(obj);
}

static void hexdump(const char *tag, const void *p, size_t n, size_t width)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i += width) {
		printf("%s %04zx ", tag, i);
		for (size_t j = i; j < i + width && j < n; j++) printf("%02x", b[j]);
		printf("\n");
	}
}


/* dump OBJ: gen + load, print everything */
static void dump(const char *path)
{
	const char *name = base(path);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) { printf("gen %s open failed %d\n", name, errno); return; }
	struct gen_loader_opts gen = { .sz = sizeof(gen) };
	errno = 4242;
	int err = bpf_object__gen_loader(obj, &gen);
	printf("gen %s gen_loader %d errno %d\n", name, err, errno);
	errno = 4242;
	err = bpf_object__load(obj);
	printf("gen %s load %d errno %d insns_sz %u data_sz %u\n", name, err, errno, gen.insns_sz, gen.data_sz);
	if (gen.insns) hexdump("insn", gen.insns, gen.insns_sz, 8);
	if (gen.data) hexdump("data", gen.data, gen.data_sz, 16);
	bpf_object__close(obj);
}


/* run OBJ [override]: gen + load, then the generated loader through
 * skel_internal.h's bpf_load_and_run; the maps and programs it created are
 * described and the programs test-run. With "override", the ctx gives the
 * .rodata map an initial value whose first u32 is 9 and map 'h' 64 entries. */
static void run(const char *path, int override)
{
	const char *name = base(path);
	const char *tag = override ? "run+" : "run";
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) { printf("%s %s open failed\n", tag, name); return; }
	struct gen_loader_opts gen = { .sz = sizeof(gen) };
	int err = bpf_object__gen_loader(obj, &gen);
	err = err ?: bpf_object__load(obj);
	if (err || !gen.insns) { printf("%s %s gen/load %d\n", tag, name, err); bpf_object__close(obj); return; }
	struct bpf_map *m;
	struct bpf_program *p;
	int nmaps = 0, nprogs = 0;
	bpf_object__for_each_map(m, obj) nmaps++;
	bpf_object__for_each_program(p, obj) nprogs++;
	size_t ctx_sz = sizeof(struct bpf_loader_ctx) + nmaps * sizeof(struct bpf_map_desc) + nprogs * sizeof(struct bpf_prog_desc);
	struct bpf_loader_ctx *ctx = calloc(1, ctx_sz);
	struct bpf_map_desc *maps = (void *)(ctx + 1);
	struct bpf_prog_desc *progs = (void *)(maps + nmaps);
	ctx->sz = ctx_sz;
	void *init = NULL;

	if (override) {
		int i = 0;
		bpf_object__for_each_map(m, obj) {
			const char *mn = bpf_map__name(m);
			if (strstr(mn, ".rodata")) {
				size_t sz;
				const void *v = bpf_map__initial_value(m, &sz);

				init = calloc(1, sz);
				memcpy(init, v, sz);
				*(__u32 *)init = 9;
				maps[i].initial_value = (long)init;
			}
			if (!strcmp(mn, "h")) maps[i].max_entries = 64;
			i++;
		}
	}
	struct bpf_load_and_run_opts lopts = {
		.ctx = ctx, .data = gen.data, .insns = gen.insns, .data_sz = gen.data_sz, .insns_sz = gen.insns_sz,
		.errstr = "none",
	};
	errno = 0;
	err = bpf_load_and_run(&lopts);
	printf("%s %s load_and_run %d errstr %s\n", tag, name, err, lopts.errstr);
	int i = 0;
	bpf_object__for_each_map(m, obj) {
		int fd = maps[i].map_fd;
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		if (fd <= 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("%s %s map %d fd-ok %d\n", tag, name, i, fd > 0);
		} else {
			printf("%s %s map %d %s type %u key %u value %u max %u flags %#x btf-value %u\n", tag, name, i, info.name,
			       info.type, info.key_size, info.value_size, info.max_entries, info.map_flags, info.btf_value_type_id);
		}
		i++;
	}
	int j = 0;
	bpf_object__for_each_program(p, obj) {
		int fd = progs[j].prog_fd;
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		if (fd <= 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			printf("%s %s prog %d fd-ok %d\n", tag, name, j, fd > 0);
			j++;
			continue;
		}
		char pkt[64] = {0};
		LIBBPF_OPTS(bpf_test_run_opts, t);
		if (info.type == BPF_PROG_TYPE_XDP || info.type == BPF_PROG_TYPE_SCHED_CLS) {
			t.data_in = pkt;
			t.data_size_in = sizeof(pkt);
		}
		int r = -1;
		if (info.type == BPF_PROG_TYPE_XDP || info.type == BPF_PROG_TYPE_SCHED_CLS || info.type == BPF_PROG_TYPE_SYSCALL)
			r = bpf_prog_test_run_opts(fd, &t);
		printf("%s %s prog %d %s type %u btf %d run %d retval %u\n", tag, name, j, info.name, info.type,
		       info.btf_id != 0, r, r ? 0 : t.retval);
		j++;
	}
	/* map contents after the runs */
	i = 0;
	bpf_object__for_each_map(m, obj) {
		int fd = maps[i].map_fd;
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		if (fd > 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			unsigned char val[64] = {0};
			__u32 k32 = 0;
			__u64 k64 = 0;
			int r;
			if (info.type == BPF_MAP_TYPE_QUEUE)
				r = bpf_map_lookup_and_delete_elem(fd, NULL, val);
			else if (info.type == BPF_MAP_TYPE_HASH && info.key_size == 4)
				k32 = 5, r = bpf_map_lookup_elem(fd, &k32, val);
			else if (info.key_size == 8)
				r = bpf_map_lookup_elem(fd, &k64, val);
			else
				r = bpf_map_lookup_elem(fd, &k32, val);
			printf("%s %s map %d value %d ", tag, name, i, r);
			for (__u32 b = 0; !r && b < info.value_size && b < sizeof(val); b++) printf("%02x", val[b]);
			printf("\n");
			close(fd);
		}
		i++;
	}
	for (j = 0; j < nprogs; j++) if (progs[j].prog_fd > 0) close(progs[j].prog_fd);
	free(init);
	free(ctx);
	bpf_object__close(obj);
}

/* errors OBJ: the opts and call-order rules */
static void errors(const char *path)
{
	struct bpf_object *o;
	int e;
	struct gen_loader_opts g = { .sz = sizeof(g) };
	o = bpf_object__open_file(path, NULL);
	errno = 4242; e = bpf_object__gen_loader(o, NULL);
	printf("err null-opts %d errno %d\n", e, errno);
	errno = 4242; e = bpf_object__load(o);
	printf("err null-opts load %d errno %d progfd-ok %d\n", e, errno, bpf_program__fd(bpf_object__next_program(o, NULL)) > 0);
	bpf_object__close(o);

	o = bpf_object__open_file(path, NULL);
	e = bpf_object__load(o);
	errno = 4242; e = bpf_object__gen_loader(o, &g);
	printf("err after-load %d errno %d insns %d\n", e, errno, g.insns != NULL);
	errno = 4242; e = bpf_object__load(o);
	printf("err after-load load %d errno %d insns %d\n", e, errno, g.insns != NULL);
	bpf_object__close(o);

	struct gen_loader_opts g2 = { .sz = sizeof(g2) };
	o = bpf_object__open_file(path, NULL);
	e = bpf_object__gen_loader(o, &g);
	printf("err twice first %d\n", e);
	errno = 4242; e = bpf_object__gen_loader(o, &g2);
	printf("err twice second %d errno %d\n", e, errno);
	e = bpf_object__load(o);
	printf("err twice load %d first-insns %d second-insns_sz %u\n", e, g.insns != NULL, g2.insns_sz);
	printf("err gen-mode fds map %d prog %d\n", bpf_map__fd(bpf_object__next_map(o, NULL)),
	       bpf_program__fd(bpf_object__next_program(o, NULL)));
	bpf_object__close(o);

	struct { struct gen_loader_opts g; long pad; } big = { .g = { .sz = sizeof(big) }, .pad = 1 };
	o = bpf_object__open_file(path, NULL);
	errno = 4242; e = bpf_object__gen_loader(o, &big.g);
	printf("err sz-big-nonzero %d errno %d\n", e, errno);
	big.pad = 0;
	errno = 4242; e = bpf_object__gen_loader(o, &big.g);
	printf("err sz-big-zero %d errno %d\n", e, errno);
	bpf_object__close(o);

	size_t sizes[] = { 0, 4, 7, 8, 16 };
	for (int i = 0; i < 5; i++) {
		struct gen_loader_opts gs = { .sz = sizes[i] };
		o = bpf_object__open_file(path, NULL);
		errno = 4242; e = bpf_object__gen_loader(o, &gs);
		printf("err sz-%zu %d errno %d\n", sizes[i], e, errno);
		errno = 4242; int l = bpf_object__load(o);
		printf("err sz-%zu load %d errno %d insns_sz %u\n", sizes[i], l, errno, gs.insns_sz);
		bpf_object__close(o);
	}
}

/* Usage: probe all OBJ...        dump, run and run+ of each object, errors on the first
 *        probe unsupported OBJ... */
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_fn);
	maps_line();
	if (argc < 3) return 2;
	if (!strcmp(argv[1], "all")) {
		for (int i = 2; i < argc; i++) dump(argv[i]);
		for (int i = 2; i < argc; i++) { run(argv[i], 0); run(argv[i], 1); }
		errors(argv[2]);
	} else if (!strcmp(argv[1], "unsupported")) {
		for (int i = 2; i < argc; i++) unsupported(argv[i]);
	}
	printf("END\n");
	return 0;
}
