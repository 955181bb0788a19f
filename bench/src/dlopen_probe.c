/*
 * dlopen_probe: measure the cost of loading one libbpf.so.1 in a fresh process.
 *
 * usage: dlopen_probe /abs/path/to/libbpf.so.1
 *
 * Times (CLOCK_MONOTONIC) dlopen(path, RTLD_NOW) + dlsym("libbpf_version_string")
 * + one call, then verifies that the intended file (and no other libbpf) was
 * mapped, using dlinfo(RTLD_DI_LINKMAP) and /proc/self/maps.
 *
 * prints one line:  ns=<n> version=<s> lname=<l_name> mapped=<path in maps>
 * exit status: 0 ok, 2 load failure, 3 verification failure.
 *
 * bench_load() is noinline so callgrind can count only it
 * (valgrind --tool=callgrind --toggle-collect=bench_load).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef const char *(*version_fn)(void);

static void *g_handle;
static const char *g_version;

__attribute__((noinline)) int bench_load(const char *path)
{
	g_handle = dlopen(path, RTLD_NOW);
	if (!g_handle)
		return -1;
	version_fn fn = (version_fn)dlsym(g_handle, "libbpf_version_string");
	if (!fn)
		return -2;
	g_version = fn();
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: %s /abs/path/libbpf.so.1\n", argv[0]);
		return 2;
	}
	const char *path = argv[1];

	long long t0 = now_ns();
	int rc = bench_load(path);
	long long t1 = now_ns();

	if (rc == -1) {
		fprintf(stderr, "dlopen(%s): %s\n", path, dlerror());
		return 2;
	}
	if (rc == -2) {
		fprintf(stderr, "dlsym(libbpf_version_string): %s\n", dlerror());
		return 2;
	}

	/* verification 1: the link map entry is the path we asked for */
	struct link_map *lm = NULL;
	if (dlinfo(g_handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		fprintf(stderr, "dlinfo: %s\n", dlerror());
		return 3;
	}
	if (strcmp(lm->l_name, path) != 0) {
		fprintf(stderr, "verify: l_name=%s != requested %s\n", lm->l_name, path);
		return 3;
	}

	/* verification 2: /proc/self/maps holds the real file, and no other libbpf */
	char want[PATH_MAX];
	if (!realpath(path, want)) {
		perror("realpath");
		return 3;
	}
	FILE *maps = fopen("/proc/self/maps", "r");
	if (!maps) {
		perror("/proc/self/maps");
		return 3;
	}
	char line[PATH_MAX + 256];
	int found = 0, other = 0;
	char other_path[PATH_MAX] = "";
	while (fgets(line, sizeof(line), maps)) {
		char *p = strchr(line, '/');
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strcmp(p, want) == 0) {
			found = 1;
		} else if (strstr(p, "libbpf")) {
			other = 1;
			snprintf(other_path, sizeof(other_path), "%s", p);
		}
	}
	fclose(maps);
	if (!found) {
		fprintf(stderr, "verify: %s not found in /proc/self/maps\n", want);
		return 3;
	}
	if (other) {
		fprintf(stderr, "verify: another libbpf is mapped too: %s\n", other_path);
		return 3;
	}

	printf("ns=%lld version=%s lname=%s mapped=%s\n", t1 - t0,
	       g_version ? g_version : "(null)", lm->l_name, want);
	return 0;
}
