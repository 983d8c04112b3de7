// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the host calls a hijacked stub can make (see stub_gadget.h).
 *
 *   stub_fuzz [SEED [CALLS [FIRST]]]
 *
 * Random calls through the stub page's "syscall; ret" gadget from the
 * guest thread: the memory calls (mmap, munmap, mprotect, mremap,
 * madvise), the fd calls (recvmsg, sendmsg, read, write, close), signal 0
 * to random targets (kill, tkill, tgkill), futex on our words, on the
 * stub's futex word and on the batch page with every op, arch_prctl with
 * its codes, and any number 0..599 (and some odd ones) with harmless
 * arguments (stub_harmless_args()). Arguments are random and boundary
 * values: page edges, STUB_START and its neighbours, huge and wrapping
 * lengths, every fd 0..16, junk prot and flags bits, our own frames from
 * /proc/self/pagemap and their neighbours, unaligned offsets. They are
 * drawn so that a call which wrongly reached the host could harm only the
 * calling process: signals are signal 0, madvise() never gets
 * MADV_HWPOISON or MADV_SOFT_OFFLINE.
 *
 * The seed is printed first; the same SEED and CALLS make the same choices
 * again (the program turns address space randomization off for itself,
 * so the addresses mostly match too). Every call has a seed of its own:
 * FIRST starts the run at that call, and STUB_FUZZ_VERBOSE=1 prints each
 * call before it is made and its result.
 *
 * The calls run in batches of BATCH, each in a child process, so that a
 * child the calls take apart does not end the run: such deaths are
 * counted and the run goes on in a new child after the call in flight.
 * Drawn but not made, and counted: rt_sigreturn, arch_prctl(ARCH_SET_FS
 * or ARCH_SET_GS) (libc's TLS), uretprobe and uprobe (the host exempts
 * them from seccomp; stub_attack's sweep reports what they do), vhangup;
 * without the option also close(0) (the stub's socket) and every call
 * upstream's filter kills the process for: there only mmap, munmap,
 * futex, recvmsg, close and arch_prctl are made, as before v3.
 *
 * Oracles, as TAP:
 *  1. a heartbeat process pinned to each online vCPU keeps ticking: no
 *     gap over 2 s, checked between batches and at the end;
 *  2. no call outside the allowed forms (stub_v3_form()) succeeds, and the
 *     allowed one drawn (FUTEX_WAKE on the stub's own futex word) is not
 *     refused;
 *  3. every call outside the allowed forms gets -EPERM, not another error
 *     (from the host, or -EINTR from a signal that took the call away);
 *  4. every -EPERM was logged: the "denied host call NR from the stub
 *     page" lines plus the ratelimit's "callbacks suppressed" counts add
 *     up to the -EPERMs (the ratelimit is flushed at the end with two more
 *     refused calls after its interval), and there is at least one line;
 *  5. no child makes no progress for BATCH_TIMEOUT_S, every call is drawn;
 *  6. the process and its memory are unharmed: no child dies, and our
 *     patterned regions hold their pattern after every call.
 * Without the option 2, 3, 4 and 6 are skipped (the calls reach the host).
 * The host checks the last one: the guest ends normally (no kernel crash).
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

#include "stub_gadget.h"

#ifndef ARCH_SHSTK_STATUS
#define ARCH_SHSTK_STATUS 0x5005
#endif

#define PAGE GADGET_PAGE
#define BATCH 100		/* calls per child */
#define BATCH_TIMEOUT_S 30	/* a child without progress this long is wedged */
#define REFUSED_TIMEOUT_S 5	/* ... with the option, where each call is refused */
#define MAX_WEDGED 10		/* the run stops after this many */
#define STALL_NS 2000000000L	/* a heartbeat gap this long is a stall */
#define MAX_CPUS 64
#define RATELIMIT_WAIT_MS 5600	/* printk's default interval is 5 s */
#define EXIT_DAMAGED 3		/* a child found its memory changed */
/*
 * Without the option, a child that made an munmap() of its own pages, or
 * an mmap(MAP_FIXED) the host failed after it took the old pages away
 * (upstream lets both through), may have unmapped pages it had touched
 * already (its stack, its text). UML maps such a page again only when its
 * PTE changes, so the child then faults on it forever. Such a child is
 * killed once it has made no progress for this long, counted, and the run
 * goes on in a new child.
 */
#define SELF_WEDGE_NS 500000000L

enum kind {
	K_MMAP, K_MUNMAP, K_MPROTECT, K_MREMAP, K_MADVISE,
	K_RECVMSG, K_SENDMSG, K_READ, K_WRITE, K_CLOSE,
	K_SIGNAL, K_FUTEX, K_ARCH_PRCTL, K_ANY,
	X_EXCLUDED,	/* drawn, never made */
	NKINDS
};

static const char *const kind_name[NKINDS] = {
	"mmap", "munmap", "mprotect", "mremap", "madvise",
	"recvmsg", "sendmsg", "read", "write", "close",
	"signal 0", "futex", "arch_prctl", "any number", "excluded",
};

/* How often each kind is drawn, per 1000 */
static const int kind_weight[X_EXCLUDED] = {
	160, 110, 70, 50, 50,
	60, 40, 40, 40, 40,
	30, 120, 60, 130,
};

struct call {
	int kind;
	long nr;
	long a[6];
	long ret;
	const char *why;	/* X_EXCLUDED: why not made */
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
	long allowed, maybe;		/* allowed and maybe-allowed forms made */
	long excluded_by_reason[8];
	const char *excluded_reason[8];

	/* the call in flight, to name what killed a child */
	volatile long cur_index;
	volatile int in_call;		/* in the gadget call itself */
	volatile long progress;
	volatile int may_self_wedge;	/* made an munmap() upstream allows */
	struct call cur;

	/* the first few mismatches, for the report */
	int nreports;
	char report[8][320];
	/* refused calls that got another error than -EPERM */
	long not_eperm, not_eperm_by_errno[256];
	int nnot_eperm_reports;
	char not_eperm_report[4][320];
	/* memory found changed after a call */
	long damaged;
	int ndamage_reports;
	char damage_report[4][320];
};

static struct shared *sh;
static struct stub_gadget g;
static int verbose, harden;
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
	int fill;	/* the byte every page holds, -1: not checked */
};

static char static_area[64 * PAGE] __attribute__((aligned(4096)));
static struct region regions[16];
static int nregions;

/* futex words, buffers for the fd calls and their control space */
static volatile int futex_word[16] __attribute__((aligned(64)));
static char io_buf[4096];
static char io_ctl[CMSG_SPACE(sizeof(int) * 8)] __attribute__((aligned(8)));
static char io_name[128];
static struct msghdr io_msg;
static struct iovec io_iov[2];
static struct timespec futex_timeout;
static unsigned long prctl_out[2];
static char *scratch;		/* a zeroed page: "" for path arguments */

static void add_region(const char *name, void *start, size_t len, int acc,
		       int fill)
{
	regions[nregions++] = (struct region){ name, (uintptr_t)start, len,
					       acc, fill };
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
	add_region("static", static_area, sizeof(static_area), ACC_RW, 0x11);

	p = anon(32 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE);
	memset(p, 0x22, 32 * PAGE);
	add_region("anon", p, 32 * PAGE, ACC_RW, 0x22);

	p = anon(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(p, 0x33, 4 * PAGE);
	mprotect(p, 4 * PAGE, PROT_READ);
	add_region("read-only", p, 4 * PAGE, ACC_R, 0x33);

	p = anon(2 * PAGE, PROT_NONE, MAP_PRIVATE);
	add_region("prot-none", p, 2 * PAGE, ACC_NONE, -1);

	p = anon(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	memset(p, 0x44, 4 * PAGE);
	munmap(p + 2 * PAGE, PAGE);
	add_region("holed", p, 2 * PAGE, ACC_RW, 0x44);
	add_region("after-hole", p + 3 * PAGE, PAGE, ACC_RW, 0x44);

	p = anon(4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	memset(p, 0x55, 4 * PAGE);
	add_region("shared", p, 4 * PAGE, ACC_RW, 0x55);

	p = anon(8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	add_region("untouched", p, 8 * PAGE, ACC_RW, -1);

	add_region("text", (void *)text, 2 * PAGE, ACC_R, -1);
	add_region("stack", (void *)(((uintptr_t)__builtin_frame_address(0)) &
				     ~(PAGE - 1)), PAGE, ACC_RW, -1);
	add_region("data", (void *)((uintptr_t)&stack_marker & ~(PAGE - 1)),
		   PAGE, ACC_RW, -1);
	add_region("shared-state", sh, PAGE, ACC_RW, -1);

	scratch = anon(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE);
}

/* The first region that no longer holds its pattern, with where, or NULL */
static const char *damaged_region(size_t *at, int *val)
{
	int i;

	for (i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];
		const volatile unsigned char *p = (const void *)r->start;
		size_t j;

		if (r->fill < 0)
			continue;
		for (j = 0; j < r->len; j++)
			if (p[j] != r->fill) {
				*at = j;
				*val = p[j];
				return r->name;
			}
	}
	return NULL;
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

/* --- the oracles on one call ------------------------------------------- */

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

static int is_error(long ret)
{
	return ret < 0 && ret > -4096;
}

static const char *call_text(const struct call *c)
{
	static char buf[200];

	snprintf(buf, sizeof(buf), "%s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)",
		 stub_sysname(c->nr), c->a[0], c->a[1], c->a[2], c->a[3],
		 c->a[4], c->a[5]);
	return buf;
}

/*
 * Oracles 2 and 3 (with the option): a call outside the allowed forms
 * must get -EPERM, neither succeed nor get another error; the allowed
 * form must not be refused.
 */
static void check_call(const struct call *c)
{
	int form = stub_v3_form(&g, c->nr, c->a), e;

	if (form == STUB_MAYBE) {
		sh->maybe++;
		return;
	}
	if (form == STUB_ALLOWED) {
		sh->allowed++;
		if (c->ret == -EPERM)
			report("call %ld: %s = -EPERM: the allowed form was refused",
			       sh->cur_index, call_text(c));
		return;
	}
	if (c->ret == -EPERM)
		return;
	if (!is_error(c->ret)) {
		report("call %ld: %s = %#lx succeeded", sh->cur_index,
		       call_text(c), c->ret);
		return;
	}
	e = -c->ret < 256 ? -c->ret : 255;
	sh->not_eperm++;
	sh->not_eperm_by_errno[e]++;
	if (sh->nnot_eperm_reports < 4)
		snprintf(sh->not_eperm_report[sh->nnot_eperm_reports++],
			 sizeof(sh->not_eperm_report[0]), "call %ld: %s = %ld (%s)",
			 sh->cur_index, call_text(c), c->ret, strerror(-c->ret));
}

/* Oracle 6: after a call, our memory holds its patterns; if not, end the child */
static void check_memory(const struct call *c)
{
	size_t at;
	int val;
	const char *name = damaged_region(&at, &val);

	if (!name)
		return;
	sh->damaged++;
	if (sh->ndamage_reports < 4)
		snprintf(sh->damage_report[sh->ndamage_reports++],
			 sizeof(sh->damage_report[0]),
			 "call %ld: %s = %ld: region %s byte %zu is %#x",
			 sh->cur_index, call_text(c), c->ret, name, at, val);
	_exit(EXIT_DAMAGED);
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
			g.code + PAGE / 2, g.code - PAGE / 2, g.batch,
			g.batch + 4 * rn(1024),
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

static uintptr_t pick_own_len(int own, uintptr_t addr)
{
	return own && chance(50) ? (1 + rn(4)) * PAGE : pick_len(addr);
}

static void gen_mprotect(struct call *c)
{
	int own;
	uintptr_t addr = pick_addr(&own);

	c->nr = SYS_mprotect;
	c->a[0] = addr;
	c->a[1] = pick_own_len(own, addr);
	c->a[2] = pick_prot();
}

static void gen_mremap(struct call *c)
{
	static const long flags[] = {
		0, MREMAP_MAYMOVE, MREMAP_MAYMOVE | MREMAP_FIXED,
		MREMAP_MAYMOVE | 4 /* MREMAP_DONTUNMAP */, MREMAP_FIXED, 8, -1,
	};
	int own, own2;
	uintptr_t addr = pick_addr(&own);

	c->nr = SYS_mremap;
	c->a[0] = addr;
	c->a[1] = pick_own_len(own, addr);
	c->a[2] = chance(70) ? (long)pick_own_len(own, addr) : (long)rnd();
	c->a[3] = flags[rn(sizeof(flags) / sizeof(flags[0]))];
	c->a[4] = pick_addr(&own2);
}

/* Never MADV_HWPOISON (100) or MADV_SOFT_OFFLINE (101): host memory */
static void gen_madvise(struct call *c)
{
	static const long advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK,
		MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, 18 /* WIPEONFORK */,
		19 /* KEEPONFORK */, 20 /* COLD */, 21 /* PAGEOUT */,
		22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */,
		24 /* DONTNEED_LOCKED */, 25 /* COLLAPSE */,
		102 /* GUARD_INSTALL */, 103 /* GUARD_REMOVE */, 99, -1,
	};
	int own;
	uintptr_t addr = pick_addr(&own);

	c->nr = SYS_madvise;
	c->a[0] = addr;
	c->a[1] = pick_own_len(own, addr);
	c->a[2] = advice[rn(sizeof(advice) / sizeof(advice[0]))];
}

/* A buffer: ours, or a page of a patterned region (damage shows) */
static char *pick_buf(size_t *len)
{
	if (chance(70)) {
		*len = chance(20) ? 0 : 1 + rn(sizeof(io_buf));
		return io_buf;
	}
	*len = 1 + rn(PAGE);
	return static_area + rn(sizeof(static_area) / PAGE) * PAGE;
}

static void gen_msg(struct call *c, long nr)
{
	static const int junk[] = {
		MSG_PEEK, MSG_TRUNC, MSG_WAITALL, MSG_CMSG_CLOEXEC, MSG_ERRQUEUE,
		MSG_OOB, MSG_CTRUNC, MSG_NOSIGNAL, MSG_EOR, MSG_MORE,
	};
	int flags = MSG_DONTWAIT, i;
	size_t len;
	char *buf = pick_buf(&len);

	for (i = 0; i < 10; i++)
		if (chance(10))
			flags |= junk[i];
	io_iov[0] = (struct iovec){ buf, len };
	io_iov[1] = (struct iovec){ io_buf, 16 };
	io_msg = (struct msghdr){
		.msg_name = chance(20) ? io_name : NULL,
		.msg_namelen = sizeof(io_name),
		.msg_iov = io_iov,
		.msg_iovlen = chance(80) ? 1 : 2,
		.msg_control = chance(60) ? io_ctl : NULL,
		.msg_controllen = sizeof(io_ctl),
	};
	if (!io_msg.msg_control)
		io_msg.msg_controllen = 0;
	c->nr = nr;
	c->a[0] = chance(95) ? (long)rn(17) : pick_fd();
	c->a[1] = chance(95) ? (long)&io_msg : 0;
	c->a[2] = flags;
}

static void gen_rw(struct call *c, long nr)
{
	size_t len;
	char *buf = pick_buf(&len);

	c->nr = nr;
	c->a[0] = chance(90) ? (long)rn(17) : pick_fd();
	c->a[1] = chance(95) ? (long)buf : 0;
	c->a[2] = chance(90) ? (long)len : (long)rnd();
}

static void gen_close(struct call *c)
{
	c->nr = SYS_close;
	c->a[0] = chance(90) ? (long)rn(17) : pick_fd();
}

/* Signal 0 only: a call that reached the host delivers nothing */
static void gen_signal(struct call *c)
{
	static const long targets[] = { 0, -1, 1, 2, INT_MAX, -2 };
	long t = chance(70) ? targets[rn(6)] : (long)rn(65536);

	switch (rn(3)) {
	case 0:
		c->nr = SYS_kill;
		c->a[0] = t;
		break;
	case 1:
		c->nr = SYS_tkill;
		c->a[0] = t;
		break;
	default:
		c->nr = SYS_tgkill;
		c->a[0] = t;
		c->a[1] = chance(50) ? t : (long)rn(65536);
		break;
	}
}

static uintptr_t pick_futex_addr(void)
{
	unsigned long r = rn(100);
	long near = chance(40) ? 4 * ((long)rn(9) - 4) : 0;
	int own;

	if (r < 40)
		return (uintptr_t)&futex_word[rn(16)] + (chance(5) ? 1 : 0);
	if (r < 65)	/* the stub's futex word and its neighbours */
		return g.data + STUB_FUTEX_OFF + near;
	if (r < 85 && g.batch)
		return g.batch + 4 * rn(PAGE / 4);
	return pick_addr(&own);
}

static void gen_futex(struct call *c)
{
	static const int ops[] = {
		FUTEX_WAIT, FUTEX_WAKE, FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE,
		FUTEX_CMP_REQUEUE, FUTEX_WAKE_OP, FUTEX_WAIT_BITSET,
		FUTEX_WAKE_BITSET, FUTEX_LOCK_PI, FUTEX_UNLOCK_PI,
		FUTEX_TRYLOCK_PI, FUTEX_WAIT_REQUEUE_PI, 13, 99,
	};
	int op = ops[rn(sizeof(ops) / sizeof(ops[0]))], own;
	uintptr_t addr = pick_futex_addr();
	int readable = !(addr & 3) && gadget_peek(addr) >= 0 &&
		       gadget_peek(addr + 3) >= 0;
	int cur = readable ? *(volatile int *)addr : 0;

	if (chance(20))
		op |= FUTEX_PRIVATE_FLAG;
	c->nr = SYS_futex;
	c->a[0] = addr;
	c->a[1] = op;
	c->a[2] = chance(50) ? cur : (long)rn(4);
	/* a short timeout, or an invalid one; NULL only with another value */
	futex_timeout.tv_sec = 0;
	futex_timeout.tv_nsec = chance(90) ? (long)rn(2000001) :
				(chance(50) ? -1 : 1000000000L);
	c->a[3] = (long)&futex_timeout;
	if ((op & ~FUTEX_PRIVATE_FLAG) == FUTEX_WAIT_BITSET) {
		clock_gettime(CLOCK_MONOTONIC, &futex_timeout);	/* absolute */
	} else if (chance(15) && readable) {
		c->a[2] = cur + 1;	/* never blocks, if it reached the host */
		c->a[3] = 0;
	}
	c->a[4] = chance(70) ? (long)&futex_word[rn(16)] : (long)pick_addr(&own);
	c->a[5] = chance(50) ? -1 : (long)rnd();
	/* FUTEX_WAKE on the stub's own word: the allowed form, made as is */
	if (chance(3)) {
		c->a[0] = g.data + STUB_FUTEX_OFF;
		c->a[1] = FUTEX_WAKE;
		c->a[2] = 1;
	}
}

static void gen_arch_prctl(struct call *c)
{
	static const long codes[] = {
		ARCH_GET_FS, ARCH_GET_GS, ARCH_GET_FS, ARCH_GET_GS,
		0x1011 /* GET_CPUID */, 0x1012 /* SET_CPUID */,
		0x1021 /* GET_XCOMP_SUPP */, 0x1022 /* GET_XCOMP_PERM */,
		0x1023 /* REQ_XCOMP_PERM */, 0x2001, 0x2002, 0x2003 /* MAP_VDSO */,
		0x4001 /* GET_UNTAG_MASK */, 0x4003 /* GET_MAX_TAG_BITS */,
		ARCH_SHSTK_STATUS, 0, 0x1005, 0x7fffffff,
		ARCH_SET_FS, ARCH_SET_GS, ARCH_SET_FS | (1L << 32),
	};
	int own;

	c->nr = SYS_arch_prctl;
	c->a[0] = codes[rn(sizeof(codes) / sizeof(codes[0]))];
	if (chance(80))
		c->a[1] = (long)&prctl_out[rn(2)];
	else
		c->a[1] = chance(50) ? (long)rn(32) : (long)pick_addr(&own);
}

/* Any number, with harmless arguments */
static void gen_any(struct call *c)
{
	static const long odd[] = {
		0x40000000L, 0x40000000L | SYS_getpid, 0x40000000L | SYS_futex,
		(1L << 32) | SYS_getpid, (1L << 32) | SYS_mprotect, -1L,
		0x7fffffffL, 0x80000000L, 1000,
	};

	c->nr = chance(95) ? (long)rn(600) : odd[rn(sizeof(odd) / sizeof(odd[0]))];
	stub_harmless_args(c->nr, c->a, scratch);
}

/* The calls upstream's filter lets through from the stub page */
static int upstream_allows(long nr)
{
	switch ((int)nr) {
	case SYS_mmap: case SYS_munmap: case SYS_futex: case SYS_recvmsg:
	case SYS_close: case SYS_arch_prctl:
		return 1;
	default:
		return 0;
	}
}

static void exclude(struct call *c, const char *why)
{
	c->kind = X_EXCLUDED;
	c->why = why;
}

static void gen_call(struct call *c)
{
	unsigned long r = rn(1000);
	int k = 0;

	memset(c, 0, sizeof(*c));
	while (k < X_EXCLUDED - 1 && r >= (unsigned long)kind_weight[k])
		r -= kind_weight[k++];
	c->kind = k;

	switch (c->kind) {
	case K_MMAP: gen_mmap(c); break;
	case K_MUNMAP: gen_munmap(c); break;
	case K_MPROTECT: gen_mprotect(c); break;
	case K_MREMAP: gen_mremap(c); break;
	case K_MADVISE: gen_madvise(c); break;
	case K_RECVMSG: gen_msg(c, SYS_recvmsg); break;
	case K_SENDMSG: gen_msg(c, SYS_sendmsg); break;
	case K_READ: gen_rw(c, SYS_read); break;
	case K_WRITE: gen_rw(c, SYS_write); break;
	case K_CLOSE: gen_close(c); break;
	case K_SIGNAL: gen_signal(c); break;
	case K_FUTEX: gen_futex(c); break;
	case K_ARCH_PRCTL: gen_arch_prctl(c); break;
	default: gen_any(c); break;
	}

	if (stub_never_called(c->nr))
		return exclude(c, stub_never_called(c->nr));
	if (stub_host_passthrough(c->nr))
		return exclude(c, "uretprobe/uprobe: the host exempts them from seccomp");
	if ((int)c->nr == SYS_arch_prctl &&
	    ((int)c->a[0] == ARCH_SET_FS || (int)c->a[0] == ARCH_SET_GS))
		return exclude(c, "arch_prctl(ARCH_SET_FS/GS): libc's TLS");
	if (harden)
		return;
	if (!upstream_allows(c->nr))
		return exclude(c, "without the option: upstream's filter kills the process for it");
	/* close() takes an unsigned int: 1 << 32 is fd 0 too */
	if ((int)c->nr == SYS_close && (unsigned int)c->a[0] == 0)
		return exclude(c, "without the option: close(0) is the stub's socket");
	if ((int)c->nr == SYS_arch_prctl && (int)c->a[0] != ARCH_GET_FS &&
	    (int)c->a[0] != ARCH_GET_GS)
		return exclude(c, "without the option: arch_prctl() codes but ARCH_GET_FS/GS reach the host");
}

/*
 * Each call is drawn from its own seed, so that a run can go on at any
 * call in a new child, and a single call can be looked at again.
 */
static void seed_call(uint64_t seed, long index)
{
	rng_state = seed ^ (0xd1b54a32d192ed03ULL * (uint64_t)(index + 1));
	rnd();
}

/* --- one batch, in a child ---------------------------------------------- */

static void count_excluded(const char *why)
{
	int i;

	sh->excluded++;
	for (i = 0; i < 8; i++) {
		if (!sh->excluded_reason[i])
			sh->excluded_reason[i] = why;
		if (sh->excluded_reason[i] == why) {
			sh->excluded_by_reason[i]++;
			return;
		}
	}
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
		if (c.kind == X_EXCLUDED) {
			count_excluded(c.why);
			continue;
		}
		if (!harden && ((int)c.nr == SYS_munmap || (int)c.nr == SYS_mmap))
			sh->may_self_wedge = 1;
		if (verbose)
			printf("# call %ld: %s %s ...\n", i, kind_name[c.kind],
			       call_text(&c));
		sh->in_call = 1;
		c.ret = stub_call6(&g, c.nr, c.a[0], c.a[1], c.a[2], c.a[3],
				   c.a[4], c.a[5]);
		if (((int)c.nr == SYS_fork || (int)c.nr == SYS_vfork) && c.ret == 0)
			stub_end_host_child(&g);
		sh->in_call = 0;
		sh->progress++;
		sh->cur.ret = c.ret;
		if (verbose)
			printf("# call %ld = %ld\n", i, c.ret);
		sh->calls++;
		if (c.ret == -EPERM) {
			sh->eperm++;
			sh->by_kind[c.kind][1]++;
		} else if (is_error(c.ret)) {
			sh->other_err++;
			sh->by_kind[c.kind][2]++;
		} else {
			sh->success++;
			sh->by_kind[c.kind][0]++;
		}
		if (harden) {
			check_call(&c);
			check_memory(&c);
		}
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
	long denied, suppressed, killed, bad_data;
	char first_denied[256];
};

static void count_log_line(const char *msg, void *ctx)
{
	struct logcount *lc = ctx;

	lc->suppressed += stub_suppressed_count(msg);
	if (!strstr(msg, "uml-stub:"))
		return;
	if (strstr(msg, ": denied host call ") && strstr(msg, " from the stub page")) {
		if (!lc->denied++)
			snprintf(lc->first_denied, sizeof(lc->first_denied),
				 "%s", msg);
	} else if (strstr(msg, " killed: ")) {
		lc->killed++;
	} else if (strstr(msg, ": bad stub data: ")) {
		lc->bad_data++;
	}
}

/* Count the records after @after; returns the last sequence number */
static long long scan_kmsg(long long after, struct logcount *lc)
{
	memset(lc, 0, sizeof(*lc));
	return stub_kmsg_each(after, count_log_line, lc);
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

/* Two refused calls after the ratelimit's interval, to flush it */
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
	long first = argc > 3 ? strtol(argv[3], NULL, 0) : 0;
	long kills = 0, damaged_children = 0, wedged = 0, executions = 0;
	long started, next, self_wedged = 0, last_death = -1, gap, flushed;
	long long start_seq;
	struct logcount lc;
	int worst_cpu = 0, pass = 0, fail = 0, ok, i;

	no_aslr(argv);
	harden = stub_harden_expected();
	verbose = getenv("STUB_FUZZ_VERBOSE") && atoi(getenv("STUB_FUZZ_VERBOSE"));
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# stub_fuzz: seed %llu, %ld calls (replay: stub_fuzz %llu %ld)\n",
	       (unsigned long long)seed, total, (unsigned long long)seed, total);

	if (stub_gadget_find(&g)) {
		printf("# no stub page with a syscall gadget: not SECCOMP userspace?\n");
		printf("TAP version 13\n1..1\nnot ok 1 the stub's gadget is found\n# 0 passed, 1 failed\n");
		return 1;
	}
	printf("# stub code at %#lx, gadget at %#lx, batch page %#lx, option %s\n",
	       (unsigned long)g.code, (unsigned long)g.call,
	       (unsigned long)g.batch, harden ? "on (expected)" : "off");

	sh = anon(sizeof(*sh) + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	setup_regions();

	/* refusals logged before this run must not count */
	scan_kmsg(-1, &lc);
	if (lc.denied || lc.suppressed)
		flush_ratelimit();
	start_seq = scan_kmsg(-1, &lc);

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
			} else if (t - since > (harden ? REFUSED_TIMEOUT_S :
						BATCH_TIMEOUT_S) * 1000000000L) {
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
			int damaged = WIFEXITED(status) &&
				      WEXITSTATUS(status) == EXIT_DAMAGED;

			if (damaged)
				damaged_children++;
			else
				kills++;
			if (!damaged && kills - self_wedged <= 10 &&
			    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
			      sh->may_self_wedge))
				printf("# call %ld: the child died (%s %d)%s: %s %s = %ld\n",
				       sh->cur_index, WIFSIGNALED(status) ? "signal" : "exit",
				       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
				       sh->in_call ? " in the call" : " after the call",
				       kind_name[c->kind], call_text(c), c->ret);
			/* go on after the call in flight, or at the one drawn */
			next = sh->cur_index + (sh->in_call || damaged ? 1 : 0);
			if (next <= sh->cur_index && sh->cur_index == last_death)
				next++;	/* never twice in the same place */
			last_death = sh->cur_index;
		} else {
			next = end;
		}
		if (wedged >= MAX_WEDGED) {
			printf("# %ld children wedged: the run stops at call %ld\n",
			       wedged, next);
			break;
		}
		if (next / 2000 != (next - 1) / 2000 || next >= total)
			printf("# %ld calls drawn, %ld made, %ld s\n", next,
			       sh->calls, (now_ns() - started) / 1000000000L);
	}
	gap = heartbeat_gap(&worst_cpu);
	stop_heartbeats();

	flushed = harden ? flush_ratelimit() : 0;
	sh->eperm += flushed;
	scan_kmsg(start_seq, &lc);

	printf("# summary: seed %llu: calls %ld, refused %ld, successes %ld, other errors %ld, allowed forms %ld, maybe-allowed %ld, executions %ld, kills %ld, damaged %ld, mismatches %ld, refused-not-EPERM %ld, excluded %ld (%ld s)\n",
	       (unsigned long long)seed, sh->calls, sh->eperm, sh->success,
	       sh->other_err, sh->allowed, sh->maybe, executions, kills,
	       sh->damaged, sh->mismatches, sh->not_eperm, sh->excluded,
	       (now_ns() - started) / 1000000000L);
	if (!harden)
		printf("# kills: %ld children faulting forever on pages a munmap() or a failed mmap() took from the host (killed after %ld ms), %ld other deaths\n",
		       self_wedged, SELF_WEDGE_NS / 1000000, kills - self_wedged);
	printf("#   %-12s %8s %8s %8s\n", "kind", "ok", "EPERM", "other");
	for (i = 0; i < X_EXCLUDED; i++)
		printf("#   %-12s %8ld %8ld %8ld\n", kind_name[i], sh->by_kind[i][0],
		       sh->by_kind[i][1], sh->by_kind[i][2]);
	for (i = 0; i < 8 && sh->excluded_reason[i]; i++)
		printf("#   not made %6ld x %s\n", sh->excluded_by_reason[i],
		       sh->excluded_reason[i]);
	printf("# kernel log: %ld denied lines + %ld suppressed = %ld (refusals %ld, %ld of them to flush the ratelimit); %ld killed lines, %ld bad stub data lines\n",
	       lc.denied, lc.suppressed, lc.denied + lc.suppressed, sh->eperm,
	       flushed, lc.killed, lc.bad_data);
	if (lc.denied)
		printf("# first: %s\n", lc.first_denied);
	printf("# heartbeat: %d vCPUs, longest gap %ld ms (vCPU %d)",
	       ncpus, gap / 1000000, worst_cpu);
	for (i = 0; i < ncpus; i++)
		printf(", cpu%d %ld ticks", sh->hb_cpu_seen[i], sh->hb_ticks[i]);
	printf("\n");
	for (i = 0; i < sh->nreports; i++)
		printf("# MISMATCH %s\n", sh->report[i]);
	if (sh->not_eperm) {
		printf("# %ld calls that must be refused got another error than -EPERM:",
		       sh->not_eperm);
		for (i = 0; i < 256; i++)
			if (sh->not_eperm_by_errno[i])
				printf(" %s x%ld", strerror(i), sh->not_eperm_by_errno[i]);
		printf("\n");
		for (i = 0; i < sh->nnot_eperm_reports; i++)
			printf("# NOT-EPERM %s\n", sh->not_eperm_report[i]);
	}
	for (i = 0; i < sh->ndamage_reports; i++)
		printf("# DAMAGE %s\n", sh->damage_report[i]);

	printf("TAP version 13\n1..6\n");
#define TAP(n, cond, ...) do { ok = (cond); ok ? pass++ : fail++; \
	printf("%s %d ", ok ? "ok" : "not ok", n); printf(__VA_ARGS__); printf("\n"); } while (0)
	TAP(1, gap <= STALL_NS && ncpus > 0,
	    "heartbeat_on_every_vcpu_keeps_ticking # longest gap %ld ms", gap / 1000000);
	if (harden) {
		TAP(2, sh->mismatches == 0,
		    "no_call_outside_the_allowed_forms_succeeds # %ld mismatches in %ld calls",
		    sh->mismatches, sh->calls);
		TAP(3, sh->not_eperm == 0,
		    "every_call_outside_the_allowed_forms_gets_eperm # %ld got another error",
		    sh->not_eperm);
		TAP(4, lc.denied > 0 && lc.denied + lc.suppressed == sh->eperm,
		    "every_eperm_is_a_logged_denial # %ld + %ld suppressed vs %ld",
		    lc.denied, lc.suppressed, sh->eperm);
	} else {
		printf("ok 2 no_call_outside_the_allowed_forms_succeeds # SKIP option off: the calls reach the host\n");
		printf("ok 3 every_call_outside_the_allowed_forms_gets_eperm # SKIP option off\n");
		printf("ok 4 every_eperm_is_a_logged_denial # SKIP option off\n");
	}
	TAP(5, wedged == 0 && next >= total,
	    "no_child_wedges_and_every_call_is_drawn # %ld wedged, %ld of %ld drawn",
	    wedged, next < total ? next : total, total);
	if (harden)
		TAP(6, kills == 0 && sh->damaged == 0,
		    "the_process_and_its_memory_are_unharmed # %ld children died, %ld found their memory changed",
		    kills, sh->damaged);
	else
		printf("ok 6 the_process_and_its_memory_are_unharmed # SKIP option off: %ld children died, as upstream\n",
		       kills);
	printf("# %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
