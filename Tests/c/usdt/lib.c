/* libusdt.so: a shared library with a USDT probe (no semaphore). */
#include <sys/sdt.h>

__attribute__((noinline)) int libusdt_add(int a, long b)
{
	STAP_PROBE2(libusdt, add, a, b);
	return a + (int)b;
}
