/* Thin glue for what Swift cannot express: variadic calls, va_list, errno.
 * No logic lives here: every function is one call. */
#include "CBPF.h"

int sbpf_errno(void) { return errno; }

void sbpf_set_errno(int value) { errno = value; }

long sbpf_bpf(int cmd, union bpf_attr *attr, unsigned int size) { return syscall(__NR_bpf, cmd, attr, size); }

int sbpf_dupfd_cloexec(int fd, int min_fd) { return fcntl(fd, F_DUPFD_CLOEXEC, min_fd); }

int sbpf_dup3(int fd, int new_fd, int flags) { return syscall(__NR_dup3, fd, new_fd, flags); }

int sbpf_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd, unsigned long flags) { return syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags); }

int sbpf_open(const char *path, int flags, unsigned int mode) { return open(path, flags, mode); }

static int sbpf_call_print_va(libbpf_print_fn_t fn, enum libbpf_print_level level, const char *format, ...)
{
	va_list args;
	int ret;

	va_start(args, format);
	ret = fn(level, format, args);
	va_end(args);
	return ret;
}

int sbpf_call_print(const void *fn, enum libbpf_print_level level, const char *message)
{
	return sbpf_call_print_va((libbpf_print_fn_t)fn, level, "%s", message);
}

static void sbpf_call_dump_printf_va(btf_dump_printf_fn_t fn, void *ctx, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fn(ctx, format, args);
	va_end(args);
}

void sbpf_call_dump_printf(const void *fn, void *ctx, const char *text)
{
	sbpf_call_dump_printf_va((btf_dump_printf_fn_t)fn, ctx, "%s", text);
}

int sbpf_default_print(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, format, args);
}

const void *sbpf_default_print_fn(void) { return (const void *)sbpf_default_print; }

int __xpg_strerror_r(int err, char *buf, size_t size);

int sbpf_strerror_r(int err, char *buf, size_t size) { return __xpg_strerror_r(err, buf, size); }

int sbpf_format_float(char *buf, size_t size, const void *v, int sz) { union { long double ld; double d; float f; } x; memcpy(&x, v, sz); return sz == 16 ? snprintf(buf, size, "%Lf", x.ld) : sz == 8 ? snprintf(buf, size, "%lf", x.d) : snprintf(buf, size, "%f", x.f); }

/* ---- links: perf event ioctls (ioctl(2) is variadic) ---- */
#include <sys/ioctl.h>
int sbpf_perf_event_enable(int fd) { return ioctl(fd, PERF_EVENT_IOC_ENABLE, 0); }
int sbpf_perf_event_disable(int fd) { return ioctl(fd, PERF_EVENT_IOC_DISABLE, 0); }
int sbpf_perf_event_set_bpf(int fd, int prog_fd) { return ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd); }
