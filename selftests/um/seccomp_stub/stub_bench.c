// SPDX-License-Identifier: GPL-2.0
/*
 * What stub validation costs, from inside a UML guest.
 *
 * Prints one line per measurement:
 *   bench NAME SIZE median_ns=N p99_ns=N n=N
 * NAME: getpid, mmap (MAP_POPULATE, physically contiguous frames),
 * mmap-frag (the same, frames in descending order: one stub mmap() per
 * page), munmap, touch (demand fault per page), forkexec.
 *
 * Times come from the TSC (UML has no vDSO: clock_gettime() is a system
 * call), calibrated against CLOCK_MONOTONIC. Warm-up rounds are dropped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096UL

static double ns_per_tick;

static inline uint64_t ticks(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void calibrate(void)
{
	uint64_t n0 = mono_ns(), t0 = ticks(), n1, t1;

	do {
		n1 = mono_ns();
	} while (n1 - n0 < 200000000ULL);
	t1 = ticks();
	ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, const char *size, double *ns, int n)
{
	if (n <= 0) {
		printf("bench %s %s median_ns=0 p99_ns=0 n=0\n", name, size);
		return;
	}
	qsort(ns, n, sizeof(*ns), cmp_double);
	printf("bench %s %s median_ns=%.0f p99_ns=%.0f n=%d\n", name, size,
	       ns[n / 2], ns[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1], n);
	fflush(stdout);
}

static double elapsed(uint64_t t0, uint64_t t1)
{
	return (double)(t1 - t0) * ns_per_tick;
}

static void bench_getpid(int rounds)
{
	double *ns = calloc(rounds, sizeof(*ns));
	int r, i;

	for (r = -rounds / 10; r < rounds; r++) {
		uint64_t t0 = ticks();

		for (i = 0; i < 20; i++)
			syscall(SYS_getpid);
		if (r >= 0)
			ns[r] = elapsed(t0, ticks()) / 20;
	}
	report("getpid", "-", ns, rounds);
	free(ns);
}

/* Frames of [p, p + len) in order? 1: ascending, -1: descending, 0: mixed */
static int frame_order(int pagemap, const void *p, size_t len)
{
	size_t n = len / PAGE, i;
	uint64_t *e = calloc(n, sizeof(*e));
	int asc = 1, desc = 1;

	if (pread(pagemap, e, n * sizeof(*e), (uintptr_t)p / PAGE * sizeof(*e)) !=
	    (ssize_t)(n * sizeof(*e))) {
		free(e);
		return 0;
	}
	for (i = 1; i < n; i++) {
		uint64_t a = e[i - 1] & ((1ULL << 55) - 1), b = e[i] & ((1ULL << 55) - 1);

		asc &= b == a + 1;
		desc &= a == b + 1;
	}
	free(e);
	return asc ? 1 : desc ? -1 : 0;
}

/*
 * mmap(MAP_POPULATE) of @len, then free it so that the next one gets the
 * frames the way we want them: pages go back to the allocator's per-CPU
 * list head first, so freeing from the top page down makes the next
 * populate ascending (contiguous: one stub mmap() for the range), and one
 * munmap() (which frees from the bottom up) makes it descending.
 */
static void bench_mmap(size_t len, int rounds, int pagemap)
{
	double *contig = calloc(rounds, sizeof(double));
	double *frag = calloc(rounds, sizeof(double));
	double *unmap = calloc(rounds, sizeof(double));
	int nc = 0, nf = 0, nu = 0, r, want;
	char size[16];

	snprintf(size, sizeof(size), "%zuK", len / 1024);
	for (want = 1; want >= -1; want -= 2) {
		for (r = -5; r < rounds; r++) {
			uint64_t t0 = ticks(), t1, t2;
			char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				       -1, 0);
			int order;
			size_t off;

			t1 = ticks();
			if (p == MAP_FAILED) {
				perror("mmap");
				exit(1);
			}
			order = len == PAGE ? want : frame_order(pagemap, p, len);
			if (want > 0) {
				for (off = len; off > 0; off -= PAGE)
					munmap(p + off - PAGE, PAGE);
			} else {
				t2 = ticks();
				munmap(p, len);
				if (r >= 0)
					unmap[nu++] = elapsed(t2, ticks());
			}
			if (r < 0 || order != want)
				continue;
			if (want > 0)
				contig[nc++] = elapsed(t0, t1);
			else
				frag[nf++] = elapsed(t0, t1);
		}
	}
	report("mmap", size, contig, nc);
	if (len > PAGE)
		report("mmap-frag", size, frag, nf);
	report("munmap", size, unmap, nu);
	free(contig);
	free(frag);
	free(unmap);
}

static void bench_touch(int rounds)
{
	size_t pages = 256, i;
	double *ns = calloc(rounds, sizeof(*ns));
	int r;

	for (r = -3; r < rounds; r++) {
		volatile char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0 = ticks();

		for (i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		if (r >= 0)
			ns[r] = elapsed(t0, ticks()) / pages;
		munmap((void *)p, pages * PAGE);
	}
	report("touch", "-", ns, rounds);
	free(ns);
}

static void bench_forkexec(const char *prog, int rounds)
{
	double *ns = calloc(rounds, sizeof(*ns));
	int r, status;

	for (r = -3; r < rounds; r++) {
		uint64_t t0 = ticks();
		pid_t pid = fork();

		if (pid == 0) {
			execl(prog, prog, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		if (r >= 0)
			ns[r] = elapsed(t0, ticks());
	}
	report("forkexec", "-", ns, rounds);
	free(ns);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	int pagemap = open("/proc/self/pagemap", O_RDONLY);
	unsigned int i;

	if (scale < 1)
		scale = 1;
	calibrate();
	printf("bench calibration - ns_per_tick=%.4f\n", ns_per_tick);
	bench_getpid(2000 * scale);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_mmap(sizes[i], (sizes[i] > 65536 ? 100 : 300) * scale,
			   pagemap);
	bench_touch(100 * scale);
	bench_forkexec("/bin/true", 100 * scale);
	return 0;
}
