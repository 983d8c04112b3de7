// SPDX-License-Identifier: GPL-2.0
/*
 * What stub validation costs, from inside a UML guest.
 *
 * Prints one line per measurement:
 *   bench NAME SIZE median_ns=N p99_ns=N n=N tries=N
 * NAME: getpid, mmap (MAP_POPULATE, physically contiguous frames: one
 * stub mmap() for the range), mmap-frag (the same, no two frames following
 * on: one stub mmap() per page), munmap, touch (demand fault per page),
 * forkexec. n is how many samples the bucket got, tries how many runs it
 * took (populates are steered to the frame layout and checked with
 * pagemap; one of the wrong layout is not counted).
 *
 * Times come from the TSC (UML has no vDSO: clock_gettime() is a system
 * call), calibrated against CLOCK_MONOTONIC. Warm-up rounds are dropped.
 * BENCH_DEBUG (environment) tells on stderr why a populate was not counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
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
static int debug;	/* BENCH_DEBUG=1: why a populate was not counted */

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

/* n: the samples taken, tries: the runs made for them (warm-up and
 * populates of the wrong frame layout included) */
static void report(const char *name, const char *size, double *ns, int n,
		   int tries)
{
	if (n <= 0) {
		printf("bench %s %s median_ns=0 p99_ns=0 n=0 tries=%d\n", name,
		       size, tries);
		fflush(stdout);
		return;
	}
	qsort(ns, n, sizeof(*ns), cmp_double);
	printf("bench %s %s median_ns=%.0f p99_ns=%.0f n=%d tries=%d\n", name,
	       size, ns[n / 2], ns[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1],
	       n, tries);
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
	report("getpid", "-", ns, rounds, rounds + rounds / 10);
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
 * How many host mmap()s UML needs for the frames f[0..n): one per run of
 * frames that ascend one by one (it merges a mapping into the previous one
 * when the virtual address and the frame both follow on). 1: contiguous;
 * n: every page its own mapping (fragmented).
 */
static size_t frame_runs(const uint64_t *f, size_t n)
{
	size_t i, runs = n > 0;

	for (i = 1; i < n; i++)
		runs += f[i] != f[i - 1] + 1;
	return runs;
}

struct frame_at {
	uint64_t frame;
	size_t page;
};

static int by_frame_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct frame_at *)a)->frame;
	uint64_t y = ((const struct frame_at *)b)->frame;

	return x < y ? -1 : x > y;
}

/* The index of each page of f[0..n) in ascending frame order */
static size_t *by_frame(const uint64_t *f, size_t n)
{
	struct frame_at *fa = malloc(n * sizeof(*fa));
	size_t *idx = malloc(n * sizeof(*idx)), i;

	if (!fa || !idx) {
		perror("malloc");
		exit(1);
	}
	for (i = 0; i < n; i++)
		fa[i] = (struct frame_at){ f[i], i };
	qsort(fa, n, sizeof(*fa), by_frame_cmp);
	for (i = 0; i < n; i++)
		idx[i] = fa[i].page;
	free(fa);
	return idx;
}

static void give_back(char *p, int unmap)
{
	if (unmap ? munmap(p, PAGE) : madvise(p, PAGE, MADV_DONTNEED)) {
		perror(unmap ? "munmap" : "madvise");
		exit(1);
	}
}

/*
 * Free the pages of [p, p + n pages) highest frame first. With per-CPU
 * page lists (SMP) the next populate takes them back last in, first out:
 * ascending. madvise() splits no VMA; munmap() of each page does, and the
 * slab pages that churns leave the next populate's own small kernel
 * allocations something else to take than our lowest frame (without
 * per-CPU lists, UP, the buddy allocator merges the frames again either
 * way and hands them out ascending).
 */
static void free_descending(char *p, const uint64_t *f, size_t n, int unmap)
{
	size_t *idx = by_frame(f, n), i;

	for (i = n; i-- > 0;)
		give_back(p + idx[i] * PAGE, unmap);
	free(idx);
}

/* A store of frames to steer populates with: pages mapped, frames known */
struct store {
	char *p;
	size_t pages;
	uint64_t *f;
};

static void store_fill(struct store *s, size_t pages, int pagemap)
{
	s->pages = pages;
	s->p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	s->f = calloc(pages, sizeof(*s->f));
	if (s->p == MAP_FAILED || !s->f ||
	    frames_of(pagemap, s->p, pages * PAGE, s->f)) {
		perror("store");
		exit(1);
	}
}

static void store_drop(struct store *s)
{
	if (!s->p)
		return;
	munmap(s->p, s->pages * PAGE);
	free(s->f);
	s->p = NULL;
}

/*
 * Contiguous: free n of the store's frames that follow on (aligned to n),
 * highest first. 0 if the store has no such block.
 */
static int steer_contiguous(struct store *s, size_t n)
{
	size_t *idx = by_frame(s->f, s->pages), i, k;
	int found = 0;

	for (i = 0; i + n <= s->pages && !found; i++) {
		uint64_t lo = s->f[idx[i]];

		if (lo % n || s->f[idx[i + n - 1]] != lo + n - 1)
			continue;
		for (k = n; k-- > 0;)
			give_back(s->p + idx[i + k] * PAGE, 0);
		found = 1;
	}
	free(idx);
	return found;
}

/*
 * Fragmented: free n of the store's frames whose neighbouring frames both
 * stay held by the store. They cannot merge and no two of them follow on,
 * so a populate that takes them needs one host mmap() per page.
 */
static int steer_fragmented(struct store *s, size_t n)
{
	size_t *idx = by_frame(s->f, s->pages), i, freed = 0;

	for (i = 1; i + 1 < s->pages && freed < n; i++) {
		uint64_t f = s->f[idx[i]];

		if (s->f[idx[i - 1]] != f - 1 || s->f[idx[i + 1]] != f + 1)
			continue;
		give_back(s->p + idx[i] * PAGE, 0);
		freed++;
		i++;	/* its upper neighbour stays held */
	}
	free(idx);
	return freed == n;
}

/*
 * Time mmap(MAP_POPULATE) of @len at @base until @rounds samples of the
 * wanted frame layout (@frag: fragmented, else contiguous) or the budget
 * of tries is spent; each populate is checked with pagemap and one of the
 * wrong layout is not counted. The frames of a good one are freed for the
 * next in the order that brings them back the same way; after a bad one
 * they are steered again, each time by the next of the ways to do it
 * (contiguous: the range's own frames freed with munmap(), which works
 * without per-CPU page lists and mostly with them, or a block from a fresh
 * store freed with madvise(), which works with them; fragmented: isolated
 * frames of a store). *tries counts the populates.
 */
static int time_populates(char *base, size_t len, int rounds, int pagemap,
			  int frag, double *ns, int *tries)
{
	size_t n = len / PAGE, want = frag ? n : 1;
	uint64_t *f = calloc(n, sizeof(*f));
	int got = 0, warm = 3, budget = 3 * rounds + 30, steered = 0, way = 0;
	int unmap = 0;
	struct store s = { 0 };

	for (*tries = 0; got < rounds && *tries < budget; (*tries)++) {
		uint64_t t0, t1;
		char *p;

		if (!steered) {
			way++;
			unmap = !frag && way % 2 == 1;
			if (unmap) {
				/* the range's own frames, freed one by one */
				store_drop(&s);
				p = populate(base, len);
				if (frames_of(pagemap, p, len, f)) {
					perror("pagemap");
					exit(1);
				}
				free_descending(p, f, n, 1);
			} else {
				/* the range's frames go first: the steered ones
				 * must be the last freed (it is not mapped at first) */
				madvise(base, len, MADV_DONTNEED);
				store_drop(&s);
				store_fill(&s, frag ? 3 * n + 8 : 4 * n + 512, pagemap);
				if (!(frag ? steer_fragmented(&s, n) : steer_contiguous(&s, n))) {
					if (debug)
						fprintf(stderr, "steer %zuK: no frames\n", len / 1024);
					continue;
				}
			}
			steered = 1;
		}
		t0 = ticks();
		p = populate(base, len);
		t1 = ticks();
		if (frames_of(pagemap, p, len, f)) {
			perror("pagemap");
			exit(1);
		}
		if (frame_runs(f, n) != want) {
			if (debug)
				fprintf(stderr, "populate %zuK %s way %d: %zu runs\n", len / 1024,
					frag ? "frag" : "contig", way, frame_runs(f, n));
			steered = 0;
			continue;
		}
		if (warm > 0)
			warm--;
		else
			ns[got++] = elapsed(t0, t1);
		if (frag)	/* they cannot merge: any order */
			madvise(p, len, MADV_DONTNEED);
		else
			free_descending(p, f, n, unmap);
	}
	store_drop(&s);
	free(f);
	return got;
}

/* Pin the caller to (guest) CPU 0, so that its frees and populates share
 * one per-CPU page list; the old mask in @old. */
static void pin_cpu0(cpu_set_t *old)
{
	cpu_set_t one;

	sched_getaffinity(0, sizeof(*old), old);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/*
 * mmap(MAP_POPULATE) of @len with the frames contiguous (one stub mmap()
 * for the whole range) and fragmented (one per page), munmap() of the
 * range in one call.
 */
static void bench_mmap(char *base, size_t len, int rounds, int pagemap)
{
	size_t n = len / PAGE;
	double *ns = calloc(rounds, sizeof(double));
	int r, got, tries;
	char size[24];
	cpu_set_t old;

	snprintf(size, sizeof(size), "%zuK", len / 1024);
	pin_cpu0(&old);
	got = time_populates(base, len, rounds, pagemap, 0, ns, &tries);
	report("mmap", size, ns, got, tries);
	if (n > 1) {
		got = time_populates(base, len, rounds, pagemap, 1, ns, &tries);
		report("mmap-frag", size, ns, got, tries);
	}
	sched_setaffinity(0, sizeof(old), &old);
	for (r = -5; r < rounds; r++) {
		char *p = populate(base, len);
		uint64_t t0 = ticks();

		munmap(p, len);
		if (r >= 0)
			ns[r] = elapsed(t0, ticks());
	}
	report("munmap", size, ns, rounds, rounds + 5);
	free(ns);
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
	report("touch", "-", ns, rounds, rounds + 3);
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
	report("forkexec", "-", ns, rounds, rounds + 3);
	free(ns);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	int pagemap = open("/proc/self/pagemap", O_RDONLY);
	char *base = arena();
	unsigned int i;

	debug = getenv("BENCH_DEBUG") != NULL;
	if (scale < 1)
		scale = 1;
	calibrate();
	printf("bench calibration - ns_per_tick=%.4f\n", ns_per_tick);
	bench_getpid(2000 * scale);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_mmap(base, sizes[i],
			   (sizes[i] > 65536 ? 200 : 300) * scale, pagemap);
	bench_touch(300 * scale);
	bench_forkexec("/bin/true", 200 * scale);
	return 0;
}
