/* SPDX-License-Identifier: MIT */
/*
 * Memory map definitions (UEFI 2.10, section 7.2 and 4.6.4).
 */
#ifndef EFI_MEMORY_H
#define EFI_MEMORY_H

#include <efi/types.h>

/*
 * EFI_MEMORY_TYPE is an enum in the spec, but OEM (0x70000000..0x7fffffff)
 * and OS loader (0x80000000..0xffffffff) values do not fit a C enum, so the
 * type is a UINT32 (the size the spec's enum has on every ABI) and the
 * spec's names are plain constants.
 */
typedef UINT32 EFI_MEMORY_TYPE;
enum {
	EfiReservedMemoryType = 0,
	EfiLoaderCode = 1,
	EfiLoaderData = 2,
	EfiBootServicesCode = 3,
	EfiBootServicesData = 4,
	EfiRuntimeServicesCode = 5,
	EfiRuntimeServicesData = 6,
	EfiConventionalMemory = 7,
	EfiUnusableMemory = 8,
	EfiACPIReclaimMemory = 9,
	EfiACPIMemoryNVS = 10,
	EfiMemoryMappedIO = 11,
	EfiMemoryMappedIOPortSpace = 12,
	EfiPalCode = 13,
	EfiPersistentMemory = 14,
	EfiUnacceptedMemoryType = 15,
	EfiMaxMemoryType = 16,
};
#define EFI_MEMORY_TYPE_OEM_FIRST 0x70000000U
#define EFI_MEMORY_TYPE_OEM_LAST 0x7fffffffU
#define EFI_MEMORY_TYPE_OS_FIRST 0x80000000U
#define EFI_MEMORY_TYPE_OS_LAST 0xffffffffU

/* Cacheability capabilities: which mappings the range can take. */
#define EFI_MEMORY_UC 0x0000000000000001ULL
#define EFI_MEMORY_WC 0x0000000000000002ULL
#define EFI_MEMORY_WT 0x0000000000000004ULL
#define EFI_MEMORY_WB 0x0000000000000008ULL
#define EFI_MEMORY_UCE 0x0000000000000010ULL
/* Since UEFI 2.5 WP is a cacheability attribute (write-protected caching). */
#define EFI_MEMORY_WP 0x0000000000001000ULL
/* Protection attributes: the only bits the memory attribute protocol takes. */
#define EFI_MEMORY_RP 0x0000000000002000ULL
#define EFI_MEMORY_XP 0x0000000000004000ULL
#define EFI_MEMORY_RO 0x0000000000020000ULL
/* Other properties of the range. */
#define EFI_MEMORY_NV 0x0000000000008000ULL
#define EFI_MEMORY_MORE_RELIABLE 0x0000000000010000ULL
#define EFI_MEMORY_SP 0x0000000000040000ULL
#define EFI_MEMORY_CPU_CRYPTO 0x0000000000080000ULL
/* The OS must map the range for runtime services (SetVirtualAddressMap). */
#define EFI_MEMORY_RUNTIME 0x8000000000000000ULL

#define EFI_MEMORY_CACHE_MASK                                                  \
	(EFI_MEMORY_UC | EFI_MEMORY_WC | EFI_MEMORY_WT | EFI_MEMORY_WB |       \
	 EFI_MEMORY_UCE | EFI_MEMORY_WP)
#define EFI_MEMORY_ACCESS_MASK (EFI_MEMORY_RP | EFI_MEMORY_XP | EFI_MEMORY_RO)

#define EFI_MEMORY_DESCRIPTOR_VERSION 1

/*
 * One memory map entry. The natural layout has 4 bytes of padding after
 * Type; clients must still step through a map by the DescriptorSize that
 * GetMemoryMap returns, never by sizeof.
 */
typedef struct {
	UINT32 Type;
	EFI_PHYSICAL_ADDRESS PhysicalStart;
	EFI_VIRTUAL_ADDRESS VirtualStart;
	UINT64 NumberOfPages;
	UINT64 Attribute;
} EFI_MEMORY_DESCRIPTOR;

_Static_assert(sizeof(EFI_MEMORY_DESCRIPTOR) == 40, "descriptor layout");
_Static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) == 8,
	       "descriptor layout");

typedef enum {
	AllocateAnyPages,
	AllocateMaxAddress,
	AllocateAddress,
	MaxAllocateType,
} EFI_ALLOCATE_TYPE;

/*
 * EFI_MEMORY_ATTRIBUTES_TABLE (configuration table): permissions of the
 * runtime code and data regions, followed by NumberOfEntries descriptors of
 * DescriptorSize bytes each.
 */
typedef struct {
	UINT32 Version;
	UINT32 NumberOfEntries;
	UINT32 DescriptorSize;
	/* "Reserved" before version 2 */
	UINT32 Flags;
	/* EFI_MEMORY_DESCRIPTOR Entry[NumberOfEntries]; */
} EFI_MEMORY_ATTRIBUTES_TABLE;

#define EFI_MEMORY_ATTRIBUTES_TABLE_VERSION 0x00000002
/* Runtime code has forward-edge control flow guards (BTI on arm64). */
#define EFI_MEMORY_ATTRIBUTES_FLAGS_RT_FORWARD_CONTROL_FLOW_GUARD 0x1

#endif
