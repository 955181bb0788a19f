/* Slot numbers of the "cnt" array map shared by the BPF objects and probe.c.
 * Slot CFG_TGID is written by the probe (the process whose events count). */
#ifndef ATTACH_COMMON_H
#define ATTACH_COMMON_H
enum {
	CFG_TGID = 0,
	C_TP,          /* tp/syscalls/sys_enter_getppid (tp_cookie) */
	C_TP_COOKIE,
	C_TPL,         /* tracepoint/syscalls/sys_enter_getppid (tp_long) */
	C_RAW,         /* raw_tp/sys_enter, getppid only */
	C_RAW2,        /* raw_tp (no target), getppid only */
	C_UP,          /* uprobe */
	C_UP_COOKIE,
	C_UP_ARG,
	C_URET,        /* uretprobe */
	C_URET_RC,
	C_URET_COOKIE,
	C_UPA,         /* uprobe//proc/self/exe:attach_target_fn */
	C_URETA,       /* uretprobe//proc/self/exe:attach_target_fn */
	C_PE,          /* perf_event */
	C_PE_COOKIE,
	C_PETP,        /* tracepoint program on a tracepoint perf event */
	C_PETP_COOKIE,
	C_CG,          /* cgroup/sock_create */
	C_CG2,
	C_SKL,         /* sk_lookup */
	C_SKL2,
	C_XDP,         /* xdp */
	C_XDP2,
	C_ALT,         /* tp_alt (update_program target) */
	C_CUSTOM,      /* custom/ section program */
	C_SK_TP,       /* skeleton: tp */
	C_SK_RAW,      /* skeleton: raw_tp */
	C_SK_OFF,      /* skeleton: autoattach off */
	C_SK_PRE,      /* skeleton: user pre-filled link slot */
	C_SK_TP2,      /* skeleton: second tp after the kprobe */
	C_SO,          /* struct_ops */
	C_NSLOTS = 40,
};
#endif
