/* SPDX-License-Identifier: MIT */
/*
 * What mmuon learns about the machine from the device tree. Filled by
 * dt_discover() (pure: libfdt only, host-testable), used by everything else.
 */
#ifndef MMUON_PLATFORM_H
#define MMUON_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_RAM_RANGES 16
#define MAX_VIRTIO_MMIO 32

struct mem_range {
	uint64_t base;
	uint64_t size;
};

/* A window of a PCI host bridge: PCI bus address -> CPU address. */
struct pci_range {
	uint64_t pci_base;
	uint64_t cpu_base;
	uint64_t size; /* 0: absent */
};

/* A "pci-host-ecam-generic" host bridge (the first enabled one). */
struct pcie_host_info {
	struct mem_range ecam; /* size 0: none */
	uint32_t bus_min, bus_max;
	struct pci_range io, mem32, mem64; /* from "ranges" */
	bool dma_coherent;		   /* the node or an ancestor says so */
};

/* A "virtio,mmio" transport. */
struct virtio_mmio_info {
	struct mem_range reg;
	bool dma_coherent;
};

enum psci_conduit {
	PSCI_NONE,
	PSCI_HVC,
	PSCI_SMC,
};

struct platform {
	const void *fdt;
	uint64_t fdt_size;
	struct mem_range ram[MAX_RAM_RANGES]; /* sorted by base */
	unsigned ram_count;
	uint64_t ram_total;
	struct mem_range uart;	 /* PL011 named by /chosen/stdout-path */
	struct mem_range rtc;	 /* PL031, if any */
	struct mem_range fw_cfg; /* qemu,fw-cfg-mmio, if any */
	enum psci_conduit psci;
	/* Secure GPIO power-off (only usable at EL3, where there is no PSCI). */
	struct mem_range poweroff_gpio;
	unsigned poweroff_line;
	const char *bootargs; /* /chosen/bootargs, "" if none */
	/* The cfi-flash node's banks (QEMU virt: code at 0, variables at
	 * 64 MiB) and its bus width in bytes; flash_banks 0 if none. */
	struct mem_range flash[2];
	unsigned flash_banks;
	unsigned flash_bank_width;
	struct pcie_host_info pcie;
	struct virtio_mmio_info virtio_mmio[MAX_VIRTIO_MMIO]; /* DT order */
	unsigned virtio_mmio_count;
};

/*
 * Reads the DT at fdt. On failure returns a negative value and writes a
 * human-readable reason into err; the fields found so far stay filled (the
 * console especially, so the reason can be printed).
 */
int dt_discover(const void *fdt, struct platform *p, char *err, size_t errlen);

#endif
