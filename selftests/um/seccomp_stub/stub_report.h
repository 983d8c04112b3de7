/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Play the stub's signal handler from guest code: fake a report.
 *
 * In SECCOMP userspace mode the kernel learns that a guest process
 * trapped from its stub data pages (struct stub_data, writable by the
 * guest): the stub's signal handler writes signal, si_offset and
 * mctx_offset, the host wrote the signal frame (siginfo, mcontext, the
 * FP/xstate area) onto the signal stack, and the handler sets the futex
 * word to FUTEX_IN_KERN and wakes the kernel. Guest code can do all of
 * that itself through the stub page's "syscall; ret" gadget and keep
 * running on its host CPU while the kernel handles the "trap": the kernel
 * reads the registers and the system call number from the frame, writes
 * the result back into it and sets the futex word back to FUTEX_IN_CHILD.
 * That is what these helpers do, with every byte of both pages chosen by
 * the caller and checked afterwards against what the kernel may write.
 *
 * No system call and no page fault may happen between fake_fire() and the
 * end of fake_wait(): either would be a real trap in the middle of the
 * faked one. Timing uses the TSC, buffers are touched before.
 *
 * Layout (x86_64, upstream struct stub_data, unchanged by the series):
 * err@0 syscall_data_len@8 syscall_data@16 (99 x 40 bytes)
 * restart_wait@3976 futex@3980 signal@3984 si_offset@3988 mctx_offset@3990
 * arch_data@3992 {sync, fs_base@4000, gs_base@4008}, with the option on the
 * resume word@4016, sigstack@4096..8192.
 */
#ifndef STUB_REPORT_H
#define STUB_REPORT_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ucontext.h>
#include <x86intrin.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "stub_gadget.h"

#define SD_ERR			0
#define SD_LEN			8
#define SD_SYSCALL_DATA		16
#define SD_NSYSCALLS		99
#define SD_SC_SIZE		40	/* addr, length, offset, fd@24, prot@28, syscall@32 */
#define SD_RESTART_WAIT		3976
#define SD_FUTEX		3980
#define SD_SIGNAL		3984
#define SD_SI_OFFSET		3988
#define SD_MCTX_OFFSET		3990
#define SD_ARCH			3992
#define SD_ARCH_END		4016
#define SD_RESUME		4016	/* u32, option on: the stub's resume word */
#define SD_CTRL_END		4020
#define SD_SIGSTACK		4096
#define SIGSTACK_SIZE		4096
#define SD_SIZE			8192

#define SI_SIZE			128	/* siginfo_t */
#define SI_SYSCALL		24	/* si_syscall in a SIGSYS siginfo */
#define MCTX_SIZE		256	/* mcontext_t */
#define MCTX_NWRITTEN		19	/* gregs R8..CSGSFS: what the kernel writes back */
#define MCTX_FPREGS		184	/* the fpregs pointer */
#define FP_LEGACY		512	/* struct _fpstate: the legacy fxsave area */
#define FP_SW_MAGIC1		464	/* sw_reserved.magic1 */
#define FP_SW_EXTSIZE		468	/* sw_reserved.extended_size */
#define FP_MAGIC1		0x46505853U
#define FP_MAGIC2		0x46505845U

#define SI_MAX			(SIGSTACK_SIZE - SI_SIZE)	/* 3968 */
#define MCTX_MAX		(SIGSTACK_SIZE - MCTX_SIZE)	/* 3840 */

#define FUTEX_IN_CHILD_		0
#define FUTEX_IN_KERN_		1

static inline long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* TSC ticks per microsecond, to time without a system call */
static unsigned long tsc_per_us;

static inline void calibrate_tsc(void)
{
	unsigned long c0, c1;
	long t0, t1;

	if (tsc_per_us)
		return;
	t0 = now_ns();
	c0 = __rdtsc();
	usleep(20000);
	c1 = __rdtsc();
	t1 = now_ns();
	tsc_per_us = (c1 - c0) * 1000 / (t1 - t0);
	if (!tsc_per_us)
		tsc_per_us = 1;
}

static inline void tsc_spin_us(unsigned long us)
{
	unsigned long end = __rdtsc() + us * tsc_per_us;

	while (__rdtsc() < end)
		__asm__ volatile("pause");
}

/* --- typed access to the live pages ------------------------------------ */

static inline volatile uint8_t *sd8(const struct stub_gadget *g, unsigned off)
{
	return (volatile uint8_t *)(g->data + off);
}
#define SD16(g, off) (*(volatile uint16_t *)sd8(g, off))
#define SD32(g, off) (*(volatile uint32_t *)sd8(g, off))
#define SD64(g, off) (*(volatile uint64_t *)sd8(g, off))

/* The same in an 8 KiB image of both pages */
#define IM16(im, off) (*(uint16_t *)((uint8_t *)(im) + (off)))
#define IM32(im, off) (*(uint32_t *)((uint8_t *)(im) + (off)))
#define IM64(im, off) (*(uint64_t *)((uint8_t *)(im) + (off)))

static inline void stub_wake_kernel(const struct stub_gadget *g)
{
	stub_call6(g, SYS_futex, (long)(g->data + SD_FUTEX), 1 /* WAKE */, 1,
		   0, 0, 0);
}

/* --- the real frame of the last trap ------------------------------------ */

struct frame {
	unsigned si, mctx, fp;	/* offsets in the signal stack */
	unsigned host_fp;	/* the host's FP/xstate size (extended_size - 4) */
	int xstate;		/* magic1 was there */
};

/* Why frame_capture() last turned a frame down */
static const char *frame_reject;
static const char frame_reject_tick[] = "not a SIGSYS frame (a tick's)";

/*
 * Trap for real (getppid()) and read where the host put the frame. The
 * frame sits at the same place for every trap from guest code: the signal
 * stack is empty then. A tick forwarded as the stub resumes leaves its own
 * frame there instead; under TCG that can be most traps, so this tries
 * for up to a second. Returns 0, or -1 (frame_reject says why) if no
 * frame had the layout we know.
 */
static inline int frame_capture(const struct stub_gadget *g, struct frame *f)
{
	long end = now_ns() + 1000000000L;
	int tries;

	for (tries = 0; tries < 20 || now_ns() < end; tries++) {
		uint64_t fpregs;
		unsigned si, mctx, fp;

		syscall(SYS_getppid);
		si = SD16(g, SD_SI_OFFSET);
		mctx = SD16(g, SD_MCTX_OFFSET);
		frame_reject = "si_offset or mctx_offset out of the signal stack";
		if (si > SI_MAX || mctx > MCTX_MAX)
			continue;
		frame_reject = frame_reject_tick;
		if (SD32(g, SD_SIGSTACK + si) != SIGSYS)
			continue;
		frame_reject = "fpregs does not point into the signal stack";
		fpregs = SD64(g, SD_SIGSTACK + mctx + MCTX_FPREGS);
		if ((fpregs & ~4095UL) != g->data + SD_SIGSTACK)
			continue;
		fp = fpregs & 4095;
		frame_reject = "legacy FP area past the signal stack";
		if (fp + FP_LEGACY > SIGSTACK_SIZE)
			continue;
		f->si = si;
		f->mctx = mctx;
		f->fp = fp;
		f->xstate = SD32(g, SD_SIGSTACK + fp + FP_SW_MAGIC1) == FP_MAGIC1;
		f->host_fp = FP_LEGACY;
		if (f->xstate) {
			unsigned ext = SD32(g, SD_SIGSTACK + fp + FP_SW_EXTSIZE);

			frame_reject = "xstate without FP_XSTATE_MAGIC2 at its end";
			if (ext < FP_LEGACY + 4 || fp + ext > SIGSTACK_SIZE ||
			    SD32(g, SD_SIGSTACK + fp + ext - 4) != FP_MAGIC2)
				continue;
			f->host_fp = ext - 4;
		}
		return 0;
	}
	return -1;
}

/* --- a faked report ----------------------------------------------------- */

/*
 * Where the kernel may write, from the values it was given (and checked):
 * the 19 general registers at mctx, fpsz bytes of FP state at fp; the
 * control fields of the first page the kernel owns (syscall_data_len,
 * restart_wait, futex, signal, arch_data, the resume word) and
 * syscall_data (its batch of
 * host calls for this mm); err only back to 0.
 */
struct fake {
	unsigned si, mctx, fp;	/* where the forged frame is */
	unsigned fpsz;		/* FP bytes the kernel may write at fp */
	long nr;		/* the system call it reports */
	long expect_ret;	/* RAX the kernel must write back */
	int check_ret;
	uint8_t img[SD_SIZE];	/* what we wrote into both pages */
	uint8_t snap[SD_SIZE];	/* what they held once the kernel was done */
	unsigned real_si;	/* where a tick's real frame would land: */
	unsigned real_fp;	/* its siginfo, its FP area and, with */
	unsigned real_fpsz;	/* xstate, MAGIC2 at real_fp + real_fpsz */
	int real_xstate;
	int relax_regs;		/* a guest signal was delivered: rip, rsp,
				 * rdi, rsi, rdx, rax and flags are the
				 * kernel's */
	long batches;		/* batches the kernel asked the forger to run */
	unsigned late_mctx;	/* mctx_offset changed to this after the
				 * report (0: not changed) */
};

/* A page-fault-free place to land if a tick makes the stub return into
 * the forged registers (see fake_wait()). */
static sigjmp_buf fake_land_env;
static volatile int fake_landed;
static char fake_land_stack[16384] __attribute__((aligned(64)));

static void __attribute__((noreturn, used)) fake_landing(void)
{
	fake_landed++;
	siglongjmp(fake_land_env, 1);
}

static uint64_t fake_pattern_state = 0x5eed5eed12345678ULL;

static inline uint64_t fake_rand(void)
{
	uint64_t z = (fake_pattern_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Touch @n bytes of stack below us, so that none of it faults later. */
static void __attribute__((noinline)) fake_touch_stack(size_t n)
{
	volatile char *buf = alloca(n);

	memset((char *)buf, 0, n);
}

/*
 * Build the image of a faked report of system call @nr with arguments
 * @args (rdi, rsi, rdx, r10, r8, r9), its frame at @si/@mctx/@fp (use the
 * real frame's offsets, or move it), from the real frame @f of the trap
 * just made. Every byte the kernel has no business with gets a random
 * pattern; the FP area is the real one (the task's own state).
 */
static inline void fake_build(struct fake *fk, const struct stub_gadget *g,
			      const struct frame *f, unsigned si,
			      unsigned mctx, unsigned fp, long nr,
			      const long args[6])
{
	uint8_t live[SD_SIZE];
	uint8_t *ss = fk->img + SD_SIGSTACK;
	uint64_t *gr;
	unsigned fpall = f->xstate ? f->host_fp + 4 : FP_LEGACY;
	size_t i;
	static const int argreg[6] = { REG_RDI, REG_RSI, REG_RDX, REG_R10,
				       REG_R8, REG_R9 };

	/*
	 * The kernel may build a guest signal frame on the landing stack: it
	 * must be mapped on the host already, or the host mmap() queued for
	 * it is one that nobody runs (the stub never resumes) and the page
	 * faults for ever.
	 */
	memset(fake_land_stack, 0, sizeof(fake_land_stack));
	memcpy(live, (void *)g->data, SD_SIZE);
	for (i = 0; i < SD_SIZE; i += 8)
		*(uint64_t *)(fk->img + i) = fake_rand();

	/* the first page's fields: sane values, arch_data as it is */
	IM64(fk->img, SD_ERR) = 0;
	IM32(fk->img, SD_LEN) = 0;
	IM16(fk->img, SD_RESTART_WAIT) = 0;
	IM16(fk->img, SD_RESTART_WAIT + 2) = 0;
	IM32(fk->img, SD_FUTEX) = FUTEX_IN_CHILD_;
	IM32(fk->img, SD_SIGNAL) = SIGSYS;
	IM16(fk->img, SD_SI_OFFSET) = si;
	IM16(fk->img, SD_MCTX_OFFSET) = mctx;
	memcpy(fk->img + SD_ARCH, live + SD_ARCH, SD_CTRL_END - SD_ARCH);

	/* the frame, moved where asked: FP first, the rest over it */
	memcpy(ss + fp, live + SD_SIGSTACK + f->fp, fpall);
	memcpy(ss + si, live + SD_SIGSTACK + f->si, SI_SIZE);
	memcpy(ss + mctx, live + SD_SIGSTACK + f->mctx, MCTX_SIZE);
	*(uint32_t *)(ss + si + SI_SYSCALL) = (uint32_t)nr;

	gr = (uint64_t *)(ss + mctx);
	for (i = REG_R8; i <= REG_RCX; i++)
		gr[i] = 0x4e00000000000000ULL | (fake_rand() & 0xffffffffffULL);
	for (i = 0; i < 6; i++)
		gr[argreg[i]] = args ? (uint64_t)args[i] : 0;
	gr[REG_RAX] = nr;
	gr[REG_RSP] = (uint64_t)(fake_land_stack + sizeof(fake_land_stack) - 8);
	gr[REG_RIP] = (uint64_t)fake_landing;
	*(uint64_t *)(ss + mctx + MCTX_FPREGS) = g->data + SD_SIGSTACK + fp;

	fk->si = si;
	fk->mctx = mctx;
	fk->fp = fp;
	fk->fpsz = f->xstate ? f->host_fp : FP_LEGACY;
	fk->nr = nr;
	fk->check_ret = 0;
	fk->real_si = f->si;
	fk->real_fp = f->fp;
	fk->real_fpsz = f->xstate ? f->host_fp : FP_LEGACY;
	fk->real_xstate = f->xstate;
	fk->relax_regs = 0;
	fk->batches = 0;
	fk->late_mctx = 0;
	memset(fk->snap, 0, sizeof(fk->snap));
}

/* The same, at the real frame's place. */
static inline void fake_build_here(struct fake *fk,
				   const struct stub_gadget *g,
				   const struct frame *f, long nr,
				   const long args[6])
{
	fake_build(fk, g, f, f->si, f->mctx, f->fp, nr, args);
}

/* Change the extended size the image's FP area claims, MAGIC2 at its end. */
static inline void fake_set_extended_size(struct fake *fk, unsigned ext)
{
	uint8_t *fpa = fk->img + SD_SIGSTACK + fk->fp;

	*(uint32_t *)(fpa + FP_SW_EXTSIZE) = ext;
	if (fk->fp + ext >= 4 && fk->fp + ext <= SIGSTACK_SIZE)
		*(uint32_t *)(fpa + ext - 4) = FP_MAGIC2;
}

/* Write the image (the futex word stays FUTEX_IN_CHILD). */
static inline void fake_write(const struct fake *fk,
			      const struct stub_gadget *g)
{
	memcpy((void *)g->data, fk->img, SD_FUTEX);
	memcpy((void *)(g->data + SD_FUTEX + 4), fk->img + SD_FUTEX + 4,
	       SD_SIZE - SD_FUTEX - 4);
}

static inline void fake_fire(const struct stub_gadget *g)
{
	SD32(g, SD_FUTEX) = FUTEX_IN_KERN_;
	stub_wake_kernel(g);
}

enum fake_result {
	FAKE_DONE,	/* the kernel handled it and set the futex word back */
	FAKE_TIMEOUT,	/* it never did */
	FAKE_TICKED,	/* a real trap (a tick) came in between: inconclusive */
};

/*
 * The kernel asks the stub to run its batch (restart_wait set, futex word
 * back to FUTEX_IN_CHILD) before it is done with a report: run it as the
 * stub would (with @run; the fds come over the stub's socket) and report
 * back. Upstream's stub filter allows these calls from the stub page.
 */
/*
 * Take the fds the kernel sent with the batch off the stub's socket: those
 * of the last message. Earlier ones (sent for batches a faked report left
 * behind, which nobody ran) are closed.
 */
static inline int fake_take_fds(const struct stub_gadget *g, int *fds, int max)
{
	char byte;
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { &byte, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl.buf,
			      .msg_controllen = sizeof(ctl.buf) };
	int nfd = 0, i;

	while (stub_call6(g, SYS_recvmsg, 0, (long)&msg, MSG_DONTWAIT, 0, 0, 0) > 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

		while (nfd > 0)
			stub_call6(g, SYS_close, fds[--nfd], 0, 0, 0, 0, 0);
		if (c && c->cmsg_type == SCM_RIGHTS) {
			int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < n; i++) {
				int fd = ((int *)CMSG_DATA(c))[i];

				if (nfd < max)
					fds[nfd++] = fd;
				else
					stub_call6(g, SYS_close, fd, 0, 0, 0, 0, 0);
			}
		}
		msg.msg_controllen = sizeof(ctl.buf);
	}
	return nfd;
}

static inline void fake_close_fds(const struct stub_gadget *g, int *fds, int n)
{
	while (n > 0)
		stub_call6(g, SYS_close, fds[--n], 0, 0, 0, 0, 0);
}

/* Report the batch back as the stub does, with @err and @len */
static inline void fake_answer_batch(const struct stub_gadget *g, long err,
				     int len)
{
	SD64(g, SD_ERR) = err;
	SD32(g, SD_LEN) = len;
	SD16(g, SD_RESTART_WAIT) = 0;
	SD32(g, SD_SIGNAL) = SIGSYS;
	fake_fire(g);
}

static inline void fake_play_batch(const struct stub_gadget *g, int run)
{
	int fds[16], nfd = fake_take_fds(g, fds, 16), i;
	int len = SD32(g, SD_LEN);
	long err = 0;

	for (i = 0; run && i < len && i < SD_NSYSCALLS && !err; i++) {
		unsigned e = SD_SYSCALL_DATA + i * SD_SC_SIZE;
		uint64_t addr = SD64(g, e), length = SD64(g, e + 8);
		uint64_t offset = SD64(g, e + 16);
		uint32_t fd = SD32(g, e + 24), prot = SD32(g, e + 28);

		if (SD32(g, e + 32) == 1)	/* STUB_SYSCALL_MMAP */
			err = stub_call6(g, SYS_mmap, addr, length, prot,
					 MAP_SHARED | MAP_FIXED,
					 fd < (uint32_t)nfd ? fds[fd] : -1, offset);
		else if (SD32(g, e + 32) == 2)	/* STUB_SYSCALL_MUNMAP */
			err = stub_call6(g, SYS_munmap, addr, length, 0, 0, 0, 0);
		if (err == (long)addr)
			err = 0;
	}
	fake_close_fds(g, fds, nfd);
	fake_answer_batch(g, 0, 0);
}

static inline int fake_may_write(const struct fake *fk, unsigned off);

/*
 * Did a real trap come in between (a tick, a fault, a system call)? The
 * host wrote a frame at its place: a siginfo whose first 32 bytes (signal,
 * code, for SIGSYS the call's address and number) are its own, and with
 * xstate the FP area's MAGIC1 and MAGIC2. A forged frame moved over that
 * place gets the kernel's write-back there (its FP state can cover the
 * real siginfo), so only bytes the kernel may not write on this report
 * count; one changed is enough (MAGIC2 sits at the top of the stack).
 * The kernel never writes a siginfo.
 */
static inline int fake_real_trap(const struct fake *fk)
{
	unsigned mark[3], len[3], i, n = 0;

	mark[n] = SD_SIGSTACK + fk->real_si;
	len[n++] = 32;
	if (fk->real_xstate) {
		mark[n] = SD_SIGSTACK + fk->real_fp + FP_SW_MAGIC1;
		len[n++] = 4;
		mark[n] = SD_SIGSTACK + fk->real_fp + fk->real_fpsz;
		len[n++] = 4;
	}
	for (i = 0; i < n; i++) {
		unsigned b;

		for (b = mark[i]; b < mark[i] + len[i] && b < SD_SIZE; b++)
			if (!fake_may_write(fk, b) && fk->snap[b] != fk->img[b])
				return 1;
	}
	return 0;
}

/*
 * Wait up to @timeout_us for the kernel to be done with the faked report,
 * calling @flip(arg, i) in the loop (a race), then take a snapshot of both
 * pages. A batch the kernel asks for meanwhile is run (fake_play_batch).
 * Call it right after fake_fire(), with the stack touched.
 */
static inline enum fake_result fake_wait(struct fake *fk,
					 const struct stub_gadget *g,
					 unsigned long timeout_us,
					 void (*flip)(const struct stub_gadget *, void *, unsigned long),
					 void *arg)
{
	unsigned long end = __rdtsc() + timeout_us * tsc_per_us, i = 0;

	for (;;) {
		while (SD32(g, SD_FUTEX) != FUTEX_IN_CHILD_) {
			if (flip)
				flip(g, arg, i++);
			else
				__asm__ volatile("pause");
			if (__rdtsc() > end)
				return FAKE_TIMEOUT;
		}
		if (!SD16(g, SD_RESTART_WAIT) || fk->batches > 8)
			break;
		fk->batches++;
		fake_play_batch(g, 1);
	}
	memcpy(fk->snap, (void *)g->data, SD_SIZE);
	if (fake_real_trap(fk))
		return FAKE_TICKED;
	if (fk->batches) {
		/* what we wrote answering them is ours */
		memcpy(fk->img + SD_ERR, fk->snap + SD_ERR, 8);
		memcpy(fk->img + SD_SIGNAL, fk->snap + SD_SIGNAL, 4);
	}
	return FAKE_DONE;
}

/* May the kernel have written byte @off of the pages on this report? */
static inline int fake_may_write(const struct fake *fk, unsigned off)
{
	if (off >= SD_LEN && off < SD_LEN + 4)
		return 1;
	if (off >= SD_RESTART_WAIT && off < SD_RESTART_WAIT + 2)
		return 1;
	if (off >= SD_FUTEX && off < SD_SIGNAL + 4)
		return 1;
	if (off >= SD_ARCH && off < SD_CTRL_END)
		return 1;
	/* the kernel's batch of host mmap()/munmap() calls for this mm */
	if (off >= SD_SYSCALL_DATA &&
	    off < SD_SYSCALL_DATA + SD_NSYSCALLS * SD_SC_SIZE)
		return 1;
	if (off >= SD_SIGSTACK + fk->mctx &&
	    off < SD_SIGSTACK + fk->mctx + MCTX_NWRITTEN * 8)
		return 1;
	if (off >= SD_SIGSTACK + fk->fp && off < SD_SIGSTACK + fk->fp + fk->fpsz)
		return 1;
	return 0;
}

/*
 * Compare the snapshot with the image: bytes the kernel had no business
 * writing, and registers it wrote back that are not the ones it was
 * given (all but RAX, which must be fk->expect_ret if check_ret). Returns
 * the number of bad bytes (registers count 8), describing the first ones,
 * or -1 if the kernel wrote no register back at all (the call not run).
 */
static inline long fake_check(struct fake *fk, char *why, size_t whylen)
{
	long bad = 0;
	unsigned off, first = ~0U, last = 0;
	const uint64_t *gi, *gs;
	char regs[256] = "";
	int i;

	/*
	 * A kernel that read the report only after mctx_offset changed took
	 * the frame from the new place (RAX written there): judge it as the
	 * report it read. It may then write nothing at the old place.
	 */
	if (fk->late_mctx) {
		unsigned rax = SD_SIGSTACK + fk->late_mctx + REG_RAX * 8;

		if (IM64(fk->snap, rax) != IM64(fk->img, rax))
			fk->mctx = fk->late_mctx;
		fk->late_mctx = 0;
	}
	gi = (const void *)(fk->img + SD_SIGSTACK + fk->mctx);
	gs = (const void *)(fk->snap + SD_SIGSTACK + fk->mctx);

	for (off = 0; off < SD_SIZE; off++) {
		if (fk->img[off] == fk->snap[off] || fake_may_write(fk, off))
			continue;
		if (off == SD_ERR && IM64(fk->snap, SD_ERR) == 0)
			continue;
		bad++;
		if (first == ~0U)
			first = off;
		last = off;
	}
	/*
	 * Not a single register written back, RAX still the call's number:
	 * the kernel woke us before it ran the call (nothing to judge).
	 */
	if (!bad && fk->check_ret && gs[REG_RAX] == gi[REG_RAX] &&
	    (uint64_t)fk->expect_ret != gi[REG_RAX] &&
	    !memcmp(gs, gi, MCTX_NWRITTEN * 8)) {
		if (why)
			snprintf(why, whylen, "the call was not run");
		return -1;
	}
	for (i = 0; i < MCTX_NWRITTEN; i++) {
		uint64_t want = gi[i];

		if (i == REG_RAX) {
			if (!fk->check_ret)
				continue;
			want = fk->expect_ret;
		}
		if (i == REG_EFL)	/* the kernel clears TF */
			want &= ~0x100ULL;
		if (fk->relax_regs &&
		    (i == REG_RIP || i == REG_RSP || i == REG_RDI ||
		     i == REG_RSI || i == REG_RDX || i == REG_RAX ||
		     i == REG_EFL))
			continue;
		if (gs[i] == want)
			continue;
		bad += 8;
		if (strlen(regs) < sizeof(regs) - 64)
			snprintf(regs + strlen(regs), sizeof(regs) - strlen(regs),
				 " greg[%d]=%#llx (gave %#llx)", i,
				 (unsigned long long)gs[i],
				 (unsigned long long)want);
	}
	if (why) {
		if (first != ~0U) {
			char sample[160] = "";
			unsigned q;
			int n = 0;

			/* a few of the values written, zeros left out */
			for (q = first & ~7U; q <= last && n < 3; q += 8) {
				uint64_t v = IM64(fk->snap, q);

				if (!v || v == IM64(fk->img, q) || fake_may_write(fk, q))
					continue;
				snprintf(sample + strlen(sample),
					 sizeof(sample) - strlen(sample),
					 " [%#x]=%#llx", q, (unsigned long long)v);
				n++;
			}
			snprintf(why, whylen,
				 "%ld bytes changed outside what the kernel may write, at %#x..%#x (offsets in the data pages), e.g.%s;%s",
				 bad, first, last, n ? sample : " all zero",
				 regs);
		} else if (bad) {
			snprintf(why, whylen, "registers written back that were not given:%s", regs);
		} else {
			why[0] = 0;
		}
	}
	return bad;
}

/* --- the kernel log ---------------------------------------------------- */

/* The first kernel log line about @pid that contains @what, or NULL. */
static inline const char *klog_line(pid_t pid, const char *what)
{
	static char log[1 << 17];
	char tag[32], *line, *next;
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (n < 0)
		return NULL;
	log[n] = 0;
	snprintf(tag, sizeof(tag), "[%d]: ", pid);
	for (line = log; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (strstr(line, tag) && strstr(line, what))
			return line;
	}
	return NULL;
}

/* How many log lines contain @what (ratelimited ones are not there). */
static inline int klog_count(const char *what)
{
	static char log[1 << 17];
	int n = klogctl(3, log, sizeof(log) - 1), count = 0;
	char *p;

	if (n < 0)
		return -1;
	log[n] = 0;
	for (p = strstr(log, what); p; p = strstr(p + 1, what))
		count++;
	return count;
}

/*
 * What the kernel logged after a mark (klog_mark(): /dev/kmsg, open at
 * its end), for a forger that died: whether UML lost its stub process on
 * the host ("failed to wait for stub, pid = -1", "Unexpectedly lost MM
 * child": the stub died there, for instance returning through a signal
 * frame that the forger's own writes, or the kernel's write-back to a
 * frame the forger moved over it, had spoilt; the kernel's own kill for a
 * value it checks logs "bad stub data" instead and waits with a live
 * pid), or whether the process took a segfault at an ip that is an errno
 * (the same spoilt frame returned through in guest mode: a result the
 * kernel wrote back over a frame a real trap's had met), and the first
 * lines, for the diagnostic. klog_since() reads and closes the mark;
 * klog_unmark() just closes it.
 */
struct klog_since {
	int host_lost;
	int segv;
	char lines[320];
};

/* Killed having spoilt its own frame: no verdict on its forgery */
static inline int klog_own_frame_spoilt(const struct klog_since *ks)
{
	return ks->host_lost || ks->segv;
}

static inline int klog_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static inline void klog_unmark(int mark)
{
	if (mark >= 0)
		close(mark);
}

static inline void klog_since(int mark, struct klog_since *ks)
{
	char rec[2048];
	ssize_t r;

	memset(ks, 0, sizeof(*ks));
	while (mark >= 0 &&
	       ((r = read(mark, rec, sizeof(rec) - 1)) > 0 ||
		(r < 0 && errno == EPIPE))) {
		char *msg, *nl;
		size_t n = strlen(ks->lines);

		if (r < 0)
			continue;	/* records were overwritten: go on */
		rec[r] = 0;
		msg = strchr(rec, ';');
		if (!msg++)
			continue;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		if (strstr(msg, "failed to wait for stub, pid = -1") ||
		    strstr(msg, "Unexpectedly lost MM child"))
			ks->host_lost = 1;
		if (strstr(msg, "]: segfault at ") && strstr(msg, " ip ") &&
		    strtoull(strstr(msg, " ip ") + 4, NULL, 16) >= -4095ULL)
			ks->segv = 1;
		if (n + 8 < sizeof(ks->lines))
			snprintf(ks->lines + n, sizeof(ks->lines) - n, "%s\"%.120s\"",
				 n ? ", " : "", msg);
	}
	klog_unmark(mark);
}

/*
 * The kernel's "bad stub data" lines are ratelimited (printk's default:
 * 10 in 5 s) and the test kernel's log has no timestamps. So the tests
 * note the time of every kill in a file (tmpfs /tmp, shared by the test
 * programs of one boot) and, before a forgery that may get a process
 * killed, wait until fewer than @max kills are in the last 5.5 s: that
 * kill is then logged. At most 6 s; a boot of its own never waits.
 */
#define KILL_TIMES "/tmp/.stub_report_kills"

static inline void kill_noted(void)
{
	FILE *f = fopen(KILL_TIMES, "a");

	if (f) {
		fprintf(f, "%ld\n", now_ns());
		fclose(f);
	}
}

static inline void klog_pace(int max)
{
	long end = now_ns() + 6000000000L;

	while (now_ns() < end) {
		FILE *f = fopen(KILL_TIMES, "r");
		long t, now = now_ns();
		int recent = 0;

		if (!f)
			return;
		while (fscanf(f, "%ld", &t) == 1)
			recent += now - t < 5500000000L;
		fclose(f);
		if (recent < max)
			return;
		usleep(200000);
	}
}

/* --- a bystander: another process that must not be harmed -------------- */

struct bystander {
	pid_t pid;
	volatile long *state;	/* [0] stop, [1] rounds, [2] max gap ns, [3] bad */
};

/*
 * Fill its own buffer with its own pattern and check it, make system
 * calls, move data through a pipe, until told to stop (at most 60 s).
 */
static inline void bystander_start(struct bystander *b)
{
	b->state = mmap(NULL, GADGET_PAGE, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->state == MAP_FAILED) {
		b->pid = -1;
		return;
	}
	b->pid = fork();
	if (b->pid == 0) {
		static uint64_t buf[8192];
		long last = now_ns(), end = last + 60000000000L;
		int p[2];
		uint64_t r = 0;

		if (pipe(p))
			_exit(2);
		while (!b->state[0] && now_ns() < end) {
			uint64_t tag = 0xb757a0de00000000ULL | (uint64_t)++r;
			char c = (char)r, d = 0;
			long t;
			size_t i;

			for (i = 0; i < 8192; i++)
				buf[i] = tag ^ i;
			if (write(p[1], &c, 1) != 1 || read(p[0], &d, 1) != 1 ||
			    d != c)
				b->state[3]++;
			for (i = 0; i < 8192; i++)
				if (buf[i] != (tag ^ i))
					b->state[3]++;
			if (getppid() <= 0)
				b->state[3]++;
			t = now_ns();
			if (t - last > b->state[2])
				b->state[2] = t - last;
			last = t;
			b->state[1]++;
		}
		_exit(b->state[3] ? 1 : 0);
	}
}

/*
 * Stop it once it has made a round after this call (it keeps running
 * after the forgery, not only before it; at most 3 s); 0 if it ran and
 * stayed intact, else a description in @why.
 */
static inline int bystander_stop(struct bystander *b, char *why, size_t len)
{
	long rounds, end = now_ns() + 3000000000L;
	int status = 0, reaped = 0;

	if (b->pid <= 0) {
		snprintf(why, len, "no bystander");
		return -1;
	}
	rounds = b->state[1];
	while (b->state[1] == rounds && now_ns() < end &&
	       !(reaped = waitpid(b->pid, &status, WNOHANG) == b->pid))
		usleep(1000);
	b->state[0] = 1;
	if (!reaped && waitpid(b->pid, &status, 0) != b->pid) {
		snprintf(why, len, "bystander lost");
		return -1;
	}
	if (b->state[1] == rounds) {
		snprintf(why, len,
			 "bystander harmed: no round in 3 s after the forgery (%ld before), status %#x",
			 rounds, status);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || b->state[1] < 1) {
		snprintf(why, len,
			 "bystander harmed: status %#x, %ld rounds, %ld bad checks",
			 status, b->state[1], b->state[3]);
		return -1;
	}
	snprintf(why, len, "bystander fine: %ld rounds, longest gap %ld ms",
		 b->state[1], b->state[2] / 1000000);
	munmap((void *)b->state, GADGET_PAGE);
	return 0;
}

/* Become an unprivileged user (the attacks need no privilege). */
static inline void become_nobody(void)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		_exit(97);
}

#endif
