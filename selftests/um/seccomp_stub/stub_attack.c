// SPDX-License-Identifier: GPL-2.0
/*
 * Hijacked-stub attacks on UML's SECCOMP userspace.
 *
 * Each case plays a hijacked stub (see stub_gadget.h) in a child process
 * of its own and checks how the call came out and how the child ended.
 * With STUB_HARDEN=on (CONFIG_UML_SECCOMP_HARDEN=y) every attack
 * must be contained: -EPERM, or the stub killed, and the guest carries
 * on. With STUB_HARDEN=off the calls that reach the host must show
 * that they did: that is what the option closes.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <ucontext.h>
#include <x86intrin.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "stub_gadget.h"
#include "kselftest_harness.h"

#define PAGE GADGET_PAGE
#define NO_RESULT 0x7eadbeefL

/* How an attack ended, as seen by the parent. */
struct outcome {
	pid_t pid;		/* the attacker */
	long ret;		/* what the call returned, NO_RESULT if none */
	int exited;		/* the child exited ... */
	int code;		/* ... with this code (0: it carried on fine) */
	int signal;		/* or was killed by this signal */
};

static const char *describe(const struct outcome *o)
{
	static char buf[128];

	if (o->exited)
		snprintf(buf, sizeof(buf), "returned %ld (%s), then exited %d",
			 o->ret, o->ret < 0 && o->ret > -4096 ?
			 strerror(-o->ret) : "-", o->code);
	else
		snprintf(buf, sizeof(buf), "returned %s, killed by signal %d",
			 o->ret == NO_RESULT ? "nothing" : "a value",
			 o->signal);
	return buf;
}

/*
 * Run @attack in a child. After the call the child checks that it can
 * still make a system call and use its memory; it exits 0 if so.
 */
static struct outcome run_attack(long (*attack)(const struct stub_gadget *,
						 void *),
				 const struct stub_gadget *g, void *arg)
{
	struct outcome o = { .ret = NO_RESULT };
	int pipefd[2], status;
	pid_t pid;

	if (pipe(pipefd))
		abort();

	pid = fork();
	if (pid == 0) {
		static volatile char scratch[3 * PAGE];
		long ret;

		close(pipefd[0]);
		ret = attack(g, arg);
		if (write(pipefd[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(2);
		memset((void *)scratch, 0x5a, sizeof(scratch));
		_exit(getppid() > 0 && scratch[PAGE] == 0x5a ? 0 : 3);
	}
	o.pid = pid;
	close(pipefd[1]);
	if (read(pipefd[0], &o.ret, sizeof(o.ret)) != sizeof(o.ret))
		o.ret = NO_RESULT;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status)) {
		o.exited = 1;
		o.code = WEXITSTATUS(status);
	} else {
		o.signal = WTERMSIG(status);
	}
	return o;
}

/* A page of ours, touched so that the host maps it too. */
static char own_page[PAGE] __attribute__((aligned(4096)));

static void *own_touched_page(void)
{
	memset(own_page, 1, sizeof(own_page));
	return own_page;
}

FIXTURE(stub) {
	struct stub_gadget g;
	int validate;
};

FIXTURE_SETUP(stub)
{
	ASSERT_EQ(0, stub_gadget_find(&self->g))
		TH_LOG("no stub page with a syscall gadget below the top of the address space: not SECCOMP userspace?");
	self->validate = stub_harden_expected();
}

FIXTURE_TEARDOWN(stub)
{
}

TEST_F(stub, stub_page_and_gadget_are_found_from_inside_the_guest)
{
	TH_LOG("stub code at %#lx, gadget at %#lx",
	       (unsigned long)self->g.code, (unsigned long)self->g.call);
	/* The call runs on the host: the stub's fd 0 is an empty socket. */
	EXPECT_EQ(-EAGAIN, stub_probe_call(&self->g));
}

/* --- out-of-batch mmap() ------------------------------------------------ */

struct mmap_args {
	uintptr_t addr;
	size_t len;
	int prot;
	int fd;
	unsigned long offset;
	/* if set, offset is added to the frame of this page, once touched */
	volatile char *frame_of;
	int write_touch;	/* touch it by writing (break COW, dirty it) */
};

static long do_mmap(const struct stub_gadget *g, void *p)
{
	struct mmap_args *a = p;
	unsigned long offset = a->offset;

	if (a->frame_of) {
		if (a->write_touch)
			*a->frame_of = 1;
		else
			(void)*a->frame_of;
		offset += guest_frame_of((const void *)a->frame_of);
	}
	return stub_mmap(g, a->addr, a->len, a->prot, MAP_SHARED | MAP_FIXED,
			 a->fd, offset);
}

/* The kernel's log line about @pid's stub call, if any. */
static const char *denial_of(pid_t pid)
{
	static char log[1 << 17];
	char tag[32], *line = NULL, *p;
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);

	if (n < 0)
		return NULL;
	log[n] = 0;
	snprintf(tag, sizeof(tag), "[%d]: stub ", pid);
	for (p = strstr(log, tag); p; p = strstr(p + 1, tag))
		line = p;
	if (line) {
		p = strchr(line, '\n');
		if (p)
			*p = 0;
	}
	return line;
}

/*
 * With validation: -EPERM, the process carries on, and the kernel logged
 * the denial with the rule it broke.
 */
static void expect_denied(struct __test_metadata *_metadata,
			  const struct outcome *o, const char *why)
{
	const char *line = denial_of(o->pid);

	TH_LOG("%s; log: %s", describe(o), line ? line : "(none)");
	EXPECT_EQ(-EPERM, o->ret);
	EXPECT_TRUE(o->exited);
	EXPECT_EQ(0, o->code);
	ASSERT_NE(NULL, line);
	EXPECT_NE(NULL, strstr(line, why));
}

/*
 * Without validation: the call went to the host, which answered it (any
 * answer but the kernel's -EPERM) or took the stub apart (the attacker
 * died in or right after the call).
 */
static void expect_reached_host(struct __test_metadata *_metadata,
				const struct outcome *o)
{
	TH_LOG("reached the host: %s", describe(o));
	if (o->exited)
		EXPECT_NE(-EPERM, o->ret);
}

TEST_F(stub, out_of_batch_mmap_with_a_bad_fd_is_denied)
{
	char *page = own_touched_page();
	/* our own page and its own frame: only the fd is wrong */
	struct mmap_args a = { (uintptr_t)page, PAGE, PROT_READ, 7, 0, page, 1 };
	struct outcome o = run_attack(do_mmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "fd is not physical memory");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, out_of_batch_mmap_of_a_frame_not_mapped_here_is_denied)
{
	char *page = own_touched_page();
	/* 64 frames away from the page's own frame */
	struct mmap_args a = { (uintptr_t)page, PAGE, PROT_READ, 0,
			       64 * PAGE, page, 1 };
	struct outcome o = run_attack(do_mmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "not so in the page table");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, out_of_batch_mmap_asking_write_on_a_read_only_frame_is_denied)
{
	char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mmap_args a;
	struct outcome o;

	ASSERT_NE(MAP_FAILED, page);
	memset(page, 1, PAGE);
	ASSERT_EQ(0, mprotect(page, PAGE, PROT_READ));
	/* present, young and dirty, but read-only */
	a = (struct mmap_args){ (uintptr_t)page, PAGE, PROT_READ | PROT_WRITE,
				0, 0, page, 0 };
	o = run_attack(do_mmap, &self->g, &a);
	if (self->validate)
		return expect_denied(_metadata, &o, "not so in the page table");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, out_of_batch_mmap_running_past_the_mapped_range_is_denied)
{
	char *area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	struct mmap_args a;
	struct outcome o;

	ASSERT_NE(MAP_FAILED, area);
	memset(area, 1, 2 * PAGE);
	/* the last page is unmapped: the range runs into a hole */
	ASSERT_EQ(0, munmap(area + PAGE, PAGE));
	a = (struct mmap_args){ (uintptr_t)area, 2 * PAGE, PROT_READ, 0, 0,
				area, 1 };
	o = run_attack(do_mmap, &self->g, &a);
	if (self->validate)
		return expect_denied(_metadata, &o, "not so in the page table");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, out_of_batch_mmap_at_an_unaligned_address_is_denied)
{
	char *page = own_touched_page();
	struct mmap_args a = { (uintptr_t)page + 16, PAGE, PROT_READ, 0, 0,
			       page, 1 };
	struct outcome o = run_attack(do_mmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "range");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, out_of_batch_mmap_over_the_stub_is_denied)
{
	struct mmap_args a = { .addr = self->g.code, .len = PAGE,
			       .prot = PROT_READ };
	struct outcome o = run_attack(do_mmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "range");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, out_of_batch_mmap_above_the_stub_is_denied)
{
	struct mmap_args a = { .addr = self->g.data + 2 * PAGE, .len = PAGE,
			       .prot = PROT_READ };
	struct outcome o = run_attack(do_mmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "range");
	expect_reached_host(_metadata, &o);
}

/* --- munmap() ----------------------------------------------------------- */

static long do_munmap(const struct stub_gadget *g, void *p)
{
	struct mmap_args *a = p;

	return stub_munmap(g, a->addr, a->len);
}

TEST_F(stub, munmap_of_the_stub_code_page_is_denied)
{
	struct mmap_args a = { .addr = self->g.code, .len = PAGE };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	/* the gadget's own "ret" is gone: the child dies in the call */
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, munmap_of_the_stub_data_pages_is_denied)
{
	struct mmap_args a = { .addr = self->g.data, .len = 2 * PAGE };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	/* it returns, but the next trap finds no signal stack */
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, munmap_of_a_wrapping_range_is_denied)
{
	struct mmap_args a = { .addr = self->g.code, .len = -self->g.code +
			       PAGE };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, munmap_of_zero_length_is_denied)
{
	struct mmap_args a = { .addr = (uintptr_t)own_touched_page(),
			       .len = 0 };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, munmap_of_an_unaligned_range_is_denied)
{
	struct mmap_args a = { .addr = (uintptr_t)own_touched_page() + 8,
			       .len = PAGE };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, munmap_whose_end_carries_past_the_stub_is_denied)
{
	/* the low words add up with a carry: 64-bit arithmetic in halves */
	uintptr_t top = self->g.code >> 32;
	struct mmap_args a = { .addr = ((top - 1) << 32) | 0xfffff000UL,
			       .len = 0x100002000UL };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	expect_reached_host(_metadata, &o);
}

TEST_F(stub, munmap_crossing_into_the_stub_is_denied)
{
	struct mmap_args a = { .addr = self->g.code - PAGE, .len = 2 * PAGE };
	struct outcome o = run_attack(do_munmap, &self->g, &a);

	if (self->validate)
		return expect_denied(_metadata, &o, "denied munmap");
	expect_reached_host(_metadata, &o);
}

static long unmap_own_and_touch(const struct stub_gadget *g, void *p)
{
	char *area = p;
	long ret = stub_munmap(g, (uintptr_t)area, 4 * PAGE);

	/* the kernel still maps it: the next touch faults it back in */
	area[PAGE] = 7;
	return ret ? ret : (area[0] == 3 && area[PAGE] == 7 ? 0 : -EIO);
}

TEST_F(stub, munmap_of_the_process_own_range_is_allowed)
{
	char *area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct outcome o;

	ASSERT_NE(MAP_FAILED, area);
	memset(area, 3, 4 * PAGE);
	o = run_attack(unmap_own_and_touch, &self->g, area);
	TH_LOG("%s", describe(&o));
	EXPECT_EQ(0, o.ret);
	EXPECT_TRUE(o.exited);
	EXPECT_EQ(0, o.code);
}

/* --- rt_sigreturn() that blocks SIGALRM --------------------------------- */

static void spin_forever(void)
{
	for (;;)
		__asm__ volatile("pause");
}

/*
 * rt_sigreturn through the gadget with a frame we built: the host resumes
 * us in spin_forever() with SIGALRM blocked, so the timer can no longer
 * interrupt this process and the kernel waits for it forever.
 */
static void __attribute__((noreturn)) block_sigalrm_and_run(
	const struct stub_gadget *g, void (*fn)(void))
{
	static char stack[16 * 1024] __attribute__((aligned(16)));
	static ucontext_t frame __attribute__((aligned(64)));
	greg_t *r = frame.uc_mcontext.gregs;

	memset(stack, 0, sizeof(stack));
	memset(&frame, 0, sizeof(frame));
	r[REG_RIP] = (greg_t)fn;
	r[REG_RSP] = (greg_t)(stack + sizeof(stack) - 8);
	r[REG_EFL] = 0x202;
	/* cs = __USER_CS, ss = __USER_DS */
	r[REG_CSGSFS] = 0x33 | (0x2bUL << 48);
	sigemptyset(&frame.uc_sigmask);
	sigaddset(&frame.uc_sigmask, SIGALRM);

	/* the kernel reads the frame at the stack pointer of the syscall */
	__asm__ volatile("mov %[frame], %%rsp\n\t"
			 "jmp *%[gadget]"
			 :
			 : [frame] "r"(&frame), [gadget] "r"(g->call),
			   "a"((long)SYS_rt_sigreturn)
			 : "memory");
	__builtin_unreachable();
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Shared with the attackers: when each started to spin. */
static volatile long *spin_start;

static pid_t start_attacker(const struct stub_gadget *g, int slot, int cpu)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
		spin_start[slot] = now_ns();
		block_sigalrm_and_run(g, spin_forever);
	}
	return pid;
}

/* A legitimate CPU-bound process: must finish untouched. */
static pid_t start_bystander(int cpu, int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		long end = now_ns() + ms * 1000000L;
		volatile unsigned long n = 0;
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
		while (now_ns() < end)
			n++;
		_exit(n ? 0 : 1);
	}
	return pid;
}

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* The bound asserted here is loose on purpose: the target is printed. */
#define KILL_BOUND_MS 1000

static void sigreturn_attack(struct __test_metadata *_metadata,
			     struct _test_data_stub *self, int attackers)
{
	pid_t pids[4], bystander = -1;
	int i, status, cpus = online_cpus();

	if (!self->validate && !getenv("STUB_RUN_WEDGE"))
		SKIP(return, "would wedge a kernel without validation; run by the wedge check");

	spin_start = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, spin_start);

	if (cpus > 1)
		bystander = start_bystander(cpus - 1, 400);

	for (i = 0; i < attackers; i++)
		pids[i] = start_attacker(&self->g, i, cpus > 1 ? i % (cpus - 1) : -1);

	for (i = 0; i < attackers; i++) {
		long ms;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		ms = (now_ns() - spin_start[i]) / 1000000;
		TH_LOG("attacker %d: %s %d after %ld ms", i,
		       WIFSIGNALED(status) ? "killed by signal" : "exited",
		       WIFSIGNALED(status) ? WTERMSIG(status) :
		       WEXITSTATUS(status), ms);
		printf("# kill latency: %ld ms\n", ms);
		EXPECT_TRUE(WIFSIGNALED(status));
		EXPECT_GE(KILL_BOUND_MS, ms);
	}

	if (bystander > 0) {
		ASSERT_EQ(bystander, waitpid(bystander, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("the CPU-bound bystander did not finish cleanly");
	}

	/* and the guest carries on */
	EXPECT_EQ(-EAGAIN, stub_probe_call(&self->g));
}

TEST_F_TIMEOUT(stub, sigreturn_blocking_sigalrm_gets_the_stub_killed, 30)
{
	sigreturn_attack(_metadata, self, 1);
}

TEST_F_TIMEOUT(stub, several_attackers_at_once_are_all_killed, 30)
{
	if (online_cpus() < 2)
		SKIP(return, "needs SMP (ncpus >= 2)");
	sigreturn_attack(_metadata, self, 3);
}

/*
 * Found by stub_fuzz: the munmap() rule lets a stub unmap its own pages,
 * on the premise that the kernel still maps them and the next touch
 * faults them back in. For a page whose PTE is present, young and grants
 * the access, that fault is spurious to the generic code, which marks
 * nothing for the TLB sync: without validation (as upstream) the process
 * faults on it until a signal ends it, here SIGALRM from alarm(5). With
 * validation the kernel maps such a page again.
 */
static long unmap_touched_and_touch(const struct stub_gadget *g, void *p)
{
	volatile char *area = p;
	long ret;

	area[0] = 5;		/* young and dirty in this process */
	area[PAGE] = 6;
	alarm(5);
	ret = stub_munmap(g, (uintptr_t)area, 2 * PAGE);
	if (!ret)
		ret = area[0] == 5 && area[PAGE] == 6 ? 0 : -EIO;
	alarm(0);
	return ret;
}

TEST_F(stub, munmap_of_pages_the_process_touched_faults_them_back_in)
{
	char *area = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct outcome o;

	if (!self->validate)
		SKIP(return, "without validation the process faults on the pages until a signal ends it, as upstream");
	ASSERT_NE(MAP_FAILED, area);
	memset(area, 3, 2 * PAGE);
	o = run_attack(unmap_touched_and_touch, &self->g, area);
	TH_LOG("%s", describe(&o));
	EXPECT_EQ(0, o.ret);
	EXPECT_TRUE(o.exited) TH_LOG("signal 14: the pages never came back");
	EXPECT_EQ(0, o.code);
}

/*
 * Found by stub_fuzz: a refused call made right after the kernel answered
 * the one before can still be pending when the kernel forwards the held
 * back SIGALRM (serve_pending() polled just before it came). The signal
 * takes the notification away: the stub gets -EINTR instead of -EPERM,
 * and nothing is logged. Back-to-back refused calls, all must get -EPERM.
 */
TEST_F(stub, back_to_back_refused_calls_all_get_eperm)
{
	long ret, eperm = 0, eintr = 0, other = 0, last = 0;
	int i;

	if (!self->validate)
		SKIP(return, "without validation these calls reach the host");
	own_touched_page();
	for (i = 0; i < 400; i++) {
		if (i & 1)
			ret = stub_munmap(&self->g, (uintptr_t)own_page + 1, PAGE);
		else
			ret = stub_mmap(&self->g, (uintptr_t)own_page, PAGE,
					PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
					-1, 0);
		if (ret == -EPERM) {
			eperm++;
		} else if (ret == -EINTR) {
			eintr++;
		} else {
			other++;
			last = ret;
		}
	}
	TH_LOG("400 refused calls: %ld -EPERM, %ld -EINTR, %ld other (last %ld)",
	       eperm, eintr, other, last);
	EXPECT_EQ(0, eintr);
	EXPECT_EQ(0, other);
	EXPECT_EQ(400, eperm);
}

/* --- a faked report -------------------------------------------------- */

/*
 * struct stub_data (arch/um/include/shared/skas/stub-data.h) on x86_64:
 * the futex word and the signal the stub reports sit at these offsets of
 * the first data page. Checked before use: while guest code runs, the
 * futex word is 0 (FUTEX_IN_CHILD) and the signal one of the last report
 * or 0 (a TCG host showed a stale one).
 */
#define STUB_FUTEX_OFF	3980
#define STUB_SIGNAL_OFF	3984

static const struct stub_gadget *fake_gadget;

static void __attribute__((noreturn)) sleep_forever(void)
{
	static int word;

	for (;;)
		stub_call6(fake_gadget, SYS_futex, (long)&word, 0 /* WAIT */,
			   0, 0, 0, 0);
}

/* Shared with the parent: when the last attempt began, and its number */
struct fake_log {
	long start_ns;
	long attempts;
};

#define FAKE_ATTEMPTS	10

/* TSC ticks per ms, to spin for a wall time without a system call */
static unsigned long tsc_per_ms;

static void calibrate_tsc(void)
{
	unsigned long c0, c1;
	long t0, t1;

	t0 = now_ns();
	c0 = __rdtsc();
	usleep(50000);
	c1 = __rdtsc();
	t1 = now_ns();
	tsc_per_ms = (c1 - c0) * 1000000 / (t1 - t0);
}

/*
 * Tell the kernel "I stopped, handle my last system call again" without
 * stopping: set the futex word and wake the kernel through the gadget.
 * The last call was an mmap(MAP_POPULATE), so the kernel maps another page
 * and queues a stub mmap() for it, then waits for the stub to make it.
 * The stub never will: it spins here, or sleeps with SIGALRM blocked.
 *
 * The kernel reads the call from the registers of the last real report.
 * A tick held back while the mmap() was handled is forwarded as the stub
 * resumes, and its report comes first: the kernel then takes the faked
 * report for some other call, queues nothing and does not wait. So a
 * spinner that is still alive after a second of wall time (by the TSC;
 * far longer than the stall bound) tries again; it exits 44 if the
 * kernel never waited for it. That happens on some boots for every
 * attempt (cause not found); the test then skips.
 */
static void __attribute__((noreturn)) fake_report(const struct stub_gadget *g,
						   struct fake_log *log,
						   int sleeper)
{
	volatile unsigned int *futex = (void *)(g->data + STUB_FUTEX_OFF);
	volatile int *sig = (void *)(g->data + STUB_SIGNAL_OFF);
	unsigned long end;
	long t;
	void *p;

	fake_gadget = g;
	if (*futex != 0 || *sig < 0 || *sig > 64)
		_exit(42);	/* not the layout we know */
	while (log->attempts < FAKE_ATTEMPTS) {
		t = now_ns();		/* a system call, before the last one */
		log->start_ns = t;
		log->attempts++;
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			_exit(43);
		*sig = SIGSYS;
		*futex = 1;	/* FUTEX_IN_KERN */
		stub_call6(g, SYS_futex, (long)futex, 1 /* WAKE */, 1, 0, 0, 0);
		if (sleeper)
			block_sigalrm_and_run(g, sleep_forever);
		end = __rdtsc() + 1000 * tsc_per_ms;
		while (__rdtsc() < end)
			;
	}
	_exit(44);
}

static void faked_report_attack(struct __test_metadata *_metadata,
				struct _test_data_stub *self, int sleeper)
{
	struct fake_log *log;
	int status;
	long ms;
	pid_t pid;

	if (!self->validate)
		SKIP(return, "without validation the kernel does not wait for the stub's calls");
	log = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, log);
	calibrate_tsc();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		fake_report(&self->g, log, sleeper);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ms = (now_ns() - log->start_ns) / 1000000;
	TH_LOG("attacker %s %d %ld ms after attempt %ld",
	       WIFSIGNALED(status) ? "killed by signal" : "exited",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	       ms, log->attempts);
	ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 42)
		TH_LOG("unexpected stub_data layout");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 44)
		SKIP(return, "the kernel took the faked report for another call %d times: it never waited",
		     FAKE_ATTEMPTS);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_GE(sleeper ? 10 * KILL_BOUND_MS : KILL_BOUND_MS, ms);
	EXPECT_EQ(-EAGAIN, stub_probe_call(&self->g));
	munmap(log, PAGE);
}

TEST_F_TIMEOUT(stub, a_faked_report_with_a_spinning_stub_gets_it_killed, 30)
{
	faked_report_attack(_metadata, self, 0);
}

TEST_F_TIMEOUT(stub, a_faked_report_with_a_sleeping_stub_gets_it_killed, 30)
{
	faked_report_attack(_metadata, self, 1);
}

TEST_HARNESS_MAIN
