/* SPDX-License-Identifier: MIT */
/*
 * SMBIOS 3 from QEMU (DMTF DSP0134 3.x): QEMU provides the 64-bit entry
 * point ("_SM3_", fw_cfg etc/smbios/smbios-anchor) and the structure table
 * (etc/smbios/smbios-tables: types 1, 3, 4, 16, 17, 19, 32, 127 and the
 * user's -smbios ones), but leaves type 0, BIOS information, to the
 * firmware. smbios_merge() puts QEMU's structures, untouched, behind a
 * type 0 describing mmuon (unless the user gave one with -smbios type=0),
 * and an entry point that points at them.
 */
#ifndef MMUON_SMBIOS_H
#define MMUON_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMBIOS_ANCHOR_FILE "etc/smbios/smbios-anchor"
#define SMBIOS_TABLES_FILE "etc/smbios/smbios-tables"

/* What the type 0 structure says. */
struct smbios_bios_info {
	const char *vendor;	  /* "mmuon" */
	const char *version;	  /* the build's version */
	const char *release_date; /* mm/dd/yyyy */
	uint32_t rom_size;	  /* bytes of the firmware image */
	bool acpi;		  /* the OS is given ACPI */
};

struct smbios_result {
	size_t size;	     /* bytes of the whole: entry point + table */
	size_t table_offset; /* where the structure table starts in it */
	unsigned structures; /* in the table, type 0 included */
	bool added_type0;    /* false: the user's -smbios type=0 kept */
	char error[128];     /* why QEMU's data was refused */
};

/*
 * Checks QEMU's entry point and structures and measures the result
 * (out == NULL), or builds it into out (out_size >= r->size from the
 * measuring call), which the OS will see at address. Returns 0, or -1 with
 * r->error.
 */
int smbios_merge(const uint8_t *anchor, size_t anchor_size,
		 const uint8_t *tables, size_t tables_size,
		 const struct smbios_bios_info *bios, uint8_t *out,
		 size_t out_size, uint64_t address, struct smbios_result *r);

#endif
