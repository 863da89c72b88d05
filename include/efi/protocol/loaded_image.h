/* SPDX-License-Identifier: MIT */
/*
 * EFI_LOADED_IMAGE_PROTOCOL (UEFI 2.10, section 9.1), installed on every
 * image handle. Linux's stub reads ImageBase, LoadOptions and DeviceHandle.
 */
#ifndef EFI_PROTOCOL_LOADED_IMAGE_H
#define EFI_PROTOCOL_LOADED_IMAGE_H

#include <efi/guid.h>
#include <efi/memory.h>
#include <efi/protocol/device_path.h>
#include <efi/types.h>

typedef struct EFI_SYSTEM_TABLE EFI_SYSTEM_TABLE;

#define EFI_LOADED_IMAGE_PROTOCOL_REVISION 0x1000

typedef EFI_STATUS(EFIAPI *EFI_IMAGE_UNLOAD)(EFI_HANDLE ImageHandle);

typedef struct {
	UINT32 Revision;
	EFI_HANDLE ParentHandle;
	EFI_SYSTEM_TABLE *SystemTable;
	EFI_HANDLE DeviceHandle;
	EFI_DEVICE_PATH_PROTOCOL *FilePath; /* relative to DeviceHandle */
	VOID *Reserved;
	UINT32 LoadOptionsSize; /* in bytes */
	VOID *LoadOptions;
	VOID *ImageBase;
	UINT64 ImageSize;
	EFI_MEMORY_TYPE ImageCodeType;
	EFI_MEMORY_TYPE ImageDataType;
	EFI_IMAGE_UNLOAD Unload;
} EFI_LOADED_IMAGE_PROTOCOL;

_Static_assert(offsetof(EFI_LOADED_IMAGE_PROTOCOL, ImageBase) == 64,
	       "loaded image layout");
_Static_assert(sizeof(EFI_LOADED_IMAGE_PROTOCOL) == 96, "loaded image layout");

#endif
