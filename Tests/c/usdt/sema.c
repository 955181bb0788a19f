/* The probe's own semaphore probe (a separate unit: sys/sdt.h's semaphores are
 * per translation unit). */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short test_sema_semaphore __attribute__((section(".probes")));

__attribute__((noinline)) int fire_sema(int v)
{
	if (test_sema_semaphore)
		STAP_PROBE2(test, sema, v, v * 2);
	return test_sema_semaphore;
}
