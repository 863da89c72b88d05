// SPDX-License-Identifier: MIT
/*
 * virtio-blk (virtio 1.2 section 5.2) as a struct blockdev: read, write,
 * flush; capacity, logical block size, topology, read-only. One request
 * queue, polled. A request is three descriptors: the header (device
 * reads), the caller's buffer itself (no bounce: any address and
 * alignment will do for a coherent device), the status byte (device
 * writes). Large transfers are cut into requests of at most max_bytes.
 */
#include <string.h>

#include <mmuon/dma.h>
#include <mmuon/fmt.h>
#include <mmuon/virtio.h>

#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_TOPOLOGY 10

/* struct virtio_blk_config */
#define CFG_CAPACITY 0 /* le64, in 512-byte sectors */
#define CFG_SIZE_MAX 8
#define CFG_BLK_SIZE 20
#define CFG_PHYSICAL_BLOCK_EXP 24
#define CFG_ALIGNMENT_OFFSET 25
#define CFG_OPT_IO_SIZE 28

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4

#define VIRTIO_BLK_S_OK 0

#define SECTOR_SIZE 512
#define QUEUE_SIZE 16
/* Per request when the device sets no limit: large enough that the
 * per-request cost vanishes, small enough for any host backend. */
#define DEFAULT_MAX_BYTES (32u << 20)
/* A request that takes longer than this is a dead device. */
#define REQUEST_TIMEOUT_US 30000000ull

struct virtio_blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk {
	struct blockdev bd;
	struct virtio_dev vdev;
	struct virtqueue vq;
	struct virtio_blk_req *req; /* in DMA memory, with status after it */
	volatile uint8_t *status;
	uint32_t max_bytes;
};

static struct virtio_blk *blk_of(struct blockdev *bd)
{
	return (struct virtio_blk *)bd;
}

static int request(struct virtio_blk *vb, uint32_t type, uint64_t lba,
		   void *data, uint32_t len)
{
	struct virtq_buf bufs[3];
	unsigned n = 0;
	uint32_t written;
	int rc;

	vb->req->type = type;
	vb->req->reserved = 0;
	vb->req->sector = lba * (vb->bd.block_size / SECTOR_SIZE);
	*vb->status = 0xff;
	bufs[n++] = (struct virtq_buf){vb->req, sizeof(*vb->req), false};
	if (len)
		bufs[n++] =
			(struct virtq_buf){data, len, type == VIRTIO_BLK_T_IN};
	bufs[n++] = (struct virtq_buf){(const void *)vb->status, 1, true};
	rc = virtqueue_exchange(&vb->vdev, &vb->vq, bufs, n, &written,
				REQUEST_TIMEOUT_US);
	if (rc)
		return rc;
	return *vb->status == VIRTIO_BLK_S_OK && written >= 1 ? BLOCKDEV_OK
							      : BLOCKDEV_ERR_IO;
}

/* Cuts [lba, lba + count) into requests of at most max_bytes. */
static int transfer(struct blockdev *bd, uint32_t type, uint64_t lba,
		    uint64_t count, uint8_t *buf)
{
	struct virtio_blk *vb = blk_of(bd);
	uint64_t per = vb->max_bytes / bd->block_size;
	int rc;

	while (count) {
		uint64_t n = count < per ? count : per;

		rc = request(vb, type, lba, buf,
			     (uint32_t)(n * bd->block_size));
		if (rc)
			return rc;
		lba += n;
		count -= n;
		buf += n * bd->block_size;
	}
	return BLOCKDEV_OK;
}

static int blk_flush(struct blockdev *bd)
{
	struct virtio_blk *vb = blk_of(bd);

	if (!virtio_has(&vb->vdev, VIRTIO_BLK_F_FLUSH))
		return BLOCKDEV_OK;
	return request(vb, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

static int blk_read(struct blockdev *bd, uint64_t lba, uint64_t count,
		    void *buf)
{
	return transfer(bd, VIRTIO_BLK_T_IN, lba, count, buf);
}

/* Written through: a device with a write cache is flushed after each
 * write, so that BlockIo can honestly say WriteCaching = FALSE. */
static int blk_write(struct blockdev *bd, uint64_t lba, uint64_t count,
		     const void *buf)
{
	int rc = transfer(bd, VIRTIO_BLK_T_OUT, lba, count, (uint8_t *)buf);

	return rc ? rc : blk_flush(bd);
}

static const struct blockdev_ops blk_ops = {
	.read = blk_read,
	.write = blk_write,
	.flush = blk_flush,
};

static uint64_t read_capacity(struct virtio_dev *dev)
{
	const struct virtio_transport *t = dev->transport;
	uint32_t lo, hi;

	/* Two 32-bit reads: retry until the high half holds still. */
	do {
		hi = t->read_config(dev, CFG_CAPACITY + 4, 4);
		lo = t->read_config(dev, CFG_CAPACITY, 4);
	} while (hi != t->read_config(dev, CFG_CAPACITY + 4, 4));
	return (uint64_t)hi << 32 | lo;
}

static void read_geometry(struct virtio_blk *vb)
{
	struct virtio_dev *dev = &vb->vdev;
	const struct virtio_transport *t = dev->transport;
	struct blockdev *bd = &vb->bd;
	uint32_t bs = SECTOR_SIZE;

	if (virtio_has(dev, VIRTIO_BLK_F_BLK_SIZE)) {
		uint32_t v = t->read_config(dev, CFG_BLK_SIZE, 4);

		if (v >= SECTOR_SIZE && v <= 65536 && !(v & (v - 1)))
			bs = v;
	}
	bd->block_size = bs;
	bd->block_count = read_capacity(dev) / (bs / SECTOR_SIZE);
	bd->blocks_per_physical = 1;
	if (virtio_has(dev, VIRTIO_BLK_F_TOPOLOGY)) {
		uint8_t exp =
			(uint8_t)t->read_config(dev, CFG_PHYSICAL_BLOCK_EXP, 1);

		if (exp < 16)
			bd->blocks_per_physical = 1u << exp;
		bd->lowest_aligned_lba =
			t->read_config(dev, CFG_ALIGNMENT_OFFSET, 1) %
			bd->blocks_per_physical;
		bd->optimal_transfer_blocks =
			t->read_config(dev, CFG_OPT_IO_SIZE, 4);
	}
	vb->max_bytes = DEFAULT_MAX_BYTES;
	if (virtio_has(dev, VIRTIO_BLK_F_SIZE_MAX)) {
		uint32_t v = t->read_config(dev, CFG_SIZE_MAX, 4);

		if (v >= bs && v < vb->max_bytes)
			vb->max_bytes = v & ~(bs - 1);
	}
}

int virtio_blk_attach(struct virtio_dev *template, blockdev_found_fn found,
		      void *ctx)
{
	struct virtio_blk *vb = drv_zalloc(sizeof(*vb));
	struct blockdev *bd;
	uint8_t *dma = dma_alloc(sizeof(*vb->req) + 1);

	if (!vb || !dma) {
		drv_free(vb);
		dma_free(dma, sizeof(*vb->req) + 1);
		return -1;
	}
	vb->vdev = *template;
	vb->req = (struct virtio_blk_req *)dma;
	vb->status = dma + sizeof(*vb->req);
	/* From here on vb stays allocated even on failure: the device is
	 * reset through it at shutdown (virtio_shutdown_all). */
	if (virtio_start(&vb->vdev, 1ull << VIRTIO_BLK_F_SIZE_MAX |
					    1ull << VIRTIO_BLK_F_RO |
					    1ull << VIRTIO_BLK_F_BLK_SIZE |
					    1ull << VIRTIO_BLK_F_FLUSH |
					    1ull << VIRTIO_BLK_F_TOPOLOGY))
		return -1;
	read_geometry(vb);
	if (virtqueue_init(&vb->vdev, &vb->vq, 0, QUEUE_SIZE))
		return -1;
	virtio_ready(&vb->vdev);

	bd = &vb->bd;
	bd->ops = &blk_ops;
	fmt_snprintf(bd->name, sizeof(bd->name), "%s", vb->vdev.name);
	bd->io_align = 1;
	bd->read_only = virtio_has(&vb->vdev, VIRTIO_BLK_F_RO);
	bd->media_present = bd->block_count > 0;
	bd->location = vb->vdev.location;
	bd->priv = vb;
	found(bd, ctx);
	return 0;
}
