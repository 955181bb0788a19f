/* SwiftBPF object_load: bpf_object__load_skeleton on a bpftool-generated
 * skeleton of src/skel_globals.c. Prints the log, the load result, whether each
 * mmaped pointer kept its address (the kernel map is mapped over the initial
 * value), and that writes through the skeleton reach the kernel maps (read back
 * with the raw syscall) and the other way round. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "skel_globals.skel.h"

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char buf[8192];
	vsnprintf(buf, sizeof(buf), fmt, args);
	for (char *p = buf; *p; p++) {
		if (p[0] == 'f' && p[1] == 'd' && p[2] == '=') {
			p += 3;
			while (*p >= '0' && *p <= '9')
				*p++ = 'N';
			p--;
		}
	}
	printf("log %d %s", level, buf);
	return 0;
}

static int lookup(int fd, void *value)
{
	union bpf_attr attr;
	int key = 0;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)value;
	return syscall(__NR_bpf, BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

static int update(int fd, void *value)
{
	union bpf_attr attr;
	int key = 0;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (unsigned long)&key;
	attr.value = (unsigned long)value;
	return syscall(__NR_bpf, BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

static void print_maps(void)
{
	FILE *m = fopen("/proc/self/maps", "r");
	char line[4096];
	printf("MAPPED");
	while (m && fgets(line, sizeof(line), m)) {
		char *p = strchr(line, '/'), rp[PATH_MAX];
		if (!p)
			continue;
		p[strcspn(p, "\n")] = 0;
		if (strncmp(strrchr(p, '/') + 1, "libbpf.so", 9) || !realpath(p, rp))
			continue;
		printf(" %s", rp);
		break;
	}
	printf("\n");
	if (m)
		fclose(m);
}

int main(void)
{
	struct skel_globals *skel;
	char buf[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	print_maps();
	libbpf_set_print(print_fn);
	skel = skel_globals__open();
	if (!skel) {
		printf("open failed errno=%d\nEND\n", errno);
		return 0;
	}
	void *data = skel->data, *bss = skel->bss, *rodata = skel->rodata, *custom = skel->data_custom;
	skel->rodata->threshold = 3;
	skel->data->counter = 42;
	int err = skel_globals__load(skel);
	printf("load = %d errno=%d\n", err, err ? errno : 0);
	printf("same address data=%d bss=%d rodata=%d custom=%d\n", data == (void *)skel->data,
	       bss == (void *)skel->bss, rodata == (void *)skel->rodata, custom == (void *)skel->data_custom);
	if (!err) {
		printf("rodata threshold=%d data counter=%d custom=%d bss total=%ld\n", skel->rodata->threshold,
		       skel->data->counter, skel->data_custom->custom_value, skel->bss->total);
		skel->bss->total = 1234;
		skel->data->counter = 99;
		memset(buf, 0, sizeof(buf));
		int r = lookup(bpf_map__fd(skel->maps.bss), buf);
		printf("kernel bss lookup=%d total=%ld\n", r, *(long *)buf);
		r = lookup(bpf_map__fd(skel->maps.data), buf);
		printf("kernel data lookup=%d counter=%d\n", r, *(int *)buf);
		*(int *)buf = 555;
		printf("kernel custom update=%d\n", update(bpf_map__fd(skel->maps.data_custom), buf));
		printf("custom via skeleton=%d\n", skel->data_custom->custom_value);
		memset(buf, 0, sizeof(buf));
		r = lookup(bpf_map__fd(skel->maps.rodata), buf);
		printf("kernel rodata lookup=%d threshold=%d\n", r, *(int *)buf);
		*(int *)buf = 1;
		printf("kernel rodata update=%d\n", update(bpf_map__fd(skel->maps.rodata), buf));
		printf("prog fd valid=%d\n", bpf_program__fd(skel->progs.skel_prog) >= 0);
	}
	err = skel_globals__load(skel);
	printf("second load = %d\n", err);
	skel_globals__destroy(skel);
	printf("END\n");
	return 0;
}
