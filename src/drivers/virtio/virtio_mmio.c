// SPDX-License-Identifier: MIT
/*
 * virtio over MMIO (virtio 1.2 section 4.2), from the DT's "virtio,mmio"
 * nodes. Version 2 is the modern interface; version 1 is the legacy one
 * QEMU still gives by default (virtio-mmio.force-legacy=on): 32 feature
 * bits, no FEATURES_OK, and a queue given by its page frame number, with
 * the used ring on the next QueueAlign boundary (4.2.4).
 */
#include <mmuon/dma.h>
#include <mmuon/fmt.h>
#include <mmuon/mmio.h>
#include <mmuon/virtio.h>

#define MMIO_MAGIC 0x000 /* "virt" */
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_DEVICE_FEATURES 0x010
#define MMIO_DEVICE_FEATURES_SEL 0x014
#define MMIO_DRIVER_FEATURES 0x020
#define MMIO_DRIVER_FEATURES_SEL 0x024
#define MMIO_GUEST_PAGE_SIZE 0x028 /* legacy */
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_ALIGN 0x03c /* legacy */
#define MMIO_QUEUE_PFN 0x040   /* legacy */
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_STATUS 0x070
#define MMIO_QUEUE_DESC_LOW 0x080
#define MMIO_QUEUE_DESC_HIGH 0x084
#define MMIO_QUEUE_AVAIL_LOW 0x090
#define MMIO_QUEUE_AVAIL_HIGH 0x094
#define MMIO_QUEUE_USED_LOW 0x0a0
#define MMIO_QUEUE_USED_HIGH 0x0a4
#define MMIO_CONFIG 0x100

#define VIRT_MAGIC 0x74726976

static uintptr_t base_of(struct virtio_dev *dev)
{
	return (uintptr_t)dev->location.mmio_base;
}

static uint8_t get_status(struct virtio_dev *dev)
{
	return (uint8_t)mmio_read32(base_of(dev) + MMIO_STATUS);
}

static void set_status(struct virtio_dev *dev, uint8_t status)
{
	mmio_write32(base_of(dev) + MMIO_STATUS, status);
}

static uint64_t get_features(struct virtio_dev *dev)
{
	uintptr_t b = base_of(dev);
	uint64_t f;

	mmio_write32(b + MMIO_DEVICE_FEATURES_SEL, 0);
	f = mmio_read32(b + MMIO_DEVICE_FEATURES);
	if (dev->legacy)
		return f;
	mmio_write32(b + MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)mmio_read32(b + MMIO_DEVICE_FEATURES) << 32;
}

static void set_features(struct virtio_dev *dev, uint64_t features)
{
	uintptr_t b = base_of(dev);

	mmio_write32(b + MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_write32(b + MMIO_DRIVER_FEATURES, (uint32_t)features);
	if (dev->legacy)
		return;
	mmio_write32(b + MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_write32(b + MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

/* The register block is 0x200 bytes in QEMU's DT: 0x100 of config. */
static uint32_t read_config(struct virtio_dev *dev, unsigned off, unsigned len)
{
	uintptr_t a = base_of(dev) + MMIO_CONFIG + off;

	if (off + len > 0x100)
		return 0;
	return mmio_read_sized(a, len);
}

static uint16_t queue_max(struct virtio_dev *dev, unsigned index)
{
	uintptr_t b = base_of(dev);
	uint32_t max;

	mmio_write32(b + MMIO_QUEUE_SEL, index);
	max = mmio_read32(b + MMIO_QUEUE_NUM_MAX);
	return max > 0xffff ? 0xffff : (uint16_t)max;
}

static void write64(uintptr_t lo, uint64_t v)
{
	mmio_write32(lo, (uint32_t)v);
	mmio_write32(lo + 4, (uint32_t)(v >> 32));
}

static int queue_enable(struct virtio_dev *dev, struct virtqueue *vq)
{
	uintptr_t b = base_of(dev);
	uint64_t pfn = dma_addr(vq->mem) / VIRTIO_LEGACY_ALIGN;

	mmio_write32(b + MMIO_QUEUE_SEL, vq->index);
	mmio_write32(b + MMIO_QUEUE_NUM, vq->size);
	vq->notify_addr = b + MMIO_QUEUE_NOTIFY;
	if (dev->legacy) {
		/* The ring by page number: 32 bits of 4 KiB pages. */
		if (pfn >> 32)
			return -1;
		mmio_write32(b + MMIO_GUEST_PAGE_SIZE, VIRTIO_LEGACY_ALIGN);
		mmio_write32(b + MMIO_QUEUE_ALIGN, VIRTIO_LEGACY_ALIGN);
		mmio_write32(b + MMIO_QUEUE_PFN, (uint32_t)pfn);
		return 0;
	}
	write64(b + MMIO_QUEUE_DESC_LOW, dma_addr(vq->desc));
	write64(b + MMIO_QUEUE_AVAIL_LOW, dma_addr(vq->avail));
	write64(b + MMIO_QUEUE_USED_LOW, dma_addr(vq->used));
	mmio_write32(b + MMIO_QUEUE_READY, 1);
	return 0;
}

static void notify(struct virtio_dev *dev, struct virtqueue *vq)
{
	(void)dev;
	mmio_write32(vq->notify_addr, vq->index);
}

static const struct virtio_transport mmio_transport = {
	.get_status = get_status,
	.set_status = set_status,
	.get_features = get_features,
	.set_features = set_features,
	.read_config = read_config,
	.queue_max = queue_max,
	.queue_enable = queue_enable,
	.notify = notify,
};

int virtio_mmio_probe(struct virtio_dev *dev, uint64_t base)
{
	uintptr_t b = (uintptr_t)base;
	uint32_t version, type;

	if (mmio_read32(b + MMIO_MAGIC) != VIRT_MAGIC)
		return -1;
	version = mmio_read32(b + MMIO_VERSION);
	type = mmio_read32(b + MMIO_DEVICE_ID);
	/* Device ID 0: an empty slot. */
	if (!type || (version != 1 && version != 2))
		return -1;
	dev->transport = &mmio_transport;
	dev->legacy = version == 1;
	dev->device_type = (uint16_t)type;
	dev->location.bus = BLOCKDEV_BUS_MMIO;
	dev->location.mmio_base = base;
	fmt_snprintf(dev->name, sizeof(dev->name), "virtio-mmio@0x%llx%s",
		     (unsigned long long)base, dev->legacy ? " (legacy)" : "");
	return 0;
}
