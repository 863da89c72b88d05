/* SPDX-License-Identifier: MIT */
/*
 * UEFI base types (UEFI 2.10, section 2.3.1), written for mmuon.
 *
 * Only arm64 (LP64, little-endian) is supported: the firmware runs there and
 * the unit tests run on an LP64 little-endian host, so UINTN is 64 bits on
 * both and the layouts below are the ones an EFI client sees.
 */
#ifndef EFI_TYPES_H
#define EFI_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The calling convention of EFI functions. On AArch64 it is the ordinary
 * AAPCS64 procedure call standard, so nothing needs saying.
 */
#define EFIAPI

typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef int8_t INT8;
typedef int16_t INT16;
typedef int32_t INT32;
typedef int64_t INT64;
typedef uintptr_t UINTN;
typedef intptr_t INTN;
typedef char CHAR8;
typedef uint16_t CHAR16; /* UCS-2, not wchar_t: that is 32 bits on Linux */
typedef void VOID;

/* The spec's BOOLEAN is one byte holding 0 or 1, unlike C's _Bool ABI-wise. */
typedef uint8_t BOOLEAN;
#define TRUE ((BOOLEAN)1)
#define FALSE ((BOOLEAN)0)

typedef UINTN EFI_STATUS;
typedef VOID *EFI_HANDLE;
typedef VOID *EFI_EVENT;
typedef UINTN EFI_TPL;
typedef UINT64 EFI_LBA;
typedef UINT64 EFI_PHYSICAL_ADDRESS;
typedef UINT64 EFI_VIRTUAL_ADDRESS;

/*
 * A GUID as UEFI stores it: the first three fields in the CPU's (little)
 * endianness, the last eight bytes in the order they are written. So
 * 5b1b31a1-9562-11d2-8e3f-00a0c969723b is the bytes
 * a1 31 1b 5b 62 95 d2 11 8e 3f 00 a0 c9 69 72 3b.
 */
typedef struct {
	UINT32 Data1;
	UINT16 Data2;
	UINT16 Data3;
	UINT8 Data4[8];
} EFI_GUID;

/*
 * Initializer for an EFI_GUID from the usual textual form
 * aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee: EFI_GUID_INIT(0xaaaaaaaa, 0xbbbb,
 * 0xcccc, 0xdd, 0xdd, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee).
 */
#define EFI_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                 \
	{                                                                      \
		(a), (b), (c),                                                 \
		{                                                              \
			(d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7)         \
		}                                                              \
	}

static inline bool efi_guid_equal(const EFI_GUID *a, const EFI_GUID *b)
{
	/* Field by field: no memcmp in a freestanding header. */
	if (a->Data1 != b->Data1 || a->Data2 != b->Data2 ||
	    a->Data3 != b->Data3)
		return false;
	for (int i = 0; i < 8; i++)
		if (a->Data4[i] != b->Data4[i])
			return false;
	return true;
}

/* Common header of the system, boot services and runtime services tables. */
typedef struct {
	UINT64 Signature;
	UINT32 Revision;
	UINT32 HeaderSize; /* of the whole table, header included */
	UINT32 CRC32;	   /* of HeaderSize bytes, with this field zero */
	UINT32 Reserved;
} EFI_TABLE_HEADER;

#define EFI_PAGE_SHIFT 12
#define EFI_PAGE_SIZE (1ULL << EFI_PAGE_SHIFT)
#define EFI_PAGE_MASK (EFI_PAGE_SIZE - 1)
#define EFI_SIZE_TO_PAGES(size)                                                \
	(((UINT64)(size) >> EFI_PAGE_SHIFT) +                                  \
	 (((UINT64)(size)&EFI_PAGE_MASK) ? 1 : 0))
#define EFI_PAGES_TO_SIZE(pages) ((UINT64)(pages) << EFI_PAGE_SHIFT)

_Static_assert(sizeof(UINTN) == 8, "mmuon supports only 64-bit targets");
_Static_assert(sizeof(EFI_GUID) == 16, "EFI_GUID is 128 bits");
_Static_assert(sizeof(EFI_TABLE_HEADER) == 24, "EFI_TABLE_HEADER layout");

#endif
