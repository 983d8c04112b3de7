/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Play a hijacked UML stub from inside the guest.
 *
 * In SECCOMP userspace mode a guest process runs in the same host process
 * as the UML stub. The stub's code page ends in stub_signal_restorer(),
 * "syscall; ret", and the stub's seccomp filter lets host syscalls made
 * from that page through. So guest code that finds the page can make the
 * stub's host calls (mmap, munmap, rt_sigreturn, futex, recvmsg, close,
 * arch_prctl) with arguments of its choosing, by an ordinary call.
 *
 * Build with -mno-red-zone: the call pushes onto the stack.
 */
#ifndef STUB_GADGET_H
#define STUB_GADGET_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#define GADGET_PAGE 4096UL

struct stub_gadget {
	uintptr_t code;		/* STUB_START: the stub's code page */
	uintptr_t data;		/* STUB_DATA: its data pages, right above */
	uintptr_t call;		/* address of "syscall; ret" */
};

static sigjmp_buf gadget_probe_env;

static void gadget_probe_fault(int sig)
{
	siglongjmp(gadget_probe_env, 1);
}

/* Read one byte at @addr; returns -1 if the guest gets a fault for it. */
static int gadget_peek(uintptr_t addr)
{
	volatile unsigned char *p = (void *)addr;
	struct sigaction sa = { .sa_handler = gadget_probe_fault }, old_segv,
			 old_bus;
	int val = -1;

	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	if (sigsetjmp(gadget_probe_env, 1) == 0)
		val = *p;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);

	return val;
}

static uintptr_t gadget_find_in_page(uintptr_t page)
{
	const unsigned char *p = (const void *)page;
	size_t i;

	for (i = 0; i + 3 <= GADGET_PAGE; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x05 && p[i + 2] == 0xc3)
			return page + i;
	return 0;
}

/*
 * UML puts the stub right below the top of the host's address space (the
 * page above the host stack's environment strings; UML runs without
 * ASLR), above TASK_SIZE, where the guest has no VMA but the host maps
 * the stub. Look for the highest readable page below each plausible top
 * whose content holds the gadget, and check that the two stub data pages
 * follow it.
 */
static int stub_gadget_find(struct stub_gadget *g)
{
	static const uintptr_t tops[] = {
		0x800000000000UL,	/* 47-bit user space */
		0x100000000000000UL,	/* 56-bit (LA57) user space */
	};
	unsigned int t, i;

	for (t = 0; t < sizeof(tops) / sizeof(tops[0]); t++) {
		for (i = 1; i <= 512; i++) {
			uintptr_t page = tops[t] - i * GADGET_PAGE;
			uintptr_t call;

			if (gadget_peek(page) < 0)
				continue;
			call = gadget_find_in_page(page);
			if (!call || gadget_peek(page + GADGET_PAGE) < 0 ||
			    gadget_peek(page + 2 * GADGET_PAGE) < 0)
				continue;
			g->code = page;
			g->data = page + GADGET_PAGE;
			g->call = call;
			return 0;
		}
	}
	return -1;
}

/* Make a host syscall through the stub's gadget: returns -errno or value. */
static inline long stub_call6(const struct stub_gadget *g, long nr, long a1,
			      long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("call *%[gadget]"
			 : "=a"(ret), "+r"(r10), "+r"(r8), "+r"(r9)
			 : [gadget] "r"(g->call), "a"(nr), "D"(a1), "S"(a2),
			   "d"(a3)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

static inline long stub_mmap(const struct stub_gadget *g, uintptr_t addr,
			     size_t len, int prot, int flags, int fd,
			     unsigned long offset)
{
	return stub_call6(g, SYS_mmap, addr, len, prot, flags, fd, offset);
}

static inline long stub_munmap(const struct stub_gadget *g, uintptr_t addr,
			       size_t len)
{
	return stub_call6(g, SYS_munmap, addr, len, 0, 0, 0, 0);
}

/*
 * A harmless call that tells the host apart from the UML kernel: fd 0 of
 * the stub is its socket to the kernel (non-blocking, empty: -EAGAIN),
 * while fd 0 of the guest process is not a socket (-ENOTSOCK).
 */
static inline long stub_probe_call(const struct stub_gadget *g)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	return stub_call6(g, SYS_recvmsg, 0, (long)&msg, MSG_DONTWAIT, 0, 0,
			  0);
}

/* The frame backing a page of ours, from /proc/self/pagemap (needs root). */
static inline unsigned long guest_frame_of(const void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t off = ((uintptr_t)addr / GADGET_PAGE) * sizeof(entry);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * GADGET_PAGE;
}

/* Is validation expected in this run? The runner says so. */
static inline int stub_harden_expected(void)
{
	const char *v = getenv("STUB_HARDEN");

	return v && strcmp(v, "on") == 0;
}

#endif
