// SPDX-License-Identifier: GPL-2.0
/*
 * What stub validation costs, from inside a UML guest.
 *
 * Prints one line per measurement:
 *   bench NAME SIZE median_ns=N p99_ns=N n=N tries=N ref_ns=N p10_ns=N
 * NAME: getpid, mmap (MAP_POPULATE, physically contiguous frames: one
 * stub mmap() for the range), mmap-frag (the same, no two frames following
 * on: one stub mmap() per page), munmap, touch (demand fault per page),
 * forkexec. n is how many samples the bucket got, tries how many runs it
 * took (populates are steered to the frame layout and checked with
 * pagemap; one of the wrong layout is not counted).
 *
 * A virtual CPU's speed changes under it: here system-call-heavy code ran
 * 15 to 20% slower for 0.1 to 1 s at a time while a register-only loop did
 * not. A benchmark run in one go lands in one of those states, so every
 * benchmark runs in BLOCKS blocks, each after a block of every other one:
 * its samples spread over the whole run, median_ns, p10_ns and p99_ns are
 * over all of them (p10 shifts least when part of the run was slow: what
 * bench.py compares). ref_ns is the median time of a fixed register-only
 * loop run between its samples (a CPU slower for the whole run, e.g. at a
 * lower clock, shows there).
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

static double elapsed(uint64_t t0, uint64_t t1)
{
	return (double)(t1 - t0) * ns_per_tick;
}

#define BLOCKS 10

struct vec {
	double *v;
	int n, cap;
};

static void push(struct vec *a, double x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 256;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v) {
			perror("realloc");
			exit(1);
		}
	}
	a->v[a->n++] = x;
}

/* One benchmark: its samples and reference loop times */
struct bucket {
	const char *name;
	char size[24];
	struct vec ns, refs;
	int tries;
};

static void ref_sample(struct bucket *b)
{
	uint64_t t0, x = 1;
	int i;

	t0 = ticks();
	for (i = 0; i < 2000; i++)
		__asm__ volatile("imul %0, %0\n\tadd $1, %0" : "+r"(x));
	push(&b->refs, elapsed(t0, ticks()));
}

static void sample(struct bucket *b, double ns)
{
	push(&b->ns, ns);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* tries: the runs made for the samples (warm-up and populates of the
 * wrong frame layout included) */
static void report(struct bucket *b)
{
	double *ns = b->ns.v, ref = 0;
	int n = b->ns.n;

	if (b->refs.n)
		ref = median(b->refs.v, b->refs.n);
	if (n <= 0) {
		printf("bench %s %s median_ns=0 p99_ns=0 n=0 tries=%d ref_ns=%.0f p10_ns=0\n",
		       b->name, b->size, b->tries, ref);
		fflush(stdout);
		return;
	}
	qsort(ns, n, sizeof(*ns), cmp_double);
	printf("bench %s %s median_ns=%.0f p99_ns=%.0f n=%d tries=%d ref_ns=%.0f p10_ns=%.0f\n",
	       b->name, b->size, ns[n / 2],
	       ns[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1], n, b->tries,
	       ref, ns[n / 10]);
	fflush(stdout);
}

static void bench_getpid(struct bucket *b, int rounds)
{
	int r, i;

	for (r = -rounds / 10; r < rounds; r++) {
		uint64_t t0 = ticks();

		for (i = 0; i < 20; i++)
			syscall(SYS_getpid);
		if (r >= 0)
			sample(b, elapsed(t0, ticks()) / 20);
		ref_sample(b);
		b->tries++;
	}
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

static void give_back(char *p)
{
	if (madvise(p, PAGE, MADV_DONTNEED)) {
		perror("madvise");
		exit(1);
	}
}

/*
 * Free the pages of [p, p + n pages) highest frame first: the next
 * populate takes them back last in, first out, ascending.
 */
static void free_descending(char *p, const uint64_t *f, size_t n)
{
	size_t *idx = by_frame(f, n), i;

	for (i = n; i-- > 0;)
		give_back(p + idx[i] * PAGE);
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
			give_back(s->p + idx[i + k] * PAGE);
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
		give_back(s->p + idx[i] * PAGE);
		freed++;
		i++;	/* its upper neighbour stays held */
	}
	free(idx);
	return freed == n;
}

/*
 * The frames contiguous populates are steered to: filled at start, while
 * the guest's memory is not yet cut up, and kept for the whole run (the
 * benchmarks between two blocks leave few aligned runs of free frames).
 */
static struct store reserve;

/* Take the frames back into the reserve's holes and read them again */
static void reserve_refill(int pagemap)
{
	volatile char *p = reserve.p;
	size_t i;

	for (i = 0; i < reserve.pages; i++)
		p[i * PAGE] = 1;
	if (frames_of(pagemap, reserve.p, reserve.pages * PAGE, reserve.f)) {
		perror("pagemap");
		exit(1);
	}
}

/*
 * The free movable pages in blocks of order below @order, from
 * /proc/pagetypeinfo (read without malloc: a heap page faulted in now
 * would come from those blocks). -1 if it cannot be read.
 */
static long low_order_pages(int order)
{
	static char buf[16384];
	size_t len = 0;
	ssize_t r;
	long pages = 0;
	char *line;
	int fd = open("/proc/pagetypeinfo", O_RDONLY);

	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1 &&
	       (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	close(fd);
	buf[len] = 0;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *t = strstr(line, ", type");
		int k;

		if (!t || !(t = strstr(t, " Movable ")))
			continue;
		t += strlen(" Movable ");
		for (k = 0; k < order; k++)
			pages += strtol(t, &t, 10) << k;
	}
	return pages;
}

/*
 * Where the per-CPU lists hold nothing (UP here: a freed page goes straight
 * back to the buddy lists), a populate takes the smallest free block first,
 * and the pieces of a split block come out in ascending order. Take every
 * movable block smaller than the range into the sponge: the populate then
 * gets its frames, contiguous, from one block.
 */
static char *sponge;
static size_t sponge_pages;

static void sponge_drop(void)
{
	if (sponge)
		munmap(sponge, sponge_pages * PAGE);
	sponge = NULL;
}

static int sponge_fill(size_t n)
{
	int order = 0;
	long pages;

	while ((1UL << order) < n)
		order++;
	pages = low_order_pages(order);
	if (pages < 0)
		return 0;
	if (pages == 0)
		return 1;
	sponge_pages = pages;
	sponge = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (sponge == MAP_FAILED) {
		sponge = NULL;
		return 0;
	}
	return 1;
}

/* Contiguous populates: steered with the sponge (1) or the reserve (0) */
static int use_sponge;

/* Free the frames for the next populate: 0 if there are none */
static int steer(struct store *s, char *base, size_t len, int frag,
		 int pagemap)
{
	size_t n = len / PAGE;

	madvise(base, len, MADV_DONTNEED);
	if (!frag) {
		sponge_drop();
		reserve_refill(pagemap);
		if (use_sponge)
			return sponge_fill(n);
		return steer_contiguous(&reserve, n);
	}
	store_drop(s);
	store_fill(s, 3 * n + 512, pagemap);
	return steer_fragmented(s, n);
}

/*
 * Time mmap(MAP_POPULATE) of @len at @base until @rounds samples of the
 * wanted frame layout (@frag: fragmented, else contiguous) or the budget
 * of tries is spent; each populate is checked with pagemap and one of the
 * wrong layout is not counted. The frames are steered (contiguous: an
 * aligned block of the reserve's, or the sponge where that failed last;
 * fragmented: isolated frames of a fresh store) and those of a good
 * populate are freed for the next in the order that brings them back the
 * same way (highest first: the next populate takes them back ascending).
 * b->tries counts the populates.
 */
static void time_populates(char *base, size_t len, int rounds, int pagemap,
			   int frag, struct bucket *b)
{
	size_t n = len / PAGE, want = frag ? n : 1;
	uint64_t *f = calloc(n, sizeof(*f));
	int got = 0, warm = 3, budget = 3 * rounds + 30, steered = 0;
	int tries;
	struct store s = { 0 };

	for (tries = 0; got < rounds && tries < budget; tries++, b->tries++) {
		uint64_t t0, t1;
		char *p;

		if (!steered && !steer(&s, base, len, frag, pagemap)) {
			if (debug)
				fprintf(stderr, "steer %zuK: no frames\n", len / 1024);
			continue;
		}
		steered = 1;
		t0 = ticks();
		p = populate(base, len);
		t1 = ticks();
		if (frames_of(pagemap, p, len, f)) {
			perror("pagemap");
			exit(1);
		}
		if (frame_runs(f, n) != want) {
			if (debug)
				fprintf(stderr, "populate %zuK %s: %zu runs\n", len / 1024,
					frag ? "frag" : "contig", frame_runs(f, n));
			steered = 0;
			use_sponge ^= !frag;
			continue;
		}
		if (warm > 0) {
			warm--;
		} else {
			sample(b, elapsed(t0, t1));
			got++;
		}
		ref_sample(b);
		if (frag)	/* they cannot merge: any order */
			madvise(p, len, MADV_DONTNEED);
		else
			free_descending(p, f, n);
	}
	store_drop(&s);
	if (!frag) {
		madvise(base, len, MADV_DONTNEED);
		sponge_drop();
		reserve_refill(pagemap);
	}
	free(f);
}

/*
 * Put the frames munmap() freed back in the order that brings them back
 * ascending. munmap() frees them in address order, and the per-CPU list
 * hands them out last in, first out: a scratch populate takes them
 * descending, and its munmap() gives them back highest first.
 */
static void unmapped_reorder(size_t len)
{
	char *q = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (q != MAP_FAILED)
		munmap(q, len);
}

/*
 * Time munmap() of @len at @base, populated with contiguous frames (one
 * host mapping), until @rounds samples or the budget of tries is spent.
 * A range's frame layout decides the host's share of the cost: left to
 * chance it changed between boots by +-8% (SMP, 64K), so each populate is
 * checked with pagemap as in time_populates() and one of another layout
 * is steered again, not timed. After a munmap() its frames are reordered
 * for the next populate (with @reorder; it is switched off where the next
 * populate is then not contiguous, as on UP without per-CPU lists).
 */
static void time_munmaps(char *base, size_t len, int rounds, int pagemap,
			 struct bucket *b)
{
	size_t n = len / PAGE;
	uint64_t *f = calloc(n, sizeof(*f));
	int got = 0, warm = 5, budget = 2 * rounds + 30, steered = 0;
	int tries, reorder = 1, fresh;
	struct store s = { 0 };

	for (tries = 0; got < rounds && tries < budget; tries++, b->tries++) {
		uint64_t t0, t1;
		char *p;

		fresh = !steered;
		if (!steered && !steer(&s, base, len, 0, pagemap))
			continue;
		steered = 1;
		p = populate(base, len);
		if (frames_of(pagemap, p, len, f)) {
			perror("pagemap");
			exit(1);
		}
		if (frame_runs(f, n) != 1) {
			if (debug)
				fprintf(stderr, "munmap %zuK: %zu runs\n", len / 1024,
					frame_runs(f, n));
			steered = 0;
			if (fresh)
				use_sponge ^= 1;
			else
				reorder ^= 1;
			continue;
		}
		t0 = ticks();
		munmap(p, len);
		t1 = ticks();
		if (warm > 0) {
			warm--;
		} else {
			sample(b, elapsed(t0, t1));
			got++;
		}
		ref_sample(b);
		if (reorder)
			unmapped_reorder(len);
	}
	madvise(base, len, MADV_DONTNEED);
	sponge_drop();
	reserve_refill(pagemap);
	free(f);
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

/* The buckets of one size: mmap, mmap-frag (from 16K), munmap */
enum { MMAP, FRAG, MUNMAP };

/*
 * A block of mmap(MAP_POPULATE) of @len with the frames contiguous (one
 * stub mmap() for the whole range) and fragmented (one per page), and of
 * munmap() of the range, contiguous, in one call.
 */
static void bench_mmap(struct bucket *b, char *base, size_t len, int rounds,
		       int pagemap)
{
	cpu_set_t old;

	pin_cpu0(&old);
	time_populates(base, len, rounds, pagemap, 0, &b[MMAP]);
	if (len > PAGE)
		time_populates(base, len, rounds, pagemap, 1, &b[FRAG]);
	time_munmaps(base, len, 4 * rounds, pagemap, &b[MUNMAP]);
	sched_setaffinity(0, sizeof(old), &old);
}

static void bench_touch(struct bucket *b, int rounds)
{
	size_t pages = 256, i;
	int r;

	for (r = -3; r < rounds; r++) {
		volatile char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0 = ticks();

		for (i = 0; i < pages; i++)
			p[i * PAGE] = 1;
		if (r >= 0)
			sample(b, elapsed(t0, ticks()) / pages);
		munmap((void *)p, pages * PAGE);
		ref_sample(b);
		b->tries++;
	}
}

static void bench_forkexec(struct bucket *b, const char *prog, int rounds)
{
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
			sample(b, elapsed(t0, ticks()));
		ref_sample(b);
		b->tries++;
	}
}

static const size_t sizes[] = { 4096, 16384, 65536, 262144, 1048576 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

struct buckets {
	struct bucket getpid, mmap[NSIZES][3], touch, forkexec;
};

static void name_buckets(struct buckets *bs)
{
	static const char *const names[] = { "mmap", "mmap-frag", "munmap" };
	unsigned int i, k;

	bs->getpid = (struct bucket){ .name = "getpid", .size = "-" };
	bs->touch = (struct bucket){ .name = "touch", .size = "-" };
	bs->forkexec = (struct bucket){ .name = "forkexec", .size = "-" };
	for (i = 0; i < NSIZES; i++)
		for (k = 0; k < 3; k++) {
			bs->mmap[i][k] = (struct bucket){ .name = names[k] };
			snprintf(bs->mmap[i][k].size, sizeof(bs->mmap[i][k].size),
				 "%zuK", sizes[i] / 1024);
		}
}

int main(int argc, char **argv)
{
	int scale = argc > 1 ? atoi(argv[1]) : 1;
	int pagemap = open("/proc/self/pagemap", O_RDONLY);
	char *base = arena();
	struct buckets bs;
	unsigned int i, k;
	int blk;

	debug = getenv("BENCH_DEBUG") != NULL;
	if (scale < 1)
		scale = 1;
	name_buckets(&bs);
	store_fill(&reserve, 4 * sizes[NSIZES - 1] / PAGE + 512, pagemap);
	calibrate();
	printf("bench calibration - ns_per_tick=%.4f\n", ns_per_tick);
	for (blk = 0; blk < BLOCKS; blk++) {
		bench_getpid(&bs.getpid, 2000 * scale / BLOCKS);
		for (i = 0; i < NSIZES; i++)
			bench_mmap(bs.mmap[i], base, sizes[i],
				   (sizes[i] > 65536 ? 200 : 300) * scale / BLOCKS,
				   pagemap);
		bench_touch(&bs.touch, 300 * scale / BLOCKS);
		bench_forkexec(&bs.forkexec, "/bin/true", 200 * scale / BLOCKS);
	}
	report(&bs.getpid);
	for (i = 0; i < NSIZES; i++)
		for (k = 0; k < 3; k++)
			if (k != FRAG || sizes[i] > PAGE)
				report(&bs.mmap[i][k]);
	report(&bs.touch);
	report(&bs.forkexec);
	return 0;
}
