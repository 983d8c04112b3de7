// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the host calls a hijacked stub can make (see stub_gadget.h).
 *
 *   stub_fuzz [SEED [CALLS [FIRST]]]
 *
 * Random calls through the stub page's "syscall; ret" gadget, with the
 * numbers the stub's filter allows (mmap, munmap, futex, recvmsg, close,
 * arch_prctl) and random and boundary arguments: page edges, STUB_START
 * and its neighbours, huge and wrapping lengths, every fd 0..16, junk
 * prot and flags bits, our own frames from /proc/self/pagemap and their
 * neighbours, unaligned offsets. The seed is printed first; the same SEED
 * and CALLS make the same choices again (the program turns address space
 * randomization off for itself, so the addresses mostly match too).
 * Every call has a seed of its own: FIRST starts the run at that call, and
 * STUB_FUZZ_VERBOSE=1 prints each call before it is made and its result.
 *
 * The calls run in batches of BATCH, each in a child process, so that a
 * child the calls take apart does not end the run: such deaths are
 * counted and the run goes on in a new child after the call in flight. Calls
 * that take the fuzzer apart by design are drawn but not made, and
 * counted: rt_sigreturn (the attack suite covers it), close(0) (the
 * stub's socket to the kernel), arch_prctl(ARCH_SET_FS/GS) (libc's TLS).
 *
 * Oracles, as TAP:
 *  1. a heartbeat process pinned to each online vCPU keeps ticking: no
 *     gap over 2 s, checked between batches and at the end;
 *  2. nothing the series must deny succeeds: a successful mmap() must
 *     have the stub's flags, a page aligned range below STUB_START, no
 *     prot bits beyond rwx, every page must map exactly offset + i * 4096
 *     in our page table (and be in a writable VMA if it asked for write);
 *     a successful munmap() must be aligned, not empty, not wrapping and
 *     end at or below STUB_START; and no munmap() within that rule is
 *     denied;
 *  3. what the series must deny gets -EPERM, not another error (from the
 *     host, or -EINTR from a signal that took the call away before the
 *     kernel answered it: such a call is not logged);
 *  4. every -EPERM was logged: the kernel log has at least one "denied"
 *     line, and the denied lines plus the "callbacks suppressed" counts of
 *     the ratelimit add up to the -EPERMs (the ratelimit is flushed at the
 *     end with one more denied mmap() and munmap() after its interval);
 *  5. no child makes no progress for BATCH_TIMEOUT_S, every call is drawn.
 * The host checks the last one: the guest ends normally.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <asm/prctl.h>
#include <linux/futex.h>

#include "stub_gadget.h"

#define PAGE GADGET_PAGE
#define BATCH 100		/* calls per child */
#define BATCH_TIMEOUT_S 30	/* a child without progress this long is wedged */
#define STALL_NS 2000000000L	/* a heartbeat gap this long is a stall */
#define MAX_CPUS 64
#define RATELIMIT_WAIT_MS 5600	/* printk's default interval is 5 s */
#define MAX_CHECK_PAGES 65536	/* pagemap check of an allowed mmap() */
/*
 * A child that made an munmap() the rule allows may have unmapped pages
 * it had touched already (its stack, its text). UML maps such a page
 * again only when its PTE changes, so the child then faults on it
 * forever (see munmap_of_pages_the_process_touched_faults_them_back_in
 * in stub_attack.c). Such a child is killed once it has made no progress
 * for this long, counted, and the run goes on in a new child.
 */
#define SELF_WEDGE_NS 500000000L

enum kind {
	K_MMAP, K_MUNMAP, K_FUTEX, K_RECVMSG, K_CLOSE, K_ARCH_PRCTL,
	/* drawn, never made */
	X_SIGRETURN, X_CLOSE0, X_SET_FS, X_SET_GS,
	NKINDS
};

static const char *const kind_name[NKINDS] = {
	"mmap", "munmap", "futex", "recvmsg", "close", "arch_prctl",
	"rt_sigreturn", "close(0)", "arch_prctl(SET_FS)", "arch_prctl(SET_GS)",
};

struct call {
	int kind;
	long nr;
	long a[6];
	long ret;
};

/* What the children and the heartbeats report, in shared memory */
struct shared {
	/* heartbeat, one per online vCPU */
	volatile long hb_ticks[MAX_CPUS];
	volatile long hb_last_ns[MAX_CPUS];
	volatile long hb_max_gap_ns[MAX_CPUS];
	volatile int hb_cpu_seen[MAX_CPUS];	/* where it really ran */
	volatile int hb_stop;

	/* counts, written by one child at a time */
	long calls, eperm, success, other_err, excluded, mismatches;
	long by_kind[NKINDS][3];	/* made: success, EPERM, other error */
	long host_recvmsg_data;		/* recvmsg() on the stub socket got data */

	/* the call in flight, to name what killed a child */
	volatile long cur_index;
	volatile int in_call;		/* in the gadget call itself */
	volatile long progress;
	volatile int may_self_wedge;	/* made an munmap() the rule allows */
	struct call cur;

	/* the first few mismatches, for the report */
	int nreports;
	char report[8][320];
	/* refused calls that got another error than -EPERM */
	long not_eperm, not_eperm_by_errno[256];
	int nnot_eperm_reports;
	char not_eperm_report[4][320];
};

static struct shared *sh;
static struct stub_gadget g;
static int verbose;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long rn(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static int chance(int percent)
{
	return (int)rn(100) < percent;
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- our own memory: the regions the calls aim at --------------------- */

enum { ACC_NONE, ACC_R, ACC_RW };

struct region {
	const char *name;
	uintptr_t start;
	size_t len;
	int acc;
};

static char static_area[64 * PAGE] __attribute__((aligned(4096)));
static struct region regions[16];
static int nregions;

/* futex words, a recvmsg() buffer and its control space, arch_prctl out */
static volatile int futex_word[16] __attribute__((aligned(64)));
static char rcv_buf[4096];
static char rcv_ctl[CMSG_SPACE(sizeof(int) * 8)] __attribute__((aligned(8)));
static char rcv_name[128];
static struct msghdr rcv_msg;
static struct iovec rcv_iov[2];
static struct timespec futex_timeout;
static unsigned long prctl_out[2];

static void add_region(const char *name, void *start, size_t len, int acc)
{
	regions[nregions++] = (struct region){ name, (uintptr_t)start, len, acc };
}

static void *anon(size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void setup_regions(void)
{
	char *p;
	uintptr_t text = (uintptr_t)&setup_regions & ~(PAGE - 1);
	static char stack_marker;

	memset(static_area, 0x11, sizeof(static_area));
	add_region("static", static_area, sizeof(static_area), ACC_RW);

	p = anon(32 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE);
	memset(p, 0x22, 32 * PAGE);
	add_region("anon", p, 32 * PAGE, ACC_RW);

	p = anon(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(p, 0x33, 4 * PAGE);
	mprotect(p, 4 * PAGE, PROT_READ);
	add_region("read-only", p, 4 * PAGE, ACC_R);

	p = anon(2 * PAGE, PROT_NONE, MAP_PRIVATE);
	add_region("prot-none", p, 2 * PAGE, ACC_NONE);

	p = anon(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(p, 0x44, 4 * PAGE);
	munmap(p + 2 * PAGE, PAGE);
	add_region("holed", p, 2 * PAGE, ACC_RW);
	add_region("after-hole", p + 3 * PAGE, PAGE, ACC_RW);

	p = anon(4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	memset(p, 0x55, 4 * PAGE);
	add_region("shared", p, 4 * PAGE, ACC_RW);

	p = anon(8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	add_region("untouched", p, 8 * PAGE, ACC_RW);

	add_region("text", (void *)text, 2 * PAGE, ACC_R);
	add_region("stack", (void *)(((uintptr_t)__builtin_frame_address(0)) &
				     ~(PAGE - 1)), PAGE, ACC_RW);
	add_region("data", (void *)((uintptr_t)&stack_marker & ~(PAGE - 1)),
		   PAGE, ACC_RW);
	add_region("shared-state", sh, PAGE, ACC_RW);
}

/* --- what our page table says ----------------------------------------- */

static int pagemap_fd = -1;

/* Frame (as a byte offset) of each of @n pages from @addr; 0: not present */
static int frames_of(uintptr_t addr, size_t n, uint64_t *out)
{
	size_t done = 0;

	if (pagemap_fd < 0)
		pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (pagemap_fd < 0)
		return -1;
	while (done < n) {
		size_t chunk = n - done > 4096 ? 4096 : n - done;
		off_t off = (off_t)((addr / PAGE + done) * sizeof(uint64_t));
		ssize_t got = pread(pagemap_fd, out + done,
				    chunk * sizeof(uint64_t), off);
		size_t i;

		if (got != (ssize_t)(chunk * sizeof(uint64_t)))
			return -1;
		for (i = done; i < done + chunk; i++)
			out[i] = (out[i] & (1ULL << 63)) ?
				 (out[i] & ((1ULL << 55) - 1)) * PAGE : 0;
		done += chunk;
	}
	return 0;
}

static uint64_t frame_of(uintptr_t addr)
{
	uint64_t f;

	return frames_of(addr & ~(PAGE - 1), 1, &f) ? 0 : f;
}

/* Is [addr, addr + len) inside writable VMAs, by /proc/self/maps? */
static int range_writable(uintptr_t addr, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t at = addr, end = addr + len;

	if (!f)
		return 0;
	while (at < end && fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perm[8];

		if (sscanf(line, "%lx-%lx %7s", &s, &e, perm) != 3)
			continue;
		if (s <= at && at < e) {
			if (perm[1] != 'w')
				break;
			at = e;
		}
	}
	fclose(f);
	return at >= end;
}

/* --- the series' rules -------------------------------------------------- */

static int range_ok(unsigned long addr, unsigned long len)
{
	return len && !(addr & (PAGE - 1)) && !(len & (PAGE - 1)) &&
	       addr + len > addr && addr + len <= g.code;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	va_list ap;

	sh->mismatches++;
	if (sh->nreports >= 8)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->report[sh->nreports++], sizeof(sh->report[0]), fmt, ap);
	va_end(ap);
}

/*
 * An mmap() that the kernel let through (it reached the host: any answer
 * but its -EPERM): why it should not have, or NULL.
 */
static const char *mmap_should_have_been_denied(const struct call *c)
{
	static uint64_t frames[MAX_CHECK_PAGES];
	unsigned long addr = c->a[0], len = c->a[1], i, n;
	unsigned long prot = c->a[2], flags = c->a[3], off = c->a[5];

	if (flags != (MAP_SHARED | MAP_FIXED))
		return "flags are not the stub's MAP_SHARED | MAP_FIXED";
	if (!range_ok(addr, len))
		return "range is empty, unaligned, wraps or reaches the stub";
	if (prot & ~7UL)
		return "prot has bits beyond PROT_READ | PROT_WRITE | PROT_EXEC";
	n = len / PAGE;
	if (n > MAX_CHECK_PAGES)
		return "longer than anything this process maps";
	if (frames_of(addr, n, frames))
		return "cannot read /proc/self/pagemap";
	for (i = 0; i < n; i++)
		if (frames[i] != off + i * PAGE)
			return "a page does not map offset + i * 4096 here";
	if ((prot & PROT_WRITE) && !range_writable(addr, len))
		return "asked for write on memory we cannot write";
	return NULL;
}

static int is_error(long ret)
{
	return ret < 0 && ret > -4096;
}

/*
 * Oracle 2 and 3: a call the series must deny must neither succeed nor
 * get any answer but -EPERM (any other error comes from the host, or from
 * a signal that took the call away before the kernel saw it: then it is
 * not logged either); a call the rule allows must not be denied.
 */
static void check_call(const struct call *c)
{
	const char *why = NULL;

	switch (c->kind) {
	case K_MMAP:
		if (c->ret != -EPERM)
			why = mmap_should_have_been_denied(c);
		break;
	case K_MUNMAP:
		if (c->ret == -EPERM && range_ok(c->a[0], c->a[1])) {
			report("call %ld: munmap(%#lx, %#lx) = %ld: the rule allows it",
			       sh->cur_index, c->a[0], c->a[1], c->ret);
			return;
		}
		if (c->ret != -EPERM && !range_ok(c->a[0], c->a[1]))
			why = "empty, unaligned, wrapping or reaching the stub";
		break;
	default:
		break;
	}
	if (!why)
		return;
	if (is_error(c->ret)) {
		int e = -c->ret < 256 ? -c->ret : 255;

		sh->not_eperm++;
		sh->not_eperm_by_errno[e]++;
		if (sh->nnot_eperm_reports < 4)
			snprintf(sh->not_eperm_report[sh->nnot_eperm_reports++],
				 sizeof(sh->report[0]),
				 "call %ld: %s(%#lx, %#lx, %#lx, %#lx, %ld, %#lx) = %ld (%s): %s",
				 sh->cur_index, kind_name[c->kind], c->a[0],
				 c->a[1], c->a[2], c->a[3], c->a[4], c->a[5],
				 c->ret, strerror(-c->ret), why);
		return;
	}
	report("call %ld: %s(%#lx, %#lx, %#lx, %#lx, %ld, %#lx) = %#lx succeeded: %s",
	       sh->cur_index, kind_name[c->kind], c->a[0], c->a[1], c->a[2],
	       c->a[3], c->a[4], c->a[5], c->ret, why);
}

/* --- argument generators ------------------------------------------------ */

static uintptr_t pick_page_of(const struct region *r)
{
	return r->start + rn(r->len / PAGE) * PAGE;
}

static uintptr_t pick_addr(int *own)
{
	static const uintptr_t edges[] = {
		0, PAGE, 0x10000, 0x400000, 0x7fffffffe000UL, 0x7ffffffff000UL,
		0x800000000000UL, 0xffff800000000000UL, -PAGE, -2 * PAGE,
		1UL << 32, (1UL << 32) - PAGE, 1UL << 46,
	};
	uintptr_t a;
	unsigned long r = rn(100);

	*own = 0;
	if (r < 50) {
		const struct region *reg = &regions[rn(nregions)];

		a = pick_page_of(reg);
		*own = 1;
		if (chance(15)) {	/* a neighbour, maybe outside */
			a += chance(50) ? PAGE : -PAGE;
			*own = 0;
		}
	} else if (r < 68) {
		const uintptr_t stubs[] = {
			g.code, g.code - PAGE, g.code - 2 * PAGE, g.data,
			g.data + PAGE, g.data + 2 * PAGE, g.data + 3 * PAGE,
			g.code + PAGE / 2, g.code - PAGE / 2,
			((g.code >> 32) - 1) << 32 | 0xfffff000UL,
		};

		a = stubs[rn(sizeof(stubs) / sizeof(stubs[0]))];
	} else if (r < 80) {
		a = edges[rn(sizeof(edges) / sizeof(edges[0]))];
	} else if (r < 92) {
		a = (rnd() & ((1UL << 47) - 1)) & ~(PAGE - 1);
	} else {
		a = rnd();
	}
	if (chance(12)) {
		static const unsigned long skew[] = { 1, 8, 0x800, 0xfff };

		a += chance(75) ? skew[rn(4)] : rn(PAGE);
	}
	return a;
}

static unsigned long pick_len(uintptr_t addr)
{
	switch (rn(22)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return PAGE - 1;
	case 3: case 4: case 5: return PAGE;
	case 6: return PAGE + 1;
	case 7: case 8: case 9: return (1 + rn(64)) * PAGE;
	case 10: return g.code - addr;			/* ends at STUB_START */
	case 11: return g.code - addr + PAGE;		/* crosses into it */
	case 12: return -addr;				/* wraps to 0 */
	case 13: return -addr + PAGE;			/* wraps past 0 */
	case 14: return 0x100002000UL;			/* carries in 32 bits */
	case 15: return 1UL << 32;
	case 16: return 1UL << 40;
	case 17: return 1UL << 47;
	case 18: return -PAGE;
	case 19: return ~0UL;
	case 20: return g.code;
	default: return rnd() & (chance(50) ? ~(PAGE - 1) : ~0UL);
	}
}

static unsigned long pick_prot(void)
{
	static const unsigned long junk[] = {
		0x8, 0x10, 0x01000000, 0x02000000, 0x80000000UL, 1UL << 32,
		1UL << 63,
	};
	unsigned long p = rn(8);

	if (chance(20))
		p |= chance(80) ? junk[rn(sizeof(junk) / sizeof(junk[0]))] :
				  rnd();
	return p;
}

static unsigned long pick_flags(void)
{
	static const unsigned long odd[] = {
		MAP_PRIVATE | MAP_FIXED, MAP_SHARED, MAP_SHARED_VALIDATE | MAP_FIXED,
		MAP_SHARED | MAP_FIXED | MAP_POPULATE,
		MAP_SHARED | MAP_FIXED_NOREPLACE,
		MAP_SHARED | MAP_FIXED | MAP_ANONYMOUS,
		MAP_SHARED | MAP_FIXED | 0x80000000UL,
		MAP_SHARED | MAP_FIXED | (1UL << 32),
		MAP_SHARED | MAP_FIXED | MAP_GROWSDOWN, 0,
	};

	if (chance(65))
		return MAP_SHARED | MAP_FIXED;
	if (chance(85))
		return odd[rn(sizeof(odd) / sizeof(odd[0]))];
	return rnd();
}

static long pick_fd(void)
{
	if (chance(90))
		return rn(17);
	switch (rn(4)) {
	case 0: return -1;
	case 1: return 1L << 32;	/* fd 0 in the low word */
	case 2: return INT_MAX;
	default: return rnd();
	}
}

static unsigned long pick_offset(uintptr_t addr, int own)
{
	uint64_t f = 0;
	unsigned long r = rn(100);

	if (own && r < 60) {
		f = frame_of(addr);
		if (r < 40)
			return f;
		if (r < 48)
			return f + (chance(50) ? PAGE : -PAGE);
		if (r < 54)
			return f + (chance(50) ? 1 : rn(PAGE));
		return frame_of(pick_page_of(&regions[rn(nregions)]));
	}
	switch (rn(6)) {
	case 0: return 0;
	case 1: return PAGE;
	case 2: return rnd() & ((1UL << 32) - 1) & ~(PAGE - 1);
	case 3: return 1UL << 46;
	case 4: return -PAGE;
	default: return rnd();
	}
}

/* Touch a page of ours so that its PTE is young (and dirty if written) */
static void touch(uintptr_t addr)
{
	int i;

	for (i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];

		if (addr < r->start || addr >= r->start + r->len)
			continue;
		if (r->acc == ACC_RW && chance(60))
			*(volatile char *)addr = *(volatile char *)addr;
		else if (r->acc != ACC_NONE && chance(80))
			(void)*(volatile char *)addr;
		return;
	}
}

static void gen_mmap(struct call *c)
{
	int own;
	uintptr_t addr = pick_addr(&own);

	if (own)
		touch(addr);
	c->nr = SYS_mmap;
	c->a[0] = addr;
	c->a[1] = own && chance(50) ? (1 + rn(4)) * PAGE : pick_len(addr);
	c->a[2] = pick_prot();
	c->a[3] = pick_flags();
	c->a[4] = pick_fd();
	c->a[5] = pick_offset(addr, own);
}

static void gen_munmap(struct call *c)
{
	int own;
	uintptr_t addr = pick_addr(&own);

	c->nr = SYS_munmap;
	c->a[0] = addr;
	c->a[1] = own && chance(40) ? (1 + rn(4)) * PAGE : pick_len(addr);
}

static uintptr_t pick_futex_addr(int for_wait)
{
	unsigned long r = rn(100);

	if (r < 55)
		return (uintptr_t)&futex_word[rn(16)];
	if (r < 75)	/* the stub's futex word and its neighbours */
		return g.data + 4 * rn(8);
	if (for_wait)
		return (uintptr_t)&futex_word[rn(16)] + (chance(50) ? 1 : 0);
	return pick_addr(&(int){0});
}

static void gen_futex(struct call *c)
{
	int wait = chance(50), priv = chance(50) ? FUTEX_PRIVATE_FLAG : 0;
	uintptr_t addr = pick_futex_addr(wait);

	c->nr = SYS_futex;
	c->a[0] = addr;
	if (!wait) {
		static const long vals[] = { 0, 1, 2, INT_MAX, -1 };

		c->a[1] = FUTEX_WAKE | priv;
		c->a[2] = chance(80) ? vals[rn(5)] : (long)rnd();
		return;
	}
	/* a short timeout, or an invalid one */
	futex_timeout.tv_sec = 0;
	futex_timeout.tv_nsec = chance(90) ? (long)rn(2000001) :
				(chance(50) ? -1 : 1000000000L);
	c->a[1] = FUTEX_WAIT | priv;
	/* mostly the value it holds, so that it really waits */
	c->a[2] = chance(70) && !(addr & 3) && addr >= (uintptr_t)futex_word &&
		  addr < (uintptr_t)(futex_word + 16) ?
		  *(volatile int *)addr : (long)rn(4);
	c->a[3] = (long)&futex_timeout;
}

static void gen_recvmsg(struct call *c)
{
	static const int junk[] = {
		MSG_PEEK, MSG_TRUNC, MSG_WAITALL, MSG_CMSG_CLOEXEC, MSG_ERRQUEUE,
		MSG_OOB, MSG_CTRUNC, MSG_NOSIGNAL,
	};
	int flags = MSG_DONTWAIT, i;

	for (i = 0; i < 8; i++)
		if (chance(10))
			flags |= junk[i];
	rcv_iov[0] = (struct iovec){ rcv_buf, chance(20) ? 0 : 1 + rn(sizeof(rcv_buf)) };
	rcv_iov[1] = (struct iovec){ rcv_buf, 16 };
	rcv_msg = (struct msghdr){
		.msg_name = chance(20) ? rcv_name : NULL,
		.msg_namelen = sizeof(rcv_name),
		.msg_iov = rcv_iov,
		.msg_iovlen = chance(80) ? 1 : 2,
		.msg_control = chance(60) ? rcv_ctl : NULL,
		.msg_controllen = sizeof(rcv_ctl),
	};
	if (!rcv_msg.msg_control)
		rcv_msg.msg_controllen = 0;
	c->nr = SYS_recvmsg;
	c->a[0] = chance(95) ? (long)rn(17) : pick_fd();
	c->a[1] = chance(95) ? (long)&rcv_msg : 0;
	c->a[2] = flags;
}

static void gen_close(struct call *c)
{
	c->nr = SYS_close;
	c->a[0] = chance(90) ? (long)rn(17) : pick_fd();
}

static void gen_arch_prctl(struct call *c)
{
	c->nr = SYS_arch_prctl;
	c->a[0] = chance(50) ? ARCH_GET_FS : ARCH_GET_GS;
	c->a[1] = chance(90) ? (long)&prctl_out[rn(2)] : 0;
}

static void gen_call(struct call *c)
{
	unsigned long r = rn(1000);

	memset(c, 0, sizeof(*c));
	if (r < 360)
		c->kind = K_MMAP;
	else if (r < 620)
		c->kind = K_MUNMAP;
	else if (r < 730)
		c->kind = K_FUTEX;
	else if (r < 840)
		c->kind = K_RECVMSG;
	else if (r < 900)
		c->kind = K_CLOSE;
	else if (r < 970)
		c->kind = K_ARCH_PRCTL;
	else
		c->kind = X_SIGRETURN + rn(4);

	switch (c->kind) {
	case K_MMAP: gen_mmap(c); break;
	case K_MUNMAP: gen_munmap(c); break;
	case K_FUTEX: gen_futex(c); break;
	case K_RECVMSG: gen_recvmsg(c); break;
	case K_CLOSE:
		gen_close(c);
		/* close() takes an unsigned int: 1 << 32 is fd 0 too */
		if ((unsigned int)c->a[0] == 0)
			c->kind = X_CLOSE0;
		break;
	case K_ARCH_PRCTL: gen_arch_prctl(c); break;
	case X_SIGRETURN: c->nr = SYS_rt_sigreturn; break;
	case X_CLOSE0: c->nr = SYS_close; break;
	case X_SET_FS: c->nr = SYS_arch_prctl; c->a[0] = ARCH_SET_FS; break;
	case X_SET_GS: c->nr = SYS_arch_prctl; c->a[0] = ARCH_SET_GS; break;
	}
}

/* --- one batch, in a child ---------------------------------------------- */

/*
 * Each call is drawn from its own seed, so that a run can go on at any
 * call in a new child, and a single call can be looked at again.
 */
static void seed_call(uint64_t seed, long index)
{
	rng_state = seed ^ (0xd1b54a32d192ed03ULL * (uint64_t)(index + 1));
	rnd();
}

static void run_batch(uint64_t seed, long first, long end)
{
	long i;

	for (i = first; i < end; i++) {
		struct call c;

		sh->cur_index = i;
		sh->in_call = 0;
		sh->progress++;
		seed_call(seed, i);
		gen_call(&c);
		sh->cur = c;
		if (c.kind >= X_SIGRETURN) {
			sh->excluded++;
			continue;
		}
		if (c.kind == K_MUNMAP && range_ok(c.a[0], c.a[1]))
			sh->may_self_wedge = 1;
		if (verbose)
			printf("# call %ld: %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) ...\n",
			       i, kind_name[c.kind], c.a[0], c.a[1], c.a[2],
			       c.a[3], c.a[4], c.a[5]);
		sh->in_call = 1;
		c.ret = stub_call6(&g, c.nr, c.a[0], c.a[1], c.a[2], c.a[3],
				   c.a[4], c.a[5]);
		sh->in_call = 0;
		sh->progress++;
		sh->cur.ret = c.ret;
		if (verbose)
			printf("# call %ld = %ld\n", i, c.ret);
		sh->calls++;
		if (c.ret == -EPERM) {
			sh->eperm++;
			sh->by_kind[c.kind][1]++;
		} else if (c.ret < 0 && c.ret > -4096) {
			sh->other_err++;
			sh->by_kind[c.kind][2]++;
		} else {
			sh->success++;
			sh->by_kind[c.kind][0]++;
			if (c.kind == K_RECVMSG && c.a[0] == 0)
				sh->host_recvmsg_data++;
		}
		check_call(&c);
	}
	sh->cur_index = end;
	_exit(0);
}

/* --- heartbeat ---------------------------------------------------------- */

static pid_t heartbeat[MAX_CPUS];
static int ncpus;

static void start_heartbeats(void)
{
	int cpu;

	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus > MAX_CPUS)
		ncpus = MAX_CPUS;
	for (cpu = 0; cpu < ncpus; cpu++) {
		sh->hb_last_ns[cpu] = now_ns();
		heartbeat[cpu] = fork();
		if (heartbeat[cpu] == 0) {
			cpu_set_t set;
			long prev = now_ns();

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				_exit(1);
			while (!sh->hb_stop) {
				long t = now_ns();

				if (t - prev > sh->hb_max_gap_ns[cpu])
					sh->hb_max_gap_ns[cpu] = t - prev;
				prev = t;
				sh->hb_last_ns[cpu] = t;
				sh->hb_ticks[cpu]++;
				sh->hb_cpu_seen[cpu] = sched_getcpu();
				sleep_ms(10);
			}
			_exit(0);
		}
	}
}

/* Return the longest silence of a heartbeat so far, in ns */
static long heartbeat_gap(int *which)
{
	long worst = 0, t = now_ns();
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++) {
		long gap = t - sh->hb_last_ns[cpu];

		if (sh->hb_max_gap_ns[cpu] > gap)
			gap = sh->hb_max_gap_ns[cpu];
		if (gap > worst) {
			worst = gap;
			*which = cpu;
		}
	}
	return worst;
}

static void stop_heartbeats(void)
{
	int cpu, status;

	sh->hb_stop = 1;
	for (cpu = 0; cpu < ncpus; cpu++)
		if (heartbeat[cpu] > 0)
			waitpid(heartbeat[cpu], &status, 0);
}

/* --- the kernel log ----------------------------------------------------- */

struct logcount {
	long denied, suppressed, killed, last_seq;
	char first_denied[256];
};

/* Scan /dev/kmsg records after sequence number @after */
static int scan_kmsg(long after, struct logcount *lc)
{
	char rec[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	memset(lc, 0, sizeof(*lc));
	lc->last_seq = after;
	if (fd < 0)
		return -1;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		long long seq;
		char *msg, *p;
		int m;

		if (n < 0)
			continue;
		rec[n] = 0;
		if (sscanf(rec, "%*d,%lld", &seq) != 1)
			continue;
		lc->last_seq = seq;
		msg = strchr(rec, ';');
		if (seq <= after || !msg)
			continue;
		msg++;
		p = strchr(msg, '\n');
		if (p)
			*p = 0;
		if (strstr(msg, "uml-stub:") && strstr(msg, ": denied ")) {
			if (!lc->denied++)
				snprintf(lc->first_denied,
					 sizeof(lc->first_denied), "%s", msg);
		} else if (strstr(msg, "uml-stub:") && strstr(msg, " killed: ")) {
			lc->killed++;
		} else if (sscanf(msg, "stub_log_denied: %d callbacks suppressed",
				  &m) == 1) {
			lc->suppressed += m;
		}
	}
	close(fd);
	return 0;
}

/* --- main --------------------------------------------------------------- */

static void no_aslr(char **argv)
{
	int pers = personality(0xffffffff);

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE) || getenv("STUB_FUZZ_ASLR"))
		return;
	if (personality(pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	execv("/proc/self/exe", argv);
}

/* One denied mmap() and one denied munmap(), to flush the ratelimit */
static long flush_ratelimit(void)
{
	long n = 0;

	sleep_ms(RATELIMIT_WAIT_MS);
	if (stub_mmap(&g, (uintptr_t)static_area, PAGE, PROT_READ,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == -EPERM)
		n++;
	if (stub_munmap(&g, (uintptr_t)static_area + 1, PAGE) == -EPERM)
		n++;
	sleep_ms(200);	/* the suppressed count is printed deferred */
	return n;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) :
			(uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	long total = argc > 2 ? strtol(argv[2], NULL, 0) : 10000;
	long kills = 0, wedged = 0, executions = 0, gap, flushed;
	long started, start_seq, next, self_wedged = 0, last_death = -1;
	struct logcount lc;
	int worst_cpu = 0, pass = 0, fail = 0, ok, i;
	int validate = stub_harden_expected();
	long first = argc > 3 ? strtol(argv[3], NULL, 0) : 0;

	no_aslr(argv);
	verbose = getenv("STUB_FUZZ_VERBOSE") && atoi(getenv("STUB_FUZZ_VERBOSE"));
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# stub_fuzz: seed %llu, %ld calls (replay: stub_fuzz %llu %ld)\n",
	       (unsigned long long)seed, total, (unsigned long long)seed, total);

	if (stub_gadget_find(&g)) {
		printf("# no stub page with a syscall gadget: not SECCOMP userspace?\n");
		printf("TAP version 13\n1..1\nnot ok 1 the stub's gadget is found\n# 0 passed, 1 failed\n");
		return 1;
	}
	printf("# stub code at %#lx, gadget at %#lx, validation %s\n",
	       (unsigned long)g.code, (unsigned long)g.call,
	       stub_harden_expected() ? "expected" : "not expected");

	sh = anon(sizeof(*sh) + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	setup_regions();

	/* denials logged before this run must not count */
	scan_kmsg(-1, &lc);
	if (lc.denied || lc.suppressed)
		flush_ratelimit();
	scan_kmsg(-1, &lc);
	start_seq = lc.last_seq;

	start_heartbeats();
	started = now_ns();
	for (next = first; next < total;) {
		long end = (next / BATCH + 1) * BATCH, last = -1, since = now_ns();
		int status;
		pid_t pid;

		if (end > total)
			end = total;
		gap = heartbeat_gap(&worst_cpu);
		if (gap > STALL_NS) {
			printf("# heartbeat of vCPU %d silent for %ld ms before call %ld\n",
			       worst_cpu, gap / 1000000, next);
			break;
		}
		sh->may_self_wedge = 0;
		sh->cur_index = next;
		pid = fork();
		if (pid < 0) {
			perror("fork");
			break;
		}
		if (pid == 0)
			run_batch(seed, next, end);
		executions++;
		while (waitpid(pid, &status, WNOHANG) == 0) {
			long t = now_ns();

			if (sh->progress != last) {
				last = sh->progress;
				since = t;
			} else if (sh->may_self_wedge && t - since > SELF_WEDGE_NS) {
				/* see the comment at SELF_WEDGE_NS */
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				self_wedged++;
				break;
			} else if (t - since > BATCH_TIMEOUT_S * 1000000000L) {
				printf("# call %ld (%s) wedged its child: killed\n",
				       sh->cur_index, kind_name[sh->cur.kind]);
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				wedged++;
				break;
			}
			sleep_ms(2);
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			const struct call *c = &sh->cur;

			kills++;
			if (kills - self_wedged <= 10 &&
			    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			      sh->may_self_wedge))
				printf("# call %ld: the child died (%s %d)%s: %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx) = %ld\n",
				       sh->cur_index, WIFSIGNALED(status) ? "signal" : "exit",
				       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
				       sh->in_call ? " in the call" : " after the call",
				       kind_name[c->kind], c->a[0], c->a[1],
				       c->a[2], c->a[3], c->a[4], c->a[5], c->ret);
			/* go on after the call in flight, or at the one drawn */
			next = sh->cur_index + (sh->in_call ? 1 : 0);
			if (next <= sh->cur_index && sh->cur_index == last_death)
				next++;	/* never twice in the same place */
			last_death = sh->cur_index;
		} else {
			next = end;
		}
		if (next / 2000 != (next - 1) / 2000 || next >= total)
			printf("# %ld calls drawn, %ld made, %ld s\n", next,
			       sh->calls, (now_ns() - started) / 1000000000L);
	}
	gap = heartbeat_gap(&worst_cpu);
	stop_heartbeats();

	flushed = flush_ratelimit();
	sh->eperm += flushed;
	scan_kmsg(start_seq, &lc);

	printf("# summary: seed %llu: calls %ld, denials %ld, successes %ld, other errors %ld, executions %ld, kills %ld, mismatches %ld, refused-not-EPERM %ld, excluded %ld (%ld s)\n",
	       (unsigned long long)seed, sh->calls, sh->eperm, sh->success,
	       sh->other_err, executions, kills, sh->mismatches, sh->not_eperm,
	       sh->excluded,
	       (now_ns() - started) / 1000000000L);
	printf("# kills: %ld children faulting forever on pages an allowed munmap() took from the host (killed after %ld ms), %ld other deaths\n",
	       self_wedged, SELF_WEDGE_NS / 1000000, kills - self_wedged);
	for (i = 0; i < NKINDS; i++)
		if (i < X_SIGRETURN)
			printf("#   %-12s ok %-6ld EPERM %-6ld other %ld\n",
			       kind_name[i], sh->by_kind[i][0],
			       sh->by_kind[i][1], sh->by_kind[i][2]);
	printf("# kernel log: %ld denied lines + %ld suppressed = %ld (EPERMs %ld, %ld of them to flush the ratelimit); %ld killed lines\n",
	       lc.denied, lc.suppressed, lc.denied + lc.suppressed, sh->eperm,
	       flushed, lc.killed);
	if (lc.denied)
		printf("# first: %s\n", lc.first_denied);
	printf("# heartbeat: %d vCPUs, longest gap %ld ms (vCPU %d)",
	       ncpus, gap / 1000000, worst_cpu);
	for (i = 0; i < ncpus; i++)
		printf(", cpu%d %ld ticks", sh->hb_cpu_seen[i], sh->hb_ticks[i]);
	printf("\n");
	if (sh->host_recvmsg_data)
		printf("# recvmsg() on the stub's socket returned data %ld times\n",
		       sh->host_recvmsg_data);
	for (i = 0; i < sh->nreports; i++)
		printf("# MISMATCH %s\n", sh->report[i]);
	if (sh->not_eperm) {
		printf("# %ld calls the series must refuse got another error than -EPERM:",
		       sh->not_eperm);
		for (i = 0; i < 256; i++)
			if (sh->not_eperm_by_errno[i])
				printf(" %s x%ld", strerror(i), sh->not_eperm_by_errno[i]);
		printf("\n");
		for (i = 0; i < sh->nnot_eperm_reports; i++)
			printf("# NOT-EPERM %s\n", sh->not_eperm_report[i]);
	}

	printf("TAP version 13\n1..5\n");
#define TAP(n, cond, ...) do { ok = (cond); ok ? pass++ : fail++; \
	printf("%s %d ", ok ? "ok" : "not ok", n); printf(__VA_ARGS__); printf("\n"); } while (0)
	TAP(1, gap <= STALL_NS && ncpus > 0,
	    "heartbeat_on_every_vcpu_keeps_ticking # longest gap %ld ms", gap / 1000000);
	if (validate) {
		TAP(2, sh->mismatches == 0,
		    "no_call_the_series_must_deny_succeeds # %ld mismatches in %ld calls",
		    sh->mismatches, sh->calls);
		TAP(3, sh->not_eperm == 0,
		    "every_call_the_series_must_deny_gets_eperm # %ld got another error",
		    sh->not_eperm);
		TAP(4, lc.denied > 0 && lc.denied + lc.suppressed == sh->eperm,
		    "every_eperm_is_a_logged_denial # %ld + %ld suppressed vs %ld",
		    lc.denied, lc.suppressed, sh->eperm);
	} else {
		printf("ok 2 no_call_the_series_must_deny_succeeds # SKIP validation off\n");
		printf("ok 3 every_call_the_series_must_deny_gets_eperm # SKIP validation off\n");
		printf("ok 4 every_eperm_is_a_logged_denial # SKIP validation off\n");
	}
	TAP(5, wedged == 0 && next >= total,
	    "no_child_wedges_and_every_call_is_drawn # %ld wedged, %ld of %ld drawn, %ld children died",
	    wedged, next < total ? next : total, total, kills);
	printf("# %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
