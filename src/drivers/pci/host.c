// SPDX-License-Identifier: MIT
/*
 * The PCIe host bridge of the DT, brought up: its ECAM mapped Device-nGnRE
 * (only the buses of its bus-range), the buses enumerated and every BAR
 * assigned (enumerate.c), and, when a driver enables a function, that
 * function's memory BARs mapped Device-nGnRE and execute-never. What the
 * enumeration could not do is printed, one line each.
 */
#include <mmuon/console.h>
#include <mmuon/dma.h>
#include <mmuon/mmu.h>
#include <mmuon/pci_ecam.h>
#include <mmuon/platform.h>

struct host_bridge {
	struct pci_host host;
	struct pci_ecam ecam;
};

static void print_notes(const char *notes)
{
	while (*notes) {
		const char *nl = notes;

		while (*nl && *nl != '\n')
			nl++;
		printf("mmuon: PCI: %.*s\n", (int)(nl - notes), notes);
		notes = *nl ? nl + 1 : nl;
	}
}

static int map_device(uint64_t base, uint64_t size)
{
	uint64_t start = base & ~(PAGE_SIZE - 1);
	uint64_t end = (base + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	return mmu_map(start, end - start, PG_DEVICE | PG_WRITE);
}

struct pci_host *pci_host_init(const struct platform *p)
{
	const struct pcie_host_info *info = &p->pcie;
	struct host_bridge *b;
	uint64_t ecam_size;

	if (!info->ecam.size)
		return NULL;
	if (!info->dma_coherent) {
		printf("mmuon: PCI: the host bridge at 0x%llx is not "
		       "dma-coherent in the DT: mmuon drives none of its "
		       "devices\n",
		       (unsigned long long)info->ecam.base);
		return NULL;
	}
	ecam_size = (uint64_t)(info->bus_max - info->bus_min + 1) << 20;
	if (info->ecam.base + ecam_size > MMU_VA_LIMIT ||
	    map_device(info->ecam.base, ecam_size)) {
		printf("mmuon: PCI: cannot map the ECAM at 0x%llx\n",
		       (unsigned long long)info->ecam.base);
		return NULL;
	}
	b = drv_zalloc(sizeof(*b));
	if (!b)
		return NULL;
	b->ecam.base = (uintptr_t)info->ecam.base;
	b->ecam.bus_min = (uint8_t)info->bus_min;
	b->ecam.bus_max = (uint8_t)info->bus_max;
	b->host.ops = &pci_ecam_ops;
	b->host.ctx = &b->ecam;
	b->host.bus_min = (uint8_t)info->bus_min;
	b->host.bus_max = (uint8_t)info->bus_max;
	b->host.io = (struct pci_window){info->io.pci_base, info->io.cpu_base,
					 info->io.size};
	b->host.mem32 = (struct pci_window){
		info->mem32.pci_base, info->mem32.cpu_base, info->mem32.size};
	b->host.mem64 = (struct pci_window){
		info->mem64.pci_base, info->mem64.cpu_base, info->mem64.size};
	b->host.cpu_limit = MMU_VA_LIMIT - 1;
	pci_enumerate(&b->host);
	print_notes(b->host.notes);
	return &b->host;
}

int pci_enable(struct pci_host *h, struct pci_device *dev)
{
	unsigned i;

	if (pci_claim(h, dev)) {
		printf("mmuon: PCI: %02x:%02x.%x: a BAR got no space; not "
		       "used\n",
		       dev->bus, dev->device, dev->function);
		return -1;
	}
	for (i = 0; i < PCI_MAX_BARS; i++) {
		const struct pci_bar *bar = &dev->bar[i];

		if (bar->size && bar->assigned && bar->space != PCI_SPACE_IO &&
		    map_device(bar->cpu_addr, bar->size)) {
			printf("mmuon: PCI: %02x:%02x.%x: cannot map BAR %u\n",
			       dev->bus, dev->device, dev->function, i);
			pci_release(h, dev);
			return -1;
		}
	}
	return 0;
}
