/* SwiftBPF object_load: prints everything bpf_object__load makes observable for
 * one BPF object file, for the differential test in run.sh.
 *
 *   loader OBJ    first line "MAPPED <realpath of the libbpf.so mapped>", then:
 *     [load]      open_file(OBJ, NULL) + bpf_object__load: log, result, then
 *                 every program (loaded instructions, kernel info: maps used,
 *                 func/line info) and map (definition, fd, pin, kernel info,
 *                 contents), all fds and ids normalised
 *     [api]       on that object: bpf_map__*_elem size checks, pinning of maps
 *                 and programs (object and single), a second load, unload
 *     [reuse]     a second open+load of OBJ while the first one's auto-pinned
 *                 maps exist (reuse), then one with a mismatching definition,
 *                 and bpf_map__reuse_fd of the first object's maps
 *     [loglevel]  open with kernel_log_level=1 (library log buffers), then with
 *                 a caller's kernel_log_buf
 *     [autoload]  every program's autoload turned on, then loaded
 *     [noglobal]  every map's autocreate turned off (poisoned map references)
 *   Every line is deterministic: fds, ids, addresses and timings are masked.
 *
 * Built against the reference headers (-I/usr/include -lbpf); run.sh picks the
 * library with LD_LIBRARY_PATH and runs each library in a private mount
 * namespace with a fresh bpffs on /sys/fs/bpf.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include <bpf/bpf.h>

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

/* Masks what differs between runs: numbers after "fd=", "fd ", "FD ", "id:",
 * "id=", "time " (verifier timing) and "0x" addresses in verifier logs. */
static void normalise(const char *in, char *out, size_t size)
{
	static const char *keys[] = { "fd=", "fd ", "FD ", "id:", "id=", "time ", "fd:", NULL };
	size_t o = 0;

	for (size_t i = 0; in[i] && o + 8 < size;) {
		int matched = 0;
		for (int k = 0; keys[k]; k++) {
			size_t n = strlen(keys[k]);
			if (!strncmp(in + i, keys[k], n) && (isdigit((unsigned char)in[i + n]) ||
							       (in[i + n] == '-' && isdigit((unsigned char)in[i + n + 1])))) {
				memcpy(out + o, in + i, n);
				o += n;
				i += n;
				if (in[i] == '-')
					i++;
				while (isdigit((unsigned char)in[i]))
					i++;
				out[o++] = 'N';
				matched = 1;
				break;
			}
		}
		/* kernel addresses in verifier logs */
		if (!matched && !strncmp(in + i, "0xffff", 6)) {
			memcpy(out + o, "0xK", 3);
			o += 3;
			i += 2;
			while (isxdigit((unsigned char)in[i]))
				i++;
			matched = 1;
		}
		if (!matched)
			out[o++] = in[i++];
	}
	out[o] = 0;
}

static void print_text(const char *prefix, const char *text)
{
	static char buf[1 << 22];
	normalise(text, buf, sizeof(buf));
	size_t len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[--len] = 0;
	printf("%s", prefix);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(buf[i]);
	}
	putchar('\n');
}

/* Every library message, in order, one line each (embedded newlines escaped). */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	static char buf[1 << 22];
	char prefix[16];
	int n = vsnprintf(buf, sizeof(buf), fmt, args);
	if (n < 0)
		return n;
	snprintf(prefix, sizeof(prefix), "log %d ", (int)level);
	print_text(prefix, buf);
	return n;
}

static const char *str(const char *s) { return s ? s : "(null)"; }

static long sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

/* Kernel-side facts, through the raw syscall (not the library under test). */
static int obj_info(int fd, void *info, __u32 len)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = len;
	attr.info.info = (__u64)(unsigned long)info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

static int map_lookup(int fd, const void *key, void *value)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (__u64)(unsigned long)key;
	attr.value = (__u64)(unsigned long)value;
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

static int fd_is_valid(int fd)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0;
}

static const char *fd_text(int fd, char *buf)
{
	if (fd < 0)
		sprintf(buf, "%d", fd);
	else
		sprintf(buf, "valid%s", fd_is_valid(fd) ? "" : "(closed!)");
	return buf;
}

static int map_index_by_fd(struct bpf_object *obj, int fd)
{
	struct bpf_map *m;
	int i = 0;
	if (fd < 0)
		return -1;
	bpf_object__for_each_map(m, obj) {
		if (bpf_map__fd(m) == fd)
			return i;
		i++;
	}
	return -1;
}

static int map_index_by_id(struct bpf_object *obj, __u32 id)
{
	struct bpf_map *m;
	int i = 0;
	bpf_object__for_each_map(m, obj) {
		struct bpf_map_info info = {};
		if (bpf_map__fd(m) >= 0 && !obj_info(bpf_map__fd(m), &info, sizeof(info)) && info.id == id)
			return i;
		i++;
	}
	return -1;
}

static const char *prog_name_by_id(struct bpf_object *obj, __u32 id)
{
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		struct bpf_prog_info info = {};
		int fd = bpf_program__fd(p);
		if (fd >= 0 && !obj_info(fd, &info, sizeof(info)) && info.id == id)
			return bpf_program__name(p);
	}
	return "?";
}

static void hex(const char *prefix, const void *data, size_t size)
{
	const unsigned char *p = data;
	for (size_t off = 0; off < size; off += 64) {
		printf("%s +%zu ", prefix, off);
		for (size_t i = off; i < size && i < off + 64; i++)
			printf("%02x", p[i]);
		printf("\n");
	}
	if (!size)
		printf("%s empty\n", prefix);
}

static void dump_insns(struct bpf_object *obj, struct bpf_program *prog)
{
	const struct bpf_insn *insns = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog);

	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *in = &insns[i];
		char imm[64];
		snprintf(imm, sizeof(imm), "%d", in->imm);
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE)) {
			int idx = map_index_by_fd(obj, in->imm);
			if (idx >= 0)
				snprintf(imm, sizeof(imm), "map#%d", idx);
			else
				snprintf(imm, sizeof(imm), "stale-fd");
		}
		if (i > 0 && insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    insns[i - 1].src_reg == BPF_PSEUDO_BTF_ID && in->imm > 0)
			snprintf(imm, sizeof(imm), "btf-obj-fd");
		printf("  insn %zu %02x %u %u %d %s\n", i, in->code, in->dst_reg, in->src_reg, in->off, imm);
	}
}

static void dump_prog_kernel(struct bpf_object *obj, int fd)
{
	struct bpf_prog_info info = {};
	__u32 map_ids[64];
	struct bpf_func_info finfo[256];
	struct bpf_line_info linfo[1024];

	if (obj_info(fd, &info, sizeof(info))) {
		printf("  kernel info failed errno=%d\n", errno);
		return;
	}
	__u32 nr_maps = info.nr_map_ids, nr_f = info.nr_func_info, nr_l = info.nr_line_info;
	printf("  kernel type=%u name=%s gpl=%u xlated=%u maps=%u btf=%d func_info=%u rec=%u line_info=%u rec=%u verified=%u\n",
	       info.type, info.name, info.gpl_compatible, info.xlated_prog_len, nr_maps, info.btf_id != 0,
	       nr_f, info.func_info_rec_size, nr_l, info.line_info_rec_size, info.verified_insns);
	if (nr_maps > 64)
		nr_maps = 64;
	if (nr_f > 256)
		nr_f = 256;
	if (nr_l > 1024)
		nr_l = 1024;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = nr_maps;
	info.map_ids = (__u64)(unsigned long)map_ids;
	info.nr_func_info = nr_f;
	info.func_info_rec_size = sizeof(struct bpf_func_info);
	info.func_info = (__u64)(unsigned long)finfo;
	info.nr_line_info = nr_l;
	info.line_info_rec_size = sizeof(struct bpf_line_info);
	info.line_info = (__u64)(unsigned long)linfo;
	if (obj_info(fd, &info, sizeof(info))) {
		printf("  kernel info2 failed errno=%d\n", errno);
		return;
	}
	printf("  kernel map_ids:");
	for (__u32 i = 0; i < nr_maps; i++)
		printf(" map#%d", map_index_by_id(obj, map_ids[i]));
	printf("\n");
	for (__u32 i = 0; i < nr_f; i++)
		printf("  kernel func_info insn=%u type=%u\n", finfo[i].insn_off, finfo[i].type_id);
	for (__u32 i = 0; i < nr_l; i++)
		printf("  kernel line_info insn=%u file=%u line=%u line_no=%u col=%u\n", linfo[i].insn_off,
		       linfo[i].file_name_off, linfo[i].line_off, linfo[i].line_col >> 10, linfo[i].line_col & 0x3ff);
}

static void dump_map_contents(struct bpf_object *obj, struct bpf_map *map, int fd)
{
	struct bpf_map_info info = {};
	unsigned char value[4096 * 8];

	if (obj_info(fd, &info, sizeof(info))) {
		printf("  kernel info failed errno=%d\n", errno);
		return;
	}
	printf("  kernel type=%u name=%s key=%u value=%u max=%u flags=0x%x btf=%d btf_key=%u btf_value=%u btf_vmlinux_value=%u extra=0x%llx\n",
	       info.type, info.name, info.key_size, info.value_size, info.max_entries, info.map_flags,
	       info.btf_id != 0, info.btf_key_type_id, info.btf_value_type_id, info.btf_vmlinux_value_type_id,
	       (unsigned long long)info.map_extra);
	if (info.type != BPF_MAP_TYPE_ARRAY && info.type != BPF_MAP_TYPE_ARRAY_OF_MAPS &&
	    info.type != BPF_MAP_TYPE_PROG_ARRAY && info.type != BPF_MAP_TYPE_HASH_OF_MAPS)
		return;
	if (info.value_size > 4096)
		return;
	for (__u32 k = 0; k < info.max_entries && k < 16; k++) {
		__u32 key = k;
		int err = map_lookup(fd, &key, value);
		if (err) {
			if (info.type != BPF_MAP_TYPE_ARRAY)
				continue;
			printf("  slot %u lookup err=%d\n", k, err);
			continue;
		}
		if (info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || info.type == BPF_MAP_TYPE_HASH_OF_MAPS)
			printf("  slot %u map#%d\n", k, map_index_by_id(obj, *(__u32 *)value));
		else if (info.type == BPF_MAP_TYPE_PROG_ARRAY)
			printf("  slot %u prog %s\n", k, prog_name_by_id(obj, *(__u32 *)value));
		else {
			char tag[32];
			snprintf(tag, sizeof(tag), "  slot %u", k);
			hex(tag, value, info.value_size);
		}
	}
}

static void dump_loaded(struct bpf_object *obj)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char fdb[32];
	int i = 0;

	printf("object btf_fd=%s\n", fd_text(bpf_object__btf_fd(obj), fdb));
	bpf_object__for_each_program(prog, obj) {
		errno = 0;
		int fd = bpf_program__fd(prog);
		printf("prog %d name=%s type=%d eat=%d flags=0x%x autoload=%d fd=%s errno=%d insns=%zu log_level=%u\n", i,
		       bpf_program__name(prog), bpf_program__type(prog), bpf_program__expected_attach_type(prog),
		       bpf_program__flags(prog), bpf_program__autoload(prog), fd_text(fd, fdb), fd < 0 ? errno : 0,
		       bpf_program__insn_cnt(prog), bpf_program__log_level(prog));
		dump_insns(obj, prog);
		if (fd >= 0)
			dump_prog_kernel(obj, fd);
		i++;
	}
	i = 0;
	bpf_object__for_each_map(map, obj) {
		int fd = bpf_map__fd(map);
		size_t psize = 0;
		const void *init = bpf_map__initial_value(map, &psize);
		struct bpf_map *inner = bpf_map__inner_map(map);
		printf("map %d name=%s type=%d key=%u value=%u max=%u flags=0x%x numa=%u extra=0x%llx btf_key=%u btf_value=%u\n",
		       i, str(bpf_map__name(map)), bpf_map__type(map), bpf_map__key_size(map), bpf_map__value_size(map),
		       bpf_map__max_entries(map), bpf_map__map_flags(map), bpf_map__numa_node(map),
		       (unsigned long long)bpf_map__map_extra(map), bpf_map__btf_key_type_id(map),
		       bpf_map__btf_value_type_id(map));
		printf("map %d fd=%s internal=%d autocreate=%d pinned=%d pin_path=%s inner=%s initial=%s\n", i,
		       fd_text(fd, fdb), bpf_map__is_internal(map), bpf_map__autocreate(map), bpf_map__is_pinned(map),
		       str(bpf_map__pin_path(map)), inner ? str(bpf_map__name(inner)) : "(none)",
		       init ? "yes" : "no");
		if (init)
			hex("  initial", init, psize);
		if (fd >= 0)
			dump_map_contents(obj, map, fd);
		i++;
	}
}

static void list_dir(const char *path)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	printf("  ls %s:", path);
	if (n < 0) {
		printf(" errno=%d\n", errno);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			printf(" %s", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	printf("\n");
}

#define R(call) do { errno = 0; int r_ = (call); int e_ = errno; printf("  %s = %d errno=%d\n", #call, r_, r_ < 0 ? e_ : 0); } while (0)

static void api(struct bpf_object *obj)
{
	struct bpf_map *map;
	struct bpf_program *prog;
	unsigned char key[512], value[65536];
	int i = 0;

	memset(key, 0, sizeof(key));
	bpf_object__for_each_map(map, obj) {
		size_t ks = bpf_map__key_size(map), vs = bpf_map__value_size(map);
		int cpus = libbpf_num_possible_cpus();
		size_t pcpu = cpus * ((vs + 7) / 8 * 8);
		int type = bpf_map__type(map);
		int percpu = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
			     type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
		printf("api map %d %s\n", i, str(bpf_map__name(map)));
		if (ks > sizeof(key) || vs > 4096)
			goto next;
		R(bpf_map__lookup_elem(map, key, ks + 1, value, vs, 0));
		R(bpf_map__lookup_elem(map, key, ks, value, vs + 1, 0));
		R(bpf_map__lookup_elem(map, key, ks, value, percpu ? pcpu : vs, 0));
		if (percpu)
			R(bpf_map__lookup_elem(map, key, ks, value, vs, 0));
		R(bpf_map__update_elem(map, key, ks - 1, value, vs, 0));
		R(bpf_map__update_elem(map, key, ks, value, vs * 2 + 1, BPF_ANY));
		R(bpf_map__lookup_and_delete_elem(map, key, ks, value, vs + 3, 0));
		R(bpf_map__lookup_and_delete_elem(map, key, 0, value, vs, 0));
		R(bpf_map__delete_elem(map, key, ks + 2, 0));
		R(bpf_map__get_next_key(map, NULL, value, ks + 1));
		R(bpf_map__get_next_key(map, NULL, value, ks));
next:
		i++;
	}
	/* single map pinning */
	map = bpf_object__next_map(obj, NULL);
	if (map) {
		R(bpf_map__pin(map, "/sys/fs/bpf/api/single"));
		R(bpf_map__pin(map, "/sys/fs/bpf/api/other"));
		R(bpf_map__pin(map, NULL));
		printf("  pinned=%d pin_path=%s\n", bpf_map__is_pinned(map), str(bpf_map__pin_path(map)));
		list_dir("/sys/fs/bpf/api");
		R(bpf_map__unpin(map, "/sys/fs/bpf/api/wrong"));
		R(bpf_map__unpin(map, NULL));
		R(bpf_map__unpin(map, NULL));
		printf("  pinned=%d\n", bpf_map__is_pinned(map));
		list_dir("/sys/fs/bpf/api");
		R(bpf_map__pin(map, "/tmp/sbpf_object_load_not_bpffs/x"));
		R(bpf_map__pin(map, "/nonexistent_dir/sub/x"));
	}
	R(bpf_map__pin(NULL, "/sys/fs/bpf/x"));
	R(bpf_map__unpin(NULL, NULL));
	/* object pinning */
	R(bpf_object__pin_maps(obj, "/sys/fs/bpf/objmaps"));
	list_dir("/sys/fs/bpf/objmaps");
	R(bpf_object__pin_maps(obj, "/sys/fs/bpf/objmaps"));
	R(bpf_object__unpin_maps(obj, "/sys/fs/bpf/objmaps"));
	list_dir("/sys/fs/bpf/objmaps");
	R(bpf_object__unpin_maps(obj, "/sys/fs/bpf/objmaps"));
	R(bpf_object__pin_maps(obj, NULL));
	list_dir("/sys/fs/bpf");
	R(bpf_object__pin_programs(obj, "/sys/fs/bpf/objprogs"));
	list_dir("/sys/fs/bpf/objprogs");
	R(bpf_object__unpin_programs(obj, "/sys/fs/bpf/objprogs"));
	list_dir("/sys/fs/bpf/objprogs");
	R(bpf_object__pin(obj, "/sys/fs/bpf/objall"));
	list_dir("/sys/fs/bpf/objall");
	R(bpf_object__pin_maps(NULL, "/sys/fs/bpf/x"));
	R(bpf_object__unpin_programs(NULL, "/sys/fs/bpf/x"));
	prog = bpf_object__next_program(obj, NULL);
	if (prog) {
		R(bpf_program__pin(prog, "/sys/fs/bpf/progpin/one"));
		list_dir("/sys/fs/bpf/progpin");
		R(bpf_program__unpin(prog, "/sys/fs/bpf/progpin/one"));
		R(bpf_program__unpin(prog, "/sys/fs/bpf/progpin/one"));
		R(bpf_program__pin(prog, "/tmp/sbpf_object_load_not_bpffs/p"));
	}
	/* a second load is refused */
	R(bpf_object__load(obj));
	if (prog) {
		bpf_program__unload(prog);
		R(bpf_program__fd(prog));
		R(bpf_program__pin(prog, "/sys/fs/bpf/progpin/two"));
		R(bpf_program__unpin(prog, "/sys/fs/bpf/progpin/two"));
	}
	bpf_program__unload(NULL);
}

/* prog_prepare_load_fn of the custom handlers: shows what load passes, then
 * changes the code (cookie 42) or fails (cookie 7). */
static int custom_prepare(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	printf("prepare prog=%s cookie=%ld sz=%zu attempts=%d eat=%d btf_fd=%s flags=0x%x ifindex=%u kver=%s "
	       "attach_btf_id=%u attach_prog_fd=%u attach_btf_obj_fd=%u fd_array=%s func_info=%s/%u/%u "
	       "line_info=%s/%u/%u log=%u/%u/%s insns=%zu\n",
	       bpf_program__name(prog), cookie, opts->sz, opts->attempts, opts->expected_attach_type,
	       opts->prog_btf_fd ? "set" : "0", opts->prog_flags, opts->prog_ifindex, opts->kern_version ? "set" : "0",
	       opts->attach_btf_id, opts->attach_prog_fd, opts->attach_btf_obj_fd, opts->fd_array ? "set" : "null",
	       opts->func_info ? "set" : "null", opts->func_info_cnt, opts->func_info_rec_size,
	       opts->line_info ? "set" : "null", opts->line_info_cnt, opts->line_info_rec_size, opts->log_level,
	       opts->log_size, opts->log_buf ? "set" : "null", bpf_program__insn_cnt(prog));
	if (cookie == 7)
		return -7;
	struct bpf_insn code[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 7 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	printf("prepare set_insns=%d\n", bpf_program__set_insns(prog, code, 2));
	opts->func_info = NULL;
	opts->func_info_cnt = 0;
	opts->line_info = NULL;
	opts->line_info_cnt = 0;
	return 0;
}

static struct bpf_object *open_obj(const char *path, const struct bpf_object_open_opts *opts)
{
	errno = 0;
	struct bpf_object *obj = bpf_object__open_file(path, opts);
	long err = libbpf_get_error(obj);
	if (!obj || err) {
		printf("open failed=%ld\n", err);
		return NULL;
	}
	return obj;
}

static int do_load(struct bpf_object *obj)
{
	errno = 0;
	int err = bpf_object__load(obj);
	int e = errno;
	printf("load = %d errno=%d\n", err, err ? e : 0);
	return err;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj, *obj2;
	struct bpf_map *map;
	struct bpf_program *prog;
	static char kbuf[1 << 20];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: %s OBJ\n", argv[0]);
		return 2;
	}
	print_maps();
	mkdir("/tmp/sbpf_object_load_not_bpffs", 0700);
	libbpf_set_print(print_fn);
	LIBBPF_OPTS(libbpf_prog_handler_opts, h1, .cookie = 42, .prog_prepare_load_fn = custom_prepare);
	LIBBPF_OPTS(libbpf_prog_handler_opts, h2, .cookie = 7, .prog_prepare_load_fn = custom_prepare);
	printf("handler custom=%d\n", libbpf_register_prog_handler("custom+", BPF_PROG_TYPE_SOCKET_FILTER, 0, &h1));
	printf("handler failsetup=%d\n", libbpf_register_prog_handler("failsetup/", BPF_PROG_TYPE_XDP, BPF_XDP, &h2));

	printf("[load]\n");
	obj = open_obj(argv[1], NULL);
	if (!obj) {
		printf("END\n");
		return 0;
	}
	do_load(obj);
	dump_loaded(obj);

	printf("[reuse]\n");
	list_dir("/sys/fs/bpf");
	obj2 = open_obj(argv[1], NULL);
	if (obj2) {
		do_load(obj2);
		dump_loaded(obj2);
		bpf_object__close(obj2);
	}
	obj2 = open_obj(argv[1], NULL);
	if (obj2) {
		bpf_object__for_each_map(map, obj2)
			if (bpf_map__pin_path(map))
				bpf_map__set_max_entries(map, bpf_map__max_entries(map) + 1);
		do_load(obj2);
		bpf_object__close(obj2);
	}
	obj2 = open_obj(argv[1], NULL);
	if (obj2) {
		struct bpf_map *m1 = bpf_object__next_map(obj, NULL);
		map = bpf_object__next_map(obj2, NULL);
		if (m1 && map) {
			R(bpf_map__reuse_fd(map, bpf_map__fd(m1)));
			printf("  reused name=%s type=%d max=%u fd=%s\n", bpf_map__name(map), bpf_map__type(map),
			       bpf_map__max_entries(map), bpf_map__fd(map) >= 0 ? "valid" : "none");
			R(bpf_map__reuse_fd(map, -1));
		}
		do_load(obj2);
		dump_loaded(obj2);
		bpf_object__close(obj2);
	}

	printf("[pindir]\n");
	obj2 = open_obj(argv[1], NULL);
	if (obj2) {
		/* a directory where a pinned map is expected */
		bpf_object__for_each_map(map, obj2)
			if (bpf_map__pin_path(map) && !bpf_map__is_pinned(map))
				printf("  unpin first=%d\n", unlink(bpf_map__pin_path(map)));
		bpf_object__for_each_map(map, obj2)
			if (bpf_map__pin_path(map))
				printf("  mkdir %s=%d\n", bpf_map__pin_path(map), mkdir(bpf_map__pin_path(map), 0700));
		do_load(obj2);
		bpf_object__for_each_map(map, obj2)
			if (bpf_map__pin_path(map))
				rmdir(bpf_map__pin_path(map));
		bpf_object__close(obj2);
	}

	printf("[api]\n");
	api(obj);
	bpf_object__close(obj);

	printf("[loglevel]\n");
	LIBBPF_OPTS(bpf_object_open_opts, lopts, .kernel_log_level = 1);
	obj = open_obj(argv[1], &lopts);
	if (obj) {
		do_load(obj);
		bpf_object__close(obj);
	}
	memset(kbuf, 0, sizeof(kbuf));
	LIBBPF_OPTS(bpf_object_open_opts, bopts, .kernel_log_level = 2, .kernel_log_buf = kbuf,
		    .kernel_log_size = sizeof(kbuf));
	obj = open_obj(argv[1], &bopts);
	if (obj) {
		prog = bpf_object__next_program(obj, NULL);
		if (prog)
			bpf_program__set_log_level(prog, 1);
		do_load(obj);
		print_text("kernel_log_buf ", kbuf);
		bpf_object__close(obj);
	}

	printf("[smalllog]\n");
	{
		static char small[64];
		memset(small, 0, sizeof(small));
		LIBBPF_OPTS(bpf_object_open_opts, sopts, .kernel_log_level = 1, .kernel_log_buf = small,
			    .kernel_log_size = sizeof(small));
		obj = open_obj(argv[1], &sopts);
		if (obj) {
			do_load(obj);
			print_text("small_log_buf ", small);
			bpf_object__close(obj);
		}
	}

	printf("[progbuf]\n");
	obj = open_obj(argv[1], NULL);
	if (obj) {
		static char pbuf[1 << 16];
		memset(pbuf, 0, sizeof(pbuf));
		bpf_object__for_each_program(prog, obj) {
			R(bpf_program__set_log_buf(prog, pbuf, sizeof(pbuf)));
			break;
		}
		do_load(obj);
		print_text("prog_log_buf ", pbuf);
		bpf_object__close(obj);
	}

	printf("[autoload]\n");
	obj = open_obj(argv[1], NULL);
	if (obj) {
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_autoload(prog, true);
		do_load(obj);
		dump_loaded(obj);
		bpf_object__close(obj);
	}

	printf("[typed]\n");
	obj = open_obj(argv[1], NULL);
	if (obj) {
		bpf_object__for_each_program(prog, obj)
			if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC)
				bpf_program__set_autoload(prog, false);
		do_load(obj);
		dump_loaded(obj);
		bpf_object__close(obj);
	}

	printf("[noglobal]\n");
	obj = open_obj(argv[1], NULL);
	if (obj) {
		bpf_object__for_each_map(map, obj)
			bpf_map__set_autocreate(map, false);
		do_load(obj);
		dump_loaded(obj);
		bpf_object__close(obj);
	}
	printf("END\n");
	return 0;
}
