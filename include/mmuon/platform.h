/* SPDX-License-Identifier: MIT */
/*
 * What mmuon learns about the machine from the device tree. Filled by
 * dt_discover() (pure: libfdt only, host-testable), used by everything else.
 */
#ifndef MMUON_PLATFORM_H
#define MMUON_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#define MAX_RAM_RANGES 16

struct mem_range {
	uint64_t base;
	uint64_t size;
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
};

/*
 * Reads the DT at fdt. On failure returns a negative value and writes a
 * human-readable reason into err; the fields found so far stay filled (the
 * console especially, so the reason can be printed).
 */
int dt_discover(const void *fdt, struct platform *p, char *err, size_t errlen);

#endif
