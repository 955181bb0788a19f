/*
 * rss_consumer: a trivial program linked with -lbpf (DT_NEEDED libbpf.so.1).
 * Calls libbpf_version_string, libbpf_num_possible_cpus and libbpf_strerror
 * once each, then reports which libbpf.so.1 the dynamic loader mapped and the
 * process's peak RSS in KiB.
 *
 * The peak is VmHWM from /proc/self/status (the high-water mark of this
 * process image's own mm). getrusage(RUSAGE_SELF).ru_maxrss is printed too
 * but not used: on Linux it also keeps the RSS of the image that called
 * exec(), i.e. of the forking shell, so a fat parent inflates it (a bash
 * holding 20 MB gives ru_maxrss ~42 MB for this 2 MB program).
 *
 * prints one line:
 *   hwm_kb=<n> maxrss_kb=<n> loader=<dli_fname> mapped=<path in maps> nlibbpf=<n> version=<s> ...
 *
 * Prototypes are declared here rather than taken from <bpf/libbpf.h> so only
 * the library (not its headers) is needed to build this.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

const char *libbpf_version_string(void);
int libbpf_num_possible_cpus(void);
int libbpf_strerror(int err, char *buf, size_t size);

int main(void)
{
	const char *ver = libbpf_version_string();
	int cpus = libbpf_num_possible_cpus();
	char errbuf[128];
	int serr = libbpf_strerror(-2 /* -ENOENT */, errbuf, sizeof(errbuf));

	Dl_info info;
	const char *loader = "?";
	if (dladdr((void *)&libbpf_version_string, &info) && info.dli_fname)
		loader = info.dli_fname;

	/* which file is mapped, and is there exactly one libbpf? */
	char mapped[PATH_MAX] = "";
	int nlibbpf = 0;
	FILE *maps = fopen("/proc/self/maps", "r");
	if (maps) {
		char line[PATH_MAX + 256];
		while (fgets(line, sizeof(line), maps)) {
			char *p = strchr(line, '/');
			if (!p || !strstr(p, "libbpf"))
				continue;
			p[strcspn(p, "\n")] = 0;
			if (!mapped[0]) {
				snprintf(mapped, sizeof(mapped), "%s", p);
				nlibbpf = 1;
			} else if (strcmp(p, mapped) != 0)
				nlibbpf = 2; /* a second, different libbpf file */
		}
		fclose(maps);
	}

	long hwm = -1;
	FILE *st = fopen("/proc/self/status", "r");
	if (st) {
		char line[256];
		while (fgets(line, sizeof(line), st))
			if (sscanf(line, "VmHWM: %ld kB", &hwm) == 1)
				break;
		fclose(st);
	}

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);

	printf("hwm_kb=%ld maxrss_kb=%ld loader=%s mapped=%s nlibbpf=%d version=%s cpus=%d strerror_rc=%d\n",
	       hwm, ru.ru_maxrss, loader, mapped[0] ? mapped : "?", nlibbpf,
	       ver ? ver : "(null)", cpus, serr);
	return (cpus > 0 && ver && hwm > 0) ? 0 : 4;
}
