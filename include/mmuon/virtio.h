/* SPDX-License-Identifier: MIT */
/*
 * virtio (OASIS virtio 1.2, and the legacy interface of 0.9.5 where the
 * MMIO transport still uses it), polled: split virtqueues, no interrupts,
 * one request in flight per queue. The transports (PCI, MMIO) hide behind
 * struct virtio_transport; the device drivers (blk, scsi) use only the
 * virtio_* calls below and the virtqueue.
 */
#ifndef MMUON_VIRTIO_H
#define MMUON_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include <mmuon/blockdev.h>

/* Device status bits (virtio 1.2 section 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 0x80

/* Device-independent feature bits. */
#define VIRTIO_F_VERSION_1 32

/* Device types (section 5). */
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_SCSI 8

struct virtio_dev;
struct virtqueue;

struct virtio_transport {
	uint8_t (*get_status)(struct virtio_dev *dev);
	void (*set_status)(struct virtio_dev *dev, uint8_t status);
	uint64_t (*get_features)(struct virtio_dev *dev);
	void (*set_features)(struct virtio_dev *dev, uint64_t features);
	/* Device-specific configuration, little-endian, @len of 1, 2 or 4. */
	uint32_t (*read_config)(struct virtio_dev *dev, unsigned offset,
				unsigned len);
	/* The largest size of queue @index (0: no such queue). */
	uint16_t (*queue_max)(struct virtio_dev *dev, unsigned index);
	/* Tells the device where vq's rings are and enables it. */
	int (*queue_enable)(struct virtio_dev *dev, struct virtqueue *vq);
	void (*notify)(struct virtio_dev *dev, struct virtqueue *vq);
};

struct virtio_dev {
	const struct virtio_transport *transport;
	uint16_t device_type; /* VIRTIO_ID_* */
	bool legacy;	      /* the 0.9.5 interface (virtio-mmio version 1) */
	uint64_t features;    /* negotiated */
	char name[32]; /* "virtio 00:02.0", "virtio-mmio@0xa003e00 (legacy)" */
	struct blockdev_location location;
	void *transport_priv;
};

/*
 * Reset, ACKNOWLEDGE, DRIVER, feature negotiation (@wanted & offered, plus
 * VERSION_1 unless legacy; a modern device that does not offer VERSION_1
 * is refused), FEATURES_OK and its check. 0, or -1 with the device left
 * FAILED.
 */
int virtio_start(struct virtio_dev *dev, uint64_t wanted);
/* After the queues: DRIVER_OK. */
void virtio_ready(struct virtio_dev *dev);
/* Writes 0 to the status and waits for it to read back 0: the device
 * drops its queues and stops DMA (section 2.4). */
void virtio_reset(struct virtio_dev *dev);

static inline bool virtio_has(const struct virtio_dev *dev, unsigned bit)
{
	return dev->features >> bit & 1;
}

/* ---- split virtqueue: src/drivers/virtio/virtqueue.c ------------------- */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2 /* device-writable */
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];
};

/* The legacy interface's ring alignment and page size (0.9.5, 2.3). */
#define VIRTIO_LEGACY_ALIGN 4096

struct virtqueue {
	uint16_t index;
	uint16_t size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	void *mem; /* desc, avail, used: one legacy-layout block */
	uint32_t mem_size;
	uintptr_t notify_addr; /* the transport's doorbell for this queue */
	uint16_t next_avail;   /* our copy of avail->idx */
	uint16_t last_used;    /* used->idx we have consumed up to */
	bool broken;	       /* timed out: no more requests */
};

/* One piece of a request: a buffer the device reads or writes. */
struct virtq_buf {
	const void *addr;
	uint32_t len;
	bool device_writes;
};

/*
 * Sets up queue @index with at most @max_size entries (a power of two),
 * in memory from dma_alloc(), and enables it. 0 or -1.
 */
int virtqueue_init(struct virtio_dev *dev, struct virtqueue *vq, unsigned index,
		   uint16_t max_size);

/*
 * Puts one request (@n buffers, the device-readable ones first) on the
 * queue, notifies the device and polls until it is used, for at most
 * @timeout_us. 0 with *@written the bytes the device wrote, or
 * BLOCKDEV_ERR_TIMEOUT (the queue is then broken for good: the device may
 * still write to the buffers), or BLOCKDEV_ERR_IO if @n exceeds the queue.
 */
int virtqueue_exchange(struct virtio_dev *dev, struct virtqueue *vq,
		       const struct virtq_buf *bufs, unsigned n,
		       uint32_t *written, uint64_t timeout_us);

void virtqueue_free(struct virtqueue *vq);

/* ---- transports ---------------------------------------------------------- */

struct pci_host;
struct pci_device;

/* virtio over PCI (modern interface, also of transitional devices). */
int virtio_pci_probe(struct virtio_dev *dev, struct pci_host *host,
		     struct pci_device *pdev);
/* virtio-mmio, version 1 (legacy) or 2. -1 if no device sits there. */
int virtio_mmio_probe(struct virtio_dev *dev, uint64_t base);

/* ---- devices ---------------------------------------------------------------- */

/* Called with each disk a driver brings up. */
typedef void (*blockdev_found_fn)(struct blockdev *dev, void *ctx);

int virtio_blk_attach(struct virtio_dev *dev, blockdev_found_fn found,
		      void *ctx);
/* Every disk and CD-ROM on the first 32 targets, LUNs 0-7 (EDK2's limits). */
int virtio_scsi_attach(struct virtio_dev *dev, blockdev_found_fn found,
		       void *ctx);
/* Every device the drivers drive, reset: stops all DMA before the OS
 * takes the memory back. */
void virtio_shutdown_all(void);

#endif
