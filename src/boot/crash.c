// SPDX-License-Identifier: MIT
/* Deliberate faults for the test suite; see include/mmuon/crash.h. */
#include <stdbool.h>
#include <string.h>

#include <mmuon/console.h>
#include <mmuon/crash.h>

#define SWITCH "mmuon.crash="

/* An address the RAM tables leave unmapped (beyond the 39-bit VA space). */
#define UNMAPPED_ADDRESS 0x7ffffff000ull

/* Recurses until the stack runs into the guard page; depth is never 0. */
static __attribute__((noinline)) unsigned recurse(volatile char *p,
						  unsigned depth)
{
	volatile char frame[1024];

	frame[0] = *p;
	if (!depth)
		return frame[0];
	return recurse(frame, depth + 1) + frame[0];
}

static bool word_is(const char *word, const char *kind)
{
	size_t n = strlen(kind);

	return !strncmp(word, kind, n) && (word[n] == ' ' || !word[n]);
}

void crash_if_asked(const char *bootargs)
{
	const char *arg = strstr(bootargs, SWITCH);
	char c = 0;

	if (!arg)
		return;
	arg += strlen(SWITCH);
	printf("mmuon: crashing on purpose (%s%.*s)\n", SWITCH,
	       (int)strcspn(arg, " "), arg);
	if (word_is(arg, "data-abort"))
		*(volatile unsigned *)UNMAPPED_ADDRESS = 0xdead;
	else if (word_is(arg, "undefined"))
		asm volatile("udf #0");
	else if (word_is(arg, "brk"))
		asm volatile("brk #0x4d4d");
	else if (word_is(arg, "stack-overflow"))
		recurse(&c, 1);
	else
		printf("mmuon: unknown crash kind; continuing\n");
}
