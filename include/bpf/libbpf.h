/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* SwiftBPF: libbpf 1.1 compatible API. Written for the SwiftBPF project. */

/*
 * High-level object API: opening and loading BPF ELF objects, programs,
 * maps, links and attachment, ring/perf buffers, skeletons, feature
 * probing, the static linker and custom SEC() handlers.
 */
#ifndef __LIBBPF_LIBBPF_H
#define __LIBBPF_LIBBPF_H

#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>	/* size_t, pid_t */
#include <linux/bpf.h>

#include "libbpf_common.h"
#include "libbpf_legacy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Library version, error codes, enum-to-string helpers, logging
 * ------------------------------------------------------------------------ */

/* Version of the library actually loaded at run time. */
LIBBPF_API __u32 libbpf_major_version(void);
LIBBPF_API __u32 libbpf_minor_version(void);
LIBBPF_API const char *libbpf_version_string(void);

/* libbpf-specific error codes (beyond errno), understood by libbpf_strerror(). */
enum libbpf_errno {
	__LIBBPF_ERRNO__START = 4000,

	LIBBPF_ERRNO__LIBELF = __LIBBPF_ERRNO__START,	/* ELF library failure */
	LIBBPF_ERRNO__FORMAT,		/* malformed BPF object */
	LIBBPF_ERRNO__KVERSION,		/* bad or missing 'version' section */
	LIBBPF_ERRNO__ENDIAN,		/* object has the wrong byte order */
	LIBBPF_ERRNO__INTERNAL,		/* library-internal error */
	LIBBPF_ERRNO__RELOC,		/* relocation could not be applied */
	LIBBPF_ERRNO__LOAD,		/* program load failed, cause unknown */
	LIBBPF_ERRNO__VERIFY,		/* rejected by the kernel verifier */
	LIBBPF_ERRNO__PROG2BIG,		/* program has too many instructions */
	LIBBPF_ERRNO__KVER,		/* kernel version mismatch */
	LIBBPF_ERRNO__PROGTYPE,		/* program type unsupported by kernel */
	LIBBPF_ERRNO__WRNGPID,		/* netlink reply for another pid */
	LIBBPF_ERRNO__INVSEQ,		/* netlink sequence mismatch */
	LIBBPF_ERRNO__NLPARSE,		/* netlink message parse failure */
	__LIBBPF_ERRNO__END,
};

/* Formats a (positive or negative) errno or LIBBPF_ERRNO__* code into buf. */
LIBBPF_API int libbpf_strerror(int err, char *buf, size_t size);

/* Names of kernel enum values ("kprobe", "hash", ...); NULL if unknown. */
LIBBPF_API const char *libbpf_bpf_attach_type_str(enum bpf_attach_type t);
LIBBPF_API const char *libbpf_bpf_link_type_str(enum bpf_link_type t);
LIBBPF_API const char *libbpf_bpf_map_type_str(enum bpf_map_type t);
LIBBPF_API const char *libbpf_bpf_prog_type_str(enum bpf_prog_type t);

/* Severity passed to the print callback. */
enum libbpf_print_level {
	LIBBPF_WARN,
	LIBBPF_INFO,
	LIBBPF_DEBUG,
};

/* Log sink; install with libbpf_set_print(), which returns the previous one. */
typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level,
				 const char *, va_list ap);

LIBBPF_API libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);

/* ------------------------------------------------------------------------
 * BPF object: open, load, pin, inspect
 * ------------------------------------------------------------------------ */

/* Opaque handle for a parsed BPF ELF object. */
struct bpf_object;

/* Options for bpf_object__open_file()/bpf_object__open_mem(). */
struct bpf_object_open_opts {
	size_t sz;			/* sizeof(struct bpf_object_open_opts) */
	const char *object_name;	/* overrides the derived object name */
	bool relaxed_maps;		/* tolerate unknown map definition attrs */
	const char *pin_root_path;	/* directory for auto-pinned maps */

	__u32 :32;			/* retired field, slot kept for layout */

	const char *kconfig;		/* extra CONFIG_xxx=... lines for externs */
	const char *btf_custom_path;	/* BTF used instead of vmlinux for CO-RE */
	char *kernel_log_buf;		/* caller buffer for verifier/BTF logs */
	size_t kernel_log_size;
	__u32 kernel_log_level;		/* log level requested from the kernel */

	size_t :0;
};
#define bpf_object_open_opts__last_field kernel_log_level

/* Open a BPF object from a file path or an in-memory ELF image.
 * Return NULL and set errno on failure.
 */
LIBBPF_API struct bpf_object *bpf_object__open(const char *path);
LIBBPF_API struct bpf_object *
bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts);
LIBBPF_API struct bpf_object *
bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz,
		     const struct bpf_object_open_opts *opts);

/* Create maps and load programs into the kernel; free everything. */
LIBBPF_API int bpf_object__load(struct bpf_object *obj);
LIBBPF_API void bpf_object__close(struct bpf_object *object);

/* Pin/unpin all maps and/or programs under path (NULL path for maps means
 * "use each map's own pin path").
 */
LIBBPF_API int bpf_object__pin_maps(struct bpf_object *obj, const char *path);
LIBBPF_API int bpf_object__unpin_maps(struct bpf_object *obj,
				      const char *path);
LIBBPF_API int bpf_object__pin_programs(struct bpf_object *obj,
					const char *path);
LIBBPF_API int bpf_object__unpin_programs(struct bpf_object *obj,
					  const char *path);
LIBBPF_API int bpf_object__pin(struct bpf_object *object, const char *path);

/* Object properties. */
LIBBPF_API const char *bpf_object__name(const struct bpf_object *obj);
LIBBPF_API unsigned int bpf_object__kversion(const struct bpf_object *obj);
LIBBPF_API int bpf_object__set_kversion(struct bpf_object *obj, __u32 kern_version);

/* The object's own BTF and its kernel fd once loaded. */
struct btf;
LIBBPF_API struct btf *bpf_object__btf(const struct bpf_object *obj);
LIBBPF_API int bpf_object__btf_fd(const struct bpf_object *obj);

LIBBPF_API struct bpf_program *
bpf_object__find_program_by_name(const struct bpf_object *obj,
				 const char *name);

/* Map SEC() names to program/attach types; look up vmlinux BTF ids. */
LIBBPF_API int
libbpf_prog_type_by_name(const char *name, enum bpf_prog_type *prog_type,
			 enum bpf_attach_type *expected_attach_type);
LIBBPF_API int libbpf_attach_type_by_name(const char *name,
					  enum bpf_attach_type *attach_type);
LIBBPF_API int libbpf_find_vmlinux_btf_id(const char *name,
					  enum bpf_attach_type attach_type);

/* ------------------------------------------------------------------------
 * BPF programs
 * ------------------------------------------------------------------------ */

/* Opaque handle for one program inside a bpf_object. */
struct bpf_program;

/* Iterate programs of an object; NULL starts/ends the walk. */
LIBBPF_API struct bpf_program *
bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog);

#define bpf_object__for_each_program(pos, obj)			\
	for ((pos) = bpf_object__next_program((obj), NULL);	\
	     (pos) != NULL;					\
	     (pos) = bpf_object__next_program((obj), (pos)))

LIBBPF_API struct bpf_program *
bpf_object__prev_program(const struct bpf_object *obj, struct bpf_program *prog);

/* Offload target device. */
LIBBPF_API void bpf_program__set_ifindex(struct bpf_program *prog,
					 __u32 ifindex);

/* Names and whether the program is loaded/attached automatically. */
LIBBPF_API const char *bpf_program__name(const struct bpf_program *prog);
LIBBPF_API const char *bpf_program__section_name(const struct bpf_program *prog);
LIBBPF_API bool bpf_program__autoload(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_autoload(struct bpf_program *prog, bool autoload);
LIBBPF_API bool bpf_program__autoattach(const struct bpf_program *prog);
LIBBPF_API void bpf_program__set_autoattach(struct bpf_program *prog, bool autoattach);

struct bpf_insn;

/* Current instruction buffer of a program (changes as loading proceeds),
 * its replacement (for prepare-load callbacks) and its length.
 */
LIBBPF_API const struct bpf_insn *bpf_program__insns(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_insns(struct bpf_program *prog,
				      struct bpf_insn *new_insns, size_t new_insn_cnt);
LIBBPF_API size_t bpf_program__insn_cnt(const struct bpf_program *prog);

/* Kernel fd of a loaded program. */
LIBBPF_API int bpf_program__fd(const struct bpf_program *prog);

/* Pin to / unpin from BPF FS; drop the kernel program. */
LIBBPF_API int bpf_program__pin(struct bpf_program *prog, const char *path);
LIBBPF_API int bpf_program__unpin(struct bpf_program *prog, const char *path);
LIBBPF_API void bpf_program__unload(struct bpf_program *prog);

/* ------------------------------------------------------------------------
 * BPF links
 * ------------------------------------------------------------------------ */

/* Opaque handle for an attachment. */
struct bpf_link;

LIBBPF_API struct bpf_link *bpf_link__open(const char *path);
LIBBPF_API int bpf_link__fd(const struct bpf_link *link);
LIBBPF_API const char *bpf_link__pin_path(const struct bpf_link *link);
LIBBPF_API int bpf_link__pin(struct bpf_link *link, const char *path);
LIBBPF_API int bpf_link__unpin(struct bpf_link *link);
LIBBPF_API int bpf_link__update_program(struct bpf_link *link,
					struct bpf_program *prog);
/* disconnect: keep the attachment alive after bpf_link__destroy(). */
LIBBPF_API void bpf_link__disconnect(struct bpf_link *link);
LIBBPF_API int bpf_link__detach(struct bpf_link *link);
LIBBPF_API int bpf_link__destroy(struct bpf_link *link);

/* ------------------------------------------------------------------------
 * Attaching programs
 * ------------------------------------------------------------------------ */

/* Attach according to the program's SEC() definition. */
LIBBPF_API struct bpf_link *
bpf_program__attach(const struct bpf_program *prog);

/* Perf event attachment. */
struct bpf_perf_event_opts {
	size_t sz;		/* sizeof(struct bpf_perf_event_opts) */
	__u64 bpf_cookie;	/* value for bpf_get_attach_cookie() */
};
#define bpf_perf_event_opts__last_field bpf_cookie

LIBBPF_API struct bpf_link *
bpf_program__attach_perf_event(const struct bpf_program *prog, int pfd);

LIBBPF_API struct bpf_link *
bpf_program__attach_perf_event_opts(const struct bpf_program *prog, int pfd,
				    const struct bpf_perf_event_opts *opts);

/* Kprobes / kretprobes. */
struct bpf_kprobe_opts {
	size_t sz;		/* sizeof(struct bpf_kprobe_opts) */
	__u64 bpf_cookie;	/* value for bpf_get_attach_cookie() */
	size_t offset;		/* offset into the probed function */
	bool retprobe;		/* probe function return */
	size_t :0;
};
#define bpf_kprobe_opts__last_field retprobe

LIBBPF_API struct bpf_link *
bpf_program__attach_kprobe(const struct bpf_program *prog, bool retprobe,
			   const char *func_name);
LIBBPF_API struct bpf_link *
bpf_program__attach_kprobe_opts(const struct bpf_program *prog,
				const char *func_name,
				const struct bpf_kprobe_opts *opts);

/* Multi-kprobe: one link covering many functions (by pattern, names or
 * addresses).
 */
struct bpf_kprobe_multi_opts {
	size_t sz;			/* sizeof(struct bpf_kprobe_multi_opts) */
	const char **syms;		/* function names */
	const unsigned long *addrs;	/* or function addresses */
	const __u64 *cookies;		/* per-function attach cookies */
	size_t cnt;			/* length of syms/addrs/cookies */
	bool retprobe;			/* probe function return */
	size_t :0;
};

#define bpf_kprobe_multi_opts__last_field retprobe

LIBBPF_API struct bpf_link *
bpf_program__attach_kprobe_multi_opts(const struct bpf_program *prog,
				      const char *pattern,
				      const struct bpf_kprobe_multi_opts *opts);

/* Syscall entry/exit probes resolved to the arch-specific kernel symbol. */
struct bpf_ksyscall_opts {
	size_t sz;		/* sizeof(struct bpf_ksyscall_opts) */
	__u64 bpf_cookie;	/* value for bpf_get_attach_cookie() */
	bool retprobe;		/* probe syscall exit */
	size_t :0;
};
#define bpf_ksyscall_opts__last_field retprobe

LIBBPF_API struct bpf_link *
bpf_program__attach_ksyscall(const struct bpf_program *prog,
			     const char *syscall_name,
			     const struct bpf_ksyscall_opts *opts);

/* Uprobes / uretprobes in a user-space binary or library. */
struct bpf_uprobe_opts {
	size_t sz;		/* sizeof(struct bpf_uprobe_opts) */
	size_t ref_ctr_offset;	/* offset of the USDT semaphore, if any */
	__u64 bpf_cookie;	/* value for bpf_get_attach_cookie() */
	bool retprobe;		/* probe function return */
	const char *func_name;	/* symbol ("fn" or "fn@LIB") to resolve */
	size_t :0;
};
#define bpf_uprobe_opts__last_field func_name

/* pid: 0 = own process, -1 = all processes. */
LIBBPF_API struct bpf_link *
bpf_program__attach_uprobe(const struct bpf_program *prog, bool retprobe,
			   pid_t pid, const char *binary_path,
			   size_t func_offset);
LIBBPF_API struct bpf_link *
bpf_program__attach_uprobe_opts(const struct bpf_program *prog, pid_t pid,
				const char *binary_path, size_t func_offset,
				const struct bpf_uprobe_opts *opts);

/* USDT (user statically defined tracepoint) probes. */
struct bpf_usdt_opts {
	size_t sz;		/* sizeof(struct bpf_usdt_opts) */
	__u64 usdt_cookie;	/* value for usdt_cookie() on the BPF side */
	size_t :0;
};
#define bpf_usdt_opts__last_field usdt_cookie

LIBBPF_API struct bpf_link *
bpf_program__attach_usdt(const struct bpf_program *prog,
			 pid_t pid, const char *binary_path,
			 const char *usdt_provider, const char *usdt_name,
			 const struct bpf_usdt_opts *opts);

/* Kernel tracepoints (perf based) and raw tracepoints. */
struct bpf_tracepoint_opts {
	size_t sz;		/* sizeof(struct bpf_tracepoint_opts) */
	__u64 bpf_cookie;	/* value for bpf_get_attach_cookie() */
};
#define bpf_tracepoint_opts__last_field bpf_cookie

LIBBPF_API struct bpf_link *
bpf_program__attach_tracepoint(const struct bpf_program *prog,
			       const char *tp_category,
			       const char *tp_name);
LIBBPF_API struct bpf_link *
bpf_program__attach_tracepoint_opts(const struct bpf_program *prog,
				    const char *tp_category,
				    const char *tp_name,
				    const struct bpf_tracepoint_opts *opts);

LIBBPF_API struct bpf_link *
bpf_program__attach_raw_tracepoint(const struct bpf_program *prog,
				   const char *tp_name);

/* BTF-typed tracing (fentry/fexit/fmod_ret/tp_btf). */
struct bpf_trace_opts {
	size_t sz;		/* sizeof(struct bpf_trace_opts) */
	__u64 cookie;		/* value for bpf_get_attach_cookie() */
};
#define bpf_trace_opts__last_field cookie

LIBBPF_API struct bpf_link *
bpf_program__attach_trace(const struct bpf_program *prog);
LIBBPF_API struct bpf_link *
bpf_program__attach_trace_opts(const struct bpf_program *prog, const struct bpf_trace_opts *opts);

/* LSM, cgroup, netns, XDP and freplace attachment via BPF links. */
LIBBPF_API struct bpf_link *
bpf_program__attach_lsm(const struct bpf_program *prog);
LIBBPF_API struct bpf_link *
bpf_program__attach_cgroup(const struct bpf_program *prog, int cgroup_fd);
LIBBPF_API struct bpf_link *
bpf_program__attach_netns(const struct bpf_program *prog, int netns_fd);
LIBBPF_API struct bpf_link *
bpf_program__attach_xdp(const struct bpf_program *prog, int ifindex);
LIBBPF_API struct bpf_link *
bpf_program__attach_freplace(const struct bpf_program *prog,
			     int target_fd, const char *attach_func_name);

/* Opaque handle for one map inside a bpf_object. */
struct bpf_map;

/* Register a struct_ops map with the kernel. */
LIBBPF_API struct bpf_link *bpf_map__attach_struct_ops(const struct bpf_map *map);

/* BPF iterators. */
struct bpf_iter_attach_opts {
	size_t sz;				/* sizeof(struct bpf_iter_attach_opts) */
	union bpf_iter_link_info *link_info;	/* iterator parameters */
	__u32 link_info_len;
};
#define bpf_iter_attach_opts__last_field link_info_len

LIBBPF_API struct bpf_link *
bpf_program__attach_iter(const struct bpf_program *prog,
			 const struct bpf_iter_attach_opts *opts);

/* ------------------------------------------------------------------------
 * Program properties (setters only take effect before load)
 * ------------------------------------------------------------------------ */

LIBBPF_API enum bpf_prog_type bpf_program__type(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_type(struct bpf_program *prog,
				     enum bpf_prog_type type);

LIBBPF_API enum bpf_attach_type
bpf_program__expected_attach_type(const struct bpf_program *prog);
LIBBPF_API int
bpf_program__set_expected_attach_type(struct bpf_program *prog,
				      enum bpf_attach_type type);

/* BPF_F_* program load flags. */
LIBBPF_API __u32 bpf_program__flags(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_flags(struct bpf_program *prog, __u32 flags);

/* Per-program verifier log level and buffer. */
LIBBPF_API __u32 bpf_program__log_level(const struct bpf_program *prog);
LIBBPF_API int bpf_program__set_log_level(struct bpf_program *prog, __u32 log_level);
LIBBPF_API const char *bpf_program__log_buf(const struct bpf_program *prog, size_t *log_size);
LIBBPF_API int bpf_program__set_log_buf(struct bpf_program *prog, char *log_buf, size_t log_size);

/* BTF attach target (function name, optionally in another program). */
LIBBPF_API int
bpf_program__set_attach_target(struct bpf_program *prog, int attach_prog_fd,
			       const char *attach_func_name);

/* ------------------------------------------------------------------------
 * BPF maps
 * ------------------------------------------------------------------------ */

/* Look up maps of an object by name. */
LIBBPF_API struct bpf_map *
bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name);

LIBBPF_API int
bpf_object__find_map_fd_by_name(const struct bpf_object *obj, const char *name);

/* Iterate maps of an object; NULL starts/ends the walk. */
LIBBPF_API struct bpf_map *
bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map);

#define bpf_object__for_each_map(pos, obj)		\
	for ((pos) = bpf_object__next_map((obj), NULL);	\
	     (pos) != NULL;				\
	     (pos) = bpf_object__next_map((obj), (pos)))
#define bpf_map__for_each bpf_object__for_each_map

LIBBPF_API struct bpf_map *
bpf_object__prev_map(const struct bpf_object *obj, const struct bpf_map *map);

/* Whether the map is created during load (opt out for unsupported maps). */
LIBBPF_API int bpf_map__set_autocreate(struct bpf_map *map, bool autocreate);
LIBBPF_API bool bpf_map__autocreate(const struct bpf_map *map);

/* Map fd, or reuse an existing map fd instead of creating one. */
LIBBPF_API int bpf_map__fd(const struct bpf_map *map);
LIBBPF_API int bpf_map__reuse_fd(struct bpf_map *map, int fd);

/* Map definition getters/setters. */
LIBBPF_API const char *bpf_map__name(const struct bpf_map *map);
LIBBPF_API enum bpf_map_type bpf_map__type(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_type(struct bpf_map *map, enum bpf_map_type type);
LIBBPF_API __u32 bpf_map__max_entries(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries);
LIBBPF_API __u32 bpf_map__map_flags(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_map_flags(struct bpf_map *map, __u32 flags);
LIBBPF_API __u32 bpf_map__numa_node(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_numa_node(struct bpf_map *map, __u32 numa_node);
LIBBPF_API __u32 bpf_map__key_size(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_key_size(struct bpf_map *map, __u32 size);
LIBBPF_API __u32 bpf_map__value_size(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_value_size(struct bpf_map *map, __u32 size);
LIBBPF_API __u32 bpf_map__btf_key_type_id(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__btf_value_type_id(const struct bpf_map *map);
LIBBPF_API __u32 bpf_map__ifindex(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_ifindex(struct bpf_map *map, __u32 ifindex);
LIBBPF_API __u64 bpf_map__map_extra(const struct bpf_map *map);
LIBBPF_API int bpf_map__set_map_extra(struct bpf_map *map, __u64 map_extra);

/* Initial contents of global-data style maps. */
LIBBPF_API int bpf_map__set_initial_value(struct bpf_map *map,
					  const void *data, size_t size);
LIBBPF_API const void *bpf_map__initial_value(struct bpf_map *map, size_t *psize);

/* True for maps libbpf synthesises (.data, .bss, .rodata, .kconfig, ...). */
LIBBPF_API bool bpf_map__is_internal(const struct bpf_map *map);

/* Pinning. */
LIBBPF_API int bpf_map__set_pin_path(struct bpf_map *map, const char *path);
LIBBPF_API const char *bpf_map__pin_path(const struct bpf_map *map);
LIBBPF_API bool bpf_map__is_pinned(const struct bpf_map *map);
LIBBPF_API int bpf_map__pin(struct bpf_map *map, const char *path);
LIBBPF_API int bpf_map__unpin(struct bpf_map *map, const char *path);

/* Map-in-map inner map template. */
LIBBPF_API int bpf_map__set_inner_map_fd(struct bpf_map *map, int fd);
LIBBPF_API struct bpf_map *bpf_map__inner_map(struct bpf_map *map);

/* Element operations on a created map; key/value sizes are checked against
 * the map definition (per-CPU values: round_up(value_size, 8) * ncpus).
 */
LIBBPF_API int bpf_map__lookup_elem(const struct bpf_map *map,
				    const void *key, size_t key_sz,
				    void *value, size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__update_elem(const struct bpf_map *map,
				    const void *key, size_t key_sz,
				    const void *value, size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__delete_elem(const struct bpf_map *map,
				    const void *key, size_t key_sz, __u64 flags);
LIBBPF_API int bpf_map__lookup_and_delete_elem(const struct bpf_map *map,
					       const void *key, size_t key_sz,
					       void *value, size_t value_sz, __u64 flags);
LIBBPF_API int bpf_map__get_next_key(const struct bpf_map *map,
				     const void *cur_key, void *next_key, size_t key_sz);

/* ------------------------------------------------------------------------
 * XDP (netlink based)
 * ------------------------------------------------------------------------ */

struct bpf_xdp_set_link_opts {
	size_t sz;
	int old_fd;
	size_t :0;
};
#define bpf_xdp_set_link_opts__last_field old_fd

struct bpf_xdp_attach_opts {
	size_t sz;
	int old_prog_fd;	/* replace only if this program is attached */
	size_t :0;
};
#define bpf_xdp_attach_opts__last_field old_prog_fd

/* All fields after sz are filled in by bpf_xdp_query(). */
struct bpf_xdp_query_opts {
	size_t sz;
	__u32 prog_id;
	__u32 drv_prog_id;
	__u32 hw_prog_id;
	__u32 skb_prog_id;
	__u8 attach_mode;
	size_t :0;
};
#define bpf_xdp_query_opts__last_field attach_mode

LIBBPF_API int bpf_xdp_attach(int ifindex, int prog_fd, __u32 flags,
			      const struct bpf_xdp_attach_opts *opts);
LIBBPF_API int bpf_xdp_detach(int ifindex, __u32 flags,
			      const struct bpf_xdp_attach_opts *opts);
LIBBPF_API int bpf_xdp_query(int ifindex, int flags, struct bpf_xdp_query_opts *opts);
LIBBPF_API int bpf_xdp_query_id(int ifindex, int flags, __u32 *prog_id);

/* ------------------------------------------------------------------------
 * TC (clsact qdisc + direct-action classifier) via netlink
 * ------------------------------------------------------------------------ */

/* Where a TC hook lives; values are bit flags. */
enum bpf_tc_attach_point {
	BPF_TC_INGRESS = 1 << 0,
	BPF_TC_EGRESS  = 1 << 1,
	BPF_TC_CUSTOM  = 1 << 2,
};

/* Build a TC parent handle from major/minor numbers. */
#define BPF_TC_PARENT(a, b) \
	((((a) << 16) & 0xFFFF0000U) | ((b) & 0x0000FFFFU))

enum bpf_tc_flags {
	BPF_TC_F_REPLACE = 1 << 0,
};

struct bpf_tc_hook {
	size_t sz;
	int ifindex;
	enum bpf_tc_attach_point attach_point;
	__u32 parent;		/* for BPF_TC_CUSTOM */
	size_t :0;
};
#define bpf_tc_hook__last_field parent

struct bpf_tc_opts {
	size_t sz;
	int prog_fd;
	__u32 flags;		/* enum bpf_tc_flags */
	__u32 prog_id;
	__u32 handle;
	__u32 priority;
	size_t :0;
};
#define bpf_tc_opts__last_field priority

LIBBPF_API int bpf_tc_hook_create(struct bpf_tc_hook *hook);
LIBBPF_API int bpf_tc_hook_destroy(struct bpf_tc_hook *hook);
LIBBPF_API int bpf_tc_attach(const struct bpf_tc_hook *hook,
			     struct bpf_tc_opts *opts);
LIBBPF_API int bpf_tc_detach(const struct bpf_tc_hook *hook,
			     const struct bpf_tc_opts *opts);
LIBBPF_API int bpf_tc_query(const struct bpf_tc_hook *hook,
			    struct bpf_tc_opts *opts);

/* ------------------------------------------------------------------------
 * BPF ring buffer consumer (kernel -> user)
 * ------------------------------------------------------------------------ */

struct ring_buffer;
struct user_ring_buffer;

/* Called per record; a non-zero return stops consumption. */
typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size);

struct ring_buffer_opts {
	size_t sz;	/* sizeof(struct ring_buffer_opts) */
};

#define ring_buffer_opts__last_field sz

LIBBPF_API struct ring_buffer *
ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
		 const struct ring_buffer_opts *opts);
LIBBPF_API void ring_buffer__free(struct ring_buffer *rb);
LIBBPF_API int ring_buffer__add(struct ring_buffer *rb, int map_fd,
				ring_buffer_sample_fn sample_cb, void *ctx);
LIBBPF_API int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms);
LIBBPF_API int ring_buffer__consume(struct ring_buffer *rb);
LIBBPF_API int ring_buffer__epoll_fd(const struct ring_buffer *rb);

/* ------------------------------------------------------------------------
 * User ring buffer producer (user -> kernel)
 * ------------------------------------------------------------------------ */

struct user_ring_buffer_opts {
	size_t sz;	/* sizeof(struct user_ring_buffer_opts) */
};

#define user_ring_buffer_opts__last_field sz

/* Create for a BPF_MAP_TYPE_USER_RINGBUF map fd. */
LIBBPF_API struct user_ring_buffer *
user_ring_buffer__new(int map_fd, const struct user_ring_buffer_opts *opts);

/* Reserve an 8-byte aligned sample (not thread safe); the blocking variant
 * waits up to timeout_ms (-1: forever) for space.
 */
LIBBPF_API void *user_ring_buffer__reserve(struct user_ring_buffer *rb, __u32 size);
LIBBPF_API void *user_ring_buffer__reserve_blocking(struct user_ring_buffer *rb,
						    __u32 size,
						    int timeout_ms);

/* Publish or drop a reserved sample. */
LIBBPF_API void user_ring_buffer__submit(struct user_ring_buffer *rb, void *sample);
LIBBPF_API void user_ring_buffer__discard(struct user_ring_buffer *rb, void *sample);

LIBBPF_API void user_ring_buffer__free(struct user_ring_buffer *rb);

/* ------------------------------------------------------------------------
 * Perf buffer (BPF_MAP_TYPE_PERF_EVENT_ARRAY) consumer
 * ------------------------------------------------------------------------ */

struct perf_buffer;

typedef void (*perf_buffer_sample_fn)(void *ctx, int cpu,
				      void *data, __u32 size);
typedef void (*perf_buffer_lost_fn)(void *ctx, int cpu, __u64 cnt);

struct perf_buffer_opts {
	size_t sz;
};
#define perf_buffer_opts__last_field sz

/* page_cnt pages of buffer per CPU. */
LIBBPF_API struct perf_buffer *
perf_buffer__new(int map_fd, size_t page_cnt,
		 perf_buffer_sample_fn sample_cb, perf_buffer_lost_fn lost_cb, void *ctx,
		 const struct perf_buffer_opts *opts);

/* Return values of a raw perf event callback. */
enum bpf_perf_event_ret {
	LIBBPF_PERF_EVENT_DONE	= 0,
	LIBBPF_PERF_EVENT_ERROR	= -1,
	LIBBPF_PERF_EVENT_CONT	= -2,
};

struct perf_event_header;

typedef enum bpf_perf_event_ret
(*perf_buffer_event_fn)(void *ctx, int cpu, struct perf_event_header *event);

/* Options for perf_buffer__new_raw(): custom perf_event_attr and CPU set. */
struct perf_buffer_raw_opts {
	size_t sz;
	long :0;
	long :0;
	int cpu_cnt;		/* 0: all possible CPUs */
	int *cpus;		/* CPUs to open buffers on */
	int *map_keys;		/* map slots for the per-CPU fds */
};
#define perf_buffer_raw_opts__last_field map_keys

struct perf_event_attr;

LIBBPF_API struct perf_buffer *
perf_buffer__new_raw(int map_fd, size_t page_cnt, struct perf_event_attr *attr,
		     perf_buffer_event_fn event_cb, void *ctx,
		     const struct perf_buffer_raw_opts *opts);

LIBBPF_API void perf_buffer__free(struct perf_buffer *pb);
LIBBPF_API int perf_buffer__epoll_fd(const struct perf_buffer *pb);
LIBBPF_API int perf_buffer__poll(struct perf_buffer *pb, int timeout_ms);
LIBBPF_API int perf_buffer__consume(struct perf_buffer *pb);
LIBBPF_API int perf_buffer__consume_buffer(struct perf_buffer *pb, size_t buf_idx);
LIBBPF_API size_t perf_buffer__buffer_cnt(const struct perf_buffer *pb);
LIBBPF_API int perf_buffer__buffer_fd(const struct perf_buffer *pb, size_t buf_idx);
/* Raw mmap()ed region of one per-CPU buffer (starts with perf_event_mmap_page). */
LIBBPF_API int perf_buffer__buffer(struct perf_buffer *pb, int buf_idx, void **buf,
				   size_t *buf_size);

/* ------------------------------------------------------------------------
 * Program line info lookup
 * ------------------------------------------------------------------------ */

struct bpf_prog_linfo;
struct bpf_prog_info;

LIBBPF_API void bpf_prog_linfo__free(struct bpf_prog_linfo *prog_linfo);
LIBBPF_API struct bpf_prog_linfo *
bpf_prog_linfo__new(const struct bpf_prog_info *info);
LIBBPF_API const struct bpf_line_info *
bpf_prog_linfo__lfind_addr_func(const struct bpf_prog_linfo *prog_linfo,
				__u64 addr, __u32 func_idx, __u32 nr_skip);
LIBBPF_API const struct bpf_line_info *
bpf_prog_linfo__lfind(const struct bpf_prog_linfo *prog_linfo,
		      __u32 insn_off, __u32 nr_skip);

/* ------------------------------------------------------------------------
 * Kernel feature probes: 1 = supported, 0 = not, < 0 = probe failed.
 * opts is reserved and must be NULL.
 * ------------------------------------------------------------------------ */

LIBBPF_API int libbpf_probe_bpf_prog_type(enum bpf_prog_type prog_type, const void *opts);
LIBBPF_API int libbpf_probe_bpf_map_type(enum bpf_map_type map_type, const void *opts);
LIBBPF_API int libbpf_probe_bpf_helper(enum bpf_prog_type prog_type,
				       enum bpf_func_id helper_id, const void *opts);

/* Number of possible CPUs (sizing per-CPU map values), or negative error. */
LIBBPF_API int libbpf_num_possible_cpus(void);

/* ------------------------------------------------------------------------
 * Skeletons (bpftool gen skeleton / subskeleton)
 * ------------------------------------------------------------------------ */

struct bpf_map_skeleton {
	const char *name;
	struct bpf_map **map;
	void **mmaped;
};

struct bpf_prog_skeleton {
	const char *name;
	struct bpf_program **prog;
	struct bpf_link **link;
};

struct bpf_object_skeleton {
	size_t sz;		/* sizeof(struct bpf_object_skeleton) */

	const char *name;
	const void *data;	/* embedded ELF image */
	size_t data_sz;

	struct bpf_object **obj;

	int map_cnt;
	int map_skel_sz;	/* sizeof(struct bpf_map_skeleton) */
	struct bpf_map_skeleton *maps;

	int prog_cnt;
	int prog_skel_sz;	/* sizeof(struct bpf_prog_skeleton) */
	struct bpf_prog_skeleton *progs;
};

LIBBPF_API int
bpf_object__open_skeleton(struct bpf_object_skeleton *s,
			  const struct bpf_object_open_opts *opts);
LIBBPF_API int bpf_object__load_skeleton(struct bpf_object_skeleton *s);
LIBBPF_API int bpf_object__attach_skeleton(struct bpf_object_skeleton *s);
LIBBPF_API void bpf_object__detach_skeleton(struct bpf_object_skeleton *s);
LIBBPF_API void bpf_object__destroy_skeleton(struct bpf_object_skeleton *s);

struct bpf_var_skeleton {
	const char *name;
	struct bpf_map **map;
	void **addr;
};

struct bpf_object_subskeleton {
	size_t sz;		/* sizeof(struct bpf_object_subskeleton) */

	const struct bpf_object *obj;

	int map_cnt;
	int map_skel_sz;	/* sizeof(struct bpf_map_skeleton) */
	struct bpf_map_skeleton *maps;

	int prog_cnt;
	int prog_skel_sz;	/* sizeof(struct bpf_prog_skeleton) */
	struct bpf_prog_skeleton *progs;

	int var_cnt;
	int var_skel_sz;	/* sizeof(struct bpf_var_skeleton) */
	struct bpf_var_skeleton *vars;
};

LIBBPF_API int
bpf_object__open_subskeleton(struct bpf_object_subskeleton *s);
LIBBPF_API void
bpf_object__destroy_subskeleton(struct bpf_object_subskeleton *s);

/* ------------------------------------------------------------------------
 * Loader program generation (light skeletons)
 * ------------------------------------------------------------------------ */

struct gen_loader_opts {
	size_t sz;		/* sizeof(struct gen_loader_opts) */
	const char *data;	/* out: loader data blob */
	const char *insns;	/* out: loader program instructions */
	__u32 data_sz;
	__u32 insns_sz;
};

#define gen_loader_opts__last_field insns_sz
LIBBPF_API int bpf_object__gen_loader(struct bpf_object *obj,
				      struct gen_loader_opts *opts);

/* Value of a tristate Kconfig extern. */
enum libbpf_tristate {
	TRI_NO = 0,
	TRI_YES = 1,
	TRI_MODULE = 2,
};

/* ------------------------------------------------------------------------
 * Static linker for BPF object files
 * ------------------------------------------------------------------------ */

struct bpf_linker_opts {
	size_t sz;	/* sizeof(struct bpf_linker_opts) */
};
#define bpf_linker_opts__last_field sz

struct bpf_linker_file_opts {
	size_t sz;	/* sizeof(struct bpf_linker_file_opts) */
};
#define bpf_linker_file_opts__last_field sz

struct bpf_linker;

LIBBPF_API struct bpf_linker *bpf_linker__new(const char *filename, struct bpf_linker_opts *opts);
LIBBPF_API int bpf_linker__add_file(struct bpf_linker *linker,
				    const char *filename,
				    const struct bpf_linker_file_opts *opts);
LIBBPF_API int bpf_linker__finalize(struct bpf_linker *linker);
LIBBPF_API void bpf_linker__free(struct bpf_linker *linker);

/* ------------------------------------------------------------------------
 * Custom SEC() handlers
 * ------------------------------------------------------------------------ */

struct bpf_prog_load_opts; /* see bpf.h */

/* Invoked at open time for each program matching the handler. */
typedef int (*libbpf_prog_setup_fn_t)(struct bpf_program *prog, long cookie);

/* Invoked just before the program is loaded; may adjust load opts. */
typedef int (*libbpf_prog_prepare_load_fn_t)(struct bpf_program *prog,
					     struct bpf_prog_load_opts *opts, long cookie);

/* Invoked for auto-attach; return 0 with *link == NULL if not applicable. */
typedef int (*libbpf_prog_attach_fn_t)(const struct bpf_program *prog, long cookie,
				       struct bpf_link **link);

struct libbpf_prog_handler_opts {
	size_t sz;		/* sizeof(struct libbpf_prog_handler_opts) */
	long cookie;		/* passed to every callback below */
	libbpf_prog_setup_fn_t prog_setup_fn;			/* optional */
	libbpf_prog_prepare_load_fn_t prog_prepare_load_fn;	/* optional */
	libbpf_prog_attach_fn_t prog_attach_fn;			/* optional */
};
#define libbpf_prog_handler_opts__last_field prog_attach_fn

/* sec: "name" (exact), "name/" (with suffix), "name+" (either), or NULL for
 * a fallback handler. Returns a handler id (>= 0) or a negative error.
 * Not thread safe.
 */
LIBBPF_API int libbpf_register_prog_handler(const char *sec,
					    enum bpf_prog_type prog_type,
					    enum bpf_attach_type exp_attach_type,
					    const struct libbpf_prog_handler_opts *opts);
LIBBPF_API int libbpf_unregister_prog_handler(int handler_id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* __LIBBPF_LIBBPF_H */
