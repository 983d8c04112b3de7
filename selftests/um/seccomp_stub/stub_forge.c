// SPDX-License-Identifier: GPL-2.0
/*
 * The stub data pages are hostile input (issue 14).
 *
 * A guest process can write every byte of its stub data pages at any
 * moment, and fake a report (stub_report.h) to have the kernel handle a
 * "trap" while it keeps running. These cases forge each field the kernel
 * reads: restart_wait, si_offset, mctx_offset, signal, err,
 * syscall_data_len, the FP/xstate area's magic1, extended_size and
 * MAGIC2, the fpregs pointer, the siginfo and mcontext content and the fd
 * numbers in syscall_data; and they race each of them, flipping it while
 * the kernel handles a faked report.
 *
 * What must hold, with the option on or off (the check is unconditional):
 *  - a bad value kills the forging process (SIGSEGV or SIGKILL) and the
 *    kernel logs "uml-stub: COMM[PID]: bad stub data: FIELD=VALUE";
 *    a good value is handled like a real trap with the same registers;
 *  - the kernel writes nothing into the pages but the frame it owns (the
 *    19 general registers at mctx_offset, the FP area of the size the
 *    host uses at the fpregs offset) and its control fields: everything
 *    else is filled with a random pattern first and compared after;
 *  - registers are written back at the offsets the kernel validated;
 *  - another process (the bystander) keeps running untouched;
 *  - the kernel never panics or oopses: the host checks the console
 *    (scripts/run-cell.sh), and the cases that panic an unfixed kernel
 *    run in a boot of their own (selftests/um/guest/cases).
 * A case whose forgery the kernel never acted on says so and skips.
 * The forging processes run as uid 65534. STUB_FORGE_DEBUG=1 prints each
 * race attempt, and the state of a forger that neither ends nor dies.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "stub_report.h"
#include "kselftest_harness.h"

/* SKIP, unless an expectation failed already (SKIP would hide it) */
#define SKIP_CLEAN(statement, fmt, ...) do { \
	if (_metadata->exit_code == KSFT_PASS) \
		SKIP(statement, fmt, ##__VA_ARGS__); \
	else \
		statement; \
} while (0)

#define PAGE GADGET_PAGE

/* Exit codes of a forging child, seen by the parent */
enum {
	CHILD_DONE = 0,		/* the kernel handled it, no stray byte */
	CHILD_LEAK = 10,	/* it wrote where it has no business */
	CHILD_NOACT = 11,	/* it never acted on the report */
	CHILD_TICKED = 12,	/* a tick came in between, every time */
	CHILD_BADRET = 13,	/* handled, but not as a real trap would be */
	CHILD_LAYOUT = 14,	/* no frame of the layout we know */
	CHILD_STUCK = 15,	/* (parent) neither killed nor done in time */
	CHILD_NOBATCH = 16,	/* the kernel never asked it to run a batch */
	CHILD_BLOCKED = 17,	/* (parent) asleep in a call until killed */
};

/* What a child tells its parent */
struct report {
	volatile long attempts, done, ticked, noact, leaks, badret;
	volatile long restarts;	/* batches it played the stub for */
	volatile long last_ret;
	volatile long deadline_ns;	/* of a race */
	volatile long enough;		/* the parent has seen enough: stop */
	volatile long overwrites;	/* fds flipped under the kernel's feet */
	volatile long late;		/* reports read only after a change */
	char why[600];
};

static const struct stub_gadget *G;
static int debug;
static struct frame F;
static struct fake FK;		/* static: touched, never faults */
static struct report *R;

/* In a forger: the real frame's layout, or end saying why there is none */
static void capture_or_exit(void)
{
	if (!frame_capture(G, &F))
		return;
	snprintf(R->why, sizeof(R->why), "no frame of the layout we know after %ld attempts: %s",
		 R->attempts, frame_reject);
	_exit(frame_reject == frame_reject_tick ? CHILD_TICKED : CHILD_LAYOUT);
}

/* --- the forging child -------------------------------------------------- */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(R->why, sizeof(R->why), fmt, ap);
	va_end(ap);
}

typedef void (*flip_fn)(const struct stub_gadget *, void *, unsigned long);

/*
 * Fire the faked report in FK and wait for the kernel (up to @timeout_us),
 * flipping with @flip meanwhile; returns the fake_result. Call with FK
 * built.
 */
static enum fake_result fire(unsigned long timeout_us, flip_fn flip,
			     void *arg)
{
	fake_touch_stack(65536);
	if (sigsetjmp(fake_land_env, 1))
		return FAKE_TICKED;
	fake_write(&FK, G);
	fake_fire(G);
	return fake_wait(&FK, G, timeout_us, flip, arg);
}

/* After FAKE_DONE: did the kernel write only what it may? */
static int judge(void)
{
	char why[512];
	unsigned mctx = FK.mctx;
	long bad = fake_check(&FK, why, sizeof(why));

	R->late += FK.mctx != mctx;
	R->last_ret = IM64(FK.snap, SD_SIGSTACK + FK.mctx + REG_RAX * 8);
	if (bad < 0)
		return CHILD_TICKED;	/* inconclusive, as a tick */
	if (bad) {
		R->leaks++;
		note("%s", why);
		return CHILD_LEAK;
	}
	R->done++;
	return CHILD_DONE;
}

/*
 * A child that fakes one report (built by @build, which may change FK
 * after fake_build), waits for the kernel (with @flip, e.g. a change made
 * while the kernel works) and exits with what it saw. Retries on ticks.
 */
static void __attribute__((noreturn)) fake_child(void (*build)(void *),
						 void *arg, flip_fn flip,
						 void *flip_arg,
						 unsigned long timeout_us)
{
	int tries;

	become_nobody();
	for (tries = 0; tries < 8; tries++) {
		int r;

		capture_or_exit();
		build(arg);
		R->attempts++;
		r = fire(timeout_us, flip, flip_arg);
		if (r == FAKE_TICKED) {
			R->ticked++;
			continue;
		}
		if (r == FAKE_TIMEOUT) {
			R->noact++;
			note("the futex word stayed FUTEX_IN_KERN for %lu ms",
			     timeout_us / 1000);
			_exit(CHILD_NOACT);
		}
		r = judge();
		if (r == CHILD_TICKED) {
			R->ticked++;
			continue;
		}
		_exit(r);
	}
	_exit(CHILD_TICKED);
}

/* --- the parent --------------------------------------------------------- */

struct outcome {
	pid_t pid;
	int status;		/* waitpid status; or CHILD_STUCK << 8 */
	int killed;		/* by SIGSEGV or SIGKILL */
	int code;		/* exit code if it exited */
	int host_lost;		/* killed, no "bad stub data" line, its own
				 * frame spoilt (klog_own_frame_spoilt()) */
	int torn;		/* killed for a report with signal 0 */
	int forgers;		/* forgers run (run_forger_conclusive) */
	char how[128];		/* CHILD_BLOCKED, CHILD_STUCK: what it did */
	struct klog_since log;	/* what the kernel logged meanwhile */
	char bystander[160];
	int bystander_ok;
};

/* Its state letter in /proc/PID/stat, and where it sleeps into @wchan */
static char proc_state(pid_t pid, char *wchan, size_t len)
{
	char path[64], buf[512], *p;
	char state = '?';
	FILE *f;

	snprintf(wchan, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f) {
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		if (p && p[1])
			state = p[2];
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(wchan, len, f))
			snprintf(wchan, len, "?");
		fclose(f);
	}
	return state;
}

/*
 * Wait for @pid up to @ms, then kill it. 0 if it ended by itself; 1 if
 * it was asleep in the kernel and died when killed, which a forgery can
 * cause: when a real trap's frame meets the forged one the kernel may run
 * a blocking call from the mix (a read of the console), and the forger's
 * own exit then never reaches it; -1 if it was not asleep, or did not
 * die. What it was doing goes to @how.
 */
static int wait_bounded(pid_t pid, int *status, long ms, char *how, size_t len)
{
	long end = now_ns() + ms * 1000000L;
	char state, wchan[48];

	while (now_ns() < end) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0)
			return -1;
		usleep(2000);
	}
	if (debug) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd),
			 "grep -E 'State|Sig' /proc/%d/status; cat /proc/%d/stat /proc/%d/stack 2>&1",
			 pid, pid, pid);
		if (system(cmd) < 0)
			perror("system");
	}
	state = proc_state(pid, wchan, sizeof(wchan));
	kill(pid, SIGKILL);
	/* it may not die: a thread stuck in the kernel */
	end = now_ns() + 2000000000L;
	while (now_ns() < end) {
		if (waitpid(pid, status, WNOHANG) == pid) {
			snprintf(how, len, "in state %c at %s when its time was up, then killed",
				 state, wchan);
			return state == 'S' ? 1 : -1;
		}
		usleep(10000);
	}
	snprintf(how, len, "in state %c at %s when its time was up, alive 2 s after SIGKILL",
		 state, wchan);
	return -1;
}

/*
 * Killed for a report with signal 0? No forgery handled whole writes it;
 * the kernel does, releasing a report. A real trap of the forger's (a
 * tick) that came while the kernel handled its forged report wrote its
 * own report around that store, and the kernel read the mix.
 */
static int torn_report(pid_t pid)
{
	const char *line = klog_line(pid, "bad stub data: ");
	const char *what = line ? strstr(line, "bad stub data: ") : NULL;

	return what && !strcmp(what, "bad stub data: signal=0");
}

/* Run @child in a process of its own beside a bystander. */
static struct outcome run_forger(void (*child)(void *), void *arg, long ms)
{
	struct outcome o = { 0 };
	struct bystander b;
	pid_t pid;
	int mark, w;

	memset((void *)R, 0, sizeof(*R));
	klog_pace(8);
	bystander_start(&b);
	usleep(20000);
	mark = klog_mark();
	pid = fork();
	if (pid == 0) {
		child(arg);
		_exit(99);
	}
	o.pid = pid;
	w = wait_bounded(pid, &o.status, ms, o.how, sizeof(o.how));
	if (w) {
		klog_unmark(mark);
		o.code = w > 0 ? CHILD_BLOCKED : CHILD_STUCK;
	} else if (WIFSIGNALED(o.status)) {
		o.killed = WTERMSIG(o.status) == SIGSEGV ||
			   WTERMSIG(o.status) == SIGKILL;
		kill_noted();
		o.code = -WTERMSIG(o.status);
		klog_since(mark, &o.log);
		o.host_lost = o.killed && klog_own_frame_spoilt(&o.log) &&
			      !klog_line(pid, "bad stub data: ");
		o.torn = o.killed && torn_report(pid);
	} else {
		klog_unmark(mark);
		o.code = WEXITSTATUS(o.status);
	}
	o.bystander_ok = bystander_stop(&b, o.bystander,
					sizeof(o.bystander)) == 0;
	o.forgers = 1;
	return o;
}

/*
 * The same, for a forgery the kernel must handle (or may kill for):
 * a forger the host killed (a real trap's frame met the forged one and
 * the stub returned through what the kernel wrote back there, or through
 * what the forger changed) proves nothing either way, as a tick would
 * not, nor does one asleep in a call the kernel made of such a mix, nor
 * one killed for a report a tick tore (torn_report()): try again, up to
 * four forgers.
 */
#define FORGERS 4

static struct outcome run_forger_conclusive(void (*child)(void *), void *arg,
					    long ms)
{
	struct outcome o;
	int n = 0;

	do {
		o = run_forger(child, arg, ms);
		n++;
	} while ((o.host_lost || o.torn || o.code == CHILD_BLOCKED) &&
		 o.bystander_ok &&
		 n < FORGERS);
	o.forgers = n;
	return o;
}

static const char *describe(const struct outcome *o)
{
	static char buf[900];

	if (o->code == CHILD_STUCK)
		snprintf(buf, sizeof(buf), "the forger did not end: %s", o->how);
	else if (o->code == CHILD_BLOCKED)
		snprintf(buf, sizeof(buf), "the forger sat in a call the kernel made of a real trap's frame and its own (%s)",
			 o->how);
	else if (o->code < 0 && o->torn)
		snprintf(buf, sizeof(buf), "the forger was killed for a report a real trap tore (forger %d of %d; log: %s)",
			 o->forgers, FORGERS, o->log.lines);
	else if (o->code < 0 && o->host_lost)
		snprintf(buf, sizeof(buf), "the forger was killed by signal %d, its own frame spoilt: stub lost on the host or a segfault (forger %d of %d; log: %s)",
			 -o->code, o->forgers, FORGERS, o->log.lines);
	else if (o->code < 0)
		snprintf(buf, sizeof(buf), "the forger was killed by signal %d (log: %s)",
			 -o->code, o->log.lines[0] ? o->log.lines : "nothing");
	else
		snprintf(buf, sizeof(buf), "the forger exited %d (%s%s), RAX %#lx%s%s",
			 o->code,
			 o->code == CHILD_DONE ? "handled, nothing stray" :
			 o->code == CHILD_LEAK ? "the kernel wrote where it may not" :
			 o->code == CHILD_NOACT ? "the kernel never acted" :
			 o->code == CHILD_TICKED ? "a tick every time" :
			 o->code == CHILD_BADRET ? "handled wrongly" :
			 o->code == CHILD_LAYOUT ? "unknown frame layout" :
			 o->code == CHILD_NOBATCH ? "never asked to run a batch" : "?",
			 R->late ? ", the report read after the change" : "",
			 R->last_ret, R->why[0] ? ": " : "", R->why);
	return buf;
}

/*
 * The forger must have been killed, and the kernel must have said why,
 * naming one of @fields ("a|b|c").
 */
static void expect_killed(struct __test_metadata *_metadata,
			  const struct outcome *o, const char *fields)
{
	const char *line = o->pid > 0 ?
			   klog_line(o->pid, "bad stub data: ") : NULL;
	char want[128], *tok, *save = NULL;
	int named = 0;

	TH_LOG("%s; %s; log: %s", describe(o), o->bystander,
	       line ? line : "(no \"bad stub data\" line)");
	if (o->code == CHILD_NOACT)
		SKIP(return, "the kernel never acted on the forged report");
	if (o->code == CHILD_TICKED || o->code == CHILD_LAYOUT ||
	    o->code == CHILD_BLOCKED || (o->torn && !strstr(fields, "signal")))
		SKIP(return, "no conclusive attempt: %s", describe(o));
	EXPECT_TRUE(o->bystander_ok);
	ASSERT_TRUE(o->killed) TH_LOG("a bad value must kill the process");
	ASSERT_NE(NULL, line) TH_LOG("no \"bad stub data\" log line for pid %d%s", o->pid,
				     o->host_lost ? ": its own frame spoilt killed it, the kernel's check did not" : "");
	snprintf(want, sizeof(want), "%s", fields);
	for (tok = strtok_r(want, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		named |= strstr(line, tok) != NULL;
	EXPECT_TRUE(named) TH_LOG("the log line names none of: %s", fields);
}

/* The forger's report was handled like a real trap, nothing stray. */
static void expect_handled(struct __test_metadata *_metadata,
			   const struct outcome *o)
{
	TH_LOG("%s; %s", describe(o), o->bystander);
	if (o->code == CHILD_NOACT)
		SKIP(return, "the kernel never acted on the forged report");
	if (o->code == CHILD_TICKED || o->code == CHILD_LAYOUT ||
	    o->code == CHILD_BLOCKED)
		SKIP(return, "no conclusive attempt: %s", describe(o));
	EXPECT_TRUE(o->bystander_ok);
	if (o->host_lost || o->torn)
		SKIP_CLEAN(return, "no conclusive attempt in %d forgers, the last: %s",
			   o->forgers, describe(o));
	EXPECT_EQ(CHILD_DONE, o->code);
}

FIXTURE(forge) {
	struct stub_gadget g;
};

FIXTURE_SETUP(forge)
{
	ASSERT_EQ(0, stub_gadget_find(&self->g))
		TH_LOG("no stub page with a syscall gadget: not SECCOMP userspace?");
	G = &self->g;
	debug = getenv("STUB_FORGE_DEBUG") != NULL;
	calibrate_tsc();
	ASSERT_EQ(0, frame_capture(G, &F))
		TH_LOG("the signal frame of a trap is not where struct stub_data puts it");
	R = mmap(NULL, sizeof(*R), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, R);
}

FIXTURE_TEARDOWN(forge)
{
}

/* --- a faked getpid(): the baseline ------------------------------------ */

struct getpid_forgery {
	unsigned si, mctx, fp;	/* where the frame goes (~0U: where it was) */
	void (*tweak)(struct getpid_forgery *);
	long value;		/* for tweak */
	int legacy_fp;		/* the kernel may write only 512 FP bytes */
};

static void build_getpid(void *arg)
{
	struct getpid_forgery *gf = arg;
	unsigned si = gf->si == ~0U ? F.si : gf->si;
	unsigned mctx = gf->mctx == ~0U ? F.mctx : gf->mctx;
	unsigned fp = gf->fp == ~0U ? F.fp : gf->fp;

	fake_build(&FK, G, &F, si, mctx, fp, SYS_getpid, NULL);
	FK.expect_ret = getpid();
	FK.check_ret = 1;
	if (gf->legacy_fp)
		FK.fpsz = FP_LEGACY;
	if (gf->tweak)
		gf->tweak(gf);
}

static void getpid_child(void *arg)
{
	fake_child(build_getpid, arg, NULL, NULL, 500000);
}

#define HERE ~0U
#define IN_PLACE .si = HERE, .mctx = HERE, .fp = HERE

TEST_F(forge, a_faked_report_is_handled_and_writes_only_its_own_frame)
{
	struct getpid_forgery gf = { IN_PLACE };
	struct outcome o = run_forger_conclusive(getpid_child, &gf, 10000);

	TH_LOG("frame: siginfo at %u, mcontext at %u, FP at %u, host FP size %u%s",
	       F.si, F.mctx, F.fp, F.host_fp, F.xstate ? " (xstate)" : "");
	expect_handled(_metadata, &o);
}

/* --- restart_wait ------------------------------------------------------ */

static void restart_wait_child(void *arg)
{
	become_nobody();
	SD16(G, SD_RESTART_WAIT) = 1;
	syscall(SYS_getppid);
	note("the process went on after a system call with restart_wait = 1");
	_exit(CHILD_DONE);
}

TEST_F(forge, restart_wait_set_before_a_system_call_gets_the_process_killed)
{
	struct outcome o = run_forger(restart_wait_child, NULL, 10000);

	expect_killed(_metadata, &o, "restart_wait");
}

/* --- si_offset, mctx_offset, signal: one bad value --------------------- */

static void tweak_si(struct getpid_forgery *gf)
{
	IM16(FK.img, SD_SI_OFFSET) = gf->value;
}

static void tweak_mctx(struct getpid_forgery *gf)
{
	IM16(FK.img, SD_MCTX_OFFSET) = gf->value;
}

static void tweak_signal(struct getpid_forgery *gf)
{
	IM32(FK.img, SD_SIGNAL) = gf->value;
}

TEST_F(forge, si_offset_past_the_signal_stack_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_si, .value = 0xffff };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	expect_killed(_metadata, &o, "si_offset");
}

TEST_F(forge, si_offset_one_past_the_last_valid_one_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_si, .value = SI_MAX + 1 };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	expect_killed(_metadata, &o, "si_offset");
}

TEST_F(forge, si_offset_at_the_last_valid_one_is_handled)
{
	/* siginfo in the last 128 bytes, the rest moved out of its way */
	struct getpid_forgery gf = { .si = SI_MAX, .mctx = 0, .fp = 256 };
	struct outcome o = run_forger_conclusive(getpid_child, &gf, 10000);

	expect_handled(_metadata, &o);
}

TEST_F(forge, mctx_offset_past_the_signal_stack_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_mctx, .value = 0xffff };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	expect_killed(_metadata, &o, "mctx_offset");
}

TEST_F(forge, mctx_offset_one_past_the_last_valid_one_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_mctx, .value = MCTX_MAX + 1 };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	expect_killed(_metadata, &o, "mctx_offset");
}

TEST_F(forge, mctx_offset_at_the_last_valid_one_is_handled)
{
	struct getpid_forgery gf = { .si = 2944, .mctx = MCTX_MAX, .fp = 0 };
	struct outcome o = run_forger_conclusive(getpid_child, &gf, 10000);

	expect_handled(_metadata, &o);
}

TEST_F(forge, a_signal_the_stub_never_reports_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_signal, .value = 99 };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	expect_killed(_metadata, &o, "signal");
}

/* --- the FP/xstate area ------------------------------------------------ */

#define FP_FIELDS "fp|xstate|extended_size|magic"

static void tweak_ext(struct getpid_forgery *gf)
{
	fake_set_extended_size(&FK, gf->value);
}

static void tweak_no_magic2(struct getpid_forgery *gf)
{
	IM32(FK.img, SD_SIGSTACK + FK.fp + F.host_fp) = 0;
}

static void tweak_no_magic1(struct getpid_forgery *gf)
{
	IM32(FK.img, SD_SIGSTACK + FK.fp + FP_SW_MAGIC1) = 0;
}

static void tweak_fpregs(struct getpid_forgery *gf)
{
	IM64(FK.img, SD_SIGSTACK + FK.mctx + MCTX_FPREGS) =
		G->data + SD_SIGSTACK + gf->value;
}

/* A macro: the skip must end the test */
#define NEED_XSTATE() do { \
	if (!F.xstate) \
		SKIP(return, "the host's signal frames carry no xstate"); \
} while (0)

TEST_F(forge, fp_extended_size_zero_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_ext, .value = 0 };
	struct outcome o;

	NEED_XSTATE();
	o = run_forger(getpid_child, &gf, 10000);
	expect_killed(_metadata, &o, FP_FIELDS);
}

TEST_F(forge, fp_extended_size_below_magic2_size_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_ext, .value = 3 };
	struct outcome o;

	NEED_XSTATE();
	o = run_forger(getpid_child, &gf, 10000);
	expect_killed(_metadata, &o, FP_FIELDS);
}

TEST_F(forge, fp_size_one_below_the_legacy_size_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_ext, .value = FP_LEGACY + 4 - 1 };
	struct outcome o;

	NEED_XSTATE();
	o = run_forger(getpid_child, &gf, 10000);
	expect_killed(_metadata, &o, FP_FIELDS);
}

TEST_F(forge, fp_size_of_the_legacy_size_is_handled)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_ext, .value = FP_LEGACY + 4 };
	struct outcome o;

	NEED_XSTATE();
	gf.legacy_fp = 1;
	o = run_forger_conclusive(getpid_child, &gf, 10000);
	expect_handled(_metadata, &o);
}

TEST_F(forge, fp_size_above_the_host_size_gets_the_process_killed)
{
	/* the frame moved low, so that the bigger area still fits */
	struct getpid_forgery gf = { .si = 0, .mctx = 128, .fp = 384, .tweak = tweak_ext, .value = 0 };
	struct outcome o;

	NEED_XSTATE();
	gf.value = F.host_fp + 4 + 64;
	o = run_forger(getpid_child, &gf, 10000);
	expect_killed(_metadata, &o, FP_FIELDS);
}

TEST_F(forge, fp_size_one_above_the_host_size_gets_the_process_killed)
{
	struct getpid_forgery gf = { .si = 0, .mctx = 128, .fp = 384, .tweak = tweak_ext, .value = 0 };
	struct outcome o;

	NEED_XSTATE();
	gf.value = F.host_fp + 4 + 1;
	o = run_forger(getpid_child, &gf, 10000);
	expect_killed(_metadata, &o, FP_FIELDS);
}

TEST_F(forge, fp_area_without_magic2_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_no_magic2 };
	struct outcome o;

	NEED_XSTATE();
	o = run_forger(getpid_child, &gf, 10000);
	expect_killed(_metadata, &o, FP_FIELDS);
}

TEST_F(forge, fp_area_without_magic1_is_taken_as_the_legacy_512_bytes)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_no_magic1 };
	struct outcome o;

	gf.legacy_fp = 1;
	o = run_forger_conclusive(getpid_child, &gf, 10000);
	expect_handled(_metadata, &o);
}

TEST_F(forge, fp_area_running_past_the_signal_stack_gets_the_process_killed)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_fpregs, .value = SIGSTACK_SIZE - FP_LEGACY / 2 };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	expect_killed(_metadata, &o, FP_FIELDS);
}

/* --- siginfo and mcontext content: no worse than a real trap ----------- */

static void tweak_nr(struct getpid_forgery *gf)
{
	*(uint32_t *)(FK.img + SD_SIGSTACK + FK.si + SI_SYSCALL) = gf->value;
	FK.expect_ret = -ENOSYS;
}

TEST_F(forge, a_system_call_number_out_of_range_returns_enosys)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_nr, .value = -1 };
	struct outcome o = run_forger_conclusive(getpid_child, &gf, 10000);

	expect_handled(_metadata, &o);
}

TEST_F(forge, a_huge_system_call_number_returns_enosys)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_nr, .value = 0x7fffffff };
	struct outcome o = run_forger_conclusive(getpid_child, &gf, 10000);

	expect_handled(_metadata, &o);
}

static volatile char present_page[PAGE] __attribute__((aligned(4096)));

static void tweak_segv(struct getpid_forgery *gf)
{
	uint64_t *gr = (void *)(FK.img + SD_SIGSTACK + FK.mctx);

	IM32(FK.img, SD_SIGNAL) = SIGSEGV;
	*(uint32_t *)(FK.img + SD_SIGSTACK + FK.si) = SIGSEGV;
	gr[REG_CR2] = gf->value;
	gr[REG_ERR] = 4 | 2;	/* a write from user mode */
	gr[REG_TRAPNO] = 14;
	FK.check_ret = 0;
}

TEST_F(forge, a_faked_fault_on_a_present_page_is_handled)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_segv, .value = 0 };
	struct outcome o;

	memset((char *)present_page, 1, PAGE);
	gf.value = (uintptr_t)present_page + 8;
	o = run_forger_conclusive(getpid_child, &gf, 10000);
	expect_handled(_metadata, &o);
}

TEST_F(forge, a_faked_fault_on_an_unmapped_address_is_a_sigsegv)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_segv, .value = 0x10008 };
	struct outcome o = run_forger(getpid_child, &gf, 10000);

	TH_LOG("%s; %s", describe(&o), o.bystander);
	if (o.code == CHILD_NOACT)
		SKIP(return, "the kernel never acted on the forged report");
	EXPECT_TRUE(o.bystander_ok);
	EXPECT_EQ(-SIGSEGV, o.code);
}

TEST_F(forge, a_faked_fault_in_the_stub_pages_is_a_sigsegv)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_segv, .value = 0 };
	struct outcome o;

	gf.value = G->data + 16;
	o = run_forger(getpid_child, &gf, 10000);
	TH_LOG("%s; %s", describe(&o), o.bystander);
	if (o.code == CHILD_NOACT)
		SKIP(return, "the kernel never acted on the forged report");
	EXPECT_TRUE(o.bystander_ok);
	EXPECT_EQ(-SIGSEGV, o.code);
}

/* --- err and syscall_data_len at a real trap (int3: SIGTRAP) ----------- */

static void on_sigtrap(int sig)
{
}

struct trap_forgery {
	long err;
	int len;
};

static void trap_child(void *arg)
{
	struct trap_forgery *tf = arg;

	signal(SIGTRAP, on_sigtrap);
	become_nobody();
	SD64(G, SD_ERR) = tf->err;
	SD32(G, SD_LEN) = tf->len;
	__asm__ volatile("int3");
	note("the process went on after a trap with err %ld, syscall_data_len %d",
	     tf->err, tf->len);
	_exit(CHILD_DONE);
}

#define ERR_FIELDS "err|syscall_data_len"

TEST_F(forge, err_at_a_trap_with_syscall_data_len_past_the_array_gets_the_process_killed)
{
	struct trap_forgery tf = { -EFAULT, 1000 };
	struct outcome o = run_forger(trap_child, &tf, 10000);

	expect_killed(_metadata, &o, ERR_FIELDS);
}

TEST_F(forge, err_at_a_trap_with_syscall_data_len_one_past_the_array_gets_the_process_killed)
{
	struct trap_forgery tf = { -EFAULT, SD_NSYSCALLS };
	struct outcome o = run_forger(trap_child, &tf, 10000);

	expect_killed(_metadata, &o, ERR_FIELDS);
}

TEST_F(forge, err_at_a_trap_with_a_negative_syscall_data_len_gets_the_process_killed)
{
	struct trap_forgery tf = { -EFAULT, -1 };
	struct outcome o = run_forger(trap_child, &tf, 10000);

	expect_killed(_metadata, &o, ERR_FIELDS);
}

TEST_F(forge, err_at_a_trap_with_no_batch_queued_gets_the_process_killed)
{
	struct trap_forgery tf = { -EFAULT, 0 };
	struct outcome o = run_forger(trap_child, &tf, 10000);

	expect_killed(_metadata, &o, ERR_FIELDS);
}

TEST_F(forge, a_trap_with_err_zero_is_a_sigtrap_as_usual)
{
	struct trap_forgery tf = { 0, 0 };
	struct outcome o = run_forger(trap_child, &tf, 10000);

	TH_LOG("%s; %s", describe(&o), o.bystander);
	EXPECT_TRUE(o.bystander_ok);
	EXPECT_EQ(CHILD_DONE, o.code);
}

/* --- a bad value from one thread while another one runs ---------------- */

static volatile int sibling_rounds;

static void *sibling_loop(void *arg)
{
	for (;;) {
		syscall(SYS_getppid);
		sibling_rounds++;
	}
	return NULL;
}

static void turnstile_child(void *arg)
{
	struct getpid_forgery gf = { IN_PLACE, .tweak = tweak_mctx, .value = 0xffff };
	pthread_t t;
	long end;

	become_nobody();
	if (pthread_create(&t, NULL, sibling_loop, NULL))
		_exit(98);
	end = now_ns() + 2000000000L;
	while (sibling_rounds < 100 && now_ns() < end)
		sched_yield();
	usleep(20000);
	fake_child(build_getpid, &gf, NULL, NULL, 500000);
}

/*
 * The kernel kills a process for a bad value while another thread of it
 * waits to run in the same stub: the whole process must end (the kernel
 * must not die holding the mm's turnstile, on whose mutex the sibling
 * would wait forever).
 */
TEST_F_TIMEOUT(forge, a_process_killed_for_bad_data_ends_with_all_its_threads, 40)
{
	struct outcome o = run_forger(turnstile_child, NULL, 10000);

	ASSERT_NE(CHILD_STUCK, o.code) TH_LOG("a thread of the killed process never ended");
	expect_killed(_metadata, &o, "mctx_offset");
}

/* --- changed while the kernel handles a faked call --------------------- */

/*
 * A faked nanosleep(40 ms): the kernel reads the frame, sleeps, then
 * writes the result back. 10 ms in, the forger changes one thing: the
 * kernel must write back as it validated when it read, not as it finds
 * the page now (or kill the process).
 */
#define TOCTOU_SLEEP_NS 40000000L
#define TOCTOU_AFTER_US 10000

static struct timespec toctou_ts = { 0, TOCTOU_SLEEP_NS };

struct toctou {
	void (*change)(struct toctou *);
	unsigned long t0;
	int done;
	long value;
};

static void build_nanosleep(void *arg)
{
	long args[6] = { (long)&toctou_ts, 0 };
	struct toctou *tt = arg;

	/* low, so that a grown FP area fits in the stack */
	fake_build(&FK, G, &F, 0, 128, 384, SYS_nanosleep, args);
	FK.expect_ret = 0;
	FK.check_ret = 1;
	tt->done = 0;
	tt->t0 = __rdtsc();
}

static void toctou_flip(const struct stub_gadget *g, void *arg,
			unsigned long i)
{
	struct toctou *tt = arg;

	if (!tt->done && __rdtsc() - tt->t0 > TOCTOU_AFTER_US * tsc_per_us) {
		tt->change(tt);
		tt->done = 1;
	}
}

/* Write @len bytes at @off into the page and into the image alike. */
static void change_both(unsigned off, const void *val, size_t len)
{
	memcpy((void *)(G->data + off), val, len);
	memcpy(FK.img + off, val, len);
}

static void change_ext(struct toctou *tt)
{
	uint32_t ext = tt->value, m2 = FP_MAGIC2;

	change_both(SD_SIGSTACK + FK.fp + ext - 4, &m2, 4);
	change_both(SD_SIGSTACK + FK.fp + FP_SW_EXTSIZE, &ext, 4);
}

/*
 * A copy of the frame's mcontext at the new place, its registers that are
 * no argument of the call marked. A kernel that read only after the
 * change (a slow one: under TCG the 10 ms may pass first) writes them back
 * unchanged there; one that read at the old place and writes at the new
 * one writes the old values over the marks.
 */
static void change_mctx(struct toctou *tt)
{
	static const int mark[] = { REG_RBX, REG_RBP, REG_R12, REG_R13,
				    REG_R14, REG_R15 };
	uint8_t copy[MCTX_SIZE];
	uint16_t v = tt->value;
	size_t i;

	memcpy(copy, FK.img + SD_SIGSTACK + FK.mctx, MCTX_SIZE);
	for (i = 0; i < sizeof(mark) / sizeof(mark[0]); i++)
		((uint64_t *)copy)[mark[i]] ^= 0x1000000000000000ULL;
	change_both(SD_SIGSTACK + v, copy, MCTX_SIZE);
	change_both(SD_MCTX_OFFSET, &v, 2);
	FK.late_mctx = v;
}

static void change_fpregs(struct toctou *tt)
{
	uint64_t p = G->data + SD_SIGSTACK + tt->value;

	change_both(SD_SIGSTACK + FK.mctx + MCTX_FPREGS, &p, 8);
}

static void change_restart_wait(struct toctou *tt)
{
	uint16_t one = 1;

	change_both(SD_RESTART_WAIT, &one, 2);
}

static void toctou_child(void *arg)
{
	fake_child(build_nanosleep, arg, toctou_flip, arg, 2000000);
}

/* Killed for it, or handled as the kernel validated it when it read. */
static void expect_handled_or_killed(struct __test_metadata *_metadata,
				     const struct outcome *o)
{
	TH_LOG("%s; %s", describe(o), o->bystander);
	if (o->code == CHILD_NOACT)
		SKIP(return, "the kernel never acted on the forged report");
	if (o->code == CHILD_TICKED || o->code == CHILD_LAYOUT ||
	    o->code == CHILD_BLOCKED)
		SKIP(return, "no conclusive attempt: %s", describe(o));
	EXPECT_TRUE(o->bystander_ok);
	if (o->host_lost) {
		/*
		 * It changed its own frame while a real trap's frame was
		 * there: the stub died on the host returning through it, or
		 * returned into a result and took a segfault. Killed, having
		 * seen nothing: what the case allows.
		 */
		TH_LOG("killed having spoilt its own frame (lost on the host, or a segfault): allowed");
		return;
	}
	if (o->killed) {
		const char *line = klog_line(o->pid, "bad stub data: ");

		EXPECT_NE(NULL, line) TH_LOG("killed, but no \"bad stub data\" log line");
		return;
	}
	EXPECT_EQ(CHILD_DONE, o->code);
}

TEST_F(forge, fp_area_grown_while_the_kernel_handles_a_call_is_not_written_past_its_size)
{
	struct toctou tt = { .change = change_ext };
	struct outcome o;

	NEED_XSTATE();
	tt.value = F.host_fp + 4 + 768;
	o = run_forger_conclusive(toctou_child, &tt, 10000);
	expect_handled_or_killed(_metadata, &o);
}

TEST_F(forge, fp_size_set_to_zero_while_the_kernel_handles_a_call_does_no_harm)
{
	struct toctou tt = { .change = change_ext, .value = 0 };
	struct outcome o;

	NEED_XSTATE();
	o = run_forger_conclusive(toctou_child, &tt, 10000);
	expect_handled_or_killed(_metadata, &o);
}

TEST_F(forge, mctx_offset_moved_while_the_kernel_handles_a_call_gets_registers_where_it_was)
{
	struct toctou tt = { .change = change_mctx, .value = MCTX_MAX };
	struct outcome o = run_forger_conclusive(toctou_child, &tt, 10000);

	expect_handled_or_killed(_metadata, &o);
}

TEST_F(forge, fpregs_moved_while_the_kernel_handles_a_call_gets_fp_state_where_it_was)
{
	/* a place without magic1: the legacy 512 bytes, clear of the rest */
	struct toctou tt = { .change = change_fpregs, .value = 3328 };
	struct outcome o = run_forger_conclusive(toctou_child, &tt, 10000);

	expect_handled_or_killed(_metadata, &o);
}

TEST_F(forge, restart_wait_set_while_the_kernel_handles_a_call_does_no_harm)
{
	struct toctou tt = { .change = change_restart_wait };
	struct outcome o = run_forger_conclusive(toctou_child, &tt, 10000);

	expect_handled_or_killed(_metadata, &o);
}

/* --- a batch the kernel asks the forger to run -------------------------- */

/*
 * A faked mmap(MAP_POPULATE) report: the kernel maps the pages, then
 * queues the host mmap() calls for the stub (option off: in syscall_data)
 * and wakes it with restart_wait set, once per 99 calls, waiting each time
 * for the report that they ran. The forger answers those itself.
 */
#define POPULATE_LEN (1UL << 20)

/* @arg: where (MAP_FIXED), or NULL: where the kernel likes */
static void build_populate(void *arg)
{
	long args[6] = { (long)arg, POPULATE_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE |
			 (arg ? MAP_FIXED : 0), -1, 0 };

	fake_build_here(&FK, G, &F, SYS_mmap, args);
	memset(FK.img + SD_SYSCALL_DATA, 0, SD_NSYSCALLS * SD_SC_SIZE);
	FK.check_ret = 0;
}

/* Report the batch as run (err 0) or failed, without running it. */
static void answer_batch(long err, int len)
{
	int fds[16], n = fake_take_fds(G, fds, 16), i;

	fake_close_fds(G, fds, n);
	for (i = 0; i < SD_NSYSCALLS; i++)
		SD32(G, SD_SYSCALL_DATA + i * SD_SC_SIZE + 32) = 0;
	fake_answer_batch(G, err, len);
}

struct batch_play {
	long err;		/* what to answer the first batch with */
	int len;
	flip_fn flip;		/* meanwhile */
	void *flip_arg;
};

/* Answer each batch until the kernel is done with the report. */
static enum fake_result populate_loop(struct batch_play *bp,
				      unsigned long timeout_us)
{
	unsigned long end = __rdtsc() + timeout_us * tsc_per_us, i = 0;

	for (;;) {
		while (SD32(G, SD_FUTEX) != FUTEX_IN_CHILD_) {
			if (bp->flip)
				bp->flip(G, bp->flip_arg, i++);
			if (__rdtsc() > end)
				return FAKE_TIMEOUT;
		}
		if (!SD16(G, SD_RESTART_WAIT))
			break;
		R->restarts++;
		if (R->restarts == 1)
			answer_batch(bp->err, bp->len);
		else
			answer_batch(0, 0);
		if (bp->flip)	/* a new batch starts at entry 0 */
			bp->flip(G, bp->flip_arg, ~0UL);
	}
	memcpy(FK.snap, (void *)G->data, SD_SIZE);
	/* what we wrote when answering */
	memcpy(FK.img + SD_ERR, FK.snap + SD_ERR, 8);
	memcpy(FK.img + SD_SIGNAL, FK.snap + SD_SIGNAL, 4);
	if (fake_real_trap(&FK))
		return FAKE_TICKED;	/* a real trap came in between */
	return FAKE_DONE;
}

/* fire() for a populate report: answer each batch, then the snapshot. */
static enum fake_result fire_populate(struct batch_play *bp,
				      unsigned long timeout_us)
{
	fake_touch_stack(65536);
	if (sigsetjmp(fake_land_env, 1))
		return FAKE_TICKED;
	fake_write(&FK, G);
	fake_fire(G);
	return populate_loop(bp, timeout_us);
}

/*
 * A faked munmap() of a range whose every other page is mapped: one host
 * munmap() per page, which do not merge, so that the kernel fills
 * syscall_data and wakes the stub to run it before it is done.
 */
#define HOLED_PAGES 512

static void build_holed_munmap(void *arg)
{
	long args[6] = { (long)arg, HOLED_PAGES * PAGE };

	fake_build_here(&FK, G, &F, SYS_munmap, args);
	memset(FK.img + SD_SYSCALL_DATA, 0, SD_NSYSCALLS * SD_SC_SIZE);
	FK.expect_ret = 0;
	FK.check_ret = 1;
}

static char *holed_range(void)
{
	char *p = mmap(NULL, HOLED_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	int i;

	if (p == MAP_FAILED)
		_exit(98);
	for (i = 0; i < HOLED_PAGES; i += 2) {
		p[i * PAGE] = 1;
		munmap(p + (i + 1) * PAGE, PAGE);
	}
	return p;
}

static void batch_err_child(void *arg)
{
	struct batch_play *bp = arg;
	/* within run_forger()'s bound also where an attempt takes a second */
	long until = now_ns() + 4000000000L;
	enum fake_result r;
	char *p;

	become_nobody();
	do {
		p = holed_range();
		capture_or_exit();
		build_holed_munmap(p);
		R->attempts++;
		r = fire_populate(bp, 2000000);
		/* a tick before the kernel got to the batch: again */
	} while (r == FAKE_TICKED && !R->restarts && R->attempts < 10 &&
		 now_ns() < until);
	if (r == FAKE_TIMEOUT)
		_exit(CHILD_NOACT);
	if (r == FAKE_TICKED && !R->restarts)
		_exit(CHILD_TICKED);
	if (!R->restarts)
		_exit(CHILD_NOBATCH);
	note("the process went on after it reported a batch failed with err %ld, syscall_data_len %d",
	     bp->err, bp->len);
	_exit(CHILD_DONE);
}

TEST_F(forge, err_for_a_batch_with_syscall_data_len_past_the_array_gets_the_process_killed)
{
	struct batch_play bp = { .err = -EFAULT, .len = 1000 };
	struct outcome o;

	if (stub_harden_expected())
		SKIP(return, "the executor runs the batches: no err in the data pages is read");
	o = run_forger(batch_err_child, &bp, 10000);
	if (o.code == CHILD_NOBATCH)
		SKIP(return, "the kernel never woke this process to run a batch");
	expect_killed(_metadata, &o, ERR_FIELDS);
}

TEST_F(forge, err_for_a_batch_with_an_in_range_length_gets_the_process_killed)
{
	struct batch_play bp = { .err = -EFAULT, .len = 0 };
	struct outcome o;

	if (stub_harden_expected())
		SKIP(return, "the executor runs the batches: no err in the data pages is read");
	o = run_forger(batch_err_child, &bp, 10000);
	if (o.code == CHILD_NOBATCH)
		SKIP(return, "the kernel never woke this process to run a batch");
	expect_killed(_metadata, &o, ERR_FIELDS);
}

/* --- races: flip a field while the kernel handles a faked report -------- */

/*
 * Each attempt fakes a report and flips one field between a good and a
 * bad value from the moment it wakes the kernel, for a random number of
 * rounds (so that some attempts stop between the kernel's first and its
 * second read), then leaves the good value. Children are restarted when
 * the kernel kills them, until the time is up or the kernel has both
 * killed a few and handled some. The kernel read a bad value iff it
 * killed a forger or let something stray through: a race with neither
 * never got going (the forger and the kernel never ran at once: a busy
 * host) and skips.
 */
#define RACE_MS 3000		/* at most; less once conclusive */
#define RACE_KILLS 3		/* conclusive: this many kills ... */
#define RACE_DONE 50		/* ... and this many handled reports */

struct flip {
	unsigned off;		/* in the data pages */
	int size;		/* 2, 4 or 8 */
	uint64_t good, bad;
	unsigned long stop_tsc;	/* flip until then in this attempt */
	int stopped;
};

static void flip_store(const struct flip *fl, uint64_t v)
{
	switch (fl->size) {
	case 2: SD16(G, fl->off) = v; break;
	case 4: SD32(G, fl->off) = v; break;
	default: SD64(G, fl->off) = v; break;
	}
}

static void flip_field(const struct stub_gadget *g, void *arg,
		       unsigned long i)
{
	struct flip *fl = arg;

	if (!fl->stopped && __rdtsc() < fl->stop_tsc) {
		flip_store(fl, (i & 1) ? fl->bad : fl->good);
	} else if (!fl->stopped) {
		flip_store(fl, fl->good);
		fl->stopped = 1;
	}
}

/*
 * Flip for a random time from 1 us to 2 ms, about as many attempts in
 * each octave: the kernel's wake-up takes from microseconds (SMP, busy)
 * to hundreds of them (its host thread asleep), and the window between
 * its two reads is a few nanoseconds wide.
 */
static void flip_arm(struct flip *fl, unsigned long max_us)
{
	unsigned long us = 1UL << (fake_rand() % 12);

	us += fake_rand() % us;
	if (us > max_us)
		us = max_us;
	fl->stopped = 0;
	fl->stop_tsc = __rdtsc() + us * tsc_per_us;
}

struct race {
	void (*build)(struct race *);	/* FK for one attempt, fl.good set */
	struct flip fl;
	unsigned long max_us;	/* flip up to this long */
	int sigtrap;		/* the report is a SIGTRAP: a guest signal */
};

static void race_getpid(struct race *rc)
{
	fake_build_here(&FK, G, &F, SYS_getpid, NULL);
	FK.expect_ret = getpid();
	FK.check_ret = 1;
}

/* Put the image's value of the flipped field into the page again. */
static void race_settle(struct race *rc)
{
	SD16(G, SD_RESTART_WAIT) = 0;
	SD64(G, SD_ERR) = 0;
	SD32(G, SD_LEN) = 0;
}

static void on_sigtrap_nodefer(void)
{
	struct sigaction sa = { .sa_handler = on_sigtrap, .sa_flags = SA_NODEFER };

	sigaction(SIGTRAP, &sa, NULL);
}

static void race_child(void *arg)
{
	struct race *rc = arg;

	if (rc->sigtrap)
		on_sigtrap_nodefer();
	become_nobody();
	while (now_ns() < R->deadline_ns && !R->enough) {
		enum fake_result r;
		int verdict;

		capture_or_exit();
		rc->build(rc);
		R->attempts++;
		flip_arm(&rc->fl, rc->max_us);
		r = fire(200000, flip_field, &rc->fl);
		race_settle(rc);
		if (debug)
			fprintf(stderr, "# attempt %ld: %d, futex %u signal %d rw %d\n", R->attempts, r,
				SD32(G, SD_FUTEX), SD32(G, SD_SIGNAL), SD16(G, SD_RESTART_WAIT));
		if (r == FAKE_TICKED) {
			R->ticked++;
			continue;
		}
		if (r == FAKE_TIMEOUT) {
			R->noact++;
			continue;
		}
		/* the flipped field holds what we last wrote */
		flip_store(&rc->fl, rc->fl.good);
		switch (rc->fl.size) {
		case 2: IM16(FK.img, rc->fl.off) = IM16(FK.snap, rc->fl.off); break;
		case 4: IM32(FK.img, rc->fl.off) = IM32(FK.snap, rc->fl.off); break;
		default: IM64(FK.img, rc->fl.off) = IM64(FK.snap, rc->fl.off); break;
		}
		verdict = judge();
		if (verdict == CHILD_LEAK)
			_exit(CHILD_LEAK);
		if (verdict == CHILD_TICKED)
			R->ticked++;
	}
	_exit(CHILD_DONE);
}

struct race_result {
	long attempts, done, ticked, noact, kills, children, logged, other;
	long host_lost;		/* forgers that spoilt their own frame (not counted in kills) */
	long overwrites;
	long blocked;		/* forgers asleep in a call until killed */
	long tick_bound;	/* forgers that saw only ticks' frames */
	int leak, stuck;
	char why[700];
	char bystander[160];
	int bystander_ok;
};

/* Forgers (@child) one after the other until the race is conclusive. */
static struct race_result run_race(void (*child)(void *), void *arg, long ms)
{
	struct race_result rr = { 0 };
	struct bystander b;
	long deadline;
	pid_t killed[16];
	int nkilled = 0, i, w;
	char how[128];

	klog_pace(5);
	bystander_start(&b);
	usleep(20000);
	deadline = now_ns() + ms * 1000000L;
	while (now_ns() < deadline && !rr.leak && !rr.stuck &&
	       !(rr.kills >= RACE_KILLS && rr.done >= RACE_DONE)) {
		int status;
		pid_t pid;
		int mark = klog_mark();

		memset((void *)R, 0, sizeof(*R));
		R->deadline_ns = deadline;
		pid = fork();
		if (pid == 0) {
			child(arg);
			_exit(99);
		}
		rr.children++;
		/* tell it when it has done enough */
		for (;;) {
			pid_t r = waitpid(pid, &status, WNOHANG);

			if (r != 0)
				break;
			if (rr.kills >= RACE_KILLS && rr.done + R->done >= RACE_DONE)
				R->enough = 1;
			if (now_ns() > deadline + 5000000000L) {
				status = -1;
				break;
			}
			usleep(2000);
		}
		w = status == -1 ? wait_bounded(pid, &status, 1, how, sizeof(how)) : 0;
		if (w > 0) {
			rr.blocked++;
			if (!rr.why[0])
				snprintf(rr.why, sizeof(rr.why),
					 "forger %d sat in a call the kernel made of a real trap's frame and its own (%s)",
					 pid, how);
		} else if (w < 0) {
			rr.stuck = 1;
			snprintf(rr.why, sizeof(rr.why), "forger %d did not end: %s", pid, how);
		} else if (WIFSIGNALED(status) &&
			   (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGKILL)) {
			struct klog_since ks;
			int logged = klog_line(pid, "bad stub data: ") != NULL;

			kill_noted();
			klog_since(mark, &ks);
			mark = -1;
			if (klog_own_frame_spoilt(&ks) && !logged) {
				/* its own frame spoilt, as in run_forger() */
				rr.host_lost++;
			} else {
				rr.kills++;
				if (nkilled < 16)
					killed[nkilled++] = pid;
				if (!logged && !rr.why[0])
					snprintf(rr.why, sizeof(rr.why),
						 "forger %d killed without a \"bad stub data\" line, log: %s",
						 pid, ks.lines[0] ? ks.lines : "nothing");
			}
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_LEAK) {
			rr.leak = 1;
			snprintf(rr.why, sizeof(rr.why), "attempt %ld: %s", R->attempts, R->why);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_TICKED) {
			rr.tick_bound++;
		} else if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_DONE) {
			rr.other++;
			snprintf(rr.why, sizeof(rr.why), "forger %d ended with status %#x%s%s", pid, status,
				 R->why[0] ? ": " : "", R->why);
		}
		klog_unmark(mark);
		rr.attempts += R->attempts;
		rr.done += R->done;
		rr.ticked += R->ticked;
		rr.noact += R->noact;
		rr.overwrites += R->overwrites;
	}
	rr.bystander_ok = bystander_stop(&b, rr.bystander, sizeof(rr.bystander)) == 0;
	for (i = 0; i < nkilled; i++)
		rr.logged += klog_line(killed[i], "bad stub data: ") != NULL;
	return rr;
}

static void log_race(struct __test_metadata *_metadata,
		     const struct race_result *rr)
{
	TH_LOG("%ld attempts in %ld processes: %ld handled, %ld killed (%ld of the first %ld logged), %ld killed having spoilt their own frame (lost on the host, or a segfault), %ld ticks, %ld never acted on, %ld asleep in a call until killed, %ld saw only ticks' frames for a second, %ld other; %s%s%s",
	       rr->attempts, rr->children, rr->done, rr->kills, rr->logged,
	       rr->kills < 16 ? rr->kills : 16, rr->host_lost, rr->ticked, rr->noact,
	       rr->blocked, rr->tick_bound, rr->other,
	       rr->bystander, rr->why[0] ? "; " : "", rr->why);
}

/* What every race must show */
static void check_race(struct __test_metadata *_metadata,
		       const struct race_result *rr)
{
	EXPECT_FALSE(rr->leak) TH_LOG("the kernel wrote where it may not: %s", rr->why);
	/*
	 * Without the option nothing bounds a stub that stops reporting: a
	 * forger left spinning in the stub's context (timer signal blocked)
	 * keeps its task in the kernel for good, the wedge the stall kill
	 * closes. Seen as a host process running for seconds with every
	 * signal blocked; not what this race tests.
	 */
	if (rr->stuck && !stub_harden_expected())
		TH_LOG("not judged with the option off (the wedge): %s", rr->why);
	else
		EXPECT_FALSE(rr->stuck);
	EXPECT_TRUE(rr->bystander_ok);
	EXPECT_EQ(0, rr->other);
	if (rr->kills)
		EXPECT_LT(0, rr->logged) TH_LOG("killed %ld times, never a \"bad stub data\" log line", rr->kills);
}

static void expect_race(struct __test_metadata *_metadata, struct race *rc)
{
	struct race_result rr = run_race(race_child, rc, RACE_MS);

	log_race(_metadata, &rr);
	check_race(_metadata, &rr);
	if (!rr.leak && !rr.stuck && !rr.kills)
		SKIP_CLEAN(return, "the kernel never read a bad value in %ld attempts (%ld handled): the race never got going",
		     rr.attempts, rr.done);
}

TEST_F_TIMEOUT(forge, race_mctx_offset_flipped_while_the_kernel_reads_it, 30)
{
	struct race rc = { .build = race_getpid, .max_us = 2000,
			   .fl = { .off = SD_MCTX_OFFSET, .size = 2, .bad = 0xffff } };

	rc.fl.good = F.mctx;
	expect_race(_metadata, &rc);
}

TEST_F_TIMEOUT(forge, race_si_offset_flipped_while_the_kernel_reads_it, 30)
{
	struct race rc = { .build = race_getpid, .max_us = 2000,
			   .fl = { .off = SD_SI_OFFSET, .size = 2, .bad = 0xffff } };

	rc.fl.good = F.si;
	expect_race(_metadata, &rc);
}

TEST_F_TIMEOUT(forge, race_signal_flipped_while_the_kernel_reads_it, 30)
{
	struct race rc = { .build = race_getpid, .max_us = 2000,
			   .fl = { .off = SD_SIGNAL, .size = 4, .good = SIGSYS, .bad = 99 } };

	expect_race(_metadata, &rc);
}

TEST_F_TIMEOUT(forge, race_restart_wait_flipped_while_the_kernel_handles_a_report, 30)
{
	struct race rc = { .build = race_getpid, .max_us = 2000,
			   .fl = { .off = SD_RESTART_WAIT, .size = 2, .good = 0, .bad = 1 } };

	expect_race(_metadata, &rc);
}

static void race_ext_build(struct race *rc)
{
	uint32_t m2 = FP_MAGIC2;

	fake_build(&FK, G, &F, 0, 128, 384, SYS_getpid, NULL);
	FK.expect_ret = getpid();
	FK.check_ret = 1;
	/* MAGIC2 at the end of either size */
	memcpy(FK.img + SD_SIGSTACK + FK.fp + rc->fl.bad - 4, &m2, 4);
}

TEST_F_TIMEOUT(forge, race_fp_extended_size_flipped_while_the_kernel_handles_a_report, 30)
{
	struct race rc = { .build = race_ext_build, .max_us = 2000,
			   .fl = { .size = 4 } };

	NEED_XSTATE();
	rc.fl.off = SD_SIGSTACK + 384 + FP_SW_EXTSIZE;
	rc.fl.good = F.host_fp + 4;
	rc.fl.bad = F.host_fp + 4 + 768;
	expect_race(_metadata, &rc);
}

static void race_sigtrap_build(struct race *rc)
{
	fake_build_here(&FK, G, &F, SYS_getpid, NULL);
	IM32(FK.img, SD_SIGNAL) = SIGTRAP;
	IM32(FK.img, SD_SIGSTACK + FK.si) = SIGTRAP;
	IM32(FK.img, SD_SIGSTACK + FK.si + 8) = 1;	/* TRAP_BRKPT */
	IM32(FK.img, SD_LEN) = 1000;
	FK.relax_regs = 1;
	FK.check_ret = 0;
}

TEST_F_TIMEOUT(forge, race_err_flipped_at_a_faked_sigtrap, 30)
{
	struct race rc = { .build = race_sigtrap_build, .max_us = 2000, .sigtrap = 1,
			   .fl = { .off = SD_ERR, .size = 8, .bad = (uint64_t)-EFAULT } };

	expect_race(_metadata, &rc);
}

/*
 * The fd index (and so the fd) of each host mmap() the kernel queues is
 * in syscall_data; with the option off the kernel writes the batch there
 * while the forger runs. Flip the fd of the newest entry to a huge index
 * all along a faked populate: the kernel must not use it (it looks the
 * entry up again to merge the next page into it).
 */
struct fdflip {
	int k;
};

static void flip_fd(const struct stub_gadget *g, void *arg, unsigned long i)
{
	struct fdflip *ff = arg;

	if (i == ~0UL) {
		ff->k = 0;
		return;
	}
	while (ff->k + 1 < SD_NSYSCALLS &&
	       SD32(g, SD_SYSCALL_DATA + (ff->k + 1) * SD_SC_SIZE + 32) == 1)
		ff->k++;
	if (SD32(g, SD_SYSCALL_DATA + ff->k * SD_SC_SIZE + 32) == 1 &&
	    SD32(g, SD_SYSCALL_DATA + ff->k * SD_SC_SIZE + 24) != 0x40000000) {
		SD32(g, SD_SYSCALL_DATA + ff->k * SD_SC_SIZE + 24) = 0x40000000;
		R->overwrites++;
	}
}

static void fd_race_child(void *arg)
{
	struct fdflip ff;
	struct batch_play bp = { .flip = flip_fd, .flip_arg = &ff };
	/*
	 * The same place every time, unmapped after each attempt: an
	 * attempt that a tick made inconclusive mapped it too (1 MiB each,
	 * which ran a UP guest out of memory).
	 */
	void *at = mmap(NULL, POPULATE_LEN, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	become_nobody();
	if (at == MAP_FAILED)
		_exit(98);
	munmap(at, POPULATE_LEN);
	while (now_ns() < R->deadline_ns && !R->enough) {
		enum fake_result r;

		capture_or_exit();
		build_populate(at);
		ff.k = 0;
		R->attempts++;
		r = fire_populate(&bp, 500000);
		R->restarts = 1;	/* answer every batch with err 0 */
		SD64(G, SD_ERR) = 0;
		SD32(G, SD_LEN) = 0;
		munmap(at, POPULATE_LEN);
		if (r == FAKE_TICKED) {
			R->ticked++;
			continue;
		}
		if (r == FAKE_TIMEOUT) {
			R->noact++;
			continue;
		}
		if (judge() == CHILD_LEAK)
			_exit(CHILD_LEAK);
	}
	_exit(CHILD_DONE);
}

TEST_F_TIMEOUT(forge, race_fd_of_a_queued_host_mmap_flipped_while_the_kernel_queues_more, 30)
{
	struct race_result rr = run_race(fd_race_child, NULL, RACE_MS);

	log_race(_metadata, &rr);
	TH_LOG("%ld queued entries had their fd flipped before the kernel was done",
	       rr.overwrites);
	check_race(_metadata, &rr);
	if (!rr.leak && !rr.stuck && !rr.kills && !rr.overwrites)
		SKIP_CLEAN(return, "the kernel queued no host mmap() in syscall_data while the forger ran (%ld attempts)",
		     rr.attempts);
}

TEST_HARNESS_MAIN
