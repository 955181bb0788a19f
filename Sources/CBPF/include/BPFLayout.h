/* Layout facts the Swift side needs but cannot compute: Swift sees the fields of
 * union bpf_attr's anonymous structs as computed properties, so it has no offsets
 * for them. Each value is derived by the C compiler from the UAPI header or from
 * our public headers; nothing here is written by hand. */
#ifndef SWIFTBPF_BPFLAYOUT_H
#define SWIFTBPF_BPFLAYOUT_H

#include <stddef.h>
#include <linux/bpf.h>
#include "../../../include/bpf/bpf.h"
#include "../../../include/bpf/libbpf.h"
#include "../../../include/bpf/btf.h"

#define SBPF_OFFSETOFEND(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define SBPF_ATTR_END(field) SBPF_OFFSETOFEND(union bpf_attr, field)
/* The bytes of an opts struct this library knows: up to its __last_field. */
#define SBPF_OPTS_END(type) SBPF_OFFSETOFEND(struct type, type##__last_field)

/* How many bytes of union bpf_attr each command passes to the kernel (as the
 * reference: up to the last field that command uses). */
enum sbpf_attr_size {
	SBPF_ATTR_MAP_CREATE      = SBPF_ATTR_END(map_extra),
	SBPF_ATTR_MAP_ELEM        = SBPF_ATTR_END(flags),
	SBPF_ATTR_MAP_NEXT_KEY    = SBPF_ATTR_END(next_key),
	SBPF_ATTR_MAP_FREEZE      = SBPF_ATTR_END(map_fd),
	SBPF_ATTR_MAP_BATCH       = SBPF_ATTR_END(batch),
	SBPF_ATTR_PROG_LOAD       = SBPF_ATTR_END(fd_array),
	SBPF_ATTR_PROG_NAME_PROBE = SBPF_ATTR_END(prog_name),
	SBPF_ATTR_MEMCG_PROBE     = SBPF_ATTR_END(attach_btf_obj_fd),
	SBPF_ATTR_OBJ             = SBPF_ATTR_END(file_flags),
	SBPF_ATTR_PROG_ATTACH     = SBPF_ATTR_END(replace_bpf_fd),
	SBPF_ATTR_GET_ID          = SBPF_ATTR_END(open_flags),
	SBPF_ATTR_INFO            = SBPF_ATTR_END(info),
	SBPF_ATTR_QUERY           = SBPF_ATTR_END(query),
	SBPF_ATTR_RAW_TRACEPOINT  = SBPF_ATTR_END(raw_tracepoint),
	SBPF_ATTR_BTF_LOAD        = SBPF_ATTR_END(btf_log_level),
	SBPF_ATTR_TASK_FD_QUERY   = SBPF_ATTR_END(task_fd_query),
	SBPF_ATTR_LINK_CREATE     = SBPF_ATTR_END(link_create),
	SBPF_ATTR_LINK_UPDATE     = SBPF_ATTR_END(link_update),
	SBPF_ATTR_LINK_DETACH     = SBPF_ATTR_END(link_detach),
	SBPF_ATTR_ENABLE_STATS    = SBPF_ATTR_END(enable_stats),
	SBPF_ATTR_ITER_CREATE     = SBPF_ATTR_END(iter_create),
	SBPF_ATTR_PROG_BIND_MAP   = SBPF_ATTR_END(prog_bind_map),
	SBPF_ATTR_TEST_RUN        = SBPF_ATTR_END(test),
};

/* The known size of every opts struct (offsetofend of its __last_field). */
enum sbpf_opts_size {
	SBPF_OPTS_bpf_map_create_opts    = SBPF_OPTS_END(bpf_map_create_opts),
	SBPF_OPTS_bpf_prog_load_opts     = SBPF_OPTS_END(bpf_prog_load_opts),
	SBPF_OPTS_bpf_btf_load_opts      = SBPF_OPTS_END(bpf_btf_load_opts),
	SBPF_OPTS_bpf_map_batch_opts     = SBPF_OPTS_END(bpf_map_batch_opts),
	SBPF_OPTS_bpf_obj_get_opts       = SBPF_OPTS_END(bpf_obj_get_opts),
	SBPF_OPTS_bpf_prog_attach_opts   = SBPF_OPTS_END(bpf_prog_attach_opts),
	SBPF_OPTS_bpf_link_create_opts   = SBPF_OPTS_END(bpf_link_create_opts),
	SBPF_OPTS_bpf_link_update_opts   = SBPF_OPTS_END(bpf_link_update_opts),
	SBPF_OPTS_bpf_get_fd_by_id_opts  = SBPF_OPTS_END(bpf_get_fd_by_id_opts),
	SBPF_OPTS_bpf_prog_query_opts    = SBPF_OPTS_END(bpf_prog_query_opts),
	SBPF_OPTS_bpf_prog_bind_opts     = SBPF_OPTS_END(bpf_prog_bind_opts),
	SBPF_OPTS_bpf_test_run_opts      = SBPF_OPTS_END(bpf_test_run_opts),
	SBPF_OPTS_gen_loader_opts        = SBPF_OPTS_END(gen_loader_opts),
	SBPF_OPTS_bpf_object_open_opts   = SBPF_OPTS_END(bpf_object_open_opts),
	SBPF_OPTS_btf_dump_opts          = SBPF_OPTS_END(btf_dump_opts),
	SBPF_OPTS_btf_dump_emit_type_decl_opts = SBPF_OPTS_END(btf_dump_emit_type_decl_opts),
	SBPF_OPTS_btf_dump_type_data_opts = SBPF_OPTS_END(btf_dump_type_data_opts),
	SBPF_OPTS_btf_dedup_opts         = SBPF_OPTS_END(btf_dedup_opts),
	SBPF_OPTS_libbpf_prog_handler_opts = SBPF_OPTS_END(libbpf_prog_handler_opts),
	SBPF_OPTS_ring_buffer_opts       = SBPF_OPTS_END(ring_buffer_opts),
	SBPF_OPTS_user_ring_buffer_opts  = SBPF_OPTS_END(user_ring_buffer_opts),
	SBPF_OPTS_perf_buffer_opts       = SBPF_OPTS_END(perf_buffer_opts),
	SBPF_OPTS_perf_buffer_raw_opts   = SBPF_OPTS_END(perf_buffer_raw_opts),
	/* the static linker */
	SBPF_OPTS_bpf_linker_opts        = SBPF_OPTS_END(bpf_linker_opts),
	SBPF_OPTS_bpf_linker_file_opts   = SBPF_OPTS_END(bpf_linker_file_opts),
	/* links (bpf_program__attach_*) */
	SBPF_OPTS_bpf_perf_event_opts    = SBPF_OPTS_END(bpf_perf_event_opts),
	SBPF_OPTS_bpf_kprobe_opts        = SBPF_OPTS_END(bpf_kprobe_opts),
	SBPF_OPTS_bpf_kprobe_multi_opts  = SBPF_OPTS_END(bpf_kprobe_multi_opts),
	SBPF_OPTS_bpf_ksyscall_opts      = SBPF_OPTS_END(bpf_ksyscall_opts),
	SBPF_OPTS_bpf_uprobe_opts        = SBPF_OPTS_END(bpf_uprobe_opts),
	SBPF_OPTS_bpf_tracepoint_opts    = SBPF_OPTS_END(bpf_tracepoint_opts),
	SBPF_OPTS_bpf_trace_opts         = SBPF_OPTS_END(bpf_trace_opts),
	SBPF_OPTS_bpf_iter_attach_opts   = SBPF_OPTS_END(bpf_iter_attach_opts),
	/* netlink: XDP and TC attach */
	SBPF_OPTS_bpf_xdp_attach_opts    = SBPF_OPTS_END(bpf_xdp_attach_opts),
	SBPF_OPTS_bpf_xdp_query_opts     = SBPF_OPTS_END(bpf_xdp_query_opts),
	SBPF_OPTS_bpf_tc_hook            = SBPF_OPTS_END(bpf_tc_hook),
	SBPF_OPTS_bpf_tc_opts            = SBPF_OPTS_END(bpf_tc_opts),
	/* Ends of members inside bpf_link_create_opts' anonymous union. */
	SBPF_LINK_CREATE_END_flags        = SBPF_OFFSETOFEND(struct bpf_link_create_opts, flags),
	SBPF_LINK_CREATE_END_target_btf_id = SBPF_OFFSETOFEND(struct bpf_link_create_opts, target_btf_id),
	SBPF_LINK_CREATE_END_perf_event   = SBPF_OFFSETOFEND(struct bpf_link_create_opts, perf_event),
	SBPF_LINK_CREATE_END_perf_event_bpf_cookie = SBPF_OFFSETOFEND(struct bpf_link_create_opts, perf_event.bpf_cookie),
	SBPF_LINK_CREATE_END_kprobe_multi = SBPF_OFFSETOFEND(struct bpf_link_create_opts, kprobe_multi),
	SBPF_LINK_CREATE_END_kprobe_multi_flags   = SBPF_OFFSETOFEND(struct bpf_link_create_opts, kprobe_multi.flags),
	SBPF_LINK_CREATE_END_kprobe_multi_cnt     = SBPF_OFFSETOFEND(struct bpf_link_create_opts, kprobe_multi.cnt),
	SBPF_LINK_CREATE_END_kprobe_multi_syms    = SBPF_OFFSETOFEND(struct bpf_link_create_opts, kprobe_multi.syms),
	SBPF_LINK_CREATE_END_kprobe_multi_addrs   = SBPF_OFFSETOFEND(struct bpf_link_create_opts, kprobe_multi.addrs),
	SBPF_LINK_CREATE_END_kprobe_multi_cookies = SBPF_OFFSETOFEND(struct bpf_link_create_opts, kprobe_multi.cookies),
	SBPF_LINK_CREATE_END_tracing      = SBPF_OFFSETOFEND(struct bpf_link_create_opts, tracing),
	SBPF_LINK_CREATE_END_tracing_cookie = SBPF_OFFSETOFEND(struct bpf_link_create_opts, tracing.cookie),
	SBPF_LINK_CREATE_OFF_perf_event_bpf_cookie = offsetof(struct bpf_link_create_opts, perf_event.bpf_cookie),
	SBPF_LINK_CREATE_OFF_kprobe_multi_flags    = offsetof(struct bpf_link_create_opts, kprobe_multi.flags),
	SBPF_LINK_CREATE_OFF_kprobe_multi_cnt      = offsetof(struct bpf_link_create_opts, kprobe_multi.cnt),
	SBPF_LINK_CREATE_OFF_kprobe_multi_syms     = offsetof(struct bpf_link_create_opts, kprobe_multi.syms),
	SBPF_LINK_CREATE_OFF_kprobe_multi_addrs    = offsetof(struct bpf_link_create_opts, kprobe_multi.addrs),
	SBPF_LINK_CREATE_OFF_kprobe_multi_cookies  = offsetof(struct bpf_link_create_opts, kprobe_multi.cookies),
	SBPF_LINK_CREATE_OFF_tracing_cookie        = offsetof(struct bpf_link_create_opts, tracing.cookie),
};

#endif
