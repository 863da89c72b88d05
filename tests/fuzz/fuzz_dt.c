// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for device tree discovery (src/platform/dt.c).
 *
 * The input is a DTB. dt_discover() gets no buffer size: it trusts the
 * header's totalsize, as the firmware must (QEMU puts the blob at the base
 * of RAM). So the harness clamps totalsize to the input's length, and the
 * blocks' sizes too, so that cutting an input short cuts its last block
 * (seed struct-last.dtb has the structure block last: shrinking it ends
 * the blob inside a property's value). Within that, any byte may be wrong.
 * The blob sits in a heap buffer of exactly the input's length, so that
 * ASan catches reads past it.
 *
 * On success the result must be usable as the firmware uses it: RAM ranges
 * sorted, disjoint, non-empty, not wrapping, summed in ram_total, and every
 * string (bootargs) terminated inside the blob. On failure the reason must
 * be a terminated string inside the caller's buffer, also a tiny one.
 * Note: libfdt itself is Debian's uninstrumented shared library, so reads
 * inside it are not checked by ASan nor guided by coverage.
 */
#include <libfdt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/platform.h>

#include "check.h"

/* A string the firmware got from the tree: it must end inside the blob. */
static void check_string(const char *s, const uint8_t *blob, size_t n)
{
	const char *b = (const char *)blob;

	if (s >= b && s < b + n)
		CHECK(memchr(s, 0, (size_t)(b + n - s)) != NULL);
	else
		CHECK(strlen(s) < 4096); /* a constant of dt.c */
}

static void check_ram(const struct platform *p)
{
	uint64_t total = 0;

	CHECK(p->ram_count >= 1 && p->ram_count <= MAX_RAM_RANGES);
	for (unsigned i = 0; i < p->ram_count; i++) {
		const struct mem_range *r = &p->ram[i];

		CHECK(r->size != 0);
		CHECK(r->base + r->size > r->base); /* no wrap, not to 2^64 */
		if (i)
			CHECK(p->ram[i - 1].base + p->ram[i - 1].size <=
			      r->base);
		total += r->size;
	}
	CHECK(total == p->ram_total);
}

static void check_success(const struct platform *p, const uint8_t *blob,
			  size_t n)
{
	CHECK(p->fdt == blob);
	CHECK(p->fdt_size <= n);
	check_ram(p);
	CHECK(p->bootargs != NULL);
	check_string(p->bootargs, blob, n);
	CHECK(p->psci == PSCI_NONE || p->psci == PSCI_HVC ||
	      p->psci == PSCI_SMC);
}

/* The reason for a failure: terminated within the buffer given. */
static void check_failure(char *err, size_t errlen)
{
	CHECK(memchr(err, 0, errlen) != NULL);
}

static void discover(const uint8_t *blob, size_t n, size_t errlen,
		     struct platform *p, int *rc)
{
	char *err = malloc(errlen);

	memset(err, 'X', errlen);
	*rc = dt_discover(blob, p, err, errlen);
	if (*rc)
		check_failure(err, errlen);
	else
		check_success(p, blob, n);
	free(err);
}

/* What the input holds is the blob: no size in the header goes past it. */
static void clamp_header(void *blob, size_t n)
{
	uint32_t off;

	if (fdt_totalsize(blob) > n)
		fdt_set_totalsize(blob, (uint32_t)n);
	off = fdt_off_dt_struct(blob);
	if (off <= n && fdt_size_dt_struct(blob) > n - off)
		fdt_set_size_dt_struct(blob, (uint32_t)(n - off));
	off = fdt_off_dt_strings(blob);
	if (off <= n && fdt_size_dt_strings(blob) > n - off)
		fdt_set_size_dt_strings(blob, (uint32_t)(n - off));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct platform p1, p2;
	uint8_t *blob;
	int rc1, rc2;

	/* The header is always there: the firmware reads it from RAM. */
	if (n < sizeof(struct fdt_header))
		return 0;
	blob = malloc(n);
	memcpy(blob, data, n);
	clamp_header(blob, n);

	/* The firmware's buffer, then one that truncates every message. */
	discover(blob, n, 128, &p1, &rc1);
	discover(blob, n, 5, &p2, &rc2);
	CHECK(rc1 == rc2);
	CHECK(!memcmp(p1.ram, p2.ram, sizeof(p1.ram)));
	free(blob);
	return 0;
}
