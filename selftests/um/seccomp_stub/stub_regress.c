// SPDX-License-Identifier: GPL-2.0
/*
 * No-regression cases for UML's SECCOMP userspace with stub validation:
 * ordinary memory management, fork and exec, threads and a shell keep
 * working, a permission taken away is gone when the call returns (also
 * for a sibling thread on another vCPU), the kernel names the stub it
 * runs at boot, and it refuses nothing and kills nothing meanwhile.
 * Run the last case after the others: it reads the kernel log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "stub_gadget.h"
#include "kselftest_harness.h"

#define PAGE GADGET_PAGE

static const size_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };

/* Fill with a pattern that depends on the round, check it, unmap. */
static int churn_once(size_t len, unsigned int round)
{
	uint32_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	size_t i, n = len / sizeof(*p);

	if (p == MAP_FAILED)
		return -errno;
	for (i = 0; i < n; i++)
		p[i] = (uint32_t)(i * 2654435761u) ^ round;
	for (i = 0; i < n; i++)
		if (p[i] != ((uint32_t)(i * 2654435761u) ^ round)) {
			munmap(p, len);
			return -EIO;
		}
	return munmap(p, len) ? -errno : 0;
}

TEST(mmap_munmap_churn_with_populate_keeps_the_data)
{
	unsigned int round, s;

	for (round = 0; round < 40; round++)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			ASSERT_EQ(0, churn_once(sizes[s], round))
				TH_LOG("size %zu, round %u", sizes[s], round);
}

TEST(anonymous_demand_paging_works)
{
	size_t len = 64UL << 20, i;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < len; i += PAGE)
		p[i] = (unsigned char)(i >> 12);
	for (i = 0; i < len; i += PAGE)
		ASSERT_EQ((unsigned char)(i >> 12), p[i]);
	/* read faults on a second, untouched area give zeroes */
	for (i = 0; i < len / 2; i += PAGE)
		ASSERT_EQ(0, p[i + len / 2 + 1]);
	ASSERT_EQ(0, munmap(p, len));
}

/*
 * The stub unmaps a large range in one host call, which takes it a while
 * in system time: that is work, not a stall (run with a low
 * seccomp_stall_ms to make the difference matter).
 */
TEST(a_large_munmap_is_not_taken_for_a_stall)
{
	size_t len = 256UL << 20;
	int round;

	for (round = 0; round < 3; round++) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		ASSERT_NE(MAP_FAILED, p);
		p[len - 1] = 1;
		ASSERT_EQ(0, munmap(p, len));
	}
}

TEST(fork_exec_storm)
{
	int i, status;

	for (i = 0; i < 300; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("exec %d: status %#x", i, status);
	}
}

TEST(fork_and_copy_on_write_keep_both_sides_apart)
{
	size_t len = 4UL << 20, i;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x11, len);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		memset(p, 0x22, len);
		for (i = 0; i < len; i += PAGE)
			if (p[i] != 0x22)
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < len; i += PAGE)
		ASSERT_EQ(0x11, p[i]);
}

static void *thread_churn(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	unsigned int round;

	for (round = 0; round < 30; round++)
		if (churn_once(sizes[(round + id) % 5], round + 100 * id))
			return (void *)1;
	return NULL;
}

TEST(threads_sharing_an_mm_map_and_unmap_concurrently)
{
	pthread_t t[4];
	void *ret;
	uintptr_t i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, thread_churn,
					    (void *)i));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret) TH_LOG("thread %lu failed", (unsigned long)i);
	}
}

TEST(a_busybox_shell_pipeline_runs)
{
	char buf[64] = "";
	FILE *f = popen("seq 1 20000 | grep 7 | wc -l", "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	ASSERT_EQ(0, pclose(f));
	/* 6878 of the numbers 1..20000 have a digit 7 */
	ASSERT_EQ(6878, atoi(buf)) TH_LOG("wc said '%s'", buf);
}

/* --- a revoked permission is revoked when the call returns ------------ */

static __thread sigjmp_buf fault_env;
static __thread volatile int in_probe;

static void probe_fault(int sig)
{
	if (in_probe)
		siglongjmp(fault_env, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_faults(void)
{
	struct sigaction sa = { .sa_handler = probe_fault };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* Write @val at @p; 1 if it faulted */
static int write_faults(volatile char *p, char val)
{
	int faulted = 1;

	in_probe = 1;
	if (sigsetjmp(fault_env, 1) == 0) {
		*p = val;
		faulted = 0;
	}
	in_probe = 0;
	return faulted;
}

static int read_faults(volatile char *p)
{
	int faulted = 1;

	in_probe = 1;
	if (sigsetjmp(fault_env, 1) == 0) {
		(void)*p;
		faulted = 0;
	}
	in_probe = 0;
	return faulted;
}

/*
 * The kernel has the stub change the host mapping; with the option an
 * executor thread does, and a change that takes a permission away must be
 * done before the call returns. Write after mprotect(PROT_READ), read
 * after mprotect(PROT_NONE) and after munmap(): each must fault at once.
 */
TEST(a_permission_the_kernel_took_away_is_gone_when_the_call_returns)
{
	int i;

	catch_faults();
	for (i = 0; i < 200; i++) {
		size_t len = (1 + i % 8) * PAGE;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, p);
		memset(p, 0x3c, len);
		ASSERT_EQ(0, mprotect(p, len, PROT_READ));
		ASSERT_TRUE(write_faults(p + len - PAGE, 1))
			TH_LOG("round %d: a write after mprotect(PROT_READ) went through", i);
		ASSERT_EQ(0x3c, p[len - PAGE]);
		ASSERT_EQ(0, mprotect(p, len, PROT_NONE));
		ASSERT_TRUE(read_faults(p))
			TH_LOG("round %d: a read after mprotect(PROT_NONE) went through", i);
		ASSERT_EQ(0, mprotect(p, len, PROT_READ | PROT_WRITE));
		ASSERT_FALSE(write_faults(p, 2));
		ASSERT_EQ(0, munmap(p, len));
		ASSERT_TRUE(read_faults(p + len - PAGE))
			TH_LOG("round %d: a read after munmap() went through", i);
	}
}

struct sibling {
	volatile char *page;
	volatile int returned;	/* mprotect() has returned */
	volatile int started;
	volatile long writes, late_writes;
	volatile int faulted;
	int cpu;
};

/* Write the page in a loop; a write made after it saw "returned" is late */
static void *sibling_writer(void *arg)
{
	struct sibling *s = arg;
	cpu_set_t set;
	long n = 0;

	CPU_ZERO(&set);
	CPU_SET(s->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	in_probe = 1;
	if (sigsetjmp(fault_env, 1)) {
		in_probe = 0;
		s->faulted = 1;
		return NULL;
	}
	for (;;) {
		int after = s->returned;

		s->page[0] = (char)++n;
		s->writes = n;
		s->started = 1;
		if (after) {
			s->late_writes++;
			if (s->late_writes > 1000)
				break;
		}
	}
	in_probe = 0;
	return NULL;
}

/*
 * SMP: a sibling thread of the same process writes the page on the other
 * vCPU while this one takes write away. Once mprotect() returned, no
 * write of the sibling's may go through.
 */
TEST(a_sibling_thread_loses_write_access_when_mprotect_returns)
{
	int round, cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	long late = 0;

	if (cpus < 2)
		SKIP(return, "needs SMP (ncpus >= 2)");
	catch_faults();
	for (round = 0; round < 50; round++) {
		struct sibling s = { .cpu = 1 };
		cpu_set_t set;
		pthread_t t;

		s.page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		ASSERT_NE(MAP_FAILED, s.page);
		CPU_ZERO(&set);
		CPU_SET(0, &set);
		sched_setaffinity(0, sizeof(set), &set);
		ASSERT_EQ(0, pthread_create(&t, NULL, sibling_writer, &s));
		while (!s.started)
			sched_yield();
		ASSERT_EQ(0, mprotect((void *)s.page, PAGE, PROT_READ));
		s.returned = 1;
		ASSERT_EQ(0, pthread_join(t, NULL));
		if (s.late_writes)
			TH_LOG("round %d: %ld writes before, %ld after mprotect() returned, %s",
			       round, s.writes - s.late_writes, s.late_writes,
			       s.faulted ? "then it faulted" : "and it never faulted");
		late += s.late_writes;
		EXPECT_TRUE(s.faulted);
		munmap((void *)s.page, PAGE);
	}
	EXPECT_EQ(0, late);
}

/* --- the boot line ------------------------------------------------------ */

struct kmsg_match {
	const char *what;
	char *line;
	size_t size;
	int found;
};

static void kmsg_match_one(const char *msg, void *ctx)
{
	struct kmsg_match *m = ctx;

	if (strstr(msg, m->what) && !m->found++)
		snprintf(m->line, m->size, "%s", msg);
}

/*
 * Kernel log records after sequence number @after that contain @what;
 * the first one goes to @line. Returns the last sequence number seen.
 */
static long long kmsg_scan(long long after, const char *what, char *line,
			   size_t size, int *found)
{
	struct kmsg_match m = { what, line, size, 0 };
	long long seq = stub_kmsg_each(after, kmsg_match_one, &m);

	*found = m.found;
	return seq;
}

/* The log position when this program started */
static long long kmsg_start = -1;

static void __attribute__((constructor)) note_kmsg_start(void)
{
	char line[8];
	int found;

	kmsg_start = kmsg_scan(-1, "\n", line, sizeof(line), &found);
}

/*
 * The kernel says at boot which stub it runs: "uml-stub: seccomp
 * userspace, hardened stub: on", or "... off (seccomp_harden=off)"; no line
 * when the option is not built in (pristine).
 */
TEST(the_boot_line_names_the_stub)
{
	char line[512] = "";
	int on, off, any;

	kmsg_scan(-1, "uml-stub: seccomp userspace, hardened stub: on", line,
		  sizeof(line), &on);
	kmsg_scan(-1, "uml-stub: seccomp userspace, hardened stub: off (seccomp_harden=off)",
		  line, sizeof(line), &off);
	kmsg_scan(-1, "hardened stub", line, sizeof(line), &any);
	TH_LOG("STUB_HARDEN=%s; %d \"on\" lines, %d \"off\" lines, %d in all%s%s",
	       getenv("STUB_HARDEN") ? getenv("STUB_HARDEN") : "(unset)",
	       on, off, any, any ? ", the first: " : "", line);
	if (getenv("STUB_HARDEN") && strcmp(getenv("STUB_HARDEN"), "on") == 0) {
		EXPECT_EQ(1, on);
		EXPECT_EQ(1, any);
		return;
	}
	EXPECT_EQ(0, on);
	EXPECT_EQ(off, any);	/* the off line, once, or nothing */
	EXPECT_GE(1, off);
}

TEST(no_call_was_refused_and_no_stub_killed_meanwhile)
{
	char line[512] = "";
	int found;

	ASSERT_LE(0, kmsg_start) TH_LOG("cannot read /dev/kmsg");
	kmsg_scan(kmsg_start, "uml-stub:", line, sizeof(line), &found);
	if (found)
		TH_LOG("%d such lines, the first: %s", found, line);
	EXPECT_EQ(0, found);
}

TEST_HARNESS_MAIN
