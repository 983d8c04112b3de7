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

/* The frames of the pages of [p, p + len), from /proc/self/pagemap */
static int frames_of(int pagemap, const void *p, size_t len, uint64_t *f)
{
	size_t n = len / PAGE, i;

	if (pread(pagemap, f, n * sizeof(*f), (uintptr_t)p / PAGE * sizeof(*f)) !=
	    (ssize_t)(n * sizeof(*f)))
		return -1;
	for (i = 0; i < n; i++)
		f[i] &= (1ULL << 55) - 1;
	return 0;
}

/* 1 if the frames ascend one by one, -1 if they descend, 0 otherwise */
static int frame_order(const uint64_t *f, size_t n)
{
	int asc = 1, desc = 1;
	size_t i;

	for (i = 1; i < n; i++) {
		asc &= f[i] == f[i - 1] + 1;
		desc &= f[i - 1] == f[i] + 1;
	}
	return asc ? 1 : desc ? -1 : 0;
}

static const uint64_t *sort_frames;

static int by_frame(const void *a, const void *b)
{
	uint64_t x = sort_frames[*(const size_t *)a];
	uint64_t y = sort_frames[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

/*
 * Free the pages so that the next populate of the range gets its frames in
 * the order we want: freed pages go to the head of the allocator's per-CPU
 * list and come back last in, first out. So to get them ascending, free
 * the highest frame first; to get them descending, the lowest.
 */
static void free_for(char *p, size_t len, const uint64_t *f, int want)
{
	size_t n = len / PAGE, i, *idx = calloc(n, sizeof(*idx));

	for (i = 0; i < n; i++)
		idx[i] = i;
	sort_frames = f;
	qsort(idx, n, sizeof(*idx), by_frame);
	for (i = 0; i < n; i++) {
		size_t k = want > 0 ? idx[n - 1 - i] : idx[i];

		munmap(p + k * PAGE, PAGE);
	}
	free(idx);
}

/*
 * Benchmarks map at a fixed place in a 2 MiB-aligned arena whose last page
 * stays mapped, so that the page table of the range is not freed and
 * allocated again (it would take a frame from the middle of the order).
 */
static char *arena(void)
{
	size_t two = 2UL << 20;
	char *raw = mmap(NULL, 2 * two, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *base = (char *)(((uintptr_t)raw + two - 1) & ~(two - 1));
	char *keep = mmap(base + two - PAGE, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
			  -1, 0);

	if (raw == MAP_FAILED || keep == MAP_FAILED) {
		perror("arena");
		exit(1);
	}
	*keep = 1;
	return base;
}

static char *populate(char *base, size_t len)
{
	char *p = mmap(base, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
		       -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/*
 * mmap(MAP_POPULATE) of @len with the frames contiguous (one stub mmap()
 * for the whole range) and fragmented (one per page), each made to happen
 * and checked with pagemap; munmap() of the range in one call.
 */
static void bench_mmap(char *base, size_t len, int rounds, int pagemap)
{
	size_t n = len / PAGE;
	uint64_t *f = calloc(n, sizeof(*f));
	double *contig = calloc(rounds, sizeof(double));
	double *frag = calloc(rounds, sizeof(double));
	double *unmap = calloc(rounds, sizeof(double));
	int nc = 0, nf = 0, r, want;
	char size[24];

	snprintf(size, sizeof(size), "%zuK", len / 1024);
	for (want = 1; want >= -1; want -= 2) {
		if (n == 1 && want < 0)
			break;
		for (r = -5; r < rounds; r++) {
			uint64_t t0 = ticks(), t1;
			char *p = populate(base, len);
			int order;

			t1 = ticks();
			if (frames_of(pagemap, p, len, f)) {
				perror("pagemap");
				exit(1);
			}
			order = n == 1 ? want : frame_order(f, n);
			free_for(p, len, f, want);
			if (r < 0 || order != want)
				continue;
			if (want > 0)
				contig[nc++] = elapsed(t0, t1);
			else
				frag[nf++] = elapsed(t0, t1);
		}
	}
	for (r = -5; r < rounds; r++) {
		char *p = populate(base, len);
		uint64_t t0 = ticks();

		munmap(p, len);
		if (r >= 0)
			unmap[r] = elapsed(t0, ticks());
	}
	report("mmap", size, contig, nc);
	if (n > 1)
		report("mmap-frag", size, frag, nf);
	report("munmap", size, unmap, rounds);
	free(f);
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
	char *base = arena();
	unsigned int i;

	if (scale < 1)
		scale = 1;
	calibrate();
	printf("bench calibration - ns_per_tick=%.4f\n", ns_per_tick);
	bench_getpid(2000 * scale);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_mmap(base, sizes[i],
			   (sizes[i] > 65536 ? 100 : 300) * scale, pagemap);
	bench_touch(100 * scale);
	bench_forkexec("/bin/true", 100 * scale);
	return 0;
}
