// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim for scripts/qemu-missing-feature.sh: a host without
 * pidfd_getfd() (before Linux 5.6), simulated. UML calls it through libc's
 * syscall(); this syscall() fails it with ENOSYS and passes every other
 * call on. Built on the fly: gcc -shared -fPIC -o X.so X.c
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif

static long (*next)(long, ...);

/* Not on first use: UML calls syscall() on tiny stacks and in handlers. */
__attribute__((constructor)) static void find_next(void)
{
	next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	if (nr == __NR_pidfd_getfd) {
		errno = ENOSYS;
		return -1;
	}
	return next(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
