// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/lib/lz4.c: the lz4 tool's legacy frames (made by
 * tests/unit/lz4.mk into build/unit/data/, read from the repository root)
 * decode to their samples; truncated, corrupted and hand-made bad input is
 * refused without a read or write outside the buffers (ASan checks that:
 * each buffer is allocated to its exact size).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/lz4.h>

#define DATA_DIR "build/unit/data/"

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob load(const char *name)
{
	char path[256];
	struct blob b;
	FILE *f;
	long size;

	snprintf(path, sizeof(path), DATA_DIR "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	rewind(f);
	b.size = (size_t)size;
	b.data = malloc(b.size);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, b.size, f), b.size);
	fclose(f);
	return b;
}

/* Decodes src into a buffer of exactly dst_len bytes: 0 if it took all of
 * src (the output compared with want), else -1. */
static int decode(const struct blob *src, size_t dst_len,
		  const struct blob *want)
{
	uint8_t *dst = malloc(dst_len ? dst_len : 1);
	long used;

	assert_non_null(dst);
	used = lz4_legacy_decode(dst, dst_len, src->data, src->size);
	assert_true(used == -1 || (used >= 4 && (size_t)used <= src->size));
	if (used > 0 && want)
		assert_memory_equal(dst, want->data, dst_len);
	free(dst);
	return used == (long)src->size ? 0 : -1;
}

static void check_frames(const char *sample)
{
	static const char *const levels[] = {"1", "9", "12"};
	char name[64];
	struct blob raw, frame;

	snprintf(name, sizeof(name), "lz4-%s.bin", sample);
	raw = load(name);
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		snprintf(name, sizeof(name), "lz4-%s.%s.lz4", sample,
			 levels[i]);
		frame = load(name);
		assert_int_equal(decode(&frame, raw.size, &raw), 0);
		/* One byte more than the frame holds: it ends early. */
		assert_int_equal(decode(&frame, raw.size + 1, NULL), -1);
		free(frame.data);
	}
	free(raw.data);
}

/* 9 MiB: two blocks; every kind of literal run and match. */
static void test_lz4_tool_frames(void **state)
{
	(void)state;
	check_frames("sample");
	check_frames("small");
}

/* Frames back to back, as in the image: each call says where the next
 * one starts. */
static void test_consecutive_frames(void **state)
{
	struct blob raw = load("lz4-small.bin"), a = load("lz4-small.12.lz4"),
		    b = load("lz4-small.1.lz4");
	uint8_t *both = malloc(a.size + b.size), *dst = malloc(raw.size);

	(void)state;
	memcpy(both, a.data, a.size);
	memcpy(both + a.size, b.data, b.size);
	assert_int_equal(
		lz4_legacy_decode(dst, raw.size, both, a.size + b.size),
		a.size);
	assert_memory_equal(dst, raw.data, raw.size);
	memset(dst, 0, raw.size);
	assert_int_equal(
		lz4_legacy_decode(dst, raw.size, both + a.size, b.size),
		b.size);
	assert_memory_equal(dst, raw.data, raw.size);
	free(both);
	free(dst);
	free(raw.data);
	free(a.data);
	free(b.data);
}

/* Less room than the data needs: refused, nothing written past it. */
static void test_short_output(void **state)
{
	struct blob raw = load("lz4-small.bin"),
		    frame = load("lz4-small.12.lz4");

	(void)state;
	for (size_t len = 0; len < raw.size; len += len < 64 ? 1 : 97) {
		uint8_t *dst = malloc(len ? len : 1);

		assert_int_equal(
			lz4_legacy_decode(dst, len, frame.data, frame.size),
			len ? -1 : 4);
		free(dst);
	}
	free(raw.data);
	free(frame.data);
}

/* Every truncation of a frame is refused. */
static void test_truncated(void **state)
{
	struct blob raw = load("lz4-small.bin"),
		    frame = load("lz4-small.12.lz4");

	(void)state;
	for (size_t len = 0; len < frame.size; len++) {
		struct blob cut = {malloc(len ? len : 1), len};

		memcpy(cut.data, frame.data, len);
		assert_int_equal(decode(&cut, raw.size, NULL), -1);
		free(cut.data);
	}
	free(raw.data);
	free(frame.data);
}

/* Any byte changed: decoded or refused, never outside the buffers. */
static void test_corrupted(void **state)
{
	struct blob raw = load("lz4-small.bin"),
		    frame = load("lz4-small.12.lz4");
	static const uint8_t values[] = {0x00, 0x0f, 0xf0, 0xff};

	(void)state;
	for (size_t at = 0; at < frame.size; at++) {
		for (size_t v = 0; v < sizeof(values); v++) {
			struct blob bad = {malloc(frame.size), frame.size};

			memcpy(bad.data, frame.data, frame.size);
			bad.data[at] = values[v];
			(void)decode(&bad, raw.size, NULL);
			free(bad.data);
		}
	}
	free(raw.data);
	free(frame.data);
}

/* A frame of one block, from its bytes. */
static int decode_block(const uint8_t *block, uint32_t size, size_t dst_len,
			const char *want)
{
	struct blob frame = {malloc(8 + size), 8 + size};
	int rc;

	frame.data[0] = 0x02;
	frame.data[1] = 0x21;
	frame.data[2] = 0x4c;
	frame.data[3] = 0x18;
	memcpy(frame.data + 4, &size, 4); /* the host is little-endian */
	memcpy(frame.data + 8, block, size);
	if (want) {
		struct blob w = {(uint8_t *)want, strlen(want)};

		rc = decode(&frame, dst_len, &w);
	} else {
		rc = decode(&frame, dst_len, NULL);
	}
	free(frame.data);
	return rc;
}

static void test_hand_made(void **state)
{
	/* "ab", then 6 more from 2 back (overlapping), then "!". */
	static const uint8_t good[] = {0x22, 'a', 'b', 0x02, 0x00, 0x10, '!'};
	static const uint8_t offset0[] = {0x22, 'a',  'b', 0x00,
					  0x00, 0x10, '!'};
	static const uint8_t too_far[] = {0x22, 'a',  'b', 0x03,
					  0x00, 0x10, '!'};
	/* 20 literals announced (15 + 5), 3 there. */
	static const uint8_t long_lits[] = {0xf0, 0x05, 'x', 'y', 'z'};
	/* A match length whose extension bytes run off the end. */
	static const uint8_t open_ext[] = {0x1f, 'a', 0x01, 0x00, 0xff, 0xff};
	/* The offset's second byte missing. */
	static const uint8_t half_offset[] = {0x10, 'a', 0x01};
	static const uint8_t bad_magic[] = {0x03, 0x21, 0x4c, 0x18, 0, 0, 0, 0};
	static const uint8_t zero_block[] = {0x02, 0x21, 0x4c, 0x18,
					     0,	   0,	 0,    0};
	struct blob b;

	(void)state;
	assert_int_equal(decode_block(good, sizeof(good), 9, "abababab!"), 0);
	assert_int_equal(decode_block(good, sizeof(good), 8, NULL), -1);
	assert_int_equal(decode_block(offset0, sizeof(offset0), 9, NULL), -1);
	assert_int_equal(decode_block(too_far, sizeof(too_far), 9, NULL), -1);
	assert_int_equal(decode_block(long_lits, sizeof(long_lits), 20, NULL),
			 -1);
	assert_int_equal(decode_block(open_ext, sizeof(open_ext), 40, NULL),
			 -1);
	assert_int_equal(
		decode_block(half_offset, sizeof(half_offset), 9, NULL), -1);
	b = (struct blob){(uint8_t *)bad_magic, sizeof(bad_magic)};
	assert_int_equal(decode(&b, 1, NULL), -1);
	b = (struct blob){(uint8_t *)zero_block, sizeof(zero_block)};
	assert_int_equal(decode(&b, 1, NULL), -1);
	b = (struct blob){(uint8_t *)zero_block, 3};
	assert_int_equal(decode(&b, 1, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lz4_tool_frames),
		cmocka_unit_test(test_consecutive_frames),
		cmocka_unit_test(test_short_output),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_hand_made),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
