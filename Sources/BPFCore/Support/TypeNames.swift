/// The names libbpf 1.1 gives the kernel's program, map, attach and link types:
/// the UAPI enum constant, lowercased, without its prefix. Indexed by enum value;
/// values past the end have no name (the C API returns NULL for them).
/// The literals are NUL-terminated in the binary, so `utf8Start` is a valid C string.
public enum TypeNames {
    public static func name(_ table: [StaticString], _ value: UInt32) -> StaticString? {
        value < UInt32(table.count) ? table[Int(value)] : nil
    }

    /// `enum bpf_prog_type`, BPF_PROG_TYPE_UNSPEC .. BPF_PROG_TYPE_SYSCALL.
    public static let programTypes: [StaticString] = [
        "unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
        "perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops",
        "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint", "cgroup_sock_addr",
        "lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
        "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm",
        "sk_lookup", "syscall",
    ]

    /// `enum bpf_map_type`, BPF_MAP_TYPE_UNSPEC .. BPF_MAP_TYPE_CGRP_STORAGE.
    public static let mapTypes: [StaticString] = [
        "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
        "percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
        "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap",
        "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue",
        "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage",
        "task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage",
    ]

    /// `enum bpf_attach_type`, BPF_CGROUP_INET_INGRESS .. BPF_LSM_CGROUP. Not a mechanical
    /// rename: libbpf shortens some (BPF_TRACE_FENTRY is "trace_fentry" but
    /// BPF_MODIFY_RETURN is "modify_return", BPF_XDP_DEVMAP is "xdp_devmap").
    public static let attachTypes: [StaticString] = [
        "cgroup_inet_ingress", "cgroup_inet_egress", "cgroup_inet_sock_create",
        "cgroup_sock_ops", "sk_skb_stream_parser", "sk_skb_stream_verdict", "cgroup_device",
        "sk_msg_verdict", "cgroup_inet4_bind", "cgroup_inet6_bind", "cgroup_inet4_connect",
        "cgroup_inet6_connect", "cgroup_inet4_post_bind", "cgroup_inet6_post_bind",
        "cgroup_udp4_sendmsg", "cgroup_udp6_sendmsg", "lirc_mode2", "flow_dissector",
        "cgroup_sysctl", "cgroup_udp4_recvmsg", "cgroup_udp6_recvmsg", "cgroup_getsockopt",
        "cgroup_setsockopt", "trace_raw_tp", "trace_fentry", "trace_fexit", "modify_return",
        "lsm_mac", "trace_iter", "cgroup_inet4_getpeername", "cgroup_inet6_getpeername",
        "cgroup_inet4_getsockname", "cgroup_inet6_getsockname", "xdp_devmap",
        "cgroup_inet_sock_release", "xdp_cpumap", "sk_lookup", "xdp", "sk_skb_verdict",
        "sk_reuseport_select", "sk_reuseport_select_or_migrate", "perf_event",
        "trace_kprobe_multi", "lsm_cgroup",
    ]

    /// `enum bpf_link_type`, BPF_LINK_TYPE_UNSPEC .. BPF_LINK_TYPE_STRUCT_OPS.
    public static let linkTypes: [StaticString] = [
        "unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event",
        "kprobe_multi", "struct_ops",
    ]
}
