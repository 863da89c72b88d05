// SPDX-License-Identifier: MIT
/*
 * The EFI_MEMORY_ATTRIBUTES_TABLE (UEFI 2.10 section 4.6.4): how the OS
 * should map the runtime regions after ExitBootServices. mmuon's runtime
 * code (its RAM copy, see docs/architecture.md) is read-only and
 * executable (EFI_MEMORY_RO), its runtime data is never executed
 * (EFI_MEMORY_XP). Built from the runtime entries of the memory map after
 * the firmware's runtime allocations at boot, and built again in place when
 * a later one adds a region (the volatile variables' growth,
 * variables_setup.c).
 */
#include <mmuon/efi_core.h>
#include <mmuon/panic.h>

#define MAX_ENTRIES 16
#define MAT_VERSION 2

void efi_memattr_table_install(void)
{
	EFI_MEMORY_DESCRIPTOR map[64];
	UINTN size = sizeof(map), key, desc_size, i;
	UINT32 version, count = 0;
	static EFI_MEMORY_ATTRIBUTES_TABLE *table;
	uint8_t *out;

	if (efi_get_memory_map(&size, map, &key, &desc_size, &version) !=
	    EFI_SUCCESS)
		panic("memory map too large for the memory attributes table");
	if (!table)
		table = efi_zalloc_runtime(sizeof(*table) +
					   MAX_ENTRIES * desc_size);
	if (!table)
		panic("no runtime memory for the memory attributes table");
	out = (uint8_t *)(table + 1);
	for (i = 0; i < size / desc_size; i++) {
		EFI_MEMORY_DESCRIPTOR *d =
			(EFI_MEMORY_DESCRIPTOR *)((uint8_t *)map +
						  i * desc_size);
		EFI_MEMORY_DESCRIPTOR *e = (EFI_MEMORY_DESCRIPTOR *)out;

		if (d->Type != EfiRuntimeServicesCode &&
		    d->Type != EfiRuntimeServicesData)
			continue;
		if (count == MAX_ENTRIES)
			panic("too many runtime regions");
		*e = *d;
		e->Attribute =
			EFI_MEMORY_RUNTIME |
			(d->Type == EfiRuntimeServicesCode ? EFI_MEMORY_RO
							   : EFI_MEMORY_XP);
		out += desc_size;
		count++;
	}
	table->Version = MAT_VERSION;
	table->NumberOfEntries = count;
	table->DescriptorSize = desc_size;
	table->Flags = 0;
	efi_install_configuration_table(
		&(EFI_GUID)EFI_MEMORY_ATTRIBUTES_TABLE_GUID, table);
}
