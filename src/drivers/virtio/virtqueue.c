// SPDX-License-Identifier: MIT
/*
 * Split virtqueues (virtio 1.2 section 2.7), polled, one request at a
 * time: the request's buffers always take descriptors 0..n-1, the head
 * goes into the available ring, the device is notified, and the used
 * ring's index is polled until the device hands the chain back.
 *
 * Memory: desc, avail and used in one block, laid out as the legacy
 * interface requires (used on the next 4 KiB boundary), which the modern
 * one accepts too.
 *
 * Ordering. The rings live in Normal write-back memory that the device
 * reads and writes by DMA; the notification is a store to Device-nGnRE
 * memory. Three orderings matter (they are what Linux's virtio_wmb,
 * writel's __iowmb and virtio_rmb provide):
 *
 *  1. The descriptors and the available-ring entry must be observable
 *     before the new avail->idx that publishes them: a device polling idx
 *     (or a KVM host thread on another core) could otherwise fetch a stale
 *     descriptor. DMB OSHST between them: the device is an observer in
 *     the outer shareable domain (Arm ARM B2.3.11: a DMB orders the
 *     stores before it ahead of those after it for every observer in the
 *     domain).
 *  2. avail->idx must be observable before the notify store reaches the
 *     device, or the device may look at the old index, find nothing and
 *     never look again (we do not interrupt it twice). Normal and Device
 *     stores are not ordered with each other without a barrier; DSB ST
 *     completes the Normal store before the Device store is issued.
 *  3. After used->idx is seen to move, the used element and the data the
 *     device wrote must not be read from before that: loads may be
 *     satisfied early. DMB OSHLD after the idx load.
 *
 * No cache maintenance: the DT marks the PCIe host and the virtio-mmio
 * transports dma-coherent, which means the device's accesses are coherent
 * with the CPU's cacheable mappings (they snoop the caches; under KVM the
 * "device" is QEMU, reading guest RAM through the host's cacheable
 * mapping of it). Were a device not dma-coherent, every DMA buffer and the
 * rings would need it: clean to the Point of Coherency (DC CVAC) before
 * the device reads, invalidate (DC IVAC) after it writes and before the
 * CPU reads, buffers aligned to the Cache Writeback Granule (CTR_EL0.CWG)
 * so that no line is shared with other data -- i.e. io_align = CWG and a
 * bounce for the rest -- or the rings mapped Normal Non-cacheable. mmuon
 * does not do that: it refuses to drive a device the DT does not call
 * coherent, with a message (src/boot/storage.c), rather than corrupt data
 * on hardware TCG cannot show it.
 */
#include <string.h>

#include <mmuon/dma.h>
#include <mmuon/timer.h>
#include <mmuon/virtio.h>

static inline void publish_barrier(void)
{
	asm volatile("dmb oshst" : : : "memory");
}

static inline void notify_barrier(void)
{
	asm volatile("dsb st" : : : "memory");
}

static inline void consume_barrier(void)
{
	asm volatile("dmb oshld" : : : "memory");
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int virtqueue_init(struct virtio_dev *dev, struct virtqueue *vq, unsigned index,
		   uint16_t max_size)
{
	uint16_t size = dev->transport->queue_max(dev, index);
	uint32_t avail_end, used_off;

	memset(vq, 0, sizeof(*vq));
	if (!size)
		return -1;
	if (size > max_size)
		size = max_size;
	/* Sizes need not be powers of two in 1.x, but legacy ones must. */
	while (size & (size - 1))
		size &= size - 1;
	vq->index = (uint16_t)index;
	vq->size = size;
	avail_end = 16u * size + 6 + 2u * size;
	used_off = align_up(avail_end, VIRTIO_LEGACY_ALIGN);
	vq->mem_size = used_off + 6 + 8u * size;
	vq->mem = dma_alloc(vq->mem_size);
	if (!vq->mem)
		return -1;
	vq->desc = vq->mem;
	vq->avail = (struct vring_avail *)((uint8_t *)vq->mem + 16u * size);
	vq->used = (struct vring_used *)((uint8_t *)vq->mem + used_off);
	/* Polled: the device need not interrupt anybody. */
	vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	if (dev->transport->queue_enable(dev, vq)) {
		virtqueue_free(vq);
		return -1;
	}
	return 0;
}

int virtqueue_exchange(struct virtio_dev *dev, struct virtqueue *vq,
		       const struct virtq_buf *bufs, unsigned n,
		       uint32_t *written, uint64_t timeout_us)
{
	volatile uint16_t *used_idx = &vq->used->idx;
	uint64_t start, limit;
	unsigned i;

	if (vq->broken)
		return BLOCKDEV_ERR_TIMEOUT;
	if (!n || n > vq->size)
		return BLOCKDEV_ERR_IO;
	for (i = 0; i < n; i++) {
		vq->desc[i] = (struct vring_desc){
			.addr = dma_addr(bufs[i].addr),
			.len = bufs[i].len,
			.flags =
				(uint16_t)((bufs[i].device_writes
						    ? VRING_DESC_F_WRITE
						    : 0) |
					   (i + 1 < n ? VRING_DESC_F_NEXT : 0)),
			.next = (uint16_t)(i + 1 < n ? i + 1 : 0),
		};
	}
	vq->avail->ring[vq->next_avail % vq->size] = 0;
	publish_barrier(); /* 1: descriptors, then the index */
	*(volatile uint16_t *)&vq->avail->idx = ++vq->next_avail;
	notify_barrier(); /* 2: the index, then the doorbell */
	dev->transport->notify(dev, vq);

	start = timer_count();
	limit = timeout_us * (timer_frequency() / 1000) / 1000;
	while (*used_idx == vq->last_used) {
		if (timer_count() - start > limit) {
			vq->broken = true;
			return BLOCKDEV_ERR_TIMEOUT;
		}
		cpu_relax();
	}
	consume_barrier(); /* 3: the index, then what it covers */
	*written = vq->used->ring[vq->last_used % vq->size].len;
	vq->last_used++;
	return BLOCKDEV_OK;
}

void virtqueue_free(struct virtqueue *vq)
{
	dma_free(vq->mem, vq->mem_size);
	vq->mem = NULL;
}
