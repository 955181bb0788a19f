/* Differential probe for libbpf_probe_bpf_prog_type / _map_type / _helper.
 * Built once against the reference headers; run against the reference and
 * against SwiftBPF. Prints the realpath of the libbpf.so it mapped, then one
 * line per call: section, arguments, return value and errno (errno is reset to
 * 0 before each call so a value left by a failed syscall is compared too).
 * Finally it checks that no file descriptor leaked. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

static void print_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], path[PATH_MAX];
	if (!f) { printf("MAPPED ?\n"); return; }
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		if (!p || !strstr(p, "libbpf.so")) continue;
		p[strcspn(p, "\n")] = 0;
		if (!realpath(p, path)) snprintf(path, sizeof(path), "%s", p);
		printf("MAPPED %s\n", path);
		fclose(f);
		return;
	}
	fclose(f);
	printf("MAPPED none\n");
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	if (!d) return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

/* anything the library logs becomes part of the compared output */
static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, args);
	buf[strcspn(buf, "\n")] = 0;
	printf("log %d %s\n", (int)level, buf);
	return 0;
}

int main(int argc, char **argv)
{
	long opts_blob[8] = { sizeof(opts_blob) };
	int max_helper = argc > 1 ? atoi(argv[1]) : 210;
	int fds_before, fds_after, ret, err, t, h;
	int prog_types[64], map_types[64], np = 0, nm = 0;

	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	print_mapped();
	libbpf_set_print(print_fn);
	fds_before = count_fds();

	for (t = 0; t <= 40; t++) prog_types[np++] = t;
	prog_types[np++] = 1000;
	prog_types[np++] = -1;
	for (t = 0; t <= 40; t++) map_types[nm++] = t;
	map_types[nm++] = 1000;
	map_types[nm++] = -1;

	for (int i = 0; i < np; i++) {
		errno = 0;
		ret = libbpf_probe_bpf_prog_type(prog_types[i], NULL);
		err = errno;
		printf("prog %d ret=%d errno=%d\n", prog_types[i], ret, err);
	}
	for (int i = 0; i < nm; i++) {
		errno = 0;
		ret = libbpf_probe_bpf_map_type(map_types[i], NULL);
		err = errno;
		printf("map %d ret=%d errno=%d\n", map_types[i], ret, err);
	}
	/* non-NULL opts: rejected before anything else */
	for (t = 0; t <= 33; t += 11) {
		errno = 0;
		ret = libbpf_probe_bpf_prog_type(t, opts_blob);
		printf("opts prog %d ret=%d errno=%d\n", t, ret, errno);
		errno = 0;
		ret = libbpf_probe_bpf_map_type(t, opts_blob);
		printf("opts map %d ret=%d errno=%d\n", t, ret, errno);
		errno = 0;
		ret = libbpf_probe_bpf_helper(t, 1, opts_blob);
		printf("opts helper %d ret=%d errno=%d\n", t, ret, errno);
	}
	errno = 0;
	ret = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACING, 1, opts_blob);
	printf("opts helper tracing ret=%d errno=%d\n", ret, errno);

	for (int i = 0; i < np; i++) {
		for (h = 0; h <= max_helper; h++) {
			errno = 0;
			ret = libbpf_probe_bpf_helper(prog_types[i], h, NULL);
			err = errno;
			printf("helper %d %d ret=%d errno=%d\n", prog_types[i], h, ret, err);
		}
		for (h = 211; h <= 260; h += 49) {
			errno = 0;
			ret = libbpf_probe_bpf_helper(prog_types[i], h, NULL);
			printf("helper %d %d ret=%d errno=%d\n", prog_types[i], h, ret, errno);
		}
		errno = 0;
		ret = libbpf_probe_bpf_helper(prog_types[i], -1, NULL);
		printf("helper %d -1 ret=%d errno=%d\n", prog_types[i], ret, errno);
	}

	fds_after = count_fds();
	printf("fds %s before=%d after=%d\n", fds_before == fds_after ? "same" : "LEAKED",
	       fds_before, fds_after);
	printf("END\n");
	return 0;
}
