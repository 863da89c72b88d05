// SPDX-License-Identifier: MIT
/*
 * virtio over PCI, the modern interface (virtio 1.2 section 4.1): the
 * device's vendor capabilities name a BAR region each for the common
 * configuration, the notification doorbells and the device configuration.
 * Transitional devices (1af4:1000-103f, which QEMU puts on the root bus)
 * offer it next to their legacy I/O BAR; modern-only ones (1af4:1040+,
 * behind a root port) offer only it. The I/O BAR is never used.
 */
#include <mmuon/dma.h>
#include <mmuon/fmt.h>
#include <mmuon/mmio.h>
#include <mmuon/pci.h>
#include <mmuon/virtio.h>

#define PCI_CAP_ID_VNDR 0x09

/* struct virtio_pci_cap: cfg_type at 3, bar at 4, offset at 8, length 12;
 * the notify capability adds notify_off_multiplier at 16. */
#define CAP_COMMON_CFG 1
#define CAP_NOTIFY_CFG 2
#define CAP_DEVICE_CFG 4

/* struct virtio_pci_common_cfg */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_STATUS 0x14
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESCLO 0x20
#define COMMON_Q_DESCHI 0x24
#define COMMON_Q_AVAILLO 0x28
#define COMMON_Q_AVAILHI 0x2c
#define COMMON_Q_USEDLO 0x30
#define COMMON_Q_USEDHI 0x34
#define COMMON_SIZE 0x38

struct virtio_pci {
	uintptr_t common, notify, device;
	uint32_t notify_multiplier;
	uint32_t device_len;
};

static struct virtio_pci *vp(struct virtio_dev *dev)
{
	return dev->transport_priv;
}

static uint8_t get_status(struct virtio_dev *dev)
{
	return mmio_read8(vp(dev)->common + COMMON_STATUS);
}

static void set_status(struct virtio_dev *dev, uint8_t status)
{
	mmio_write8(vp(dev)->common + COMMON_STATUS, status);
}

static uint64_t get_features(struct virtio_dev *dev)
{
	uintptr_t c = vp(dev)->common;
	uint64_t f;

	mmio_write32(c + COMMON_DFSELECT, 0);
	f = mmio_read32(c + COMMON_DF);
	mmio_write32(c + COMMON_DFSELECT, 1);
	return f | (uint64_t)mmio_read32(c + COMMON_DF) << 32;
}

static void set_features(struct virtio_dev *dev, uint64_t features)
{
	uintptr_t c = vp(dev)->common;

	mmio_write32(c + COMMON_GFSELECT, 0);
	mmio_write32(c + COMMON_GF, (uint32_t)features);
	mmio_write32(c + COMMON_GFSELECT, 1);
	mmio_write32(c + COMMON_GF, (uint32_t)(features >> 32));
}

static uint32_t read_config(struct virtio_dev *dev, unsigned off, unsigned len)
{
	uintptr_t a = vp(dev)->device + off;

	if (off + len > vp(dev)->device_len)
		return 0;
	return mmio_read_sized(a, len);
}

static uint16_t queue_max(struct virtio_dev *dev, unsigned index)
{
	uintptr_t c = vp(dev)->common;

	mmio_write16(c + COMMON_Q_SELECT, (uint16_t)index);
	return mmio_read16(c + COMMON_Q_SIZE);
}

static void write64(uintptr_t lo, uintptr_t hi, uint64_t v)
{
	mmio_write32(lo, (uint32_t)v);
	mmio_write32(hi, (uint32_t)(v >> 32));
}

static int queue_enable(struct virtio_dev *dev, struct virtqueue *vq)
{
	uintptr_t c = vp(dev)->common;

	mmio_write16(c + COMMON_Q_SELECT, vq->index);
	mmio_write16(c + COMMON_Q_SIZE, vq->size);
	write64(c + COMMON_Q_DESCLO, c + COMMON_Q_DESCHI, dma_addr(vq->desc));
	write64(c + COMMON_Q_AVAILLO, c + COMMON_Q_AVAILHI,
		dma_addr(vq->avail));
	write64(c + COMMON_Q_USEDLO, c + COMMON_Q_USEDHI, dma_addr(vq->used));
	vq->notify_addr =
		vp(dev)->notify + (uintptr_t)mmio_read16(c + COMMON_Q_NOFF) *
					  vp(dev)->notify_multiplier;
	mmio_write16(c + COMMON_Q_ENABLE, 1);
	return 0;
}

static void notify(struct virtio_dev *dev, struct virtqueue *vq)
{
	(void)dev;
	mmio_write16(vq->notify_addr, vq->index);
}

static const struct virtio_transport pci_transport = {
	.get_status = get_status,
	.set_status = set_status,
	.get_features = get_features,
	.set_features = set_features,
	.read_config = read_config,
	.queue_max = queue_max,
	.queue_enable = queue_enable,
	.notify = notify,
};

/* The CPU address of a capability's region, if it lies inside its BAR. */
static uintptr_t cap_region(struct pci_host *h, struct pci_device *pdev,
			    uint8_t cap, uint32_t min_len, uint32_t *len)
{
	uint8_t bar = pci_read8(h, pdev, cap + 4);
	uint32_t off = pci_read32(h, pdev, cap + 8);
	const struct pci_bar *b;

	*len = pci_read32(h, pdev, cap + 12);
	if (bar >= PCI_MAX_BARS)
		return 0;
	b = &pdev->bar[bar];
	if (!b->assigned || b->space == PCI_SPACE_IO || *len < min_len ||
	    off > b->size || *len > b->size - off)
		return 0;
	return (uintptr_t)(b->cpu_addr + off);
}

/* The first capability of each kind (4.1.4: the driver uses the first). */
static int find_caps(struct pci_host *h, struct pci_device *pdev,
		     struct virtio_pci *p)
{
	uint8_t cap = 0;
	unsigned hops = 0;
	uint32_t len;

	if (pci_read32(h, pdev, PCI_COMMAND) >> 16 & PCI_STATUS_CAP_LIST)
		cap = pci_read8(h, pdev, PCI_CAPABILITY_LIST) & ~3;
	/* At most 48 capabilities fit in 256 bytes: a loop is a bad device. */
	for (; cap >= 0x40 && hops < 48; hops++) {
		uint8_t id = pci_read8(h, pdev, cap);
		uint8_t type = pci_read8(h, pdev, cap + 3);

		if (id == PCI_CAP_ID_VNDR) {
			if (type == CAP_COMMON_CFG && !p->common)
				p->common = cap_region(h, pdev, cap,
						       COMMON_SIZE, &len);
			else if (type == CAP_NOTIFY_CFG && !p->notify) {
				p->notify = cap_region(h, pdev, cap, 2, &len);
				p->notify_multiplier =
					pci_read32(h, pdev, cap + 16);
			} else if (type == CAP_DEVICE_CFG && !p->device) {
				p->device = cap_region(h, pdev, cap, 1, &len);
				p->device_len = len;
			}
		}
		cap = pci_read8(h, pdev, cap + 1) & ~3;
	}
	return p->common && p->notify && p->device ? 0 : -1;
}

int virtio_pci_probe(struct virtio_dev *dev, struct pci_host *h,
		     struct pci_device *pdev)
{
	struct virtio_pci *p;
	struct pci_device *d;
	unsigned depth = 0;

	fmt_snprintf(dev->name, sizeof(dev->name), "virtio %02x:%02x.%x",
		     pdev->bus, pdev->device, pdev->function);
	/* The path from the root bus: bridges, then the device. */
	for (d = pdev; d; d = d->parent)
		depth++;
	if (depth > BLOCKDEV_MAX_PCI_DEPTH)
		return -1;
	dev->location.bus = BLOCKDEV_BUS_PCI;
	dev->location.pci_depth = (uint8_t)depth;
	for (d = pdev; d; d = d->parent) {
		depth--;
		dev->location.pci[depth].device = d->device;
		dev->location.pci[depth].function = d->function;
	}
	p = drv_zalloc(sizeof(*p));
	if (!p)
		return -1;
	if (pci_enable(h, pdev)) {
		drv_free(p);
		return -1;
	}
	if (find_caps(h, pdev, p)) {
		pci_release(h, pdev);
		drv_free(p);
		return -1;
	}
	dev->transport = &pci_transport;
	dev->transport_priv = p;
	dev->legacy = false;
	/* Modern IDs are 0x1040 + the type; transitional devices carry the
	 * type in their subsystem ID (4.1.2.1). */
	dev->device_type =
		pdev->device_id >= 0x1040
			? (uint16_t)(pdev->device_id - 0x1040)
			: (uint16_t)(pci_read32(h, pdev, 0x2c) >> 16);
	return 0;
}
