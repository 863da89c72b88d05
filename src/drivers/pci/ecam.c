// SPDX-License-Identifier: MIT
/*
 * Config space through ECAM (PCIe 6.0 section 7.2.2): 4 KiB per function at
 * base + (bus - first bus) << 20 | device << 15 | function << 12. The
 * region is mapped Device-nGnRE, so every access is a single, unmerged,
 * in-order access to the host bridge (aligned: 32-bit reads and writes,
 * 16-bit writes).
 */
#include <mmuon/mmio.h>
#include <mmuon/pci_ecam.h>

static uintptr_t cfg_addr(struct pci_ecam *e, uint8_t bus, uint8_t devfn,
			  uint16_t reg)
{
	return e->base + ((uintptr_t)(bus - e->bus_min) << 20 |
			  (uintptr_t)devfn << 12 | (reg & 0xfff));
}

static uint32_t ecam_read32(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg)
{
	struct pci_ecam *e = ctx;

	if (bus < e->bus_min || bus > e->bus_max)
		return 0xffffffff;
	return mmio_read32(cfg_addr(e, bus, devfn, reg & ~3));
}

static void ecam_write32(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg,
			 uint32_t v)
{
	struct pci_ecam *e = ctx;

	if (bus >= e->bus_min && bus <= e->bus_max)
		mmio_write32(cfg_addr(e, bus, devfn, reg & ~3), v);
}

static void ecam_write16(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg,
			 uint16_t v)
{
	struct pci_ecam *e = ctx;

	if (bus >= e->bus_min && bus <= e->bus_max)
		mmio_write16(cfg_addr(e, bus, devfn, reg & ~1), v);
}

const struct pci_cfg_ops pci_ecam_ops = {
	.read32 = ecam_read32,
	.write32 = ecam_write32,
	.write16 = ecam_write16,
};
