// SPDX-License-Identifier: GPL-2.0
/*
 * The floor of a design in which a thread other than the guest thread makes
 * the memory call: one futex hand-off between two threads of a process
 * pinned to one host CPU (store, FUTEX_WAKE, switch, return from FUTEX_WAIT).
 *
 *   gcc -O2 -pthread -o /tmp/futex-handoff scripts/futex-handoff.c
 *   taskset -c 0 chrt -b 0 /tmp/futex-handoff
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile uint32_t word;	/* 0: A's turn, 1: B's turn */
static long n = 200000;

static void wait_for(uint32_t v)
{
	uint32_t cur;

	while ((cur = __atomic_load_n(&word, __ATOMIC_ACQUIRE)) != v)
		syscall(SYS_futex, &word, FUTEX_WAIT, cur, NULL, NULL, 0);
}

static void hand(uint32_t v)
{
	__atomic_store_n(&word, v, __ATOMIC_RELEASE);
	syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void *b(void *arg __attribute__((unused)))
{
	for (long i = 0; i < n; i++) {
		wait_for(1);
		hand(0);
	}
	return NULL;
}

static long ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

int main(void)
{
	pthread_t t;
	long t0, best = 1L << 62;
	int r;

	for (r = 0; r < 5; r++) {
		word = 0;
		pthread_create(&t, NULL, b, NULL);
		t0 = ns();
		for (long i = 0; i < n; i++) {
			hand(1);
			wait_for(0);
		}
		t0 = ns() - t0;
		pthread_join(t, NULL);
		if (t0 < best)
			best = t0;
		printf("round %d: %.3f us per one-way hand-off\n", r, t0 / 2.0 / n / 1000);
	}
	printf("best: %.3f us per one-way hand-off (futex wake + switch + return from wait)\n",
	       best / 2.0 / n / 1000);
	return 0;
}
