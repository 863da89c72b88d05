// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the device path helpers (src/efi/devpath_util.c).
 *
 * Input layout (tests/fuzz/gen_seeds.py writes seeds in it):
 *   byte 0: bits 0-2 the number of candidates (0-7), bits 3-7 "shrink":
 *           max_size = longest chunk - shrink, so the bound also cuts paths
 *   then chunks, each a 16-bit little-endian length and that many bytes:
 *           the path, then the candidates (an empty chunk is a NULL one).
 * Every path lives in a heap buffer of exactly max_size bytes (zero
 * padded), so a read past the bound the caller gave is an ASan report.
 *
 * The results are checked against a plain reference walk and against the
 * algebra of the operations (equality is reflexive and symmetric, a path
 * is its own prefix, an End node is everyone's prefix, a match ends on a
 * node boundary, longest_prefix returns the first longest match).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/devpath_util.h>

#include "check.h"

#define MAX_CANDS 7

struct chunk {
	const uint8_t *p;
	size_t len;
};

/* The reference: the node walk the UEFI spec describes, nothing clever. */
static enum devpath_status ref_validate(const uint8_t *p, size_t max,
					size_t *size)
{
	size_t off = 0;

	for (;;) {
		size_t len;

		if (off + 4 > max)
			return DEVPATH_ERR_TRUNCATED;
		len = (size_t)p[off + 2] | (size_t)p[off + 3] << 8;
		if (len < 4)
			return DEVPATH_ERR_NODE_LENGTH;
		if (off + len > max)
			return DEVPATH_ERR_TRUNCATED;
		if (p[off] == 0x7f && p[off + 1] == 0xff) {
			if (len != 4)
				return DEVPATH_ERR_END_LENGTH;
			*size = off + 4;
			return DEVPATH_OK;
		}
		off += len;
	}
}

/* Validate one path; return its size, 0 if malformed. */
static size_t check_one(const uint8_t *p, size_t max)
{
	size_t size = 0, rsize = 0, walked = 0;
	enum devpath_status st = devpath_validate(p, max, &size);
	enum devpath_status rst = ref_validate(p, max, &rsize);
	const uint8_t *node;

	CHECK(st == rst);
	CHECK(devpath_validate(p, max, NULL) == st);
	if (st != DEVPATH_OK) {
		CHECK(devpath_size(p, max) == 0);
		CHECK(!devpath_equal(p, p, max));
		return 0;
	}
	CHECK(size == rsize && size >= 4 && size <= max);
	CHECK(devpath_size(p, max) == size);
	/* The bound can shrink to the size, not below. */
	CHECK(devpath_size(p, size) == size);
	CHECK(devpath_validate(p, size - 1, NULL) == DEVPATH_ERR_TRUNCATED);
	/* devpath_next() walks a valid path to its End. */
	for (node = p; !devpath_is_end(node); node = devpath_next(node))
		walked += devpath_node_length(node);
	CHECK(walked + 4 == size);
	CHECK(devpath_equal(p, p, max));
	return size;
}

static void check_prefix(const uint8_t *a, size_t sa, const uint8_t *b,
			 size_t sb, size_t max)
{
	size_t m = (size_t)-1;
	bool pre = devpath_is_prefix(a, b, max, &m);

	CHECK(pre == devpath_is_prefix(a, b, max, NULL));
	if (!sa || !sb) {
		CHECK(!pre);
		return;
	}
	CHECK(pre == (sa <= sb && !memcmp(a, b, sa - 4)));
	if (!pre)
		return;
	CHECK(m == sa - 4);
	/* What remains is itself a path: the match ends on a node. */
	CHECK(devpath_size(b + m, max - m) == sb - m);
}

static void check_pair(const uint8_t *a, size_t sa, const uint8_t *b, size_t sb,
		       size_t max)
{
	bool eq = devpath_equal(a, b, max);

	CHECK(eq == devpath_equal(b, a, max));
	CHECK(eq == (sa && sa == sb && !memcmp(a, b, sa)));
	check_prefix(a, sa, b, sb, max);
	check_prefix(b, sb, a, sa, max);
}

static void check_longest(const uint8_t *path, size_t spath,
			  const uint8_t *const *cands, const size_t *sizes,
			  size_t count, size_t max)
{
	size_t m = (size_t)-1, best = DEVPATH_NO_MATCH, best_len = 0;
	size_t r = devpath_longest_prefix(path, (const void *const *)cands,
					  count, max, &m);

	for (size_t i = 0; i < count; i++) {
		size_t len;

		if (!cands[i] || !devpath_is_prefix(cands[i], path, max, &len))
			continue;
		CHECK(spath && sizes[i]);
		if (best == DEVPATH_NO_MATCH || len > best_len) {
			best = i;
			best_len = len;
		}
	}
	CHECK(r == best);
	if (r != DEVPATH_NO_MATCH)
		CHECK(m == best_len);
	else
		CHECK(m == (size_t)-1);
}

/* The builders produce what the walkers accept. */
static void check_builders(const uint8_t *guid_src, size_t len)
{
	uint8_t guid[DEVPATH_GUID_SIZE] = {0};
	uint8_t *buf = malloc(DEVPATH_VENDOR_MEDIA_SIZE);
	uint8_t end[DEVPATH_HDR_SIZE];
	size_t prefix_len;

	memcpy(guid, guid_src, len < sizeof(guid) ? len : sizeof(guid));
	CHECK(devpath_vendor_media(buf, DEVPATH_VENDOR_MEDIA_SIZE - 1, guid) ==
	      0);
	CHECK(devpath_vendor_media(buf, DEVPATH_VENDOR_MEDIA_SIZE, guid) ==
	      DEVPATH_VENDOR_MEDIA_SIZE);
	CHECK(devpath_size(buf, DEVPATH_VENDOR_MEDIA_SIZE) ==
	      DEVPATH_VENDOR_MEDIA_SIZE);
	CHECK(!memcmp(buf + DEVPATH_HDR_SIZE, guid, DEVPATH_GUID_SIZE));
	CHECK(devpath_end(end, 3) == 0);
	CHECK(devpath_end(end, sizeof(end)) == DEVPATH_HDR_SIZE);
	CHECK(devpath_size(end, sizeof(end)) == DEVPATH_HDR_SIZE);
	CHECK(devpath_is_prefix(end, buf, DEVPATH_HDR_SIZE, &prefix_len) ==
	      false); /* buf is not valid within 4 bytes */
	CHECK(devpath_is_prefix(end, buf, DEVPATH_VENDOR_MEDIA_SIZE,
				&prefix_len) &&
	      prefix_len == 0);
	free(buf);
}

static size_t read_chunks(const uint8_t *data, size_t n, struct chunk *c,
			  size_t want)
{
	size_t got = 0, off = 0;

	while (got < want && off + 2 <= n) {
		size_t len = (size_t)data[off] | (size_t)data[off + 1] << 8;

		off += 2;
		if (len > n - off)
			len = n - off;
		c[got].p = data + off;
		c[got].len = len;
		off += len;
		got++;
	}
	return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct chunk c[1 + MAX_CANDS];
	uint8_t *buf[1 + MAX_CANDS];
	const uint8_t *cands[MAX_CANDS];
	size_t sizes[1 + MAX_CANDS];
	size_t count, shrink, max = 0;

	if (n < 1)
		return 0;
	shrink = data[0] >> 3;
	count = read_chunks(data + 1, n - 1, c, 1 + (data[0] & 7));
	if (!count)
		return 0;
	for (size_t i = 0; i < count; i++)
		if (c[i].len > max)
			max = c[i].len;
	max = max > shrink ? max - shrink : 0;

	for (size_t i = 0; i < count; i++) {
		/* Exactly max bytes: reading past the bound is reported. */
		buf[i] = malloc(max ? max : 1);
		memset(buf[i], 0, max);
		memcpy(buf[i], c[i].p, c[i].len < max ? c[i].len : max);
		sizes[i] = check_one(buf[i], max);
	}
	for (size_t i = 0; i < count; i++)
		for (size_t j = 0; j < count; j++)
			check_pair(buf[i], sizes[i], buf[j], sizes[j], max);
	for (size_t i = 1; i < count; i++)
		cands[i - 1] = c[i].len ? buf[i] : NULL;
	check_longest(buf[0], sizes[0], cands, sizes + 1, count - 1, max);
	check_builders(c[0].p, c[0].len);

	for (size_t i = 0; i < count; i++)
		free(buf[i]);
	return 0;
}
