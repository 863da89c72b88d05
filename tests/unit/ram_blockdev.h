/* SPDX-License-Identifier: MIT */
/*
 * A block device backed by a RAM buffer, for host tests of the layers
 * above blockdev.h. It checks every request the way a real driver would
 * (range, read-only, media) and records what it was asked, so tests can
 * see where data went (zero-copy reads land in the caller's buffer) and
 * make chosen requests fail.
 */
#ifndef TESTS_RAM_BLOCKDEV_H
#define TESTS_RAM_BLOCKDEV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/blockdev.h>

struct ram_blockdev {
	struct blockdev dev;
	uint8_t *data;
	size_t size;
	/* Statistics */
	unsigned reads, writes, flushes;
	uint64_t bytes_read, bytes_written;
	/* Reads into [watch, watch + watch_len): bytes and requests. */
	const uint8_t *watch;
	size_t watch_len;
	uint64_t watch_bytes;
	unsigned watch_reads;
	/* Fault injection: fail the request touching this LBA. */
	uint64_t fail_lba;
	bool fail;
};

static inline struct ram_blockdev *ram_of(struct blockdev *dev)
{
	return (struct ram_blockdev *)dev->priv;
}

static inline int ram_check(struct blockdev *dev, uint64_t lba, uint64_t count)
{
	struct ram_blockdev *r = ram_of(dev);

	if (!dev->media_present)
		return BLOCKDEV_ERR_NO_MEDIA;
	if (lba > dev->block_count || count > dev->block_count - lba)
		return BLOCKDEV_ERR_RANGE;
	if (r->fail && r->fail_lba >= lba && r->fail_lba < lba + count)
		return BLOCKDEV_ERR_IO;
	return BLOCKDEV_OK;
}

static inline int ram_read(struct blockdev *dev, uint64_t lba, uint64_t count,
			   void *buf)
{
	struct ram_blockdev *r = ram_of(dev);
	size_t n = count * dev->block_size;
	int st = ram_check(dev, lba, count);

	if (st)
		return st;
	memcpy(buf, r->data + lba * dev->block_size, n);
	r->reads++;
	r->bytes_read += n;
	if (r->watch && (const uint8_t *)buf >= r->watch &&
	    (const uint8_t *)buf + n <= r->watch + r->watch_len) {
		r->watch_bytes += n;
		r->watch_reads++;
	}
	return BLOCKDEV_OK;
}

static inline int ram_write(struct blockdev *dev, uint64_t lba, uint64_t count,
			    const void *buf)
{
	struct ram_blockdev *r = ram_of(dev);
	int st = ram_check(dev, lba, count);

	if (st)
		return st;
	if (dev->read_only)
		return BLOCKDEV_ERR_READ_ONLY;
	memcpy(r->data + lba * dev->block_size, buf, count * dev->block_size);
	r->writes++;
	r->bytes_written += count * dev->block_size;
	return BLOCKDEV_OK;
}

static inline int ram_flush(struct blockdev *dev)
{
	ram_of(dev)->flushes++;
	return BLOCKDEV_OK;
}

static const struct blockdev_ops ram_blockdev_ops = {
	.read = ram_read,
	.write = ram_write,
	.flush = ram_flush,
};

/* Wraps @size bytes at @data (the tail short of a block is not used). */
static inline void ram_blockdev_init(struct ram_blockdev *r, void *data,
				     size_t size, uint32_t block_size)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->size = size;
	r->dev = (struct blockdev){
		.ops = &ram_blockdev_ops,
		.block_size = block_size,
		.block_count = size / block_size,
		.io_align = 1,
		.media_present = true,
		.priv = r,
	};
}

#endif
