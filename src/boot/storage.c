// SPDX-License-Identifier: MIT
/*
 * The storage stack, bottom up: the PCIe host bridge (enumerated, BARs
 * assigned), the virtio-mmio transports, the virtio block and SCSI
 * devices found on either, and for each disk a BlockIo handle and its
 * partitions. Devices without a driver here are left as reset left them.
 *
 * Only devices the DT calls dma-coherent are driven (see the ordering
 * comment in src/drivers/virtio/virtqueue.c for why). Before the OS takes
 * over, ExitBootServices resets every device mmuon started -- a reset
 * virtio device drops its queues and stops DMA into memory the OS is
 * about to reuse -- and turns bus mastering and decoding back off.
 */
#include <mmuon/console.h>
#include <mmuon/efi_block.h>
#include <mmuon/efi_core.h>
#include <mmuon/mmu.h>
#include <mmuon/pci.h>
#include <mmuon/storage.h>
#include <mmuon/virtio.h>

#define VIRTIO_VENDOR 0x1af4

static struct pci_host *pci;

static void disk_found(struct blockdev *dev, void *ctx)
{
	(void)ctx;
	if (dev->media_present)
		printf("mmuon: %s: %llu blocks of %u bytes%s\n", dev->name,
		       (unsigned long long)dev->block_count, dev->block_size,
		       dev->read_only ? ", read-only" : "");
	else
		printf("mmuon: %s: no media\n", dev->name);
	efi_block_add_disk(dev);
}

static void attach(struct virtio_dev *v)
{
	int rc = -1;

	if (v->device_type == VIRTIO_ID_BLOCK)
		rc = virtio_blk_attach(v, disk_found, NULL);
	else if (v->device_type == VIRTIO_ID_SCSI)
		rc = virtio_scsi_attach(v, disk_found, NULL);
	else
		return; /* no driver: left alone */
	if (rc)
		printf("mmuon: %s: the device did not start\n", v->name);
}

/* virtio-blk and virtio-scsi, transitional and modern IDs. */
static bool driven(const struct pci_device *d)
{
	return d->vendor_id == VIRTIO_VENDOR &&
	       (d->device_id == 0x1001 || d->device_id == 0x1004 ||
		d->device_id == 0x1042 || d->device_id == 0x1048);
}

static void probe_pci(const struct platform *p)
{
	unsigned i;

	pci = pci_host_init(p);
	for (i = 0; pci && i < pci->count; i++) {
		struct virtio_dev v = {0};

		if (!driven(&pci->dev[i]))
			continue;
		if (virtio_pci_probe(&v, pci, &pci->dev[i]))
			printf("mmuon: %s: not a usable virtio device\n",
			       v.name);
		else
			attach(&v);
	}
}

/* The page-rounded register block of a virtio-mmio transport. */
static int map_transport(const struct mem_range *r)
{
	uint64_t page = r->base & ~(PAGE_SIZE - 1);
	uint64_t end = (r->base + r->size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	return mmu_map(page, end - page, PG_DEVICE | PG_WRITE);
}

static void probe_mmio(const struct platform *p)
{
	unsigned i, incoherent = 0;

	for (i = 0; i < p->virtio_mmio_count; i++) {
		const struct virtio_mmio_info *m = &p->virtio_mmio[i];
		struct virtio_dev v = {0};

		if (!m->dma_coherent) {
			incoherent++;
			continue;
		}
		if (map_transport(&m->reg)) {
			printf("mmuon: virtio-mmio@0x%llx: cannot be mapped\n",
			       (unsigned long long)m->reg.base);
			continue;
		}
		if (!virtio_mmio_probe(&v, m->reg.base))
			attach(&v);
	}
	if (incoherent)
		printf("mmuon: %u virtio-mmio transports are not dma-coherent "
		       "in the DT: not used\n",
		       incoherent);
}

static void EFIAPI quiesce(EFI_EVENT event, VOID *ctx)
{
	(void)event;
	(void)ctx;
	virtio_shutdown_all();
	if (pci)
		pci_release_all(pci);
}

void storage_init(const struct platform *p)
{
	EFI_EVENT ebs;

	probe_pci(p);
	probe_mmio(p);
	efi_create_event(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK, quiesce,
			 NULL, &ebs);
}
