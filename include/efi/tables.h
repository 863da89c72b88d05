/* SPDX-License-Identifier: MIT */
/*
 * The system table, configuration tables (UEFI 2.10, sections 4.3, 4.6) and
 * the layouts of the configuration tables mmuon installs.
 */
#ifndef EFI_TABLES_H
#define EFI_TABLES_H

#include <efi/boot_services.h>
#include <efi/guid.h>
#include <efi/protocol/simple_text.h>
#include <efi/runtime_services.h>
#include <efi/types.h>

#define EFI_SYSTEM_TABLE_SIGNATURE 0x5453595320494249ULL /* "IBI SYST" */

#define EFI_2_100_SYSTEM_TABLE_REVISION ((2U << 16) | 100U)
#define EFI_SPECIFICATION_VERSION EFI_2_100_SYSTEM_TABLE_REVISION
#define EFI_SYSTEM_TABLE_REVISION EFI_SPECIFICATION_VERSION
#define EFI_BOOT_SERVICES_REVISION EFI_SPECIFICATION_VERSION
#define EFI_RUNTIME_SERVICES_REVISION EFI_SPECIFICATION_VERSION

typedef struct {
	EFI_GUID VendorGuid;
	VOID *VendorTable;
} EFI_CONFIGURATION_TABLE;

/* Tag shared with the forward declaration in loaded_image.h */
struct EFI_SYSTEM_TABLE {
	EFI_TABLE_HEADER Hdr;
	CHAR16 *FirmwareVendor;
	UINT32 FirmwareRevision;
	EFI_HANDLE ConsoleInHandle;
	EFI_SIMPLE_TEXT_INPUT_PROTOCOL *ConIn;
	EFI_HANDLE ConsoleOutHandle;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *ConOut;
	EFI_HANDLE StandardErrorHandle;
	EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *StdErr;
	EFI_RUNTIME_SERVICES *RuntimeServices;
	EFI_BOOT_SERVICES *BootServices;
	UINTN NumberOfTableEntries;
	EFI_CONFIGURATION_TABLE *ConfigurationTable;
};
typedef struct EFI_SYSTEM_TABLE EFI_SYSTEM_TABLE;

_Static_assert(sizeof(EFI_CONFIGURATION_TABLE) == 24, "config table entry");
_Static_assert(offsetof(EFI_SYSTEM_TABLE, ConOut) == 0x40, "system table");
_Static_assert(offsetof(EFI_SYSTEM_TABLE, BootServices) == 0x60,
	       "system table");
_Static_assert(sizeof(EFI_SYSTEM_TABLE) == 0x78, "system table");

/* The image entry point: PE/COFF AddressOfEntryPoint. */
typedef EFI_STATUS(EFIAPI *EFI_IMAGE_ENTRY_POINT)(
	EFI_HANDLE ImageHandle, EFI_SYSTEM_TABLE *SystemTable);

/*
 * EFI_RT_PROPERTIES_TABLE: which runtime services still work after
 * ExitBootServices. Linux calls SetVirtualAddressMap only if advertised.
 */
typedef struct {
	UINT16 Version;
	UINT16 Length; /* of the whole table */
	UINT32 RuntimeServicesSupported;
} EFI_RT_PROPERTIES_TABLE;

#define EFI_RT_PROPERTIES_TABLE_VERSION 0x1

#define EFI_RT_SUPPORTED_GET_TIME 0x0001U
#define EFI_RT_SUPPORTED_SET_TIME 0x0002U
#define EFI_RT_SUPPORTED_GET_WAKEUP_TIME 0x0004U
#define EFI_RT_SUPPORTED_SET_WAKEUP_TIME 0x0008U
#define EFI_RT_SUPPORTED_GET_VARIABLE 0x0010U
#define EFI_RT_SUPPORTED_GET_NEXT_VARIABLE_NAME 0x0020U
#define EFI_RT_SUPPORTED_SET_VARIABLE 0x0040U
#define EFI_RT_SUPPORTED_SET_VIRTUAL_ADDRESS_MAP 0x0080U
#define EFI_RT_SUPPORTED_CONVERT_POINTER 0x0100U
#define EFI_RT_SUPPORTED_GET_NEXT_HIGH_MONOTONIC_COUNT 0x0200U
#define EFI_RT_SUPPORTED_RESET_SYSTEM 0x0400U
#define EFI_RT_SUPPORTED_UPDATE_CAPSULE 0x0800U
#define EFI_RT_SUPPORTED_QUERY_CAPSULE_CAPABILITIES 0x1000U
#define EFI_RT_SUPPORTED_QUERY_VARIABLE_INFO 0x2000U

/*
 * LINUX_EFI_RANDOM_SEED_TABLE (Linux-defined): a seed the kernel mixes into
 * its entropy pool early. Its memory must stay reserved after
 * ExitBootServices (EfiACPIReclaimMemory or a runtime type).
 */
typedef struct {
	UINT32 size; /* of bits[], in bytes */
	UINT8 bits[];
} LINUX_EFI_RANDOM_SEED;

#endif
