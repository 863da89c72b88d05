// SPDX-License-Identifier: MIT
/*
 * Unit tests for the checked block device entry points (src/disk/
 * blockdev.c) on a RAM device: requests outside the device, on read-only
 * or absent media never reach the driver; aligned whole-block I/O is one
 * driver request straight into the caller's buffer; misaligned buffers
 * and partial blocks go through the scratch block; slices (partitions)
 * offset, clamp and keep their topology.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ram_blockdev.h"

#define BS 512
#define BLOCKS 64

static uint8_t disk[BS * BLOCKS];
static uint8_t scratch[4096] __attribute__((aligned(4096)));
static struct ram_blockdev ram;
static struct blockdev *dev;

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 31 + (i >> 9));
	ram_blockdev_init(&ram, disk, sizeof(disk), BS);
	dev = &ram.dev;
	dev->scratch = scratch;
	return 0;
}

static void test_whole_blocks_go_straight_to_the_buffer(void **state)
{
	static uint8_t buf[4 * BS];

	(void)state;
	ram.watch = buf;
	ram.watch_len = sizeof(buf);
	assert_int_equal(blockdev_read(dev, 3, 4, buf), BLOCKDEV_OK);
	assert_memory_equal(buf, disk + 3 * BS, sizeof(buf));
	assert_int_equal(ram.reads, 1);
	assert_int_equal(ram.watch_reads, 1);
	assert_int_equal(ram.watch_bytes, sizeof(buf));
}

static void test_range_and_media_checked_before_the_driver(void **state)
{
	uint8_t buf[BS];

	(void)state;
	assert_int_equal(blockdev_read(dev, BLOCKS, 1, buf),
			 BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read(dev, BLOCKS - 1, 2, buf),
			 BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read(dev, UINT64_MAX, 2, buf),
			 BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read(dev, 1, UINT64_MAX, buf),
			 BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read(dev, BLOCKS, 0, buf), BLOCKDEV_OK);
	assert_int_equal(blockdev_read(dev, BLOCKS - 1, 1, buf), BLOCKDEV_OK);
	dev->media_present = false;
	assert_int_equal(blockdev_read(dev, 0, 1, buf), BLOCKDEV_ERR_NO_MEDIA);
	assert_int_equal(blockdev_write(dev, 0, 1, buf), BLOCKDEV_ERR_NO_MEDIA);
	assert_int_equal(blockdev_flush(dev), BLOCKDEV_ERR_NO_MEDIA);
	assert_int_equal(ram.reads, 1);
	assert_int_equal(ram.writes + ram.flushes, 0);
}

static void test_read_only(void **state)
{
	uint8_t buf[BS] = {1};

	(void)state;
	dev->read_only = true;
	assert_int_equal(blockdev_write(dev, 0, 1, buf),
			 BLOCKDEV_ERR_READ_ONLY);
	assert_int_equal(blockdev_write_bytes(dev, 5, 10, buf),
			 BLOCKDEV_ERR_READ_ONLY);
	assert_int_equal(blockdev_flush(dev), BLOCKDEV_OK);
	assert_int_equal(ram.writes + ram.flushes, 0);
	assert_int_equal(disk[0], (uint8_t)0);
}

static void test_misaligned_buffer_bounces(void **state)
{
	static uint8_t buf[3 * BS + 8] __attribute__((aligned(64)));

	(void)state;
	dev->io_align = 64;
	assert_int_equal(blockdev_read(dev, 7, 3, buf + 4), BLOCKDEV_OK);
	assert_memory_equal(buf + 4, disk + 7 * BS, 3 * BS);
	assert_int_equal(ram.reads, 3); /* a block at a time */
	memset(buf, 0xab, sizeof(buf));
	assert_int_equal(blockdev_write(dev, 9, 2, buf + 4), BLOCKDEV_OK);
	assert_int_equal(disk[9 * BS], 0xab);
	assert_int_equal(disk[11 * BS - 1], 0xab);
	assert_int_equal(ram.writes, 2);
	/* Aligned: one request, no bounce. */
	assert_int_equal(blockdev_read(dev, 7, 3, buf), BLOCKDEV_OK);
	assert_int_equal(ram.reads, 4);
	dev->scratch = NULL;
	assert_int_equal(blockdev_read(dev, 7, 1, buf + 4),
			 BLOCKDEV_ERR_NO_MEMORY);
}

static void test_bytes_head_middle_tail(void **state)
{
	static uint8_t buf[5 * BS];

	(void)state;
	ram.watch = buf;
	ram.watch_len = sizeof(buf);
	/* 100 bytes into block 2, through block 6's first 300 bytes. */
	assert_int_equal(blockdev_read_bytes(dev, 2 * BS + 100, 4 * BS, buf),
			 BLOCKDEV_OK);
	assert_memory_equal(buf, disk + 2 * BS + 100, 4 * BS);
	/* Head and tail via scratch, blocks 3-5 straight into buf. */
	assert_int_equal(ram.reads, 3);
	assert_int_equal(ram.watch_reads, 1);
	assert_int_equal(ram.watch_bytes, 3 * BS);
	/* Within one block. */
	assert_int_equal(blockdev_read_bytes(dev, 10, 20, buf), BLOCKDEV_OK);
	assert_memory_equal(buf, disk + 10, 20);
	assert_int_equal(blockdev_read_bytes(dev, 0, 0, NULL), BLOCKDEV_OK);
	assert_int_equal(blockdev_read_bytes(dev, BS * BLOCKS - 1, 2, buf),
			 BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read_bytes(dev, UINT64_MAX, 2, buf),
			 BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read_bytes(dev, BS * BLOCKS - 1, 1, buf),
			 BLOCKDEV_OK);
}

static void test_write_bytes_keeps_the_rest(void **state)
{
	uint8_t before[BS * BLOCKS], patch[BS + 200];

	(void)state;
	memcpy(before, disk, sizeof(disk));
	memset(patch, 0x5a, sizeof(patch));
	assert_int_equal(
		blockdev_write_bytes(dev, 3 * BS - 50, sizeof(patch), patch),
		BLOCKDEV_OK);
	assert_memory_equal(disk, before, 3 * BS - 50);
	assert_memory_equal(disk + 3 * BS - 50, patch, sizeof(patch));
	assert_memory_equal(disk + 3 * BS - 50 + sizeof(patch),
			    before + 3 * BS - 50 + sizeof(patch),
			    sizeof(disk) - (3 * BS - 50 + sizeof(patch)));
}

static void test_errors_propagate(void **state)
{
	uint8_t buf[2 * BS];

	(void)state;
	ram.fail = true;
	ram.fail_lba = 5;
	assert_int_equal(blockdev_read(dev, 4, 2, buf), BLOCKDEV_ERR_IO);
	assert_int_equal(blockdev_read_bytes(dev, 5 * BS + 1, 2, buf),
			 BLOCKDEV_ERR_IO);
	assert_int_equal(blockdev_write_bytes(dev, 5 * BS + 1, 2, buf),
			 BLOCKDEV_ERR_IO);
	assert_string_equal(blockdev_strerror(BLOCKDEV_ERR_IO), "device error");
	assert_string_equal(blockdev_strerror(42), "unknown error");
}

static void test_slice(void **state)
{
	struct blockdev_slice s;
	uint8_t buf[2 * BS];

	(void)state;
	blockdev_slice_init(&s, dev, 10, 20);
	assert_int_equal(s.dev.block_count, 20);
	assert_int_equal(s.dev.block_size, BS);
	assert_ptr_equal(s.dev.scratch, scratch);
	assert_int_equal(blockdev_read(&s.dev, 0, 2, buf), BLOCKDEV_OK);
	assert_memory_equal(buf, disk + 10 * BS, 2 * BS);
	assert_int_equal(blockdev_read(&s.dev, 19, 2, buf), BLOCKDEV_ERR_RANGE);
	assert_int_equal(blockdev_read_bytes(&s.dev, 1, 3, buf), BLOCKDEV_OK);
	assert_memory_equal(buf, disk + 10 * BS + 1, 3);
	/* Clamped to the parent; a slice of a slice. */
	blockdev_slice_init(&s, dev, 60, 20);
	assert_int_equal(s.dev.block_count, 4);
	blockdev_slice_init(&s, dev, 70, 20);
	assert_int_equal(s.dev.block_count, 0);
	{
		struct blockdev_slice outer, inner;

		blockdev_slice_init(&outer, dev, 8, 40);
		blockdev_slice_init(&inner, &outer.dev, 4, 8);
		assert_int_equal(blockdev_read(&inner.dev, 1, 1, buf),
				 BLOCKDEV_OK);
		assert_memory_equal(buf, disk + 13 * BS, BS);
	}
}

/* 4 KiB physical blocks: where the first aligned one falls in a slice. */
static void test_slice_topology(void **state)
{
	struct blockdev_slice s;

	(void)state;
	dev->blocks_per_physical = 8;
	dev->lowest_aligned_lba = 0;
	blockdev_slice_init(&s, dev, 8, 16);
	assert_int_equal(s.dev.lowest_aligned_lba, 0);
	blockdev_slice_init(&s, dev, 3, 16);
	assert_int_equal(s.dev.lowest_aligned_lba, 5);
	dev->lowest_aligned_lba = 1; /* aligned LBAs 1, 9, 17... */
	blockdev_slice_init(&s, dev, 3, 16);
	assert_int_equal(s.dev.lowest_aligned_lba, 6);
	blockdev_slice_init(&s, dev, 9, 16);
	assert_int_equal(s.dev.lowest_aligned_lba, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_whole_blocks_go_straight_to_the_buffer),
		T(test_range_and_media_checked_before_the_driver),
		T(test_read_only),
		T(test_misaligned_buffer_bounces),
		T(test_bytes_head_middle_tail),
		T(test_write_bytes_keeps_the_rest),
		T(test_errors_propagate),
		T(test_slice),
		T(test_slice_topology),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
