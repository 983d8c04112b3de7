// SPDX-License-Identifier: GPL-2.0
/*
 * No stale host mapping (issue 15): guest code never runs with a host
 * mapping of a frame the kernel has freed.
 *
 * UML syncs an address space's host mappings lazily: when a page is
 * unmapped the host munmap() is queued and made the next time the mm
 * returns to userspace, while the frame itself may be freed and reused
 * at once. Two ways to run guest code in between:
 *
 *  - a faked report (stub_report.h) of munmap(): the kernel unmaps and
 *    frees the range, queues the host munmap() for the stub and resumes
 *    it; the forger never runs it and keeps reading the range;
 *  - SMP: a thread reads a range on one vCPU while a sibling thread on
 *    the other vCPU unmaps it; the reader keeps its host mapping until
 *    it next enters the kernel;
 *  - SMP, the reader entering the kernel often: the sibling parks the
 *    reader's stub, and may do so after the reader's way back synced it
 *    but before its release (three vCPUs: one for a fast watcher).
 *
 * Meanwhile other processes allocate memory and fill it with patterns of
 * their own, and make the kernel allocate pages and fill them with their
 * patterns too: pipe buffers (written, read back, written again) and the
 * page cache (a file on the hostfs root read again after each
 * drop_caches). The test kernel has CONFIG_NET=n, so no sockets: pipes
 * and the page cache stand for the kernel's allocations.
 *
 * Any byte seen through the old mapping that is not the reader's own is
 * a failure; the fillers' patterns are named when seen. A run that never
 * got the kernel to unmap while the reader ran says so and skips. With
 * the option off this is upstream behaviour (the finding): the
 * cases skip; run them with STUB_HARDEN=on.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
#define RANGE_PAGES 512			/* 2 MiB */
#define RANGE (RANGE_PAGES * PAGE)
#define QW_PER_PAGE (PAGE / 8)

/* The fillers' patterns: the high 32 bits of every qword they write */
#define TAG_ANON	0xf111ed00U	/* anonymous memory of a filler */
#define TAG_PIPE	0xf1fe0000U	/* pipe buffers */
#define TAG_FILE	0xf11e0000U	/* the page cache of a file read */
#define NTAGS 3
static const uint32_t tags[NTAGS] = { TAG_ANON, TAG_PIPE, TAG_FILE };
static const char *const tag_name[NTAGS] = { "anonymous memory", "pipe buffers",
					     "page cache" };

#define FILE_PATH "/root/.stub_stale_pattern"
#define FILE_SIZE (4UL << 20)

/* What the reader saw, shared with the parent */
struct seen {
	volatile long passes;		/* full reads of the range */
	volatile long passes_after;	/* ... begun after the unmap returned */
	volatile long first_bad_us;	/* after the unmap, -1: none */
	volatile long bad_pages;	/* page reads with a byte not our own */
	volatile long bad_distinct;	/* distinct pages so */
	volatile unsigned long bad_map[RANGE_PAGES / 64];
	volatile long tag_pages[NTAGS];	/* of which showing a filler's pattern */
	volatile long faulted;		/* the reader got SIGSEGV: mapping gone */
	volatile long fault_us;		/* when, after the unmap */
	volatile long stale_us;		/* last clean read after the unmap */
	volatile int acted;		/* the kernel unmapped it (guest view) */
	volatile int landed;		/* ... and resumed the forger at its forged registers */
	volatile int raced;		/* the reader ran while it did */
	volatile long clean_after;	/* clean reads of a chunk whose munmap() had returned */
	volatile long clean_freed;	/* ... whose frames had been seen freed */
	volatile long freed_us;		/* the latest such, after the frames were seen freed */
	volatile long fill_rounds;	/* fillers' work during the window */
	volatile long fill_bad;		/* fillers that saw their memory change */
	volatile int stop_fill;
	volatile long unmap_ns, started_ns;
	char example[200];
};

static struct seen *S;

/*
 * The time, from the TSC: a guest's clock_gettime() is a system call on
 * UML (its vDSO makes the call), and a system call of the reader's is a
 * trap that syncs its host mappings, which would close the very window
 * looked for. Every time stamp here comes from this clock (the TSC is
 * the host's, the same on every CPU). calibrate_tsc() first.
 */
static inline long clock_ns(void)
{
	return (long)(__rdtsc() * 1000 / tsc_per_us);
}

static inline uint64_t own_word(unsigned long page, unsigned long i)
{
	return 0x5ee5aaaa00000000ULL ^ (page << 16) ^ i;
}

static void fill_own(volatile uint64_t *p)
{
	unsigned long pg, i;

	for (pg = 0; pg < RANGE_PAGES; pg++)
		for (i = 0; i < QW_PER_PAGE; i++)
			p[pg * QW_PER_PAGE + i] = own_word(pg, i);
}

/* --- the fillers --------------------------------------------------------- */

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void unpin(void)
{
	cpu_set_t set;
	int c;

	CPU_ZERO(&set);
	for (c = 0; c < CPU_SETSIZE && c < 64; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Fill anonymous memory with our pattern and check it, over and over. */
/*
 * How the fillers work: rounds of fill_len bytes, with a nap of fill_nap_us
 * between them (0: none). A filler that wakes up often gets its vCPU
 * from a thread that spins there on a mutex (see the SMP case).
 */
static size_t fill_len = 4UL << 20;
static long fill_nap_us;
/*
 * Drop the page cache before each read of the file. drop_caches drains
 * every CPU's page lists (an IPI to each vCPU), and an IPI kicks the stub
 * running there into the kernel, which syncs it: not in the SMP case.
 */
static int fill_drop_caches = 1;

static void nap(void)
{
	struct timespec ts = { 0, fill_nap_us * 1000 };

	if (fill_nap_us)
		nanosleep(&ts, NULL);
}

static void __attribute__((noreturn)) anon_filler(int cpu)
{
	const size_t len = fill_len;
	uint64_t n = 0;

	pin(cpu);
	while (!S->stop_fill) {
		uint64_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t i;

		if (p == MAP_FAILED)
			_exit(2);
		for (i = 0; i < len / 8; i++)
			p[i] = ((uint64_t)TAG_ANON << 32) | (uint32_t)(n + i);
		for (i = 0; i < len / 8; i++)
			if (p[i] != (((uint64_t)TAG_ANON << 32) | (uint32_t)(n + i)))
				S->fill_bad++;
		munmap(p, len);
		n++;
		S->fill_rounds++;
		nap();
	}
	_exit(0);
}

/* The kernel's pages: pipe buffers and the page cache, with our patterns. */
static void __attribute__((noreturn)) kernel_filler(int cpu)
{
	static uint64_t buf[16384];
	int pipes[8][2], i, fd;
	size_t j;

	pin(cpu);
	for (j = 0; j < 16384; j++)
		buf[j] = ((uint64_t)TAG_PIPE << 32) | (uint32_t)j;
	for (i = 0; i < 8; i++) {
		if (pipe(pipes[i]))
			_exit(2);
		fcntl(pipes[i][1], F_SETFL, O_NONBLOCK);
	}
	while (!S->stop_fill) {
		for (i = 0; i < 8; i++)
			while (write(pipes[i][1], buf, sizeof(buf)) > 0)
				;
		for (i = 0; i < 8; i++) {
			static uint64_t back[16384];

			while (read(pipes[i][0], back, sizeof(back)) == sizeof(back))
				if (back[1] != buf[1])
					S->fill_bad++;
		}
		fd = fill_drop_caches ? open("/proc/sys/vm/drop_caches", O_WRONLY) : -1;
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				S->fill_bad += 0;
			close(fd);
		}
		fd = open(FILE_PATH, O_RDONLY);
		if (fd >= 0) {
			static uint64_t fbuf[16384];

			while (read(fd, fbuf, sizeof(fbuf)) > 0)
				;
			close(fd);
		}
		S->fill_rounds++;
		nap();
	}
	_exit(0);
}

static int write_pattern_file(void)
{
	static uint64_t buf[8192];
	size_t done, i;
	int fd = open(FILE_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (done = 0; done < FILE_SIZE; done += sizeof(buf)) {
		for (i = 0; i < 8192; i++)
			buf[i] = ((uint64_t)TAG_FILE << 32) | (uint32_t)(done / 8 + i);
		if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

struct fillers {
	pid_t pid[8];
	int n;
};

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* An anonymous filler and a kernel filler on each vCPU (or @cpu only) */
static void start_fillers(struct fillers *f, int cpu)
{
	int c, cpus = online_cpus();

	f->n = 0;
	S->stop_fill = 0;
	for (c = 0; c < cpus && f->n < 8; c++) {
		int where = cpu >= 0 ? cpu : (cpus > 1 ? c : -1);

		if ((f->pid[f->n] = fork()) == 0)
			anon_filler(where);
		f->n++;
		if ((f->pid[f->n] = fork()) == 0)
			kernel_filler(where);
		f->n++;
	}
}

static int stop_fillers(struct fillers *f)
{
	int i, status, bad = 0;

	S->stop_fill = 1;
	for (i = 0; i < f->n; i++) {
		waitpid(f->pid[i], &status, 0);
		bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	return bad;
}

/* --- reading the old mapping --------------------------------------------- */

static sigjmp_buf fault_env;

static void on_fault(int sig)
{
	siglongjmp(fault_env, 1);
}

static void catch_faults(void)
{
	struct sigaction sa = { .sa_handler = on_fault, .sa_flags = SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* Look at one page: 0 if it is all ours, else note what is there. */
static int check_page(const volatile uint64_t *p, unsigned long pg, long us)
{
	unsigned long i;
	int t, bad = 0, which = -1;
	uint64_t sample = 0;

	for (i = 0; i < QW_PER_PAGE; i++) {
		uint64_t v = p[i];

		if (v == own_word(pg, i))
			continue;
		if (!bad)
			sample = v;
		bad = 1;
		for (t = 0; t < NTAGS; t++)
			if ((uint32_t)(v >> 32) == tags[t])
				which = t;
		if (which >= 0)
			break;
	}
	if (!bad)
		return 0;
	S->bad_pages++;
	if (!(S->bad_map[pg / 64] & (1UL << (pg % 64)))) {
		S->bad_map[pg / 64] |= 1UL << (pg % 64);
		S->bad_distinct++;
	}
	if (which >= 0)
		S->tag_pages[which]++;
	if (S->first_bad_us < 0) {
		S->first_bad_us = us;
		snprintf(S->example, sizeof(S->example),
			 "page %lu held %#llx (%s)", pg,
			 (unsigned long long)(which >= 0 ? p[i] : sample),
			 which >= 0 ? tag_name[which] : "not a known pattern");
	}
	return 1;
}

static inline long since_unmap_us(void)
{
	return S->unmap_ns ? (clock_ns() - S->unmap_ns) / 1000 : 0;
}

/*
 * Read the range again and again for @ms; stop at a fault. A page that is
 * bad once is counted once per pass.
 */
static void read_range(const volatile uint64_t *p, long ms)
{
	long end = clock_ns() + ms * 1000000L;

	catch_faults();
	if (sigsetjmp(fault_env, 0)) {
		S->faulted = 1;
		S->fault_us = since_unmap_us();
		return;
	}
	while (clock_ns() < end) {
		unsigned long pg;
		int bad = 0;
		long us = since_unmap_us();

		for (pg = 0; pg < RANGE_PAGES; pg++)
			bad |= check_page(p + pg * QW_PER_PAGE, pg, us);
		S->passes++;
		if (S->unmap_ns) {
			S->passes_after++;
			if (!bad)
				S->stale_us = since_unmap_us();
		}
	}
}

/* --- the faked munmap() -------------------------------------------------- */

static struct stub_gadget G_;
static struct frame Fr;
static struct fake Fk;

enum { FORGER_OK = 0, FORGER_LAYOUT = 20, FORGER_NOACT = 21 };

/*
 * Fill the range, fake a munmap() of it and read on. Up to three tries
 * until the kernel has done the munmap (a tick can take the faked report
 * away; the kernel's view is asked with mincore()).
 */
static void __attribute__((noreturn)) forger(long read_ms)
{
	volatile uint64_t *volatile p;
	unsigned char vec[RANGE_PAGES];
	int tries;

	become_nobody();
	for (tries = 0; tries < 3; tries++) {
		long args[6] = { 0, RANGE };
		enum fake_result r;

		p = mmap(NULL, RANGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		fill_own(p);
		args[0] = (long)p;
		if (frame_capture(&G_, &Fr))
			_exit(FORGER_LAYOUT);
		fake_build_here(&Fk, &G_, &Fr, SYS_munmap, args);
		fake_touch_stack(65536);
		if (sigsetjmp(fake_land_env, 1)) {
			/*
			 * The stub returned into the forged registers: a real
			 * trap came while the kernel handled the report (a
			 * tick; or, with the option on, the kernel took the
			 * range away from the running stub, so that the next
			 * touch of anything traps). If the kernel did the
			 * munmap(), this is its return: read on from here.
			 */
			S->unmap_ns = clock_ns();
			if (mincore((void *)p, RANGE, vec) == 0 || errno != ENOMEM)
				continue;	/* a tick: the report was not ours */
			S->landed = 1;
		} else {
			fake_write(&Fk, &G_);
			fake_fire(&G_);
			r = fake_wait(&Fk, &G_, 2000000, NULL, NULL);
			S->unmap_ns = clock_ns();
			if (r == FAKE_TIMEOUT)
				_exit(FORGER_NOACT);
			if (mincore((void *)p, RANGE, vec) == 0 || errno != ENOMEM)
				continue;	/* the kernel did not unmap it */
		}
		S->acted = 1;
		S->raced = 1;
		read_range(p, read_ms);
		_exit(FORGER_OK);
	}
	_exit(FORGER_NOACT);
}

FIXTURE(stale) {
	struct fillers f;
	struct bystander b;
	int file;
};

FIXTURE_SETUP(stale)
{
	if (!stub_harden_expected())
		SKIP(return, "with the option off a stale mapping is upstream behaviour (issue 15); run with STUB_HARDEN=on");
	ASSERT_EQ(0, stub_gadget_find(&G_))
		TH_LOG("no stub page with a syscall gadget: not SECCOMP userspace?");
	calibrate_tsc();
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, S);
	memset((void *)S, 0, sizeof(*S));
	S->first_bad_us = -1;
	self->file = write_pattern_file() == 0;
	if (!self->file)
		TH_LOG("no pattern file at %s: the page cache is not filled", FILE_PATH);
	self->f.n = 0;
}

FIXTURE_TEARDOWN(stale)
{
	unlink(FILE_PATH);
}

static void report_seen(struct __test_metadata *_metadata, const char *what)
{
	TH_LOG("%s: %ld passes over the range, %ld after the unmap%s; %s%ld us; %ld of its %d pages held bytes not its own (%ld page reads: %ld anonymous memory, %ld pipe buffers, %ld page cache); fillers: %ld rounds, %ld bad",
	       what, S->passes, S->passes_after,
	       S->landed ? " (resumed at its forged registers)" : "",
	       S->faulted ? "faulted after " : "no fault in ",
	       S->faulted ? S->fault_us : since_unmap_us(),
	       S->bad_distinct, RANGE_PAGES, S->bad_pages,
	       S->tag_pages[0], S->tag_pages[1], S->tag_pages[2],
	       S->fill_rounds, S->fill_bad);
}

TEST_F_TIMEOUT(stale, a_faked_munmap_leaves_nothing_of_others_readable, 60)
{
	long rounds0;
	int status;
	pid_t pid;

	start_fillers(&self->f, -1);
	usleep(100000);
	rounds0 = S->fill_rounds;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		forger(400);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	S->fill_rounds -= rounds0;
	EXPECT_EQ(0, stop_fillers(&self->f)) TH_LOG("a filler did not end cleanly");
	report_seen(_metadata, "forger");
	if (S->first_bad_us >= 0)
		TH_LOG("first byte not ours %ld us after the forged munmap: %s",
		       S->first_bad_us, S->example);
	EXPECT_EQ(0, S->fill_bad);
	ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == FORGER_LAYOUT)
		TH_LOG("the signal frame is not where struct stub_data puts it");
	if (WIFSIGNALED(status)) {
		/* killed for it: fine, as long as it saw nothing before */
		TH_LOG("the forger was killed by signal %d", WTERMSIG(status));
		EXPECT_EQ(0, S->bad_pages);
		return;
	}
	if (!S->acted)
		SKIP_CLEAN(return, "the kernel never did the forged munmap() (exit %d)",
			   WEXITSTATUS(status));
	if (S->fill_rounds < 2)
		SKIP_CLEAN(return, "the fillers did not run while the forger read (%ld rounds)",
		     S->fill_rounds);
	EXPECT_EQ(0, S->bad_pages)
		TH_LOG("%ld pages read through the old mapping held bytes not the forger's own",
		       S->bad_distinct);
}

/* --- SMP: a sibling thread unmaps what the reader reads ----------------- */

/*
 * The sibling unmaps the range a chunk at a time, one munmap() each time
 * it gets to run (the stub runs one thread of an mm at a time: it waits
 * for the reader's next tick); the reader reads every chunk it still
 * can, and takes a fault on one as the end of that chunk. A chunk the
 * sibling has unmapped but the reader can still read is stale; its
 * frames are free, and a filler on the sibling's vCPU takes them first.
 */
#define MAX_CHUNKS RANGE_PAGES
static const unsigned long chunk_pages = 16, nchunks = RANGE_PAGES / 16;

/*
 * What a real CPU guarantees, and so what is checked: a read while the
 * sibling's munmap() is still in progress may see the old page (the TLB
 * is flushed at the end of munmap() there too), but never a byte that is
 * not the reader's own, never once munmap() has returned, and never once
 * the frames are free. The last is what shows the stale mapping on UML
 * SMP, where the sibling's munmap() cannot return while the reader runs
 * in the stub (it waits for the mm's turnstile): a watcher looks the
 * chunk's first frame up in /proc/kpageflags (its PFN from
 * /proc/PID/pagemap, before the unmapping starts), and once that frame
 * is no longer an anonymous page (freed; the kernel frees a frame only
 * after the TLB flush) it says so in shared memory; a clean read of the
 * chunk that began after the reader saw that is a read of a freed frame.
 * How long after the chunk left /proc/PID/maps (the VMA goes first, the
 * pages after) the reader still read it is printed, not judged.
 */
#define KPF_ANON 12			/* include/uapi/linux/kernel-page-flags.h */
#define PM_PRESENT (1ULL << 63)		/* /proc/PID/pagemap */
#define PM_PFN ((1ULL << 55) - 1)

struct smp_run {
	volatile uint64_t *p;
	volatile int reading;
	volatile long started_ns[MAX_CHUNKS];	/* munmap() of chunk k called */
	volatile long unmapped_ns[MAX_CHUNKS];	/* ... and returned */
	volatile int done;
	int reader_cpu, unmap_cpu, watch_cpu;
	int syscalls;				/* the reader enters the kernel (below) */
	char *buf;				/* ... to read /dev/zero into */
	int zero;
	volatile long clean_ns[MAX_CHUNKS];	/* the reader's last clean read */
	volatile long gone_ns[MAX_CHUNKS];	/* gone from /proc/PID/maps */
	volatile long freed_ns[MAX_CHUNKS];	/* its first frame seen freed */
	unsigned long pfn[MAX_CHUNKS];		/* of its first page, 0: unknown */
	volatile int pfns;			/* 1: looked up, -1: none visible */
};

static struct smp_run *SRp;
#define SR (*SRp)
#define BUF_SIZE (256UL << 10)

static void *unmapper(void *arg)
{
	struct timespec ts = { 0, 2000000 };
	int k;

	long end;

	pin(SR.unmap_cpu);
	while (!SR.reading)
		;
	/* the watcher looks the frames up first (at most a second) */
	end = clock_ns() + 1000000000L;
	while (!SR.pfns && clock_ns() < end)
		sched_yield();
	nanosleep(&ts, NULL);	/* the reader runs in the stub meanwhile */
	for (k = 0; k < (int)nchunks; k++) {
		SR.started_ns[k] = clock_ns();
		munmap((void *)(SR.p + k * chunk_pages * QW_PER_PAGE),
		       chunk_pages * PAGE);
		SR.unmapped_ns[k] = clock_ns();
		if (!S->unmap_ns)
			S->unmap_ns = SR.unmapped_ns[k];
	}
	S->acted = 1;
	SR.done = 1;
	return NULL;
}

static volatile int cur_chunk;
static int dead[MAX_CHUNKS];
static long seen_ns[MAX_CHUNKS];	/* the reader first saw the munmap begun */

/*
 * The reader: every chunk that does not fault, until all have.
 *
 * With SR.syscalls, the park path: the reader enters the kernel every
 * 50 us (a read of /dev/zero of a size that varies, so that its time
 * there varies). The sibling's munmap(), which waits for the turnstile,
 * runs meanwhile and parks the reader's stub; when its flush lands after
 * the reader's way back synced the stub's mappings and before the stub is
 * released, the release must sync again. Then, and after each fault, the
 * reader keeps reading for 300 us without entering the kernel (an entry
 * would sync): the chunks last to first, so that the one being unmapped
 * is read at the end of each pass, and none below it (gone: a fault
 * would end the window). Its watcher looks for freed frames from a vCPU
 * of its own, without a nap.
 */
static void smp_read(long ms)
{
	long end = clock_ns() + ms * 1000000L;
	volatile int k, i;
	int live = nchunks;
	volatile long next_sys = 0;

	catch_faults();
	memset(dead, 0, sizeof(dead));
	memset(seen_ns, 0, sizeof(seen_ns));
	SR.reading = 1;
	while (live && clock_ns() < end) {
		if (SR.syscalls && clock_ns() >= next_sys) {
			pread(SR.zero, SR.buf, (S->passes * 8192) % BUF_SIZE, 0);
			next_sys = clock_ns() + 50000;
		}
		for (i = 0; i < (int)nchunks; i++) {
			unsigned long pg;
			long started, unmapped, freed, us;
			volatile int bad = 0;

			k = SR.syscalls ? (int)nchunks - 1 - i : i;
			if (dead[k])
				continue;
			if (SR.syscalls && k + 1 < (int)nchunks && SR.started_ns[k + 1]) {
				dead[k] = 1;
				live--;
				continue;
			}
			cur_chunk = k;
			if (sigsetjmp(fault_env, 0)) {
				k = cur_chunk;
				i = SR.syscalls ? (int)nchunks - 1 - k : k;
				next_sys = clock_ns() + 300000;
				dead[k] = 1;
				live--;
				S->faulted++;
				if (seen_ns[k]) {
					long us = (clock_ns() - seen_ns[k]) / 1000;

					if (us > S->fault_us)
						S->fault_us = us;
				}
				continue;
			}
			/* loaded before the chunk's bytes (x86 keeps loads in order) */
			freed = SR.freed_ns[k];
			started = SR.started_ns[k];
			unmapped = SR.unmapped_ns[k];
			us = unmapped ? (clock_ns() - unmapped) / 1000 : 0;
			for (pg = k * chunk_pages; pg < (k + 1) * chunk_pages; pg++)
				bad |= check_page(SR.p + pg * QW_PER_PAGE, pg, us);
			if (started) {
				S->raced = 1;	/* read while it was being unmapped */
				if (!seen_ns[k])
					seen_ns[k] = clock_ns();
			}
			if (unmapped) {
				S->passes_after++;
				if (!bad)
					S->clean_after++;
				if (!bad && us > S->stale_us)
					S->stale_us = us;
			}
			if (freed && !bad) {
				long fus = (clock_ns() - freed) / 1000;

				S->clean_freed++;
				if (fus > S->freed_us)
					S->freed_us = fus;
			}
			if (!bad)
				SR.clean_ns[k] = clock_ns();
		}
		S->passes++;
	}
}

static void __attribute__((noreturn)) smp_process(long ms)
{
	pthread_t t;

	become_nobody();
	SR.p = mmap(NULL, RANGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (SR.p == MAP_FAILED)
		_exit(2);
	fill_own(SR.p);
	SR.buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SR.zero = open("/dev/zero", O_RDONLY);
	if (SR.buf == MAP_FAILED || SR.zero < 0)
		_exit(2);
	memset(SR.buf, 1, BUF_SIZE);
	pin(SR.reader_cpu);
	if (pthread_create(&t, NULL, unmapper, NULL))
		_exit(3);
	smp_read(ms);
	pthread_join(t, NULL);
	_exit(0);
}

/* The PFN of each chunk's first page, from /proc/PID/pagemap: how many */
static int look_up_pfns(pid_t pid, unsigned long base)
{
	static uint64_t pm[RANGE_PAGES];
	char path[64];
	unsigned long k;
	int fd, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, pm, sizeof(pm), base / PAGE * 8) != sizeof(pm)) {
		close(fd);
		return 0;
	}
	close(fd);
	for (k = 0; k < nchunks; k++) {
		uint64_t e = pm[k * chunk_pages];

		SR.pfn[k] = (e & PM_PRESENT) ? (e & PM_PFN) : 0;
		n += SR.pfn[k] != 0;
	}
	return n;
}

/* Chunks whose munmap() began: is their first frame free yet? */
static void look_for_freed(int kpf)
{
	unsigned long k;

	for (k = 0; k < nchunks && kpf >= 0; k++) {
		uint64_t flags;

		if (!SR.started_ns[k] || SR.freed_ns[k] || !SR.pfn[k])
			continue;
		if (pread(kpf, &flags, 8, SR.pfn[k] * 8) == 8 &&
		    !(flags & (1ULL << KPF_ANON)))
			SR.freed_ns[k] = clock_ns();
	}
}

/*
 * While @pid runs: each chunk's frames, looked up before the sibling
 * starts, seen freed (SR.freed_ns, which the reader reads), and when each
 * chunk left /proc/PID/maps (the kernel's view), as seen from here.
 */
static void watch_maps(pid_t pid)
{
	char path[64], line[256];
	long end = clock_ns() + 3000000000L;
	unsigned long base = 0;
	struct sched_param rt = { .sched_priority = 1 }, normal = { 0 };
	int was = sched_getscheduler(0), kpf;

	/*
	 * Realtime, napping between looks: on the sibling's vCPU (the
	 * reader's is taken) the fillers would make the looks late, and so
	 * the stale reads look shorter than they were. On a vCPU of its own
	 * (SR.syscalls) it looks at the frames only, without a nap.
	 */
	if (sched_setscheduler(0, SCHED_FIFO, &rt))
		was = -1;
	/*
	 * Not on the reader's vCPU: a wake-up there would send it an
	 * IPI, and every IPI kicks the stub running there into the kernel
	 * (which syncs it): the stale window the test looks for.
	 */
	pin(SR.watch_cpu);
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	while (!SR.reading && clock_ns() < end) {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);	/* realtime here: let the child run */
	}
	base = (unsigned long)SR.p;
	kpf = open("/proc/kpageflags", O_RDONLY);
	SR.pfns = kpf >= 0 && look_up_pfns(pid, base) == (int)nchunks ? 1 : -1;
	while (!SR.done && clock_ns() < end) {
		FILE *f;
		unsigned long k, present[MAX_CHUNKS / 64 + 1] = { 0 };
		long t;

		look_for_freed(kpf);
		if (SR.syscalls)
			continue;
		f = fopen(path, "r");
		t = clock_ns();
		if (!f)
			break;
		while (fgets(line, sizeof(line), f)) {
			unsigned long a, b, x;

			if (sscanf(line, "%lx-%lx", &a, &b) != 2)
				continue;
			for (x = a; x < b; x += PAGE)
				if (x >= base && x < base + RANGE) {
					k = (x - base) / PAGE / chunk_pages;
					present[k / 64] |= 1UL << (k % 64);
				}
		}
		fclose(f);
		for (k = 0; k < nchunks; k++)
			if (!(present[k / 64] & (1UL << (k % 64))) && !SR.gone_ns[k])
				SR.gone_ns[k] = t;
		look_for_freed(kpf);
		if (was >= 0 && SR.watch_cpu == SR.unmap_cpu) {
			struct timespec ts = { 0, 100000 };

			nanosleep(&ts, NULL);
		}
	}
	if (kpf >= 0)
		close(kpf);
	if (was >= 0)
		sched_setscheduler(0, was, &normal);
	unpin();
}

static void smp_case(struct __test_metadata *_metadata, FIXTURE_DATA(stale) *self,
		     int syscalls)
{
	long rounds0, races = 0, runs = 0, end, freed_seen = 0, no_pfns = 0;
	char first[200] = "";
	long bad = 0, tagged[NTAGS] = { 0 }, stale_max = 0, after = 0;
	long clean_after = 0, clean_freed = 0, freed_max = 0;
	long stale_gone_us = 0;
	int i;

	if (online_cpus() < 2)
		SKIP(return, "needs SMP (ncpus >= 2)");
	if (syscalls && online_cpus() < 3)
		SKIP(return, "needs 3 vCPUs: the watcher's own, to see a frame freed before the reader's next kernel entry");
	SRp = mmap(NULL, sizeof(*SRp), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, SRp);
	SR.reader_cpu = 0;
	SR.unmap_cpu = 1;
	SR.syscalls = syscalls;
	SR.watch_cpu = syscalls ? 2 : 1;
	fill_len = 64 * PAGE;
	fill_nap_us = 20;
	fill_drop_caches = 0;
	/*
	 * The frames the sibling frees on vCPU 1 go to a filler there. After
	 * its munmap() the sibling spins there on the mm's turnstile (a mutex
	 * whose owner, the reader, is on a CPU); fillers that nap and wake up
	 * take vCPU 1 from it, with small rounds.
	 */
	start_fillers(&self->f, 1);
	usleep(100000);
	rounds0 = S->fill_rounds;
	end = clock_ns() + (syscalls ? 15 : 5) * 1000000000L;
	while (clock_ns() < end) {
		int status;
		pid_t pid;

		S->passes = S->passes_after = S->bad_pages = S->faulted = 0;
		S->bad_distinct = 0;
		memset((void *)S->bad_map, 0, sizeof(S->bad_map));
		S->unmap_ns = S->started_ns = 0;
		S->acted = S->raced = 0;
		S->stale_us = 0;
		S->clean_after = S->clean_freed = S->freed_us = 0;
		for (i = 0; i < NTAGS; i++)
			S->tag_pages[i] = 0;
		S->first_bad_us = -1;
		S->example[0] = 0;
		memset((void *)SRp, 0, offsetof(struct smp_run, reader_cpu));
		memset((void *)SR.clean_ns, 0, sizeof(SR.clean_ns));
		memset((void *)SR.gone_ns, 0, sizeof(SR.gone_ns));
		memset((void *)SR.freed_ns, 0, sizeof(SR.freed_ns));
		memset(SR.pfn, 0, sizeof(SR.pfn));
		SR.pfns = 0;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			smp_process(1500);
		watch_maps(pid);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		runs++;
		no_pfns += SR.pfns < 0;
		for (i = 0; i < (int)nchunks; i++) {
			freed_seen += SR.freed_ns[i] != 0;
			if (SR.gone_ns[i] && SR.clean_ns[i] > SR.gone_ns[i] &&
			    (SR.clean_ns[i] - SR.gone_ns[i]) / 1000 > stale_gone_us)
				stale_gone_us = (SR.clean_ns[i] - SR.gone_ns[i]) / 1000;
		}
		races += S->raced;
		after += S->passes_after;
		clean_after += S->clean_after;
		clean_freed += S->clean_freed;
		if (S->freed_us > freed_max)
			freed_max = S->freed_us;
		if (S->stale_us > stale_max)
			stale_max = S->stale_us;
		bad += S->bad_pages;
		for (i = 0; i < NTAGS; i++)
			tagged[i] += S->tag_pages[i];
		if (S->first_bad_us >= 0 && !first[0])
			snprintf(first, sizeof(first), "%ld us after its munmap() returned: %.150s",
				 S->first_bad_us, S->example);
		if (bad || clean_after || clean_freed || no_pfns ||
		    (!syscalls && races >= 20 && freed_seen))
			break;
	}
	S->fill_rounds -= rounds0;
	EXPECT_EQ(0, stop_fillers(&self->f)) TH_LOG("a filler did not end cleanly");
	if (!syscalls)
		TH_LOG("the reader read a chunk clean up to %ld us after /proc/PID/maps had no more of it (not judged: the VMA goes before the pages)",
		       stale_gone_us);
	TH_LOG("last run: %ld faults, the latest %ld us after the reader saw its chunk's munmap() begun",
	       S->faulted, S->fault_us);
	TH_LOG("%ld runs, %ld with the reader reading a chunk the sibling was unmapping; %ld chunks seen freed in /proc/kpageflags; %ld clean reads of a chunk after its frames were seen freed (the latest %ld us after); %ld reads after its munmap() returned, %ld clean (the latest %ld us after); %ld page reads not the reader's own (%ld anonymous memory, %ld pipe buffers, %ld page cache)%s%s; fillers: %ld rounds, %ld bad",
	       runs, races, freed_seen, clean_freed, freed_max, after, clean_after, stale_max,
	       bad, tagged[0], tagged[1], tagged[2],
	       first[0] ? "; first " : "", first, S->fill_rounds, S->fill_bad);
	EXPECT_EQ(0, S->fill_bad);
	EXPECT_EQ(0, bad) TH_LOG("the reader saw bytes not its own through a mapping its sibling had unmapped");
	EXPECT_EQ(0, clean_freed)
		TH_LOG("the reader read a chunk up to %ld us after its frames were freed: it ran with a mapping of frames the kernel had freed",
		       freed_max);
	EXPECT_EQ(0, clean_after)
		TH_LOG("the reader read a chunk after its munmap() had returned in the sibling");
	if (no_pfns)
		SKIP_CLEAN(return, "no PFNs in /proc/PID/pagemap or no /proc/kpageflags (CONFIG_PROC_PAGE_MONITOR, root): a freed frame cannot be seen");
	if (!races)
		SKIP_CLEAN(return, "the reader never ran while its sibling unmapped (%ld runs)", runs);
	if (!freed_seen)
		SKIP_CLEAN(return, "no chunk's frame was seen freed while the reader ran (%ld runs)", runs);
}

TEST_F_TIMEOUT(stale, a_thread_never_reads_what_a_sibling_unmapped_on_another_vcpu, 60)
{
	smp_case(_metadata, self, 0);
}

/* The same with a reader that enters the kernel: the park path */
TEST_F_TIMEOUT(stale, a_parked_thread_is_not_released_with_what_a_sibling_unmapped, 60)
{
	smp_case(_metadata, self, 1);
}

TEST_HARNESS_MAIN
