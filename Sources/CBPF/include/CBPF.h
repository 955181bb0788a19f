/* The C view the Swift core is built on: libc, the kernel UAPI, libelf, zlib,
 * our own public headers, and the few glue functions Swift cannot express.
 * Embedded Swift has no Glibc overlay, so everything from C comes through here. */
#ifndef SWIFTBPF_CBPF_H
#define SWIFTBPF_CBPF_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <libelf.h>
#include <gelf.h>
#include <zlib.h>

#include "../../../include/bpf/libbpf.h"
#include "../../../include/bpf/bpf.h"
#include "../../../include/bpf/btf.h"
#include "../../../include/bpf/libbpf_legacy.h"
#include "../../../include/bpf/libbpf_version.h"
#include "BPFLayout.h"

/* errno is a macro over a thread-local: Swift can neither read nor assign it. */
int sbpf_errno(void);
void sbpf_set_errno(int value);

/* bpf(2) through syscall(2), which is variadic. */
long sbpf_bpf(int cmd, union bpf_attr *attr, unsigned int size);

/* fcntl(2) is variadic: F_DUPFD_CLOEXEC with a minimum fd. */
int sbpf_dupfd_cloexec(int fd, int min_fd);

/* dup3(2) needs _GNU_SOURCE, which the Swift view of libc does not define. */
int sbpf_dup3(int fd, int new_fd, int flags);

/* perf_event_open(2) has no libc wrapper (syscall(2) is variadic). */
int sbpf_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags);

/* open(2) is variadic. */
int sbpf_open(const char *path, int flags, unsigned int mode);

/* Calls a libbpf_print_fn_t (whose last parameter is a va_list) with the
 * format "%s" and an already formatted message. */
int sbpf_call_print(const void *fn, enum libbpf_print_level level, const char *message);

/* Calls a btf_dump_printf_fn_t (last parameter a va_list) with "%s" and a
 * formatted chunk of output. */
void sbpf_call_dump_printf(const void *fn, void *ctx, const char *text);

/* The default print callback: what libbpf prints when the user set none. */
int sbpf_default_print(enum libbpf_print_level level, const char *format, va_list args);
/* Its address, as the opaque pointer the Swift side stores callbacks as. */
const void *sbpf_default_print_fn(void);

/* The XSI strerror_r (returns an error number, never a pointer to a static string). */
int sbpf_strerror_r(int err, char *buf, size_t size);

/* printf's %f (sz 4), %lf (8) or %Lf (16) of the sz bytes at v: btf_dump's floats. */
int sbpf_format_float(char *buf, size_t size, const void *v, int sz);

/* ---- links: perf event ioctls (ioctl(2) is variadic) ---- */
int sbpf_perf_event_enable(int fd);
int sbpf_perf_event_disable(int fd);
int sbpf_perf_event_set_bpf(int fd, int prog_fd);

/* ---- buffers (ring buffer, user ring buffer, perf buffer) ---- */
#include <sys/epoll.h>
#include <time.h>
/* (perf event enable/disable: sbpf_perf_event_enable/disable of the links block) */

/* ---- netlink (XDP and TC attach through rtnetlink) ---- */
/* socket(2) and friends, struct msghdr, and the rtnetlink/TC UAPI. */
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/pkt_cls.h>

#endif
