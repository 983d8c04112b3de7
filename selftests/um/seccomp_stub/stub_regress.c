// SPDX-License-Identifier: GPL-2.0
/*
 * No-regression cases for UML's SECCOMP userspace with stub validation:
 * ordinary memory management, fork and exec, threads and a shell keep
 * working, and the kernel refuses nothing and kills nothing meanwhile.
 * Run the last case after the others: it reads the kernel log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"

#define PAGE 4096UL

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

/*
 * Kernel log records (from /dev/kmsg) after sequence number @after that
 * contain @what; the first one goes to @line. Returns the last sequence
 * number seen.
 */
static long long kmsg_scan(long long after, const char *what, char *line,
			   size_t size, int *found)
{
	char rec[2048];
	long long seq = after;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	*found = 0;
	if (fd < 0)
		return -1;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		long long s;
		char *msg;

		if (n < 0)
			continue;	/* records were overwritten: go on */
		rec[n] = '\0';
		if (sscanf(rec, "%*d,%lld", &s) != 1)
			continue;
		seq = s;
		msg = strchr(rec, ';');
		if (s > after && msg && strstr(msg, what) && !(*found)++)
			snprintf(line, size, "%s", msg + 1);
	}
	close(fd);
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
