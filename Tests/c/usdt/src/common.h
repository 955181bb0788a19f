/* Shared between the BPF programs and the probe: one record per probe hit. */
#ifndef USDT_COMMON_H
#define USDT_COMMON_H
#define NREC 64
struct rec {
	__u32 pid;      /* tgid of the process that hit the probe */
	__s32 cnt;      /* bpf_usdt_arg_cnt */
	__u64 cookie;   /* bpf_usdt_cookie */
	__u32 prog;     /* which program recorded it */
	__s32 rets[12]; /* bpf_usdt_arg return codes */
	__s64 args[12]; /* bpf_usdt_arg values (or BPF_USDT's typed args) */
};
#endif
