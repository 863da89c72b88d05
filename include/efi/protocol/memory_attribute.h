/* SPDX-License-Identifier: MIT */
/*
 * EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10, section 37.7): lets a loader
 * (Linux's stub) make its own image executable and read-only where needed.
 * Only EFI_MEMORY_RP, EFI_MEMORY_XP and EFI_MEMORY_RO are valid attributes;
 * BaseAddress and Length are page aligned. GetMemoryAttributes answers
 * EFI_NO_MAPPING when the range does not have one set of attributes.
 */
#ifndef EFI_PROTOCOL_MEMORY_ATTRIBUTE_H
#define EFI_PROTOCOL_MEMORY_ATTRIBUTE_H

#include <efi/guid.h>
#include <efi/memory.h>
#include <efi/types.h>

typedef struct EFI_MEMORY_ATTRIBUTE_PROTOCOL EFI_MEMORY_ATTRIBUTE_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_GET_MEMORY_ATTRIBUTES)(
	EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
	UINT64 Length, UINT64 *Attributes);
typedef EFI_STATUS(EFIAPI *EFI_SET_MEMORY_ATTRIBUTES)(
	EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
	UINT64 Length, UINT64 Attributes);
typedef EFI_STATUS(EFIAPI *EFI_CLEAR_MEMORY_ATTRIBUTES)(
	EFI_MEMORY_ATTRIBUTE_PROTOCOL *This, EFI_PHYSICAL_ADDRESS BaseAddress,
	UINT64 Length, UINT64 Attributes);

struct EFI_MEMORY_ATTRIBUTE_PROTOCOL {
	EFI_GET_MEMORY_ATTRIBUTES GetMemoryAttributes;
	EFI_SET_MEMORY_ATTRIBUTES SetMemoryAttributes;
	EFI_CLEAR_MEMORY_ATTRIBUTES ClearMemoryAttributes;
};

#endif
