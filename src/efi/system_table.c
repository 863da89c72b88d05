// SPDX-License-Identifier: MIT
/*
 * The EFI system table and its configuration tables (UEFI 2.10 sections
 * 4.3, 4.6), and ExitBootServices (section 7.4).
 *
 * The system table and the configuration table array live in the runtime
 * data region (RUNTIME_DATA): the OS reads them after ExitBootServices.
 * Their static contents point only into the runtime regions (checked at
 * build time); the boot-time pointers (BootServices, the consoles) are set
 * at boot and cleared by ExitBootServices.
 */
#include <string.h>

#include <mmuon/crc32.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_runtime.h>
#include <mmuon/runtime.h>

#define MAX_CONFIG_TABLES 16

static EFI_CONFIGURATION_TABLE config_tables[MAX_CONFIG_TABLES] RUNTIME_DATA;

static EFI_SYSTEM_TABLE system_table RUNTIME_DATA = {
	.Hdr =
		{
			.Signature = EFI_SYSTEM_TABLE_SIGNATURE,
			.Revision = EFI_SYSTEM_TABLE_REVISION,
			.HeaderSize = sizeof(EFI_SYSTEM_TABLE),
		},
	.FirmwareVendor = (CHAR16 *)efi_firmware_vendor,
	.FirmwareRevision = 1,
	.RuntimeServices = &efi_runtime_services,
	.ConfigurationTable = config_tables,
};

void efi_table_set_crc(EFI_TABLE_HEADER *header)
{
	header->CRC32 = 0;
	header->CRC32 = crc32_calc(header, header->HeaderSize);
}

EFI_SYSTEM_TABLE *efi_system_table(void)
{
	/* Set here, not in the initializer: as built, runtime data points
	 * only into the runtime regions (tools/check_runtime.py). */
	if (!efi_boot_services_exited())
		system_table.BootServices = &efi_boot_services;
	efi_table_set_crc(&efi_boot_services.Hdr);
	efi_table_set_crc(&efi_runtime_services.Hdr);
	efi_table_set_crc(&system_table.Hdr);
	return &system_table;
}

static EFI_CONFIGURATION_TABLE *find_table(const EFI_GUID *guid)
{
	UINTN i;

	for (i = 0; i < system_table.NumberOfTableEntries; i++)
		if (efi_guid_equal(&config_tables[i].VendorGuid, guid))
			return &config_tables[i];
	return NULL;
}

void *efi_configuration_table(const EFI_GUID *guid)
{
	EFI_CONFIGURATION_TABLE *entry = find_table(guid);

	return entry ? entry->VendorTable : NULL;
}

/* Add, replace, or (table == NULL) remove the entry for guid. */
EFI_STATUS EFIAPI efi_install_configuration_table(EFI_GUID *guid, VOID *table)
{
	EFI_CONFIGURATION_TABLE *entry;
	UINTN last;

	if (!guid)
		return EFI_INVALID_PARAMETER;
	entry = find_table(guid);
	if (!table) {
		if (!entry)
			return EFI_NOT_FOUND;
		last = --system_table.NumberOfTableEntries;
		*entry = config_tables[last];
	} else if (entry) {
		entry->VendorTable = table;
	} else {
		if (system_table.NumberOfTableEntries == MAX_CONFIG_TABLES)
			return EFI_OUT_OF_RESOURCES;
		entry = &config_tables[system_table.NumberOfTableEntries++];
		entry->VendorGuid = *guid;
		entry->VendorTable = table;
	}
	efi_table_set_crc(&system_table.Hdr);
	return EFI_SUCCESS;
}

/*
 * The BeforeExitBootServices group runs first (once), then the map key
 * is checked: a loader whose map is stale gets
 * EFI_INVALID_PARAMETER and may retry (Linux's stub does, once), and
 * nothing has been torn down yet. After that the boot-time world ends:
 * the ExitBootServices events run, the boot services and console fields
 * of the system table are cleared (section 4.3), and only runtime
 * services remain. The MMU, caches and page tables stay as they are: see
 * docs/boot-protocol.md.
 */
EFI_STATUS EFIAPI efi_exit_boot_services(EFI_HANDLE image_handle, UINTN map_key)
{
	if (efi_boot_services_exited())
		return EFI_SUCCESS;
	if (!efi_handle_is_valid(image_handle))
		return EFI_INVALID_PARAMETER;
	/* UEFI 2.10 7.4.6: these may still allocate, so before the check. */
	efi_events_before_exit_boot_services();
	if (map_key != efi_memory_map_key())
		return EFI_INVALID_PARAMETER;
	efi_events_exit_boot_services();
	efi_set_watchdog_timer(0, 0, 0, NULL);
	efi_runtime_mark_boot_services_exited();
	system_table.ConsoleInHandle = NULL;
	system_table.ConIn = NULL;
	system_table.ConsoleOutHandle = NULL;
	system_table.ConOut = NULL;
	system_table.StandardErrorHandle = NULL;
	system_table.StdErr = NULL;
	system_table.BootServices = NULL;
	efi_table_set_crc(&system_table.Hdr);
	return EFI_SUCCESS;
}
