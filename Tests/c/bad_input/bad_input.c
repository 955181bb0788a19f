/* SwiftBPF bad-input test: table-driven calls of the bpf.h API with bad
 * arguments. Compiled once against the reference headers (/usr/include) and
 * run by run.sh against the reference libbpf and against ours.
 *
 * Output:
 *   MAPPED <realpath of every libbpf.so* mapped into this process>
 *   row <name>: ret=<r> errno=<e> fds=<same|+N|-N>[ out=<extra>]
 *   ...
 *   END
 * ret is printed as "fd" when the call returned a newly opened descriptor
 * (the number itself is not compared). errno is set to 12345 right before
 * each call. fds compares the number of /proc/self/fd entries before and
 * after the call (a returned fd counts). out= carries output parameters
 * some rows report (info_len, counts, first verifier-log line, ...).
 *
 * Every row runs in its own forked child with freshly created fixtures
 * (made with raw bpf() syscalls, not through the library under test), so
 * rows cannot influence each other and a crash is reported as
 * "ret=CRASH errno=signal-<n>" instead of ending the table.
 *
 * Env: BAD_INPUT_SCRATCH = scratch directory; a private bpffs is mounted at
 * $BAD_INPUT_SCRATCH/bpffs inside a private mount namespace.
 *
 * Calls left out because the REFERENCE dereferences the pointer and crashes
 * (they are caller contract violations, not error paths):
 *   bpf_map_lookup_batch / lookup_and_delete_batch / update_batch /
 *     delete_batch with count == NULL          (*count read before syscall)
 *   bpf_obj_get_info_by_fd with info_len == NULL (*info_len read)
 *   bpf_{prog,map,btf,link}_get_next_id with next_id == NULL
 *                                               (*next_id written on success)
 *   bpf_prog_query with prog_cnt == NULL         (*prog_cnt read)
 *   bpf_task_fd_query with buf_len/prog_id/fd_type/probe_offset/probe_addr
 *     == NULL                                   (*buf_len read, rest written)
 *   bpf_prog_test_run_opts / bpf_prog_query_opts with a wild (non-NULL,
 *     unmapped) opts pointer                   (opts->sz read)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

/* ------------------------------------------------------------ fixtures */

#define CLOSED_FD 900 /* guaranteed closed in every child */

static struct {
	int hash;       /* BPF_MAP_TYPE_HASH key 4 value 8 max 4, holds key 1 */
	int sf;         /* socket filter: r0 = 0; exit */
	int cgskb;      /* cgroup_skb (expected INET_INGRESS): r0 = 1; exit */
	int pipe_r, pipe_w;
	int cg;         /* cgroup v2 directory (read-only use) */
	__u32 map_id;   /* id of .hash */
	__u32 key, key2;
	__u64 val;
	__u32 keys[4];
	__u64 vals[4];
	unsigned char pkt[64];
	unsigned char out[64];
	char log[4096];
	char pinned[PATH_MAX]; /* a map pinned in the private bpffs */
	char bpffs[PATH_MAX];
	char scratch[PATH_MAX];
} F;

static char OUT[512]; /* optional extra output of a row */
static int g_errno;

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int raw_map_create(int type, int ksz, int vsz, int max)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ksz;
	a.value_size = vsz;
	a.max_entries = max;
	return sys_bpf(BPF_MAP_CREATE, &a);
}

static const struct bpf_insn INSNS_R0_0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};
static const struct bpf_insn INSNS_R0_1[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 1 },
	{ .code = BPF_JMP | BPF_EXIT },
};
/* reads r5 which is uninitialized: rejected by the verifier */
static const struct bpf_insn INSNS_BAD[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 0, .src_reg = 5 },
	{ .code = BPF_JMP | BPF_EXIT },
};

static int raw_prog_load(int type, int eat, const struct bpf_insn *insns, int n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = eat;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* minimal valid BTF: one "int" type */
static const struct {
	struct { __u16 magic; __u8 version, flags; __u32 hdr_len, type_off, type_len, str_off, str_len; } hdr;
	__u32 type[4];
	char str[5];
} __attribute__((packed)) BTF_OK = {
	{ 0xeB9F, 1, 0, 24, 0, 16, 16, 5 },
	{ 1, 1u << 24 /* BTF_KIND_INT */, 4, (1u << 24) | 32 /* signed, 32 bits */ },
	"\0int",
};
static const unsigned char GARBAGE[40] = "this is definitely not BTF data at all!";

static void setup_fixtures(void)
{
	union bpf_attr a;

	/* fd numbers are deterministic: same order in every child */
	F.hash = raw_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4);
	F.sf = raw_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, INSNS_R0_0, 2);
	F.cgskb = raw_prog_load(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, INSNS_R0_1, 2);
	int p[2] = { -1, -1 };
	if (pipe(p))
		perror("pipe");
	F.pipe_r = p[0];
	F.pipe_w = p[1];
	F.cg = open("/sys/fs/cgroup/unified", O_RDONLY | O_DIRECTORY);
	if (F.cg < 0)
		F.cg = open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
	close(CLOSED_FD);

	F.key = 1;
	F.key2 = 2;
	F.val = 0x1122334455667788ull;
	memset(&a, 0, sizeof(a));
	a.map_fd = F.hash;
	a.key = (uintptr_t)&F.key;
	a.value = (uintptr_t)&F.val;
	sys_bpf(BPF_MAP_UPDATE_ELEM, &a);

	struct bpf_map_info info;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = F.hash;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a))
		F.map_id = info.id;

	for (int i = 0; i < 4; i++) {
		F.keys[i] = 10 + i;
		F.vals[i] = 100 + i;
	}
	for (int i = 0; i < 64; i++)
		F.pkt[i] = i;
	F.val = 0;
}

/* --------------------------------------------------------------- table */

struct row {
	const char *name;
	int (*fn)(void);
	int order;
};

/* ROW(name) { body } defines one table row; the body performs exactly one
 * library call wrapped in CALL() and returns its result. */
#define ROW(n)                                                              \
	static int row_##n(void);                                           \
	static const struct row rowdef_##n                                  \
		__attribute__((used, section("bad_input_rows"), aligned(8))) = \
		{ #n, row_##n, __COUNTER__ };                               \
	static int row_##n(void)

/* errno = 12345 immediately before the call; errno saved right after */
#define CALL(x) ({ errno = 12345; int _r = (x); g_errno = errno; _r; })

/* three rows per bad fd: -1, a closed fd, a pipe (not a BPF object) */
#define BADFD3(tag, EXPR)                                                   \
	ROW(tag##_fd_m1) { int fd = -1; return CALL(EXPR); }               \
	ROW(tag##_fd_closed) { int fd = CLOSED_FD; return CALL(EXPR); }    \
	ROW(tag##_fd_pipe) { int fd = F.pipe_r; return CALL(EXPR); }

/* three rows per opts struct T: sz = 4; sz = sizeof+16 with the last tail
 * byte 1; sz = sizeof+16 with an all-zero tail. INIT fills o, EXPR calls. */
#define OPTS3(tag, T, INIT, EXPR)                                           \
	ROW(tag##_opts_sz4) {                                               \
		T *o = calloc(1, sizeof(T) + 16); INIT; o->sz = 4;          \
		int r = CALL(EXPR); free(o); return r; }                    \
	ROW(tag##_opts_tail_nonzero) {                                      \
		T *o = calloc(1, sizeof(T) + 16); INIT;                     \
		o->sz = sizeof(T) + 16; ((char *)o)[sizeof(T) + 15] = 1;    \
		int r = CALL(EXPR); free(o); return r; }                    \
	ROW(tag##_opts_tail_zero) {                                         \
		T *o = calloc(1, sizeof(T) + 16); INIT;                     \
		o->sz = sizeof(T) + 16;                                     \
		int r = CALL(EXPR); free(o); return r; }

static void first_line(const char *tag, const char *s)
{
	int n = strcspn(s, "\n");
	if (n > 80)
		n = 80;
	snprintf(OUT, sizeof(OUT), "%s=\"", tag);
	size_t l = strlen(OUT);
	for (int i = 0; i < n && l < sizeof(OUT) - 8; i++)
		OUT[l++] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"') ? s[i] : '?';
	OUT[l++] = '"';
	OUT[l] = 0;
}

/* --- NULL key / value pointers */
ROW(lookup_null_key) { return CALL(bpf_map_lookup_elem(F.hash, NULL, &F.val)); }
ROW(lookup_null_value) { return CALL(bpf_map_lookup_elem(F.hash, &F.key, NULL)); }
ROW(lookup_flags_null_key) { return CALL(bpf_map_lookup_elem_flags(F.hash, NULL, &F.val, 0)); }
ROW(lookup_flags_null_value) { return CALL(bpf_map_lookup_elem_flags(F.hash, &F.key, NULL, 0)); }
ROW(update_null_key) { return CALL(bpf_map_update_elem(F.hash, NULL, &F.val, BPF_ANY)); }
ROW(update_null_value) { return CALL(bpf_map_update_elem(F.hash, &F.key, NULL, BPF_ANY)); }
ROW(delete_null_key) { return CALL(bpf_map_delete_elem(F.hash, NULL)); }
ROW(delete_flags_null_key) { return CALL(bpf_map_delete_elem_flags(F.hash, NULL, 0)); }
ROW(lookup_and_delete_null_key) { return CALL(bpf_map_lookup_and_delete_elem(F.hash, NULL, &F.val)); }
ROW(lookup_and_delete_null_value) { return CALL(bpf_map_lookup_and_delete_elem(F.hash, &F.key, NULL)); }
ROW(lookup_and_delete_flags_null_key) { return CALL(bpf_map_lookup_and_delete_elem_flags(F.hash, NULL, &F.val, 0)); }
ROW(get_next_key_null_next) { return CALL(bpf_map_get_next_key(F.hash, &F.key, NULL)); }
ROW(get_next_key_null_both) { return CALL(bpf_map_get_next_key(F.hash, NULL, NULL)); }
ROW(get_next_key_null_key_first) {
	__u32 next = 0;
	int r = CALL(bpf_map_get_next_key(F.hash, NULL, &next));
	snprintf(OUT, sizeof(OUT), "next=%u", next);
	return r;
}
ROW(get_next_key_missing_key) {
	__u32 next = 0, k = 77;
	int r = CALL(bpf_map_get_next_key(F.hash, &k, &next));
	snprintf(OUT, sizeof(OUT), "next=%u", next);
	return r;
}

/* --- map_create: wrong sizes / types via the kernel */
ROW(map_create_hash_key0) { return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "k0", 0, 8, 4, NULL)); }
ROW(map_create_value0) { return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "v0", 4, 0, 4, NULL)); }
ROW(map_create_max0) { return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "m0", 4, 8, 0, NULL)); }
ROW(map_create_type999) { return CALL(bpf_map_create(999, "t999", 4, 8, 4, NULL)); }
ROW(map_create_array_key8) { return CALL(bpf_map_create(BPF_MAP_TYPE_ARRAY, "a8", 8, 8, 4, NULL)); }
ROW(map_create_huge_value) { return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "hv", 4, 0x7fffffff, 4, NULL)); }
ROW(map_create_long_name) {
	return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "a_name_much_longer_than_sixteen_chars", 4, 8, 4, NULL));
}
ROW(map_create_bad_name_chars) { return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "bad name!", 4, 8, 4, NULL)); }
ROW(map_create_unknown_flags) {
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = 1u << 30);
	return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "fl", 4, 8, 4, &o));
}
ROW(map_create_bad_btf_fd) {
	LIBBPF_OPTS(bpf_map_create_opts, o, .btf_fd = CLOSED_FD, .btf_key_type_id = 1, .btf_value_type_id = 1);
	return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "bb", 4, 8, 4, &o));
}
ROW(map_create_bad_inner_map_fd) {
	LIBBPF_OPTS(bpf_map_create_opts, o, .inner_map_fd = CLOSED_FD);
	return CALL(bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "im", 4, 4, 4, &o));
}
ROW(map_create_nonexistent_numa) {
	LIBBPF_OPTS(bpf_map_create_opts, o, .numa_node = 4000, .map_flags = BPF_F_NUMA_NODE);
	return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "nn", 4, 8, 4, &o));
}

/* --- bad fds for every element op, freeze, info */
BADFD3(lookup, bpf_map_lookup_elem(fd, &F.key, &F.val))
BADFD3(lookup_flags, bpf_map_lookup_elem_flags(fd, &F.key, &F.val, 0))
BADFD3(update, bpf_map_update_elem(fd, &F.key, &F.val, BPF_ANY))
BADFD3(delete, bpf_map_delete_elem(fd, &F.key))
BADFD3(delete_flags, bpf_map_delete_elem_flags(fd, &F.key, 0))
BADFD3(lookup_and_delete, bpf_map_lookup_and_delete_elem(fd, &F.key, &F.val))
BADFD3(lookup_and_delete_flags, bpf_map_lookup_and_delete_elem_flags(fd, &F.key, &F.val, 0))
BADFD3(get_next_key, bpf_map_get_next_key(fd, &F.key, &F.key2))
BADFD3(map_freeze, bpf_map_freeze(fd))
BADFD3(obj_get_info, ({ struct bpf_map_info i; __u32 l = sizeof(i); bpf_obj_get_info_by_fd(fd, &i, &l); }))

/* --- unknown / invalid flags */
ROW(update_flags_1024) { return CALL(bpf_map_update_elem(F.hash, &F.key, &F.val, 1ull << 10)); }
ROW(update_flags_noexist_exist) { return CALL(bpf_map_update_elem(F.hash, &F.key, &F.val, BPF_NOEXIST | BPF_EXIST)); }
ROW(update_flags_high_bit) { return CALL(bpf_map_update_elem(F.hash, &F.key, &F.val, 1ull << 63)); }
ROW(update_noexist_existing) { return CALL(bpf_map_update_elem(F.hash, &F.key, &F.val, BPF_NOEXIST)); }
ROW(update_exist_missing) { return CALL(bpf_map_update_elem(F.hash, &F.key2, &F.val, BPF_EXIST)); }
ROW(update_f_lock_no_spinlock) { return CALL(bpf_map_update_elem(F.hash, &F.key, &F.val, BPF_F_LOCK)); }
ROW(lookup_flags_1024) { return CALL(bpf_map_lookup_elem_flags(F.hash, &F.key, &F.val, 1ull << 10)); }
ROW(lookup_flags_f_lock_no_spinlock) { return CALL(bpf_map_lookup_elem_flags(F.hash, &F.key, &F.val, BPF_F_LOCK)); }
ROW(delete_flags_1) { return CALL(bpf_map_delete_elem_flags(F.hash, &F.key, 1)); }
ROW(lookup_and_delete_flags_1024) {
	return CALL(bpf_map_lookup_and_delete_elem_flags(F.hash, &F.key, &F.val, 1ull << 10));
}
ROW(lookup_missing_key) { return CALL(bpf_map_lookup_elem(F.hash, &F.key2, &F.val)); }

/* --- too-small info_len on a real map fd */
ROW(info_len_0) {
	struct bpf_map_info i;
	memset(&i, 0xab, sizeof(i));
	__u32 l = 0;
	int r = CALL(bpf_obj_get_info_by_fd(F.hash, &i, &l));
	snprintf(OUT, sizeof(OUT), "info_len=%u type_byte0=0x%02x", l, ((unsigned char *)&i)[0]);
	return r;
}
ROW(info_len_4) {
	struct bpf_map_info i;
	memset(&i, 0xab, sizeof(i));
	__u32 l = 4;
	int r = CALL(bpf_obj_get_info_by_fd(F.hash, &i, &l));
	snprintf(OUT, sizeof(OUT), "info_len=%u type=%u key_size_untouched=%d", l, i.type,
		 ((unsigned char *)&i)[8] == 0xab);
	return r;
}
ROW(info_null_buffer) {
	__u32 l = sizeof(struct bpf_map_info);
	int r = CALL(bpf_obj_get_info_by_fd(F.hash, NULL, &l));
	snprintf(OUT, sizeof(OUT), "info_len=%u", l);
	return r;
}
ROW(info_len_huge) {
	static unsigned char big[8192];
	memset(big, 0xab, sizeof(big));
	__u32 l = sizeof(big);
	int r = CALL(bpf_obj_get_info_by_fd(F.hash, big, &l));
	snprintf(OUT, sizeof(OUT), "info_len=%u", l);
	return r;
}

/* --- every opts struct: sz too small, non-zero tail, zero tail */
OPTS3(map_create, struct bpf_map_create_opts, (void)0,
      bpf_map_create(BPF_MAP_TYPE_HASH, "oc", 4, 8, 4, o))
OPTS3(prog_load, struct bpf_prog_load_opts, (void)0,
      bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ol", "GPL", INSNS_R0_0, 2, o))
OPTS3(btf_load, struct bpf_btf_load_opts, (void)0,
      bpf_btf_load(&BTF_OK, sizeof(BTF_OK), o))
OPTS3(map_batch, struct bpf_map_batch_opts, (void)0,
      ({ __u32 n = 2; bpf_map_update_batch(F.hash, F.keys, F.vals, &n, o); }))
OPTS3(obj_get, struct bpf_obj_get_opts, (void)0, bpf_obj_get_opts(F.pinned, o))
OPTS3(prog_attach, struct bpf_prog_attach_opts, (void)0,
      bpf_prog_attach_opts(F.cgskb, F.pipe_r, BPF_CGROUP_INET_INGRESS, o))
OPTS3(link_create, struct bpf_link_create_opts, (void)0,
      bpf_link_create(F.cgskb, F.pipe_r, BPF_CGROUP_INET_INGRESS, o))
OPTS3(link_update, struct bpf_link_update_opts, (void)0, bpf_link_update(F.pipe_r, F.sf, o))
OPTS3(get_fd_by_id, struct bpf_get_fd_by_id_opts, (void)0, bpf_map_get_fd_by_id_opts(F.map_id, o))
OPTS3(prog_query, struct bpf_prog_query_opts, (void)0,
      ({ int _q = bpf_prog_query_opts(F.cg, BPF_CGROUP_INET_INGRESS, o);
	 snprintf(OUT, sizeof(OUT), "prog_cnt=%u attach_flags=%u", o->prog_cnt, o->attach_flags); _q; }))
OPTS3(prog_bind, struct bpf_prog_bind_opts, (void)0, bpf_prog_bind_map(F.sf, F.hash, o))
OPTS3(test_run, struct bpf_test_run_opts,
      (o->data_in = F.pkt, o->data_size_in = sizeof(F.pkt), o->data_out = F.out,
       o->data_size_out = sizeof(F.out)),
      ({ int _t = bpf_prog_test_run_opts(F.sf, o);
	 snprintf(OUT, sizeof(OUT), "retval=%u size_out=%u", o->retval, o->data_size_out); _t; }))
/* the other three get_fd_by_id_opts users with sz = 4 */
ROW(prog_get_fd_by_id_opts_sz4) { LIBBPF_OPTS(bpf_get_fd_by_id_opts, o); o.sz = 4; return CALL(bpf_prog_get_fd_by_id_opts(1, &o)); }
ROW(btf_get_fd_by_id_opts_sz4) { LIBBPF_OPTS(bpf_get_fd_by_id_opts, o); o.sz = 4; return CALL(bpf_btf_get_fd_by_id_opts(1, &o)); }
ROW(link_get_fd_by_id_opts_sz4) { LIBBPF_OPTS(bpf_get_fd_by_id_opts, o); o.sz = 4; return CALL(bpf_link_get_fd_by_id_opts(1, &o)); }
ROW(map_get_fd_by_id_opts_sz0) { LIBBPF_OPTS(bpf_get_fd_by_id_opts, o); o.sz = 0; return CALL(bpf_map_get_fd_by_id_opts(F.map_id, &o)); }
ROW(map_create_opts_sz7) { LIBBPF_OPTS(bpf_map_create_opts, o); o.sz = 7; return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "s7", 4, 8, 4, &o)); }
ROW(map_create_opts_sz8_only) { LIBBPF_OPTS(bpf_map_create_opts, o); o.sz = 8; return CALL(bpf_map_create(BPF_MAP_TYPE_HASH, "s8", 4, 8, 4, &o)); }

/* --- prog_load */
static char LOGBUF[4096];
ROW(prog_load_log_buf_no_size) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = LOGBUF);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_log_size_no_buf) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_size = sizeof(LOGBUF));
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_log_level_8) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = LOGBUF, .log_size = sizeof(LOGBUF), .log_level = 8);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_log_level_no_buf) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_level = 1);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_attach_prog_and_btf_obj) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .attach_prog_fd = F.sf, .attach_btf_obj_fd = F.sf);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_TRACING, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_attempts_m1) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .attempts = -1);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_insn_cnt_0) { return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 0, NULL)); }
ROW(prog_load_null_insns) { return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", NULL, 2, NULL)); }
ROW(prog_load_null_license) { return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", NULL, INSNS_R0_0, 2, NULL)); }
ROW(prog_load_null_name) { return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", INSNS_R0_0, 2, NULL)); }
ROW(prog_load_type_999) { return CALL(bpf_prog_load(999, "p", "GPL", INSNS_R0_0, 2, NULL)); }
ROW(prog_load_insn_cnt_huge) {
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 1u << 30, NULL));
}
ROW(prog_load_verifier_reject) { return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_BAD, 2, NULL)); }
ROW(prog_load_verifier_reject_with_log) {
	static char lb[4096];
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = lb, .log_size = sizeof(lb));
	int r = CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_BAD, 2, &o));
	first_line("log", lb);
	return r;
}
ROW(prog_load_verifier_reject_log_size_1) {
	static char lb[8] = "xxxxxxx";
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = lb, .log_size = 1, .log_level = 1);
	int r = CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_BAD, 2, &o));
	snprintf(OUT, sizeof(OUT), "lb0=%d lb1=%d", lb[0], lb[1]);
	return r;
}
ROW(prog_load_bad_prog_btf_fd) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_btf_fd = CLOSED_FD);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}
ROW(prog_load_unknown_prog_flags) {
	LIBBPF_OPTS(bpf_prog_load_opts, o, .prog_flags = 1u << 30);
	return CALL(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "p", "GPL", INSNS_R0_0, 2, &o));
}

/* --- btf_load */
ROW(btf_load_null_data) { return CALL(bpf_btf_load(NULL, sizeof(BTF_OK), NULL)); }
ROW(btf_load_garbage) { return CALL(bpf_btf_load(GARBAGE, sizeof(GARBAGE), NULL)); }
ROW(btf_load_size_0) { return CALL(bpf_btf_load(&BTF_OK, 0, NULL)); }
ROW(btf_load_truncated) { return CALL(bpf_btf_load(&BTF_OK, 20, NULL)); }
ROW(btf_load_log_size_no_buf) {
	LIBBPF_OPTS(bpf_btf_load_opts, o, .log_size = 4096);
	return CALL(bpf_btf_load(&BTF_OK, sizeof(BTF_OK), &o));
}
ROW(btf_load_log_buf_no_size) {
	LIBBPF_OPTS(bpf_btf_load_opts, o, .log_buf = LOGBUF);
	return CALL(bpf_btf_load(&BTF_OK, sizeof(BTF_OK), &o));
}
ROW(btf_load_log_level_no_buf) {
	LIBBPF_OPTS(bpf_btf_load_opts, o, .log_level = 1);
	return CALL(bpf_btf_load(&BTF_OK, sizeof(BTF_OK), &o));
}
ROW(btf_load_garbage_with_log) {
	static char lb[4096];
	LIBBPF_OPTS(bpf_btf_load_opts, o, .log_buf = lb, .log_size = sizeof(lb));
	int r = CALL(bpf_btf_load(GARBAGE, sizeof(GARBAGE), &o));
	first_line("log", lb);
	return r;
}

/* --- link_create / link_update / link_detach */
ROW(link_create_iter_len_and_btf_id) {
	LIBBPF_OPTS(bpf_link_create_opts, o, .iter_info_len = 8, .target_btf_id = 1);
	return CALL(bpf_link_create(F.sf, 0, BPF_TRACE_ITER, &o));
}
ROW(link_create_cgroup_with_perf_cookie) {
	LIBBPF_OPTS(bpf_link_create_opts, o, .perf_event.bpf_cookie = 42);
	return CALL(bpf_link_create(F.cgskb, F.cg, BPF_CGROUP_INET_INGRESS, &o));
}
ROW(link_create_perf_event_with_kprobe_multi) {
	static const char *syms[] = { "do_nothing" };
	LIBBPF_OPTS(bpf_link_create_opts, o, .kprobe_multi.cnt = 1, .kprobe_multi.syms = syms);
	return CALL(bpf_link_create(F.sf, F.pipe_r, BPF_PERF_EVENT, &o));
}
ROW(link_create_fentry_with_perf_cookie_and_syms) {
	static const char *syms[] = { "x" };
	LIBBPF_OPTS(bpf_link_create_opts, o, .kprobe_multi.syms = syms);
	return CALL(bpf_link_create(F.sf, 0, BPF_TRACE_FENTRY, &o));
}
ROW(link_create_iter_info_len_only) {
	LIBBPF_OPTS(bpf_link_create_opts, o, .iter_info_len = 8);
	return CALL(bpf_link_create(F.sf, 0, BPF_TRACE_ITER, &o));
}
ROW(link_create_target_btf_id_with_flags) {
	LIBBPF_OPTS(bpf_link_create_opts, o, .target_btf_id = 1, .perf_event.bpf_cookie = 1);
	return CALL(bpf_link_create(F.sf, 0, BPF_TRACE_FENTRY, &o));
}
ROW(link_create_unknown_flags) {
	LIBBPF_OPTS(bpf_link_create_opts, o, .flags = 1u << 30);
	return CALL(bpf_link_create(F.cgskb, F.pipe_r, BPF_CGROUP_INET_INGRESS, &o));
}
ROW(link_create_raw_tp_fallback) { return CALL(bpf_link_create(F.sf, 0, BPF_TRACE_RAW_TP, NULL)); }
ROW(link_create_wrong_prog_type) { return CALL(bpf_link_create(F.sf, F.cg, BPF_CGROUP_INET_INGRESS, NULL)); }
ROW(link_create_attach_type_999) { return CALL(bpf_link_create(F.sf, F.cg, 999, NULL)); }
BADFD3(link_create_prog, bpf_link_create(fd, F.cg, BPF_CGROUP_INET_INGRESS, NULL))
BADFD3(link_update, bpf_link_update(fd, F.sf, NULL))
ROW(link_update_bad_new_prog) { return CALL(bpf_link_update(F.pipe_r, -1, NULL)); }
ROW(link_update_unknown_flags) {
	LIBBPF_OPTS(bpf_link_update_opts, o, .flags = 1u << 30);
	return CALL(bpf_link_update(F.pipe_r, F.sf, &o));
}
BADFD3(link_detach, bpf_link_detach(fd))
BADFD3(iter_create, bpf_iter_create(fd))

/* --- prog attach / detach / query */
BADFD3(prog_attach_prog, bpf_prog_attach(fd, F.cg, BPF_CGROUP_INET_INGRESS, 0))
BADFD3(prog_attach_target, bpf_prog_attach(F.cgskb, fd, BPF_CGROUP_INET_INGRESS, 0))
ROW(prog_attach_unknown_flags) { return CALL(bpf_prog_attach(F.cgskb, F.pipe_r, BPF_CGROUP_INET_INGRESS, 1u << 30)); }
ROW(prog_attach_wrong_prog_type) { return CALL(bpf_prog_attach(F.sf, F.cg, BPF_CGROUP_INET_INGRESS, 0)); }
ROW(prog_attach_type_999) { return CALL(bpf_prog_attach(F.cgskb, F.cg, 999, 0)); }
ROW(prog_attach_opts_bad_replace_fd) {
	LIBBPF_OPTS(bpf_prog_attach_opts, o, .flags = BPF_F_REPLACE | BPF_F_ALLOW_MULTI, .replace_prog_fd = -1);
	return CALL(bpf_prog_attach_opts(F.cgskb, F.pipe_r, BPF_CGROUP_INET_INGRESS, &o));
}
BADFD3(prog_detach, bpf_prog_detach(fd, BPF_CGROUP_INET_INGRESS))
BADFD3(prog_detach2_target, bpf_prog_detach2(F.cgskb, fd, BPF_CGROUP_INET_INGRESS))
ROW(prog_detach2_not_attached) { return CALL(bpf_prog_detach2(F.cgskb, F.cg, BPF_CGROUP_INET_INGRESS)); }
BADFD3(prog_query, ({ __u32 af = 7, cnt = 0; bpf_prog_query(fd, BPF_CGROUP_INET_INGRESS, 0, &af, NULL, &cnt); }))
ROW(prog_query_type_999) {
	__u32 af = 7, cnt = 5;
	int r = CALL(bpf_prog_query(F.cg, 999, 0, &af, NULL, &cnt));
	snprintf(OUT, sizeof(OUT), "attach_flags=%u prog_cnt=%u", af, cnt);
	return r;
}
ROW(prog_query_unknown_query_flags) {
	__u32 af = 7, cnt = 5;
	int r = CALL(bpf_prog_query(F.cg, BPF_CGROUP_INET_INGRESS, 1u << 30, &af, NULL, &cnt));
	snprintf(OUT, sizeof(OUT), "attach_flags=%u prog_cnt=%u", af, cnt);
	return r;
}
ROW(prog_query_opts_null) { return CALL(bpf_prog_query_opts(F.cg, BPF_CGROUP_INET_INGRESS, NULL)); }
ROW(raw_tracepoint_open_bad_prog) { return CALL(bpf_raw_tracepoint_open("sched_switch", -1)); }
ROW(raw_tracepoint_open_nonexistent) { return CALL(bpf_raw_tracepoint_open("no_such_tracepoint_xyz", F.sf)); }
ROW(task_fd_query_bad_fd) {
	char buf[64];
	__u32 len = sizeof(buf), id = 0, type = 0;
	__u64 off = 0, addr = 0;
	return CALL(bpf_task_fd_query(getpid(), -1, 0, buf, &len, &id, &type, &off, &addr));
}
ROW(task_fd_query_pipe_fd) {
	char buf[64];
	__u32 len = sizeof(buf), id = 0, type = 0;
	__u64 off = 0, addr = 0;
	return CALL(bpf_task_fd_query(getpid(), F.pipe_r, 0, buf, &len, &id, &type, &off, &addr));
}
ROW(task_fd_query_unknown_flags) {
	char buf[64];
	__u32 len = sizeof(buf), id = 0, type = 0;
	__u64 off = 0, addr = 0;
	return CALL(bpf_task_fd_query(getpid(), F.pipe_r, 1, buf, &len, &id, &type, &off, &addr));
}

/* --- obj_get / obj_pin */
ROW(obj_get_nonexistent) {
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/does-not-exist", F.bpffs);
	return CALL(bpf_obj_get(p));
}
ROW(obj_get_non_bpffs_dir) { return CALL(bpf_obj_get("/tmp")); }
ROW(obj_get_non_bpffs_file) { return CALL(bpf_obj_get("/proc/self/status")); }
ROW(obj_get_bpffs_dir) { return CALL(bpf_obj_get(F.bpffs)); }
ROW(obj_get_null) { return CALL(bpf_obj_get(NULL)); }
ROW(obj_get_empty) { return CALL(bpf_obj_get("")); }
ROW(obj_get_opts_unknown_file_flags) {
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = 1u << 30);
	return CALL(bpf_obj_get_opts(F.pinned, &o));
}
ROW(obj_get_opts_null_path) { return CALL(bpf_obj_get_opts(NULL, NULL)); }
BADFD3(obj_pin, ({ char p[PATH_MAX + 32]; snprintf(p, sizeof(p), "%s/pin-bad", F.bpffs); bpf_obj_pin(fd, p); }))
ROW(obj_pin_non_bpffs) {
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/pin-here", F.scratch);
	return CALL(bpf_obj_pin(F.hash, p));
}
ROW(obj_pin_null_path) { return CALL(bpf_obj_pin(F.hash, NULL)); }
ROW(obj_pin_existing) { return CALL(bpf_obj_pin(F.hash, F.pinned)); }
ROW(obj_pin_missing_dir) {
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/no/such/dir", F.bpffs);
	return CALL(bpf_obj_pin(F.hash, p));
}

/* --- get_fd_by_id / get_next_id */
ROW(prog_get_fd_by_id_0) { return CALL(bpf_prog_get_fd_by_id(0)); }
ROW(prog_get_fd_by_id_max) { return CALL(bpf_prog_get_fd_by_id(0xffffffffu)); }
ROW(map_get_fd_by_id_0) { return CALL(bpf_map_get_fd_by_id(0)); }
ROW(map_get_fd_by_id_max) { return CALL(bpf_map_get_fd_by_id(0xffffffffu)); }
ROW(btf_get_fd_by_id_0) { return CALL(bpf_btf_get_fd_by_id(0)); }
ROW(btf_get_fd_by_id_max) { return CALL(bpf_btf_get_fd_by_id(0xffffffffu)); }
ROW(link_get_fd_by_id_0) { return CALL(bpf_link_get_fd_by_id(0)); }
ROW(link_get_fd_by_id_max) { return CALL(bpf_link_get_fd_by_id(0xffffffffu)); }
ROW(map_get_fd_by_id_opts_unknown_open_flags) {
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = 1u << 30);
	return CALL(bpf_map_get_fd_by_id_opts(F.map_id, &o));
}
ROW(map_get_fd_by_id_opts_rdonly) {
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY);
	return CALL(bpf_map_get_fd_by_id_opts(F.map_id, &o));
}
ROW(prog_get_fd_by_id_opts_rdonly) {
	LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY);
	return CALL(bpf_prog_get_fd_by_id_opts(0xffffffffu, &o));
}
#define NEXT_ID(kind)                                                       \
	ROW(kind##_get_next_id_max) {                                       \
		__u32 next = 4242;                                          \
		int r = CALL(bpf_##kind##_get_next_id(0xffffffffu, &next)); \
		snprintf(OUT, sizeof(OUT), "next=%u", next);                \
		return r; }
NEXT_ID(prog)
NEXT_ID(map)
NEXT_ID(btf)
NEXT_ID(link)

/* --- enable_stats */
ROW(enable_stats_99) { return CALL(bpf_enable_stats(99)); }
ROW(enable_stats_m1) { return CALL(bpf_enable_stats(-1)); }

/* --- prog_bind_map */
ROW(prog_bind_map_prog_m1) { return CALL(bpf_prog_bind_map(-1, F.hash, NULL)); }
ROW(prog_bind_map_map_m1) { return CALL(bpf_prog_bind_map(F.sf, -1, NULL)); }
ROW(prog_bind_map_map_closed) { return CALL(bpf_prog_bind_map(F.sf, CLOSED_FD, NULL)); }
ROW(prog_bind_map_map_pipe) { return CALL(bpf_prog_bind_map(F.sf, F.pipe_r, NULL)); }
ROW(prog_bind_map_prog_is_map) { return CALL(bpf_prog_bind_map(F.hash, F.hash, NULL)); }
ROW(prog_bind_map_unknown_flags) {
	LIBBPF_OPTS(bpf_prog_bind_opts, o, .flags = 1);
	return CALL(bpf_prog_bind_map(F.sf, F.hash, &o));
}

/* --- test_run */
BADFD3(test_run_prog, ({ LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = F.pkt, .data_size_in = 64); bpf_prog_test_run_opts(fd, &o); }))
ROW(test_run_opts_null) { return CALL(bpf_prog_test_run_opts(F.sf, NULL)); }
ROW(test_run_data_too_short) {
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = F.pkt, .data_size_in = 4);
	return CALL(bpf_prog_test_run_opts(F.sf, &o));
}
ROW(test_run_data_out_too_small) {
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = F.pkt, .data_size_in = 64, .data_out = F.out, .data_size_out = 1);
	int r = CALL(bpf_prog_test_run_opts(F.sf, &o));
	snprintf(OUT, sizeof(OUT), "retval=%u size_out=%u", o.retval, o.data_size_out);
	return r;
}
ROW(test_run_unknown_flags) {
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = F.pkt, .data_size_in = 64, .flags = 1u << 30);
	return CALL(bpf_prog_test_run_opts(F.sf, &o));
}
ROW(test_run_ctx_on_socket_filter) {
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = F.pkt, .data_size_in = 64, .ctx_in = F.out, .ctx_size_in = 8);
	return CALL(bpf_prog_test_run_opts(F.sf, &o));
}
ROW(test_run_null_data_with_size) {
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_size_in = 64);
	return CALL(bpf_prog_test_run_opts(F.sf, &o));
}

/* --- batch ops */
#define BATCH_ROWS(tag, FD, CNT, OPTS)                                      \
	ROW(tag##_lookup_batch) { __u32 n = CNT, ob = 0;                     \
		int r = CALL(bpf_map_lookup_batch(FD, NULL, &ob, F.keys, F.vals, &n, OPTS)); \
		snprintf(OUT, sizeof(OUT), "count=%u", n); return r; }      \
	ROW(tag##_lookup_and_delete_batch) { __u32 n = CNT, ob = 0;          \
		int r = CALL(bpf_map_lookup_and_delete_batch(FD, NULL, &ob, F.keys, F.vals, &n, OPTS)); \
		snprintf(OUT, sizeof(OUT), "count=%u", n); return r; }      \
	ROW(tag##_update_batch) { __u32 n = CNT;                             \
		int r = CALL(bpf_map_update_batch(FD, F.keys, F.vals, &n, OPTS)); \
		snprintf(OUT, sizeof(OUT), "count=%u", n); return r; }      \
	ROW(tag##_delete_batch) { __u32 n = CNT;                             \
		int r = CALL(bpf_map_delete_batch(FD, F.keys, &n, OPTS));    \
		snprintf(OUT, sizeof(OUT), "count=%u", n); return r; }
BATCH_ROWS(count0, F.hash, 0, NULL)
BATCH_ROWS(fd_m1, -1, 2, NULL)
BATCH_ROWS(fd_pipe, F.pipe_r, 2, NULL)
static const struct bpf_map_batch_opts BAD_ELEM_FLAGS = { .sz = sizeof(BAD_ELEM_FLAGS), .elem_flags = 1ull << 10 };
static const struct bpf_map_batch_opts BAD_FLAGS = { .sz = sizeof(BAD_FLAGS), .flags = 1 };
BATCH_ROWS(elem_flags_1024, F.hash, 2, &BAD_ELEM_FLAGS)
BATCH_ROWS(flags_1, F.hash, 2, &BAD_FLAGS)

/* ---------------------------------------------------------------- main */

extern const struct row __start_bad_input_rows[], __stop_bad_input_rows[];

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

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
		int dup = 0;
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strncmp(strrchr(p, '/') + 1, "libbpf.so", 9) != 0)
			continue;
		if (!realpath(p, rp))
			snprintf(rp, sizeof(rp), "%s", p);
		for (int i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], rp);
		if (dup || nseen == 8)
			continue;
		snprintf(seen[nseen++], PATH_MAX, "%s", rp);
		printf(" %s", rp);
	}
	fclose(m);
	if (!nseen)
		printf(" <none>");
	printf("\n");
}

static int cmp_rows(const void *a, const void *b)
{
	return ((const struct row *)a)->order - ((const struct row *)b)->order;
}

static void run_row(const struct row *r)
{
	int p[2];
	if (pipe(p)) {
		printf("row %s: ret=SETUP errno=pipe-%d fds=?\n", r->name, errno);
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char line[1024];
		close(p[0]);
		if (p[1] != 899) { /* keep the result pipe out of the low fd range */
			dup2(p[1], 899);
			close(p[1]);
		}
		alarm(10);
		setup_fixtures();
		OUT[0] = 0;
		int before = count_fds();
		int ret = r->fn();
		int e = g_errno;
		int after = count_fds();
		char rs[32], fs[32];
		if (ret > 2 && fcntl(ret, F_GETFD) >= 0 && ret != F.hash && ret != F.sf && ret != F.cgskb &&
		    ret != F.pipe_r && ret != F.pipe_w && ret != F.cg)
			snprintf(rs, sizeof(rs), "fd");
		else
			snprintf(rs, sizeof(rs), "%d", ret);
		if (after == before)
			snprintf(fs, sizeof(fs), "same");
		else
			snprintf(fs, sizeof(fs), "%+d", after - before);
		int n = snprintf(line, sizeof(line), "row %s: ret=%s errno=%d fds=%s%s%s\n", r->name, rs, e, fs,
				 OUT[0] ? " out=" : "", OUT);
		if (write(899, line, n) != n)
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	char buf[2048];
	size_t len = 0;
	ssize_t k;
	while (len < sizeof(buf) - 1 && (k = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += k;
	close(p[0]);
	buf[len] = 0;
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("row %s: ret=CRASH errno=signal-%d fds=?\n", r->name, WTERMSIG(st));
	else if (!len || (WIFEXITED(st) && WEXITSTATUS(st)))
		printf("row %s: ret=NOOUTPUT errno=exit-%d fds=?\n", r->name, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	else
		fputs(buf, stdout);
}

int main(void)
{
	const char *scratch = getenv("BAD_INPUT_SCRATCH");
	union bpf_attr a;

	setvbuf(stdout, NULL, _IOLBF, 0);
	print_mapped();
	if (!scratch || !*scratch) {
		printf("SETUP BAD_INPUT_SCRATCH not set\n");
		return 2;
	}
	snprintf(F.scratch, sizeof(F.scratch), "%s", scratch);
	snprintf(F.bpffs, sizeof(F.bpffs), "%s/bpffs", scratch);
	snprintf(F.pinned, sizeof(F.pinned), "%s/pinned_map", F.bpffs);
	mkdir(F.bpffs, 0700);
	/* a private bpffs: nothing is left behind when the process exits */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", F.bpffs, "bpf", 0, "mode=0700")) {
		printf("SETUP private bpffs: %s\n", strerror(errno));
		return 2;
	}
	int m = raw_map_create(BPF_MAP_TYPE_HASH, 4, 8, 4);
	memset(&a, 0, sizeof(a));
	a.bpf_fd = m;
	a.pathname = (uintptr_t)F.pinned;
	if (m < 0 || sys_bpf(BPF_OBJ_PIN, &a)) {
		printf("SETUP pin: %s\n", strerror(errno));
		return 2;
	}
	close(m);

	size_t n = __stop_bad_input_rows - __start_bad_input_rows;
	struct row *rows = calloc(n, sizeof(*rows));
	memcpy(rows, __start_bad_input_rows, n * sizeof(*rows));
	qsort(rows, n, sizeof(*rows), cmp_rows);
	for (size_t i = 0; i < n; i++)
		run_row(&rows[i]);
	printf("ROWS %zu\n", n);
	printf("END\n");
	return 0;
}
