/*
 * Static-link smoke test: linked as `cc static_main.c libbpf.a -lelf -lz`.
 * The prototypes are spelled out here (same types as <bpf/libbpf.h>, where
 * __u32 is unsigned int) so this check depends only on the archive.
 */
#include <stdio.h>

extern unsigned int libbpf_major_version(void);
extern unsigned int libbpf_minor_version(void);
extern const char *libbpf_version_string(void);

int main(void)
{
	printf("libbpf_major_version=%u libbpf_minor_version=%u libbpf_version_string=%s\n",
	       libbpf_major_version(), libbpf_minor_version(),
	       libbpf_version_string());
	return 0;
}
