/* libusdt.so: a probe with a semaphore (fires only while it is attached). */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* hidden: an executable referring to it would get a copy (copy relocation)
 * that the kernel's semaphore update does not touch; libusdt_sema_value reads it */
__attribute__((visibility("hidden"))) unsigned short libusdt_sema_semaphore __attribute__((section(".probes")));

int libusdt_sema_value(void)
{
	return libusdt_sema_semaphore;
}

__attribute__((noinline)) int libusdt_sema(int a)
{
	if (libusdt_sema_semaphore)
		STAP_PROBE1(libusdt, sema, a);
	return libusdt_sema_semaphore;
}
