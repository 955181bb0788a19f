/*
 * Consumer-style use of every function-like public macro of libbpf 1.1.2
 * (and of the object-like aliases of such macros).
 *
 * Built by run.sh with `gcc -std=gnu11 -Wall -Wextra -Werror` once against
 * the reference headers and once against ours; both binaries are run and
 * their output must be identical.  Extra builds:
 *   -DABI_OVERRIDE_LIBBPF_API  consumer pre-defines LIBBPF_API (the headers
 *                              must honour `#ifndef LIBBPF_API`);
 *   -DABI_USE_DEPRECATED       calls functions marked with LIBBPF_DEPRECATED
 *                              and LIBBPF_DEPRECATED_SINCE(1, 0, ...): with
 *                              -Werror=deprecated-declarations this must
 *                              fail to compile, with both header sets.
 * run.sh fails if the reference defines a function-like macro (or an alias
 * of one) whose name does not appear in this file.
 *
 * No libbpf function is called: the two iterator functions used by the
 * for_each macros are defined here (with the header's exact prototypes), so
 * the test needs no library, only headers.
 */
#ifdef ABI_OVERRIDE_LIBBPF_API
#define LIBBPF_API extern
#endif

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf_common.h>
#include <bpf/libbpf_legacy.h>
#include <bpf/libbpf_version.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FAKE_OBJ ((struct bpf_object *)(uintptr_t)0x1000)

struct bpf_program *bpf_object__next_program(const struct bpf_object *obj,
					     struct bpf_program *prog)
{
	uintptr_t p = (uintptr_t)prog;

	if (obj != FAKE_OBJ || p >= 0x30)
		return NULL;
	return (struct bpf_program *)(p + 0x10);
}

struct bpf_map *bpf_object__next_map(const struct bpf_object *obj,
				     const struct bpf_map *map)
{
	uintptr_t p = (uintptr_t)map;

	if (obj != FAKE_OBJ || p >= 0x200)
		return NULL;
	return (struct bpf_map *)(p + 0x100);
}

/* LIBBPF_API on a consumer's own declaration */
LIBBPF_API int consumer_visible(void);
int consumer_visible(void) { return 5; }

/* deprecation helpers */
LIBBPF_DEPRECATED("use new_api() instead") int legacy_api(void);
int legacy_api(void) { return 1; }

LIBBPF_DEPRECATED_SINCE(1, 0, "gone in 1.0") int old_api(void);
int old_api(void) { return 2; }

/* __LIBBPF_MARK_DEPRECATED_1_0(X) expands to X for libbpf >= 1.0 */
__LIBBPF_MARK_DEPRECATED_1_0(static const int marked_1_0 = 10;)

/* argument-count based overloading helpers */
static int sum1(int a) { return a; }
static int sum2(int a, int b) { return a + b; }
static int sum3(int a, int b, int c) { return a + b + c; }

static size_t nonzero_bytes(const void *p, size_t from, size_t to)
{
	const unsigned char *b = p;
	size_t i, n = 0;

	for (i = from; i < to; i++)
		n += b[i] != 0;
	return n;
}

int main(void)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int n, ___libbpf_cat(var_, one) = 11;

#if __LIBBPF_CURRENT_VERSION_GEQ(1, 1)
	printf("preprocessor GEQ(1,1): yes\n");
#else
	printf("preprocessor GEQ(1,1): no\n");
#endif
	printf("GEQ: 0.9=%d 1.0=%d 1.1=%d 1.2=%d 2.0=%d\n",
	       __LIBBPF_CURRENT_VERSION_GEQ(0, 9), __LIBBPF_CURRENT_VERSION_GEQ(1, 0),
	       __LIBBPF_CURRENT_VERSION_GEQ(1, 1), __LIBBPF_CURRENT_VERSION_GEQ(1, 2),
	       __LIBBPF_CURRENT_VERSION_GEQ(2, 0));
	printf("MARK_DEPRECATED_1_0: %d\n", marked_1_0);
	printf("cat: %d select: %d nth: %d cnt: %d/%d/%d\n",
	       var_one, ___libbpf_select(sum, 2)(3, 4),
	       ___libbpf_nth(a, b, c, d, e, f, 77, 88),
	       ___libbpf_cnt(x), ___libbpf_cnt(x, y, z), ___libbpf_cnt(1, 2, 3, 4, 5, 6));
	printf("overload: %d %d %d\n", ___libbpf_overload(sum, 1),
	       ___libbpf_overload(sum, 1, 2), ___libbpf_overload(sum, 1, 2, 3));
	printf("visible: %d\n", consumer_visible());
#ifdef ABI_USE_DEPRECATED
	printf("deprecated: %d %d\n", legacy_api(), old_api());
#endif

	{
		LIBBPF_OPTS(bpf_object_open_opts, open_opts,
			    .object_name = "consumer",
			    .kernel_log_level = 3,
		);
		printf("bpf_object_open_opts: sz=%zu name=%s level=%u relaxed=%d\n",
		       open_opts.sz, open_opts.object_name,
		       (unsigned)open_opts.kernel_log_level, (int)open_opts.relaxed_maps);
	}
	{
		DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = 7,
				    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS,
				    .parent = BPF_TC_PARENT(0xffffU, 0xfff2U));
		printf("bpf_tc_hook: sz=%zu ifindex=%d attach=%d parent=0x%08x nonzero=%zu\n",
		       hook.sz, hook.ifindex, (int)hook.attach_point,
		       (unsigned)hook.parent,
		       nonzero_bytes(&hook, sizeof(hook.sz), sizeof(hook)));
	}
	{
		LIBBPF_OPTS(bpf_link_create_opts, lc, .flags = 1,
			    .kprobe_multi.cnt = 3);
		printf("bpf_link_create_opts: sz=%zu flags=%u cnt=%u\n",
		       lc.sz, (unsigned)lc.flags, (unsigned)lc.kprobe_multi.cnt);
	}
	{
		LIBBPF_OPTS(bpf_test_run_opts, tr);
		printf("bpf_test_run_opts: sz=%zu nonzero=%zu\n", tr.sz,
		       nonzero_bytes(&tr, sizeof(tr.sz), sizeof(tr)));
	}
	printf("BPF_TC_PARENT: 0x%08x 0x%08x 0x%llx\n", (unsigned)BPF_TC_PARENT(1, 2),
	       (unsigned)BPF_TC_PARENT(0x12345U, 0x6789aU),
	       (unsigned long long)BPF_TC_PARENT(0x12345ULL, 0x6789aULL));

	n = 0;
	bpf_object__for_each_program(prog, FAKE_OBJ) {
		printf("prog %#lx\n", (unsigned long)(uintptr_t)prog);
		n++;
	}
	printf("programs: %d\n", n);
	n = 0;
	bpf_object__for_each_map(map, FAKE_OBJ) {
		printf("map %#lx\n", (unsigned long)(uintptr_t)map);
		n++;
	}
	bpf_map__for_each(map, FAKE_OBJ)
		n++;
	printf("maps: %d\n", n);
	return 0;
}
