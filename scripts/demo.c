/* A small libbpf consumer: prints the library version, some type names, the CPU
 * count, an error string, and which libbpf.so.1 file the dynamic loader mapped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <bpf/libbpf.h>

static void print_mapped_libbpf(void)
{
	char line[PATH_MAX + 256], real[PATH_MAX];
	FILE *maps = fopen("/proc/self/maps", "r");

	while (maps && fgets(line, sizeof(line), maps)) {
		char *path = strchr(line, '/');
		if (!path || !strstr(path, "libbpf.so"))
			continue;
		path[strcspn(path, "\n")] = 0;
		printf("loaded: %s\n", realpath(path, real) ? real : path);
		break;
	}
	if (maps)
		fclose(maps);
}

int main(void)
{
	char msg[128];
	int t;

	printf("libbpf %s (major %u, minor %u)\n", libbpf_version_string(),
	       libbpf_major_version(), libbpf_minor_version());
	printf("program types:");
	for (t = 0; libbpf_bpf_prog_type_str(t); t++)
		printf(" %s", libbpf_bpf_prog_type_str(t));
	printf("\nmap types:");
	for (t = 0; libbpf_bpf_map_type_str(t); t++)
		printf(" %s", libbpf_bpf_map_type_str(t));
	printf("\nlink types:");
	for (t = 0; libbpf_bpf_link_type_str(t); t++)
		printf(" %s", libbpf_bpf_link_type_str(t));
	printf("\nattach types:");
	for (t = 0; libbpf_bpf_attach_type_str(t); t++)
		printf(" %s", libbpf_bpf_attach_type_str(t));
	printf("\npossible CPUs: %d\n", libbpf_num_possible_cpus());
	libbpf_strerror(-LIBBPF_ERRNO__VERIFY, msg, sizeof(msg));
	printf("libbpf_strerror(-LIBBPF_ERRNO__VERIFY): %s\n", msg);
	print_mapped_libbpf();
	return 0;
}
