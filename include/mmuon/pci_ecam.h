/* SPDX-License-Identifier: MIT */
/* ECAM config space access for struct pci_host (src/drivers/pci/ecam.c). */
#ifndef MMUON_PCI_ECAM_H
#define MMUON_PCI_ECAM_H

#include <stdint.h>

#include <mmuon/pci.h>

struct pci_ecam {
	uintptr_t base; /* mapped Device-nGnRE */
	uint8_t bus_min, bus_max;
};

/* ctx: a struct pci_ecam. */
extern const struct pci_cfg_ops pci_ecam_ops;

#endif
