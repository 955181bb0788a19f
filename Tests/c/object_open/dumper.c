/* SwiftBPF object_open: prints everything bpf_object__open* makes observable for
 * one BPF object file, for the differential test in run.sh.
 *
 *   dumper OBJ    first line "MAPPED <realpath of the libbpf.so mapped>", then:
 *     [file]      bpf_object__open_file(OBJ, NULL): log, result, full dump
 *     [mem]       bpf_object__open_mem with object_name "memobj" and
 *                 pin_root_path "/custom/pins": log, result, full dump
 *     [relaxed]   bpf_object__open_file with relaxed_maps: log, result
 *     [api]       map/object accessors and setters on a fresh open (errors,
 *                 errno, log), then the dump again
 *   Every line is deterministic: no addresses, no fds, no pids.
 *
 * Built against the reference headers (-I/usr/include -lbpf); run.sh picks the
 * library with LD_LIBRARY_PATH.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/btf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

static void print_maps(void)
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

/* Every library message, in order, one line each (embedded newlines escaped). */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[8192];
	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	if (n < 0)
		return n;
	size_t len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = 0;
	printf("log %d ", (int)level);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(buf[i]);
	}
	putchar('\n');
	return n;
}

static const char *str(const char *s) { return s ? s : "(null)"; }

static void hex(const char *prefix, const void *data, size_t size)
{
	const unsigned char *p = data;
	/* at most 64 bytes a line, so a difference is easy to find */
	for (size_t off = 0; off < size; off += 64) {
		printf("%s +%zu ", prefix, off);
		for (size_t i = off; i < size && i < off + 64; i++)
			printf("%02x", p[i]);
		printf("\n");
	}
	if (!size)
		printf("%s empty\n", prefix);
}

static uint64_t fnv(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static int map_index(struct bpf_object *obj, const struct bpf_map *map)
{
	int i = 0;
	struct bpf_map *m;

	if (!map)
		return -1;
	bpf_object__for_each_map(m, obj) {
		if (m == map)
			return i;
		i++;
	}
	return -2;  /* not one of the object's maps (an inner map) */
}

static void dump_map(const char *tag, struct bpf_object *obj, struct bpf_map *map)
{
	size_t psize = 12345;
	const void *init;
	struct bpf_map *inner;

	printf("%s name=%s type=%d key=%u value=%u max=%u flags=0x%x numa=%u extra=0x%llx ifindex=%u\n",
	       tag, str(bpf_map__name(map)), bpf_map__type(map), bpf_map__key_size(map),
	       bpf_map__value_size(map), bpf_map__max_entries(map), bpf_map__map_flags(map),
	       bpf_map__numa_node(map), (unsigned long long)bpf_map__map_extra(map), bpf_map__ifindex(map));
	printf("%s btf_key=%u btf_value=%u internal=%d autocreate=%d pinned=%d pin_path=%s fd=%d\n",
	       tag, bpf_map__btf_key_type_id(map), bpf_map__btf_value_type_id(map),
	       bpf_map__is_internal(map), bpf_map__autocreate(map), bpf_map__is_pinned(map),
	       str(bpf_map__pin_path(map)), bpf_map__fd(map));
	errno = 0;
	inner = bpf_map__inner_map(map);
	printf("%s inner=%s errno=%d\n", tag, inner ? str(bpf_map__name(inner)) : "(none)", errno);
	init = bpf_map__initial_value(map, &psize);
	if (init) {
		printf("%s initial size=%zu\n", tag, psize);
		hex("  init", init, psize);
	} else {
		printf("%s initial none psize=%zu\n", tag, psize);
	}
	if (inner && obj) {
		char t[64];
		snprintf(t, sizeof(t), "%s.inner", tag);
		printf("%s index=%d\n", t, map_index(obj, inner));
		dump_map(t, NULL, inner);
	}
}

static const char *kind_name(int kind)
{
	static const char *names[] = { "void", "int", "ptr", "array", "struct", "union", "enum", "fwd",
		"typedef", "volatile", "const", "restrict", "func", "func_proto", "var", "datasec", "float",
		"decl_tag", "type_tag", "enum64" };
	return kind >= 0 && kind < (int)(sizeof(names) / sizeof(names[0])) ? names[kind] : "?";
}

static void dump_btf(struct bpf_object *obj)
{
	struct btf *btf = bpf_object__btf(obj);
	if (!btf) {
		printf("btf none\n");
		return;
	}
	int n = btf__type_cnt(btf);
	uint32_t raw_size = 0;
	const void *raw = btf__raw_data(btf, &raw_size);
	printf("btf types=%d raw_size=%u raw_hash=%016llx\n", n, raw_size,
	       raw ? (unsigned long long)fnv(raw, raw_size) : 0ULL);
	for (int id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		int kind = btf_kind(t);
		const char *name = btf__name_by_offset(btf, t->name_off);
		if (kind == BTF_KIND_DATASEC) {
			const struct btf_var_secinfo *vs = btf_var_secinfos(t);
			printf("btf [%d] datasec '%s' size=%u vlen=%d\n", id, str(name), t->size, btf_vlen(t));
			for (int i = 0; i < btf_vlen(t); i++, vs++) {
				const struct btf_type *vt = btf__type_by_id(btf, vs->type);
				printf("btf   type=%u %s '%s' off=%u size=%u\n", vs->type, kind_name(btf_kind(vt)),
				       str(btf__name_by_offset(btf, vt->name_off)), vs->offset, vs->size);
			}
		} else if (kind == BTF_KIND_VAR) {
			printf("btf [%d] var '%s' type=%u linkage=%u\n", id, str(name), t->type, btf_var(t)->linkage);
		} else if (kind == BTF_KIND_FUNC) {
			printf("btf [%d] func '%s' type=%u linkage=%u\n", id, str(name), t->type, btf_vlen(t));
		} else if (kind == BTF_KIND_FUNC_PROTO) {
			const struct btf_param *p = btf_params(t);
			printf("btf [%d] func_proto ret=%u", id, t->type);
			for (int i = 0; i < btf_vlen(t); i++)
				printf(" %s:%u", str(btf__name_by_offset(btf, p[i].name_off)), p[i].type);
			printf("\n");
		}
	}
}

static void dump_object(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int i;

	printf("object name=%s kversion=0x%x\n", str(bpf_object__name(obj)), bpf_object__kversion(obj));
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		size_t n = bpf_program__insn_cnt(prog);
		printf("prog %d name=%s sec=%s type=%d eat=%d flags=0x%x autoload=%d autoattach=%d insns=%zu log_level=%u\n",
		       i, str(bpf_program__name(prog)), str(bpf_program__section_name(prog)),
		       bpf_program__type(prog), bpf_program__expected_attach_type(prog),
		       bpf_program__flags(prog), bpf_program__autoload(prog), bpf_program__autoattach(prog),
		       n, bpf_program__log_level(prog));
		hex("  insn", bpf_program__insns(prog), n * sizeof(struct bpf_insn));
		struct bpf_program *found = bpf_object__find_program_by_name(obj, bpf_program__name(prog));
		printf("  find_by_name same=%d\n", found == prog);
		i++;
	}
	i = 0;
	bpf_object__for_each_map(map, obj) {
		char tag[32];
		snprintf(tag, sizeof(tag), "map %d", i);
		dump_map(tag, obj, map);
		errno = 0;
		struct bpf_map *found = bpf_object__find_map_by_name(obj, bpf_map__name(map));
		printf("map %d find_by_name index=%d errno=%d fd_by_name=%d\n", i, map_index(obj, found), errno,
		       bpf_object__find_map_fd_by_name(obj, bpf_map__name(map)));
		i++;
	}
	printf("maps total=%d reverse:", i);
	for (map = bpf_object__prev_map(obj, NULL); map; map = bpf_object__prev_map(obj, map))
		printf(" %d", map_index(obj, map));
	printf("\n");
	printf("progs reverse:");
	for (prog = bpf_object__prev_program(obj, NULL); prog; prog = bpf_object__prev_program(obj, prog))
		printf(" %s", bpf_program__name(prog));
	printf("\n");
	dump_btf(obj);
}

static struct bpf_object *report_open(const char *what, struct bpf_object *obj)
{
	int saved = errno;
	long err = libbpf_get_error(obj);
	/* errno only means something when the open failed */
	if (!obj || err)
		printf("%s failed=%ld errno=%d\n", what, err, saved);
	else
		printf("%s ok\n", what);
	return err || !obj ? NULL : obj;
}

static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n ? n : 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

#define R(call) do { errno = 0; int r_ = (call); printf("  %s = %d errno=%d\n", #call, r_, errno); } while (0)

static void api(struct bpf_object *obj, struct bpf_object *other)
{
	struct bpf_map *map, *foreign = other ? bpf_object__next_map(other, NULL) : NULL;
	int i = 0;
	char buf[8192];

	errno = 0;
	printf("api find missing=%d errno=%d\n", bpf_object__find_map_by_name(obj, "no_such_map") != NULL, errno);
	errno = 0;
	printf("api find_fd missing=%d errno=%d\n", bpf_object__find_map_fd_by_name(obj, "no_such_map"), errno);
	const char *names[] = { ".data", ".rodata", ".bss", ".kconfig", ".data.custom", ".rodata.custom",
		".bss.custom", ".maps", "memobj.data", "t.data", "t.rodata", "t.bss", "counts", NULL };
	for (int k = 0; names[k]; k++) {
		errno = 0;
		struct bpf_map *m = bpf_object__find_map_by_name(obj, names[k]);
		printf("api find '%s' index=%d errno=%d\n", names[k], map_index(obj, m), errno);
	}
	errno = 0;
	printf("api fd(NULL)=%d errno=%d name(NULL)=%s btf_key(NULL)=%u btf_value(NULL)=%u\n",
	       bpf_map__fd(NULL), errno, str(bpf_map__name(NULL)), bpf_map__btf_key_type_id(NULL),
	       bpf_map__btf_value_type_id(NULL));
	if (foreign) {
		errno = 0;
		map = bpf_object__next_map(obj, foreign);
		printf("api next_map(foreign)=%d errno=%d\n", map != NULL, errno);
		errno = 0;
		map = bpf_object__prev_map(obj, foreign);
		printf("api prev_map(foreign)=%d errno=%d\n", map != NULL, errno);
	}
	memset(buf, 0xab, sizeof(buf));
	bpf_object__for_each_map(map, obj) {
		__u32 vs = bpf_map__value_size(map), max = bpf_map__max_entries(map);
		enum bpf_map_type type = bpf_map__type(map);
		printf("api map %d %s\n", i, str(bpf_map__name(map)));
		R(bpf_map__set_initial_value(map, buf, vs + 1));
		R(vs <= sizeof(buf) ? bpf_map__set_initial_value(map, buf, vs) : -999);
		R(bpf_map__set_inner_map_fd(map, 1000));
		R(bpf_map__set_inner_map_fd(map, 1001));
		R(bpf_map__set_max_entries(map, 3000));
		R(bpf_map__set_map_flags(map, bpf_map__map_flags(map) | 0x8));
		R(bpf_map__set_numa_node(map, 2));
		R(bpf_map__set_map_extra(map, 0x123456789ULL));
		R(bpf_map__set_ifindex(map, 7));
		R(bpf_map__set_autocreate(map, i % 2));
		R(bpf_map__set_key_size(map, bpf_map__key_size(map) + 4));
		R(bpf_map__set_pin_path(map, "/sys/fs/bpf/x/y"));
		printf("  get_pin_path=%s\n", str(bpf_map__get_pin_path(map)));
		R(bpf_map__set_pin_path(map, NULL));
		printf("  pin_path=%s\n", str(bpf_map__pin_path(map)));
		if (i == 0)
			R(bpf_map__set_type(map, BPF_MAP_TYPE_RINGBUF));
		if (i == 0)
			R(bpf_map__set_max_entries(map, 5000));
		if (i == 1)
			R(bpf_map__set_value_size(map, 8));
		char tag[32];
		snprintf(tag, sizeof(tag), "api map %d", i);
		dump_map(tag, obj, map);
		/* the reference unmaps an internal map's buffer with a size computed
		 * from the current value size and max entries: restore them */
		bpf_map__set_type(map, type);
		bpf_map__set_value_size(map, vs);
		bpf_map__set_max_entries(map, max);
		i++;
	}
}

/* Setup callback of the custom handlers: runs at open, for each matching program. */
static int custom_setup(struct bpf_program *prog, long cookie)
{
	printf("setup prog=%s sec=%s cookie=%ld type=%d\n", bpf_program__name(prog),
	       bpf_program__section_name(prog), cookie, bpf_program__type(prog));
	if (cookie == 7)
		return -7;
	bpf_program__set_autoattach(prog, false);
	printf("setup set_flags=%d\n", bpf_program__set_flags(prog, 0x4));
	printf("setup set_eat=%d\n", bpf_program__set_expected_attach_type(prog, BPF_TRACE_FENTRY));
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj, *other;
	size_t size = 0;
	char *buf;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJ\n", argv[0]);
		return 2;
	}
	print_maps();
	libbpf_set_print(print_fn);

	LIBBPF_OPTS(libbpf_prog_handler_opts, h1, .cookie = 42, .prog_setup_fn = custom_setup);
	LIBBPF_OPTS(libbpf_prog_handler_opts, h2, .cookie = 7, .prog_setup_fn = custom_setup);
	printf("handler custom=%d\n", libbpf_register_prog_handler("custom+", BPF_PROG_TYPE_KPROBE, 0, &h1));
	printf("handler failsetup=%d\n", libbpf_register_prog_handler("failsetup/", BPF_PROG_TYPE_XDP, BPF_XDP, &h2));

	printf("[file]\n");
	errno = 0;
	obj = report_open("open_file", bpf_object__open_file(argv[1], NULL));
	if (obj) {
		dump_object(obj);
		bpf_object__close(obj);
	}

	printf("[mem]\n");
	buf = read_file(argv[1], &size);
	if (!buf) {
		printf("cannot read %s\n", argv[1]);
		return 1;
	}
	LIBBPF_OPTS(bpf_object_open_opts, mem_opts, .object_name = "memobj", .pin_root_path = "/custom/pins");
	errno = 0;
	obj = report_open("open_mem", bpf_object__open_mem(buf, size, &mem_opts));
	if (obj) {
		dump_object(obj);
		bpf_object__close(obj);
	}

	printf("[named]\n");
	LIBBPF_OPTS(bpf_object_open_opts, named_opts, .object_name = "a_rather_long_object_name");
	errno = 0;
	obj = report_open("open_named", bpf_object__open_file(argv[1], &named_opts));
	if (obj) {
		struct bpf_map *m;
		printf("named object=%s\n", bpf_object__name(obj));
		bpf_object__for_each_map(m, obj)
			printf("named map=%s\n", bpf_map__name(m));
		bpf_object__close(obj);
	}

	printf("[relaxed]\n");
	LIBBPF_OPTS(bpf_object_open_opts, relaxed_opts, .relaxed_maps = true);
	errno = 0;
	obj = report_open("open_relaxed", bpf_object__open_file(argv[1], &relaxed_opts));
	if (obj)
		bpf_object__close(obj);

	printf("[api]\n");
	errno = 0;
	obj = report_open("open_api", bpf_object__open_file(argv[1], NULL));
	errno = 0;
	other = report_open("open_other", bpf_object__open_mem(buf, size, &mem_opts));
	if (obj)
		api(obj, other);
	bpf_object__close(other);
	bpf_object__close(obj);
	free(buf);
	printf("END\n");
	return 0;
}
