/* SPDX-License-Identifier: MIT */
/*
 * A check of the ACPI tables the table loader built, before the RSDP is
 * handed to the OS (ACPI 6.5 sections 5.2.5-5.2.9): the RSDP, the XSDT,
 * every table it lists and the FADT's DSDT lie inside loaded blobs, with
 * their lengths and checksums right. A missing ADD_CHECKSUM or a pointer
 * gone astray is then caught here rather than by the OS.
 */
#ifndef MMUON_ACPI_H
#define MMUON_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include <mmuon/table_loader.h>

#define ACPI_RSDP_FILE "etc/acpi/rsdp"

struct acpi_summary {
	uint64_t rsdp;	      /* the RSDP's address */
	unsigned tables;      /* in the XSDT, plus the DSDT */
	char signatures[160]; /* "FACP DSDT APIC ...", for the console */
	char error[128];      /* why the check failed */
};

/* 0 if the tables are sound; -1 with s->error otherwise. */
int acpi_check(const struct table_loader *tl, struct acpi_summary *s);

#endif
