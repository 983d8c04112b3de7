// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the stub data pages (issue 14), beside stub_fuzz.c (the stub's
 * host calls).
 *
 *   stub_dpfuzz [SEED [ITERATIONS [FIRST]]]
 *
 * Each iteration writes random fields of struct stub_data (see
 * stub_report.h) with random and boundary values, at a random moment:
 * right before a system call, a page fault, a guest signal or an int3
 * (real traps: the stub's handler writes its own frame over part of it),
 * or as a faked report the kernel handles while the fuzzer keeps running,
 * with one field flipped meanwhile. The fields: err, syscall_data_len and
 * the entries of syscall_data, restart_wait, signal, si_offset,
 * mctx_offset, the siginfo and the general registers, the fpregs pointer,
 * the FP area's magic1, extended_size and MAGIC2 and its bytes. Never
 * arch_data (the fuzzer's own TLS) nor the futex word outside a report.
 *
 * The seed is printed first; the same SEED and ITERATIONS make the same
 * choices again, and each iteration has a seed of its own: FIRST starts
 * at that iteration, DPFUZZ_VERBOSE=1 prints each one before it runs.
 * DPFUZZ_GOOD_ONLY=1 draws only forgeries every kernel must handle (no
 * bad field, no flip): a check of the oracles themselves, which then
 * must hold on an unfixed kernel too.
 * The iterations run in children of BATCH, each as uid 65534; a child the
 * kernel kills is counted and the run goes on after that iteration.
 *
 * Oracles, as TAP (the host checks the console for kernel crashes):
 *  1. every iteration ran, no child was stuck;
 *  2. no leak: after a faked report nothing but the kernel's own frame
 *     (the registers at the mctx_offset it was given, the FP area of the
 *     size it was given, within the host's) and its control fields
 *     changed; after a real trap the fuzzer's other bytes are intact;
 *  3. the bystanders (two processes that fill and check memory and make
 *     system calls) ran all along, untouched;
 *  4. a forgery that is plainly bad (an offset out of the signal stack,
 *     an FP size outside [512, host], no MAGIC2, restart_wait set, err
 *     set at a SIGTRAP, ...) kills the process, and the kernel logs it;
 *  5. a forgery whose every field is good is handled as a real trap. One
 *     killed is replayed twice (a tick's frame written while the kernel
 *     read it may have torn it) and fails only if every replay is killed.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <sys/wait.h>

#include "stub_report.h"

#define PAGE GADGET_PAGE
#define BATCH 200
#define CHILD_TIMEOUT_MS 20000

static struct stub_gadget G_;
static const struct stub_gadget *G = &G_;
static struct frame F;
static struct fake FK;
static int verbose;
static int good_only;		/* DPFUZZ_GOOD_ONLY: a check of the oracles */
static unsigned handler_low;	/* the stub handler's stack reaches down to here */

struct shared {
	volatile long next;		/* the iteration in flight */
	volatile long iterations, faked, real;
	volatile long done, killed_ok, leaks, bad_handled, good_killed;
	volatile long host_lost;	/* children that spoilt their own frame, see below */
	volatile long ticks, noact, other_deaths, stuck;
	volatile int in_bad;		/* the iteration in flight must kill */
	volatile int in_good;		/* ... must not */
	volatile int in_moment;		/* its moment */
	volatile long kills, logged;
	volatile long by_moment[6];
	char leak[4][480];
	int nleak;
	char bad[4][480];
	int nbad;
	char good_why[480];		/* the first good forgery killed */
	volatile int replaying;		/* a child replays one iteration */
	volatile long replays, torn;	/* replays; good kills a replay handled */
	volatile int stop_bystanders;
	volatile long by_rounds[2], by_bad[2], by_gap_ns[2];
};

static struct shared *sh;

/* --- seeded choices ----------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

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

static void seed_iteration(uint64_t seed, long i)
{
	rng = seed ^ (0x5851f42d4c957f2dULL * (uint64_t)(i + 1));
	rnd();
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* --- values ------------------------------------------------------------- */

/* An offset in the signal stack for something @size long: mostly good. */
static unsigned pick_offset(unsigned size, unsigned good, int *bad)
{
	static const unsigned edges[] = { 0xffff, 0x8000, SIGSTACK_SIZE,
					  SIGSTACK_SIZE - 1 };

	switch (rn(8)) {
	case 0:
		*bad = 1;
		return SIGSTACK_SIZE - size + 1 + rn(size);
	case 1:
		*bad = 1;
		return edges[rn(4)];
	case 2:
		*bad = 1;
		return SIGSTACK_SIZE + rn(0x10000 - SIGSTACK_SIZE);
	case 3:
		return SIGSTACK_SIZE - size;	/* the last good one */
	default:
		return good;
	}
}

/* Do siginfo, mcontext and an FP area of @fpall bytes fit apart? */
static int layout_ok(unsigned si, unsigned mctx, unsigned fp, unsigned fpall)
{
	unsigned a[3] = { si, mctx, fp }, l[3] = { SI_SIZE, MCTX_SIZE, fpall };
	int x, y;

	for (x = 0; x < 3; x++) {
		if (a[x] + l[x] > SIGSTACK_SIZE)
			return 0;
		for (y = x + 1; y < 3; y++)
			if (a[x] < a[y] + l[y] && a[y] < a[x] + l[x])
				return 0;
	}
	return 1;
}

/* --- what to forge -------------------------------------------------------- */

enum moment { M_SYSCALL, M_FAULT, M_SIGNAL, M_INT3, M_FAKED, M_FAKED_FLIP, NMOMENTS };
static const char *const moment_name[NMOMENTS] = {
	"before a system call", "before a page fault", "before a guest signal",
	"before an int3", "a faked report", "a faked report with a flip",
};

/* Fields written before a real trap: the handler keeps these ones */
static void forge_control(int *bad, int *any)
{
	/*
	 * In good-only mode nothing bad is written even for a moment: a tick
	 * in between reads it (restart_wait set at a report panics upstream).
	 */
	if (good_only) {
		if (chance(20)) {
			int i, n = 1 + rn(8);

			for (i = 0; i < n; i++) {
				unsigned e = rn(SD_NSYSCALLS);

				SD32(G, SD_SYSCALL_DATA + e * SD_SC_SIZE + rn(SD_SC_SIZE / 4) * 4) =
					(uint32_t)rnd();
			}
			say(" syscall_data x%d", n);
		}
		return;
	}
	if (chance(25)) {
		static const long errs[] = { -1, -EFAULT, -ENOMEM, 1, 0x7fffffffffffffffL, -4095 };
		long e = errs[rn(6)];

		SD64(G, SD_ERR) = e;
		*any = 1;	/* bad at a SIGTRAP, see below */
		say(" err=%ld", e);
	}
	if (chance(25)) {
		static const int lens[] = { -1, SD_NSYSCALLS, SD_NSYSCALLS - 1, 1000, 1, 0x7fffffff };
		int l = lens[rn(6)];

		SD32(G, SD_LEN) = l;
		*any = 1;
		say(" syscall_data_len=%d", l);
	}
	if (chance(20)) {
		int i, n = 1 + rn(8);

		for (i = 0; i < n; i++) {
			unsigned e = rn(SD_NSYSCALLS);
			unsigned off = SD_SYSCALL_DATA + e * SD_SC_SIZE + rn(SD_SC_SIZE / 4) * 4;

			SD32(G, off) = (uint32_t)rnd();
		}
		say(" syscall_data x%d", n);
	}
	if (chance(10)) {
		SD16(G, SD_RESTART_WAIT) = 1 + rn(3);
		*bad = 1;
		say(" restart_wait");
	}
}

static void reset_control(void)
{
	SD64(G, SD_ERR) = 0;
	SD32(G, SD_LEN) = 0;
	SD16(G, SD_RESTART_WAIT) = 0;
}

/*
 * The image of a faked getpid() (or out-of-range number) report with
 * random fields; *bad if one of them is plainly bad, *good if all are.
 */
static void forge_report(int *bad, int *good)
{
	unsigned si = F.si, mctx = F.mctx, fp = F.fp;
	int b = 0, any = 0;
	long nr = chance(80) ? SYS_getpid : (chance(50) ? -1 : 0x7fffffff);

	/* move the frame sometimes: FP low, the rest above it */
	if (chance(30)) {
		si = 0;
		mctx = 128;
		fp = 384;
	}
	if (chance(15))
		si = pick_offset(SI_SIZE, si, &b);
	if (chance(15))
		mctx = pick_offset(MCTX_SIZE, mctx, &b);
	if (!b && (si == SI_MAX || mctx == MCTX_MAX)) {
		/* the last good offsets: the FP area moves to the bottom */
		fp = 0;
		if (si == SI_MAX && mctx == MCTX_MAX)
			si = MCTX_MAX - SI_SIZE;
		else if (si == SI_MAX)
			mctx = SI_MAX - MCTX_SIZE;
		else
			si = MCTX_MAX - SI_SIZE;
	}
	if (!b && !layout_ok(si, mctx, fp, F.xstate ? F.host_fp + 4 : FP_LEGACY)) {
		si = F.si;
		mctx = F.mctx;
		fp = F.fp;
	}
	if (b) {
		/* the frame stays where it was; the offsets are the bad ones */
		fake_build(&FK, G, &F, F.si, F.mctx, F.fp, nr, NULL);
		IM16(FK.img, SD_SI_OFFSET) = si;
		IM16(FK.img, SD_MCTX_OFFSET) = mctx;
	} else {
		fake_build(&FK, G, &F, si, mctx, fp, nr, NULL);
	}
	FK.expect_ret = nr == SYS_getpid ? getpid() : -ENOSYS;
	FK.check_ret = 1;
	say(" si=%u mctx=%u fp=%u nr=%ld", IM16(FK.img, SD_SI_OFFSET),
	    IM16(FK.img, SD_MCTX_OFFSET), FK.fp, nr);

	if (chance(10)) {
		int sig = chance(50) ? 99 : (chance(50) ? -1 : 64);

		IM32(FK.img, SD_SIGNAL) = sig;
		b = 1;
		say(" signal=%d", sig);
	}
	if (F.xstate && !b && chance(30)) {
		unsigned ext;

		switch (rn(7)) {
		case 0: ext = 0; b = 1; break;
		case 1: ext = 1 + rn(3); b = 1; break;
		case 2:
			/*
			 * Below the legacy size; MAGIC2 (at ext - 4) must not
			 * land on magic1 or extended_size (464..471): without
			 * magic1 the area is a good legacy one.
			 */
			do
				ext = FP_LEGACY + 4 - 1 - rn(64);
			while (ext > FP_SW_MAGIC1 && ext - 4 < FP_SW_EXTSIZE + 4);
			b = 1;
			break;
		case 3: ext = F.host_fp + 4 + 1 + rn(64); b = 1; break;
		case 4: ext = FP_LEGACY + 4; break;
		case 5: ext = FP_LEGACY + 4 + rn(F.host_fp - FP_LEGACY); break;
		default: ext = F.host_fp + 4; break;
		}
		if (FK.fp + ext > SIGSTACK_SIZE && !b) {
			ext = F.host_fp + 4;
		}
		fake_set_extended_size(&FK, ext);
		if (!b)
			FK.fpsz = ext - 4;
		say(" extended_size=%u", ext);
	} else if (F.xstate && !b && chance(5)) {
		IM32(FK.img, SD_SIGSTACK + FK.fp + F.host_fp) ^= 1;	/* MAGIC2 */
		b = 1;
		say(" no MAGIC2");
	} else if (!b && chance(5)) {
		IM32(FK.img, SD_SIGSTACK + FK.fp + FP_SW_MAGIC1) = 0;
		FK.fpsz = FP_LEGACY;
		say(" no magic1");
	}
	if (!b && chance(5)) {
		IM64(FK.img, SD_SIGSTACK + FK.mctx + MCTX_FPREGS) =
			G->data + SD_SIGSTACK + SIGSTACK_SIZE - 1 - rn(FP_LEGACY - 1);
		b = 1;
		say(" fpregs past the stack");
	}
	/* content the kernel takes as it is */
	if (chance(30)) {
		int i, n = 1 + rn(12);

		for (i = 0; i < n; i++) {
			unsigned off = SI_SIZE > 32 ? 32 + rn(SI_SIZE - 32) : 0;

			FK.img[SD_SIGSTACK + FK.si + off] = rnd();
		}
		say(" siginfo bytes x%d", n);
	}
	if (chance(30)) {
		static const int regs[] = { REG_R8, REG_R9, REG_R10, REG_R11, REG_R12,
					    REG_R13, REG_R14, REG_R15, REG_RBP, REG_RBX,
					    REG_RCX, REG_RDI, REG_RSI, REG_RDX };
		int i, n = 1 + rn(6);

		for (i = 0; i < n; i++)
			IM64(FK.img, SD_SIGSTACK + FK.mctx + regs[rn(14)] * 8) = rnd();
		say(" registers x%d", n);
	}
	if (chance(15)) {
		int i, n = 1 + rn(16);

		/* FP state bytes (not the software-reserved words) */
		for (i = 0; i < n; i++)
			FK.img[SD_SIGSTACK + FK.fp + 32 + rn(FP_SW_MAGIC1 - 32)] = rnd();
		say(" fp bytes x%d", n);
	}
	if (chance(10)) {
		IM64(FK.img, SD_ERR) = chance(50) ? -EFAULT : 1;
		any = 1;
		say(" err");
	}
	if (chance(10)) {
		IM32(FK.img, SD_LEN) = chance(50) ? 1000 : -1;
		any = 1;
		say(" syscall_data_len");
	}
	if (chance(5)) {
		IM16(FK.img, SD_RESTART_WAIT) = 1;
		b = 1;
		say(" restart_wait");
	}
	*bad = b;
	*good = !b && !any;
}

/* One field flipped while the kernel works: a good value and a bad one */
struct flip {
	unsigned off;
	int size;
	uint64_t good, bad;
	unsigned long until;
};

static void do_flip(const struct stub_gadget *g, void *arg, unsigned long i)
{
	struct flip *fl = arg;
	uint64_t v = (i & 1) && __rdtsc() < fl->until ? fl->bad : fl->good;

	if (fl->size == 2)
		SD16(g, fl->off) = v;
	else if (fl->size == 4)
		SD32(g, fl->off) = v;
	else
		SD64(g, fl->off) = v;
}

static void pick_flip(struct flip *fl)
{
	unsigned us = 1U << rn(11);

	switch (rn(5)) {
	case 0:
		*fl = (struct flip){ .off = SD_MCTX_OFFSET, .size = 2,
				     .good = IM16(FK.img, SD_MCTX_OFFSET), .bad = 0xffff };
		break;
	case 1:
		*fl = (struct flip){ .off = SD_SI_OFFSET, .size = 2,
				     .good = IM16(FK.img, SD_SI_OFFSET), .bad = 0xffff };
		break;
	case 2:
		*fl = (struct flip){ .off = SD_SIGNAL, .size = 4,
				     .good = IM32(FK.img, SD_SIGNAL), .bad = 99 };
		break;
	case 3:
		*fl = (struct flip){ .off = SD_RESTART_WAIT, .size = 2, .good = 0, .bad = 1 };
		break;
	default:
		*fl = (struct flip){ .off = SD_SIGSTACK + FK.fp + FP_SW_EXTSIZE, .size = 4,
				     .good = IM32(FK.img, SD_SIGSTACK + FK.fp + FP_SW_EXTSIZE),
				     .bad = 0 };
		break;
	}
	fl->until = __rdtsc() + (us + rn(us)) * tsc_per_us;
	say(" flip@%u", fl->off);
}

/* --- one iteration ------------------------------------------------------- */

static char untouched[BATCH * 2 * PAGE] __attribute__((aligned(4096)));
static int n_untouched;
static void on_sig(int sig) { }

static void note_leak(long i, const char *what)
{
	if (sh->nleak < 4)
		snprintf(sh->leak[sh->nleak++], sizeof(sh->leak[0]), "iteration %ld: %s", i, what);
	sh->leaks++;
}

static void note_bad(long i, const char *what)
{
	if (sh->nbad < 4)
		snprintf(sh->bad[sh->nbad++], sizeof(sh->bad[0]), "iteration %ld: %s", i, what);
}

/* A real trap with control fields forged before it */
static void real_trap(long i, enum moment m)
{
	uint8_t before[SD_SIZE], after[SD_SIZE];
	int bad = 0, any = 0;
	unsigned off;
	long want, got = 0;

	forge_control(&bad, &any);
	memcpy(before, (void *)G->data, SD_SIZE);
	if (m == M_INT3 && SD64(G, SD_ERR))
		bad = 1;
	sh->in_bad = bad;
	sh->in_good = !bad && !any;
	want = getppid();
	switch (m) {
	case M_SYSCALL:
		got = syscall(SYS_getppid);
		break;
	case M_FAULT:
		untouched[(n_untouched++ % (sizeof(untouched) / PAGE)) * PAGE] = 1;
		got = want;
		break;
	case M_SIGNAL:
		raise(SIGUSR1);
		got = want;
		break;
	default:
		__asm__ volatile("int3");
		got = want;
		break;
	}
	memcpy(after, (void *)G->data, SD_SIZE);
	reset_control();
	sh->real++;
	if (bad) {
		sh->bad_handled++;
		note_bad(i, "a real trap after a bad control field was handled");
		return;
	}
	if (got != want)
		note_leak(i, "the system call returned another process's answer");
	/* page 0 outside what the kernel and the handler write, and the
	 * signal stack below the handler's reach */
	for (off = 0; off < SD_SIGSTACK + handler_low; off++) {
		if (before[off] == after[off])
			continue;
		if (off < SD_SIGSTACK &&
		    ((off >= SD_LEN && off < SD_LEN + 4) ||
		     (off >= SD_SYSCALL_DATA && off < SD_SYSCALL_DATA + SD_NSYSCALLS * SD_SC_SIZE) ||
		     off < SD_LEN || off >= SD_RESTART_WAIT))
			continue;
		{
			char why[128];

			snprintf(why, sizeof(why), "byte %#x changed across a real trap (%s)",
				 off, moment_name[m]);
			note_leak(i, why);
		}
		break;
	}
	sh->done++;
}

static void faked(long i, enum moment m)
{
	int bad, good, flipping;
	struct flip fl;
	enum fake_result r;
	char why[400];

	forge_report(&bad, &good);
	while (good_only && !good)
		forge_report(&bad, &good);
	flipping = m == M_FAKED_FLIP && !good_only;
	if (flipping)
		pick_flip(&fl);
	/* with a flip the kernel may see either value: no verdict on kills */
	if (flipping)
		bad = good = 0;
	sh->in_bad = bad;
	sh->in_good = good;
	sh->faked++;
	fake_touch_stack(65536);
	if (sigsetjmp(fake_land_env, 1)) {
		sh->ticks++;
		reset_control();
		return;
	}
	fake_write(&FK, G);
	fake_fire(G);
	r = fake_wait(&FK, G, 300000, flipping ? do_flip : NULL, &fl);
	reset_control();
	if (r == FAKE_TICKED) {
		sh->ticks++;
		return;
	}
	if (r == FAKE_TIMEOUT) {
		sh->noact++;
		return;
	}
	if (flipping) {
		/* what we left in the flipped field is ours */
		memcpy(FK.img + fl.off, FK.snap + fl.off, fl.size);
		/* and the kernel had either value: registers, FP as given */
	}
	if (bad) {
		sh->bad_handled++;
		note_bad(i, "a faked report with a bad field was handled");
		return;
	}
	switch (fake_check(&FK, why, sizeof(why))) {
	case -1:
		sh->ticks++;	/* the call not run: inconclusive */
		return;
	case 0:
		break;
	default:
		note_leak(i, why);
	}
	sh->done++;
}

static void run_iteration(uint64_t seed, long i)
{
	enum moment m;

	seed_iteration(seed, i);
	m = rn(NMOMENTS);
	sh->by_moment[m]++;
	sh->in_moment = m;
	say("# %ld: %s:", i, moment_name[m]);
	if (frame_capture(G, &F)) {
		sh->other_deaths++;
		return;
	}
	if (m == M_FAKED || m == M_FAKED_FLIP)
		faked(i, m);
	else
		real_trap(i, m);
	say("\n");
	sh->in_bad = sh->in_good = 0;
}

static void __attribute__((noreturn)) child(uint64_t seed, long first, long end)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_NODEFER };
	long i;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	become_nobody();
	for (i = first; i < end; i++) {
		sh->next = i;
		run_iteration(seed, i);
		if (!sh->replaying)
			sh->iterations++;
	}
	_exit(0);
}

/* --- bystanders ------------------------------------------------------------ */

static pid_t bystanders[2];

static void start_bystanders(void)
{
	int b;

	for (b = 0; b < 2; b++) {
		bystanders[b] = fork();
		if (bystanders[b] == 0) {
			static uint64_t buf[16384];
			long last = now_ns();
			uint64_t r = 0;
			int p[2];

			if (pipe(p))
				_exit(2);
			while (!sh->stop_bystanders) {
				uint64_t tag = 0xb757a0de00000000ULL | (uint64_t)b << 28 | ++r;
				size_t k;
				char c = r, d = 0;
				long t;

				for (k = 0; k < 16384; k++)
					buf[k] = tag ^ k;
				if (write(p[1], &c, 1) != 1 || read(p[0], &d, 1) != 1 || c != d)
					sh->by_bad[b]++;
				for (k = 0; k < 16384; k++)
					if (buf[k] != (tag ^ k))
						sh->by_bad[b]++;
				t = now_ns();
				if (t - last > sh->by_gap_ns[b])
					sh->by_gap_ns[b] = t - last;
				last = t;
				sh->by_rounds[b]++;
			}
			_exit(sh->by_bad[b] ? 1 : 0);
		}
	}
}

static int stop_bystanders(char *why, size_t len)
{
	int b, harmed = 0, status;

	sh->stop_bystanders = 1;
	for (b = 0; b < 2; b++) {
		waitpid(bystanders[b], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) || !sh->by_rounds[b] ||
		    sh->by_gap_ns[b] > 5000000000L)
			harmed++;
	}
	snprintf(why, len, "%ld and %ld rounds, longest gaps %ld and %ld ms, %ld and %ld bad checks",
		 sh->by_rounds[0], sh->by_rounds[1], sh->by_gap_ns[0] / 1000000,
		 sh->by_gap_ns[1] / 1000000, sh->by_bad[0], sh->by_bad[1]);
	return harmed;
}

/* Where the stub's handler writes on a real trap: the frame and below. */
static unsigned measure_handler_low(void)
{
	unsigned off, low = F.si < F.mctx ? F.si : F.mctx;
	int tries;

	for (tries = 0; tries < 6; tries++) {
		for (off = 0; off < SIGSTACK_SIZE; off++)
			*sd8(G, SD_SIGSTACK + off) = 0xa5;
		if (tries & 1)	/* a fault: the handler runs the batch too */
			untouched[sizeof(untouched) - (tries + 1) * PAGE] = 1;
		else
			syscall(SYS_getppid);
		for (off = 0; off < SIGSTACK_SIZE; off++)
			if (*sd8(G, SD_SIGSTACK + off) != 0xa5)
				break;
		if (off < low)
			low = off;
	}
	/* a margin: other paths in the handler may go deeper */
	return low > 256 ? low - 256 : 0;
}

/* Run iterations [i, end) in a child; 1 if it got stuck and was killed */
static int run_child(uint64_t seed, long i, long end, int *status, pid_t *ppid)
{
	long t0 = now_ns();
	pid_t pid;

	sh->next = i;
	sh->in_bad = sh->in_good = 0;
	pid = fork();
	if (pid == 0)
		child(seed, i, end);
	*ppid = pid;
	while (waitpid(pid, status, WNOHANG) == 0) {
		if (now_ns() - t0 > CHILD_TIMEOUT_MS * 1000000L) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return 1;
		}
		usleep(1000);
	}
	return 0;
}

static int killed(int status)
{
	return WIFSIGNALED(status) && (WTERMSIG(status) == SIGKILL ||
				       WTERMSIG(status) == SIGSEGV);
}

/*
 * A good forgery was killed. Every frame but the real one's place overlaps
 * where the host writes a real trap's frame, so a tick coming while the
 * kernel reads the report can leave it torn, and that kill is right. Run
 * the iteration again (its choices are seeded): wrong only if every
 * replay is killed too.
 */
static int replay_handles(uint64_t seed, long i)
{
	int r, status;
	pid_t pid;

	sh->replaying = 1;
	for (r = 0; r < 2; r++) {
		sh->replays++;
		if (run_child(seed, i, i + 1, &status, &pid))
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			break;
		if (killed(status))
			kill_noted();
	}
	sh->replaying = 0;
	return r < 2;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)now_ns();
	long iters = argc > 2 ? atol(argv[2]) : 10000;
	long first = argc > 3 ? atol(argv[3]) : 0;
	long start_ns = now_ns(), i;
	int nkilled = 0, n = 0, failed = 0, k, harmed;
	char bystander[200];

	verbose = getenv("DPFUZZ_VERBOSE") != NULL;
	good_only = getenv("DPFUZZ_GOOD_ONLY") != NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	printf("# stub_dpfuzz: seed %llu, %ld iterations from %ld (replay: stub_dpfuzz %llu %ld %ld)%s\n",
	       (unsigned long long)seed, iters, first, (unsigned long long)seed,
	       iters, first, good_only ? ", good forgeries only" : "");
	if (stub_gadget_find(&G_)) {
		printf("1..1\nnot ok 1 the_stub_pages_are_found # not SECCOMP userspace?\n");
		return 1;
	}
	calibrate_tsc();
	if (frame_capture(G, &F)) {
		printf("1..1\nnot ok 1 the_signal_frame_is_where_stub_data_puts_it\n");
		return 1;
	}
	handler_low = measure_handler_low();
	printf("# frame: siginfo %u, mcontext %u, FP %u, host FP size %u%s; the handler writes from %u up\n",
	       F.si, F.mctx, F.fp, F.host_fp, F.xstate ? " (xstate)" : "", handler_low);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	memset((void *)sh, 0, sizeof(*sh));
	klog_pace(5);
	start_bystanders();

	for (i = first; i < iters;) {
		long end = i + BATCH < iters ? i + BATCH : iters;
		int status, stuck, mark = klog_mark();
		pid_t pid;

		stuck = run_child(seed, i, end, &status, &pid);
		if (stuck) {
			sh->stuck++;
			printf("# STUCK at iteration %ld\n", sh->next);
		} else if (killed(status)) {
			/* read now: the log is ratelimited and wraps */
			int logged = klog_line(pid, "bad stub data: ") != NULL;
			struct klog_since ks;

			kill_noted();
			klog_since(mark, &ks);
			mark = -1;
			if (klog_own_frame_spoilt(&ks) && !logged) {
				/*
				 * The stub died on the host, or took a segfault:
				 * a real trap's frame met a forged one moved
				 * over it, and the stub returned through what
				 * the kernel wrote back (see stub_forge.c).
				 * Killed, having seen nothing; no verdict on
				 * the forgery.
				 */
				sh->host_lost++;
			} else {
				sh->kills++;
				if (nkilled < 16) {
					nkilled++;
					sh->logged += logged;
				}
				if (sh->in_good && replay_handles(seed, sh->next)) {
					sh->torn++;
				} else if (sh->in_good) {
					char why[400];

					snprintf(why, sizeof(why),
						 "a forgery whose every field was good (%s) got the process killed; the log: %s",
						 moment_name[sh->in_moment], ks.lines);
					if (!sh->good_killed++)
						snprintf(sh->good_why, sizeof(sh->good_why),
							 ": iteration %ld, %s", sh->next, why);
					note_bad(sh->next, why);
				}
			}
			sh->iterations++;	/* the one in flight */
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			sh->other_deaths++;
			printf("# iteration %ld: the child ended with status %#x\n", sh->next, status);
		}
		klog_unmark(mark);
		i = WIFEXITED(status) && !stuck ? end : sh->next + 1;
	}
	harmed = stop_bystanders(bystander, sizeof(bystander));

	printf("# summary: %ld iterations in %.1f s: %ld faked reports, %ld real traps; %ld handled, %ld killed (%ld of the first %d logged), %ld killed having spoilt their own frame (lost on the host, or a segfault), %ld ticks, %ld never acted on, %ld other deaths, %ld stuck\n",
	       sh->iterations, (now_ns() - start_ns) / 1e9, sh->faked, sh->real, sh->done,
	       sh->kills, sh->logged, nkilled, sh->host_lost, sh->ticks, sh->noact,
	       sh->other_deaths, sh->stuck);
	printf("# %ld good forgeries killed were handled on a replay (a tick tore them), in %ld replays\n",
	       sh->torn, sh->replays);
	printf("# moments:");
	for (k = 0; k < NMOMENTS; k++)
		printf(" %s %ld;", moment_name[k], sh->by_moment[k]);
	printf("\n# counts: kernel crashes (the host checks the console), leaks %ld, harmed bystanders %d, bad values handled %ld, good values killed %ld\n",
	       sh->leaks, harmed, sh->bad_handled, sh->good_killed);
	for (k = 0; k < sh->nleak; k++)
		printf("# LEAK %s\n", sh->leak[k]);
	for (k = 0; k < sh->nbad; k++)
		printf("# WRONG %s\n", sh->bad[k]);

#define RESULT(cond, name, ...) do { \
	n++; \
	failed += !(cond); \
	printf("%sok %d " name "\n", (cond) ? "" : "not ", n, ##__VA_ARGS__); \
} while (0)
	RESULT(sh->iterations >= iters - first && !sh->stuck && !sh->other_deaths,
	       "every_iteration_runs # %ld of %ld, %ld stuck, %ld other deaths",
	       sh->iterations, iters - first, sh->stuck, sh->other_deaths);
	RESULT(!sh->leaks, "nothing_the_fuzzer_did_not_write_appears # %ld leaks", sh->leaks);
	RESULT(!harmed, "the_bystanders_run_untouched # %s", bystander);
	RESULT(!sh->bad_handled, "a_bad_value_kills_the_process # %ld handled", sh->bad_handled);
	RESULT(!sh->kills || sh->logged, "a_process_killed_for_bad_data_is_logged # %ld of the first %d",
	       sh->logged, nkilled);
	RESULT(!sh->good_killed, "good_values_are_handled_as_a_real_trap # %ld killed%s",
	       sh->good_killed, sh->good_why);
	printf("1..%d\n", n);
	return failed ? 1 : 0;
}
