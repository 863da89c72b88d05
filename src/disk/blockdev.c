// SPDX-License-Identifier: MIT
/*
 * The checked entry points of a block device (include/mmuon/blockdev.h):
 * request validation in one place for every driver, bounces through the
 * device's scratch block when a buffer is not aligned for DMA, byte-range
 * I/O on top of whole blocks, and partitions as slices of a disk.
 *
 * Pure logic over the driver's ops: host-tested with a RAM device.
 */
#include <string.h>

#include <mmuon/blockdev.h>

static bool aligned(const void *buf, uint32_t align)
{
	return align <= 1 || ((uintptr_t)buf & (align - 1)) == 0;
}

/* Media present and [lba, lba + count) inside the device. */
static int check_range(const struct blockdev *dev, uint64_t lba, uint64_t count)
{
	if (!dev->media_present)
		return BLOCKDEV_ERR_NO_MEDIA;
	if (lba > dev->block_count || count > dev->block_count - lba)
		return BLOCKDEV_ERR_RANGE;
	return BLOCKDEV_OK;
}

int blockdev_read(struct blockdev *dev, uint64_t lba, uint64_t count, void *buf)
{
	uint8_t *p = buf;
	int rc = check_range(dev, lba, count);

	if (rc || !count)
		return rc;
	if (aligned(buf, dev->io_align))
		return dev->ops->read(dev, lba, count, buf);
	/* Rare (the drivers here take any alignment): a block at a time. */
	if (!dev->scratch)
		return BLOCKDEV_ERR_NO_MEMORY;
	for (; count; count--, lba++, p += dev->block_size) {
		rc = dev->ops->read(dev, lba, 1, dev->scratch);
		if (rc)
			return rc;
		memcpy(p, dev->scratch, dev->block_size);
	}
	return BLOCKDEV_OK;
}

int blockdev_write(struct blockdev *dev, uint64_t lba, uint64_t count,
		   const void *buf)
{
	const uint8_t *p = buf;
	int rc = check_range(dev, lba, count);

	if (rc)
		return rc;
	if (dev->read_only)
		return BLOCKDEV_ERR_READ_ONLY;
	if (!count)
		return BLOCKDEV_OK;
	if (aligned(buf, dev->io_align))
		return dev->ops->write(dev, lba, count, buf);
	if (!dev->scratch)
		return BLOCKDEV_ERR_NO_MEMORY;
	for (; count; count--, lba++, p += dev->block_size) {
		memcpy(dev->scratch, p, dev->block_size);
		rc = dev->ops->write(dev, lba, 1, dev->scratch);
		if (rc)
			return rc;
	}
	return BLOCKDEV_OK;
}

int blockdev_flush(struct blockdev *dev)
{
	if (!dev->media_present)
		return BLOCKDEV_ERR_NO_MEDIA;
	if (dev->read_only)
		return BLOCKDEV_OK;
	return dev->ops->flush(dev);
}

/* [offset, offset + len) inside the device. */
static int check_bytes(const struct blockdev *dev, uint64_t offset,
		       uint64_t len)
{
	uint64_t size;

	if (!dev->media_present)
		return BLOCKDEV_ERR_NO_MEDIA;
	if (__builtin_mul_overflow(dev->block_count, (uint64_t)dev->block_size,
				   &size))
		size = UINT64_MAX;
	if (offset > size || len > size - offset)
		return BLOCKDEV_ERR_RANGE;
	return BLOCKDEV_OK;
}

/*
 * The partial block at the head or tail of a byte range, through scratch.
 * For a write it is read, patched and written back.
 */
static int partial_block(struct blockdev *dev, uint64_t lba, uint32_t skip,
			 uint32_t len, void *rbuf, const void *wbuf)
{
	int rc;

	if (!dev->scratch)
		return BLOCKDEV_ERR_NO_MEMORY;
	rc = dev->ops->read(dev, lba, 1, dev->scratch);
	if (rc)
		return rc;
	if (rbuf) {
		memcpy(rbuf, (uint8_t *)dev->scratch + skip, len);
		return BLOCKDEV_OK;
	}
	memcpy((uint8_t *)dev->scratch + skip, wbuf, len);
	return dev->ops->write(dev, lba, 1, dev->scratch);
}

/*
 * Splits [offset, offset + len) into a partial head block, whole middle
 * blocks (straight to or from the caller's buffer) and a partial tail.
 * Exactly one of rbuf and wbuf is set.
 */
static int byte_io(struct blockdev *dev, uint64_t offset, uint64_t len,
		   uint8_t *rbuf, const uint8_t *wbuf)
{
	uint32_t bs = dev->block_size;
	uint64_t lba = offset / bs, whole;
	uint32_t skip = offset % bs, part;
	uint64_t done = 0;
	int rc = check_bytes(dev, offset, len);

	if (rc || !len)
		return rc;
	if (wbuf && dev->read_only)
		return BLOCKDEV_ERR_READ_ONLY;
	if (skip) {
		part = len < bs - skip ? (uint32_t)len : bs - skip;
		rc = partial_block(dev, lba, skip, part, rbuf, wbuf);
		if (rc)
			return rc;
		done = part;
		lba++;
	}
	whole = (len - done) / bs;
	if (whole) {
		rc = rbuf ? blockdev_read(dev, lba, whole, rbuf + done)
			  : blockdev_write(dev, lba, whole, wbuf + done);
		if (rc)
			return rc;
		done += whole * bs;
		lba += whole;
	}
	if (done < len)
		rc = partial_block(dev, lba, 0, (uint32_t)(len - done),
				   rbuf ? rbuf + done : NULL,
				   wbuf ? wbuf + done : NULL);
	return rc;
}

int blockdev_read_bytes(struct blockdev *dev, uint64_t offset, uint64_t len,
			void *buf)
{
	return byte_io(dev, offset, len, buf, NULL);
}

int blockdev_write_bytes(struct blockdev *dev, uint64_t offset, uint64_t len,
			 const void *buf)
{
	return byte_io(dev, offset, len, NULL, buf);
}

const char *blockdev_strerror(int status)
{
	switch (status) {
	case BLOCKDEV_OK:
		return "success";
	case BLOCKDEV_ERR_IO:
		return "device error";
	case BLOCKDEV_ERR_RANGE:
		return "outside the device";
	case BLOCKDEV_ERR_READ_ONLY:
		return "read-only media";
	case BLOCKDEV_ERR_NO_MEDIA:
		return "no media";
	case BLOCKDEV_ERR_NO_MEMORY:
		return "out of memory";
	case BLOCKDEV_ERR_TIMEOUT:
		return "device timed out";
	default:
		return "unknown error";
	}
}

/* ---- slices: a partition as a device of its own ---------------------- */

static struct blockdev_slice *slice_of(struct blockdev *dev)
{
	return (struct blockdev_slice *)dev;
}

static int slice_read(struct blockdev *dev, uint64_t lba, uint64_t count,
		      void *buf)
{
	struct blockdev_slice *s = slice_of(dev);

	return s->parent->ops->read(s->parent, s->start + lba, count, buf);
}

static int slice_write(struct blockdev *dev, uint64_t lba, uint64_t count,
		       const void *buf)
{
	struct blockdev_slice *s = slice_of(dev);

	return s->parent->ops->write(s->parent, s->start + lba, count, buf);
}

static int slice_flush(struct blockdev *dev)
{
	struct blockdev_slice *s = slice_of(dev);

	return s->parent->ops->flush(s->parent);
}

static const struct blockdev_ops slice_ops = {
	.read = slice_read,
	.write = slice_write,
	.flush = slice_flush,
};

void blockdev_slice_init(struct blockdev_slice *s, struct blockdev *parent,
			 uint64_t start, uint64_t count)
{
	struct blockdev *d = &s->dev;

	if (start > parent->block_count)
		start = parent->block_count;
	if (count > parent->block_count - start)
		count = parent->block_count - start;
	*d = *parent;
	d->ops = &slice_ops;
	d->block_count = count;
	/* The first physically aligned block, counted from the slice. */
	if (parent->blocks_per_physical > 1) {
		uint64_t n = parent->blocks_per_physical;
		uint64_t rem = (start + n - parent->lowest_aligned_lba % n) % n;

		d->lowest_aligned_lba = rem ? n - rem : 0;
	}
	d->priv = NULL;
	s->parent = parent;
	s->start = start;
}
