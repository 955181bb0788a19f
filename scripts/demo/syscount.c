/* The demo tool: a bpftool-generated skeleton opened, configured, loaded and
 * attached through libbpf, a known workload, and the counts read back. It
 * prints which libbpf.so.1 it really runs on and exits non-zero when a count is
 * not the one the workload makes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "syscount.skel.h"

#define GETPPID_CALLS 1000
#define MARKER_CALLS 250

__attribute__((noinline)) int demo_marker(long value)
{
	asm volatile("" ::: "memory");
	return (int)value;
}

static int print_warnings(enum libbpf_print_level level, const char *format, va_list args)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, format, args);
}

static void print_mapped_libbpf(void)
{
	char line[PATH_MAX + 256], real[PATH_MAX];
	FILE *maps = fopen("/proc/self/maps", "r");

	while (maps && fgets(line, sizeof(line), maps)) {
		char *path = strchr(line, '/');
		if (!path || !strstr(path, "libbpf.so"))
			continue;
		path[strcspn(path, "\n")] = 0;
		printf("running on: %s\n", realpath(path, real) ? real : path);
		break;
	}
	if (maps)
		fclose(maps);
}

int main(void)
{
	struct syscount_bpf *skel;
	long expected_sum = 0;
	__u64 getppid_count = 0;
	__u32 key = SYS_getppid;
	int err, i, failed = 0;

	libbpf_set_print(print_warnings);
	print_mapped_libbpf();
	printf("libbpf %s\n", libbpf_version_string());

	skel = syscount_bpf__open();
	if (!skel) {
		fprintf(stderr, "open failed: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->target_tgid = getpid();
	err = syscount_bpf__load(skel);
	if (err) {
		fprintf(stderr, "load failed: %d\n", err);
		goto out;
	}
	printf("loaded: programs %s (fd %s), %s (fd %s); map 'counts' (%u entries)\n",
	       bpf_program__name(skel->progs.count_syscall), bpf_program__fd(skel->progs.count_syscall) > 0 ? "ok" : "missing",
	       bpf_program__name(skel->progs.count_marker), bpf_program__fd(skel->progs.count_marker) > 0 ? "ok" : "missing",
	       bpf_map__max_entries(skel->maps.counts));
	err = syscount_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "attach failed: %d\n", err);
		goto out;
	}
	printf("attached: tracepoint link fd %s, uprobe link fd %s\n",
	       bpf_link__fd(skel->links.count_syscall) > 0 ? "ok" : "missing",
	       bpf_link__fd(skel->links.count_marker) > 0 ? "ok" : "missing");

	for (i = 0; i < GETPPID_CALLS; i++)
		syscall(SYS_getppid);
	for (i = 1; i <= MARKER_CALLS; i++) {
		demo_marker(i);
		expected_sum += i;
	}
	syscount_bpf__detach(skel);

	err = bpf_map__lookup_elem(skel->maps.counts, &key, sizeof(key), &getppid_count, sizeof(getppid_count), 0);
	printf("getppid: %llu calls counted (workload made %d)\n", (unsigned long long)getppid_count, GETPPID_CALLS);
	printf("demo_marker: %llu calls, argument sum %llu (workload: %d calls, sum %ld)\n",
	       (unsigned long long)skel->bss->marker_calls, (unsigned long long)skel->bss->marker_arg_sum,
	       MARKER_CALLS, expected_sum);
	if (err || getppid_count != GETPPID_CALLS)
		failed = 1;
	if (skel->bss->marker_calls != MARKER_CALLS || skel->bss->marker_arg_sum != (__u64)expected_sum)
		failed = 1;
	printf("top system calls of this process while attached:\n");
	for (key = 0; key < 512; key++) {
		__u64 n = 0;
		if (bpf_map__lookup_elem(skel->maps.counts, &key, sizeof(key), &n, sizeof(n), 0) == 0 && n >= 2)
			printf("  syscall %3u: %llu\n", key, (unsigned long long)n);
	}
	printf(failed ? "RESULT: counts differ from the workload\n" : "RESULT: counts match the workload\n");
out:
	syscount_bpf__destroy(skel);
	return err ? 1 : failed;
}
