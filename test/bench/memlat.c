/*
 * memlat.c -- what one random memory access costs on this machine, for the
 * benchmark's scale rows: a dependent chain of loads (each address comes
 * from the previous load, like a hash slot then its entry) through a
 * working set of N MB, visiting every 64-byte line once in a random order.
 *
 *   memlat MB...      prints "MB ns" per size
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LINE 64

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
chase_ns(size_t mb)
{
	size_t		nlines = mb * 1024 * 1024 / LINE;
	size_t		words = LINE / sizeof(size_t);
	size_t	   *mem = aligned_alloc(LINE, nlines * LINE);
	size_t	   *order = malloc(nlines * sizeof(size_t));
	size_t		p = 0;
	long		steps = 20 * 1000 * 1000;
	struct timespec t0,
				t1;

	if (mem == NULL || order == NULL)
		return -1;
	for (size_t i = 0; i < nlines; i++)
		order[i] = i;
	for (size_t i = nlines - 1; i > 0; i--)
	{
		size_t		j = next_random() % (i + 1);
		size_t		t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	/* one cycle through every line: line order[i] points at order[i + 1] */
	for (size_t i = 0; i < nlines; i++)
		mem[order[i] * words] = order[(i + 1) % nlines] * words;
	for (long i = 0; i < 1000000; i++)	/* warm up */
		p = mem[p];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < steps; i++)
		p = mem[p];
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(order);
	free(mem);
	if (p == (size_t) -1)
		return -1;				/* keeps the chain from being optimised away */
	return ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / steps;
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
	{
		size_t		mb = strtoul(argv[i], NULL, 10);

		printf("%zu %.1f\n", mb, chase_ns(mb));
	}
	return 0;
}
