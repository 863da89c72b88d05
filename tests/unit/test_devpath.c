// SPDX-License-Identifier: MIT
/* Device path helpers: validation, comparison, prefix match, building. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <mmuon/devpath_util.h>

/* LINUX_EFI_INITRD_MEDIA_GUID 5568e427-68fc-4f3d-ac74-ca555231cc68. */
static const uint8_t initrd_guid[16] = {
	0x27, 0xe4, 0x68, 0x55, 0xfc, 0x68, 0x3d, 0x4f,
	0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68,
};

#define END 0x7f, 0xff, 0x04, 0x00

/* VenHw(...)/MemoryMapped/End style path: 3 nodes and End. */
static const uint8_t path3[] = {
	0x01, 0x04, 0x14, 0x00, /* VenHw, 20 bytes */
	1,    2,    3,	  4,	5,  6,	  7,	8,    9,    10,	  11,
	12,   13,   14,	  15,	16, 0x01, 0x03, 0x18, 0x00, /* MemoryMapped, 24 bytes */
	0,    0,    0,	  0,	0,  0,	  0,	0,    0,    0,	  0,
	0,    0,    0,	  0,	0,  0,	  0,	0,    0,    0x04, 0x04,
	0x06, 0x00, 'a',  0, /* FilePath "a", 6 bytes */
	END,
};

/* The first node of path3, then End. */
static const uint8_t path1[] = {
	0x01, 0x04, 0x14, 0x00, 1,  2,	3,  4,	5,  6,	 7,
	8,    9,    10,	  11,	12, 13, 14, 15, 16, END,
};

static const uint8_t end_only[] = {END};

/* Copy into an exactly sized heap buffer so ASan sees any overrun. */
static uint8_t *dup_buf(const void *p, size_t n)
{
	uint8_t *b = malloc(n);

	memcpy(b, p, n);
	return b;
}

static void test_validate_good(void **state)
{
	size_t size = 0;
	uint8_t *p = dup_buf(path3, sizeof(path3));

	(void)state;
	assert_int_equal(devpath_validate(p, sizeof(path3), &size), DEVPATH_OK);
	assert_int_equal(size, sizeof(path3));
	assert_int_equal(devpath_size(p, sizeof(path3)), sizeof(path3));
	assert_int_equal(devpath_size(end_only, 4), 4);
	assert_int_equal(devpath_validate(end_only, 4, NULL), DEVPATH_OK);
	/* A bigger bound is fine: the walk stops at End. */
	assert_int_equal(devpath_size(path3, DEVPATH_MAX_SIZE), sizeof(path3));
	free(p);
}

static void test_node_helpers(void **state)
{
	const void *n = path3;
	int count = 0;

	(void)state;
	while (!devpath_is_end(n)) {
		count++;
		n = devpath_next(n);
	}
	assert_int_equal(count, 3);
	assert_ptr_equal(n, path3 + sizeof(path3) - 4);
	assert_int_equal(devpath_node_length(path3), 20);
	assert_int_equal(devpath_node_length(path3 + 20), 24);
}

static void test_validate_malformed(void **state)
{
	uint8_t b[64];

	(void)state;
	/* No room for even a header, and a bound that cuts the End node. */
	assert_int_equal(devpath_validate(path3, 0, NULL),
			 DEVPATH_ERR_TRUNCATED);
	assert_int_equal(devpath_validate(path3, 3, NULL),
			 DEVPATH_ERR_TRUNCATED);
	assert_int_equal(devpath_validate(path3, sizeof(path3) - 1, NULL),
			 DEVPATH_ERR_TRUNCATED);
	/* A node that says it is longer than the buffer. */
	assert_int_equal(devpath_validate(path3, 19, NULL),
			 DEVPATH_ERR_TRUNCATED);
	assert_int_equal(devpath_size(path3, 19), 0);

	/* Zero-length and short nodes. */
	memcpy(b, path3, sizeof(path3));
	b[2] = 0;
	assert_int_equal(devpath_validate(b, sizeof(path3), NULL),
			 DEVPATH_ERR_NODE_LENGTH);
	b[2] = 3;
	assert_int_equal(devpath_validate(b, sizeof(path3), NULL),
			 DEVPATH_ERR_NODE_LENGTH);
	/* Zero length End node (would loop forever). */
	memcpy(b, end_only, 4);
	b[2] = 0;
	assert_int_equal(devpath_validate(b, 4, NULL), DEVPATH_ERR_NODE_LENGTH);
	/* End node with a payload. */
	memcpy(b, path1, sizeof(path1));
	b[22] = 8;
	memset(b + 24, 0, 4);
	assert_int_equal(devpath_validate(b, sizeof(b), NULL),
			 DEVPATH_ERR_END_LENGTH);
	/* Length 0xffff overruns. */
	memcpy(b, path1, sizeof(path1));
	b[2] = 0xff;
	b[3] = 0xff;
	assert_int_equal(devpath_validate(b, sizeof(b), NULL),
			 DEVPATH_ERR_TRUNCATED);
	/* No End at all within the bound: nodes all the way. */
	for (int i = 0; i < 16; i++) {
		b[4 * i] = 1;
		b[4 * i + 1] = 1;
		b[4 * i + 2] = 4;
		b[4 * i + 3] = 0;
	}
	assert_int_equal(devpath_validate(b, sizeof(b), NULL),
			 DEVPATH_ERR_TRUNCATED);
}

/* End-Instance is an ordinary node; only End-Entire ends the path. */
static void test_multi_instance(void **state)
{
	static const uint8_t two[] = {
		0x04, 0x04, 0x06, 0x00, 'a',  0,   0x7f, 0x01, 0x04,
		0x00, 0x04, 0x04, 0x06, 0x00, 'b', 0,	 END,
	};

	(void)state;
	assert_int_equal(devpath_size(two, sizeof(two)), sizeof(two));
}

static void test_equal(void **state)
{
	uint8_t *a = dup_buf(path3, sizeof(path3));
	uint8_t *b = dup_buf(path3, sizeof(path3));

	(void)state;
	assert_true(devpath_equal(a, b, sizeof(path3)));
	assert_true(devpath_equal(end_only, end_only, 4));
	assert_false(devpath_equal(path1, path3, sizeof(path1)));
	assert_false(devpath_equal(path3, path1, sizeof(path1)));
	b[30] ^= 1;
	assert_false(devpath_equal(a, b, sizeof(path3)));
	/* Two malformed paths are not equal, even if identical. */
	b[30] ^= 1;
	a[2] = b[2] = 0;
	assert_false(devpath_equal(a, b, sizeof(path3)));
	free(a);
	free(b);
}

static void test_prefix(void **state)
{
	uint8_t two[sizeof(path3)];
	size_t m = 99;

	(void)state;
	assert_true(devpath_is_prefix(path1, path3, DEVPATH_MAX_SIZE, &m));
	assert_int_equal(m, 20);
	assert_true(devpath_is_prefix(path3, path3, DEVPATH_MAX_SIZE, &m));
	assert_int_equal(m, sizeof(path3) - 4);
	assert_true(devpath_is_prefix(end_only, path3, DEVPATH_MAX_SIZE, &m));
	assert_int_equal(m, 0);
	assert_false(devpath_is_prefix(path3, path1, DEVPATH_MAX_SIZE, &m));
	/* Same first bytes but a different node. */
	memcpy(two, path3, sizeof(path3));
	two[10] = 0;
	assert_false(devpath_is_prefix(path1, two, sizeof(two), &m));
	/* A malformed path matches nothing. */
	memcpy(two, path3, sizeof(path3));
	two[sizeof(two) - 2] = 0;
	assert_false(devpath_is_prefix(path1, two, sizeof(two), &m));
	assert_false(devpath_is_prefix(two, path3, sizeof(two), &m));
	assert_true(devpath_is_prefix(path1, path3, DEVPATH_MAX_SIZE, NULL));
}

/* LocateDevicePath: the longest prefix wins, the rest is returned. */
static void test_longest_prefix(void **state)
{
	uint8_t initrd[DEVPATH_VENDOR_MEDIA_SIZE];
	const void *cands[] = {path1, NULL, initrd, path3, end_only};
	size_t m = 0;

	(void)state;
	devpath_vendor_media(initrd, sizeof(initrd), initrd_guid);
	assert_int_equal(
		devpath_longest_prefix(path3, cands, 5, DEVPATH_MAX_SIZE, &m),
		3);
	assert_int_equal(m, sizeof(path3) - 4);
	assert_int_equal(
		devpath_longest_prefix(path3, cands, 3, DEVPATH_MAX_SIZE, &m),
		0);
	assert_int_equal(m, 20);
	/* The stub's initrd lookup: VenMedia/End matches the handle. */
	assert_int_equal(
		devpath_longest_prefix(initrd, cands, 5, DEVPATH_MAX_SIZE, &m),
		2);
	assert_int_equal(m, 20);
	assert_int_equal(
		devpath_longest_prefix(initrd, cands, 2, DEVPATH_MAX_SIZE, &m),
		DEVPATH_NO_MATCH);
	/* Equally long: the first. */
	const void *dups[] = {path1, path1};

	assert_int_equal(
		devpath_longest_prefix(path3, dups, 2, DEVPATH_MAX_SIZE, &m),
		0);
}

static void test_vendor_media(void **state)
{
	static const uint8_t want[] = {
		0x04, 0x03, 0x14, 0x00, 0x27, 0xe4, 0x68,
		0x55, 0xfc, 0x68, 0x3d, 0x4f, 0xac, 0x74,
		0xca, 0x55, 0x52, 0x31, 0xcc, 0x68, END,
	};
	uint8_t b[32];

	(void)state;
	memset(b, 0xee, sizeof(b));
	assert_int_equal(DEVPATH_VENDOR_MEDIA_SIZE, 24);
	assert_int_equal(devpath_vendor_media(b, sizeof(b), initrd_guid), 24);
	assert_memory_equal(b, want, sizeof(want));
	assert_int_equal(b[24], 0xee);
	assert_int_equal(devpath_size(b, sizeof(b)), 24);
	memset(b, 0xee, sizeof(b));
	assert_int_equal(devpath_vendor_media(b, 23, initrd_guid), 0);
	assert_int_equal(b[0], 0xee);
	assert_int_equal(devpath_end(b, 3), 0);
	assert_int_equal(devpath_end(b, 4), 4);
	assert_memory_equal(b, end_only, 4);
}

/* Random bytes never crash the walk, and a valid result is consistent. */
static void test_random(void **state)
{
	uint8_t *b;
	size_t size;
	int valid = 0;

	(void)state;
	srand(5);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)rand() % 48;

		b = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++) {
			int r = rand();

			/* Bias towards small lengths and End nodes. */
			b[i] = (uint8_t)(i % 4 == 2   ? r % 12
					 : i % 4 == 3 ? (r % 8 == 0)
					 : i % 4 == 0 ? (r % 2 ? 0x7f : r)
						      : (r % 2 ? 0xff : r));
		}
		if (devpath_validate(b, len, &size) == DEVPATH_OK) {
			valid++;
			assert_true(size <= len);
			assert_true(devpath_equal(b, b, len));
			assert_true(devpath_is_prefix(b, b, len, NULL));
		}
		free(b);
	}
	print_message("random: %d of 20000 paths valid\n", valid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_good),
		cmocka_unit_test(test_node_helpers),
		cmocka_unit_test(test_validate_malformed),
		cmocka_unit_test(test_multi_instance),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_longest_prefix),
		cmocka_unit_test(test_vendor_media),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
