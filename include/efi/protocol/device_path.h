/* SPDX-License-Identifier: MIT */
/*
 * Device paths (UEFI 2.10, chapter 10): a byte stream of variable-length
 * nodes, each starting with a 4-byte header, ended by an End node. Nodes are
 * only byte aligned, so every node struct here is packed: the compiler must
 * not assume more alignment than the stream gives.
 */
#ifndef EFI_PROTOCOL_DEVICE_PATH_H
#define EFI_PROTOCOL_DEVICE_PATH_H

#include <efi/guid.h>
#include <efi/types.h>

/* The protocol interface is the first node of the path. */
typedef struct __attribute__((packed)) EFI_DEVICE_PATH_PROTOCOL {
	UINT8 Type;
	UINT8 SubType;
	UINT8 Length[2]; /* little-endian, whole node including this header */
} EFI_DEVICE_PATH_PROTOCOL;

/* Node types */
#define HARDWARE_DEVICE_PATH 0x01
#define ACPI_DEVICE_PATH 0x02
#define MESSAGING_DEVICE_PATH 0x03
#define MEDIA_DEVICE_PATH 0x04
#define BBS_DEVICE_PATH 0x05
#define END_DEVICE_PATH_TYPE 0x7f

/* Hardware sub-types */
#define HW_PCI_DP 0x01
#define HW_PCCARD_DP 0x02
#define HW_MEMMAP_DP 0x03
#define HW_VENDOR_DP 0x04
#define HW_CONTROLLER_DP 0x05
#define HW_BMC_DP 0x06

/* Messaging sub-types (only the vendor one is of use here) */
#define MSG_VENDOR_DP 0x0a

/* Media sub-types */
#define MEDIA_HARDDRIVE_DP 0x01
#define MEDIA_CDROM_DP 0x02
#define MEDIA_VENDOR_DP 0x03
#define MEDIA_FILEPATH_DP 0x04
#define MEDIA_PROTOCOL_DP 0x05
#define MEDIA_PIWG_FW_FILE_DP 0x06
#define MEDIA_PIWG_FW_VOL_DP 0x07
#define MEDIA_RELATIVE_OFFSET_RANGE_DP 0x08
#define MEDIA_RAM_DISK_DP 0x09

/* End sub-types */
#define END_INSTANCE_DEVICE_PATH_SUBTYPE 0x01
#define END_ENTIRE_DEVICE_PATH_SUBTYPE 0xff

/* Vendor node (hardware, messaging or media): a GUID, then vendor data. */
typedef struct __attribute__((packed)) {
	EFI_DEVICE_PATH_PROTOCOL Header;
	EFI_GUID Guid;
	/* UINT8 VendorDefinedData[]; */
} EFI_VENDOR_DEVICE_PATH;

/* Memory-mapped node: a range of memory of one EFI memory type. */
typedef struct __attribute__((packed)) {
	EFI_DEVICE_PATH_PROTOCOL Header;
	UINT32 MemoryType;
	EFI_PHYSICAL_ADDRESS StartingAddress;
	EFI_PHYSICAL_ADDRESS EndingAddress; /* inclusive */
} EFI_MEMMAP_DEVICE_PATH;

/* File path node: a NUL-terminated UCS-2 path. */
typedef struct __attribute__((packed)) {
	EFI_DEVICE_PATH_PROTOCOL Header;
	CHAR16 PathName[];
} EFI_FILEPATH_DEVICE_PATH;

_Static_assert(sizeof(EFI_DEVICE_PATH_PROTOCOL) == 4, "node header");
_Static_assert(sizeof(EFI_VENDOR_DEVICE_PATH) == 20, "vendor node");
_Static_assert(sizeof(EFI_MEMMAP_DEVICE_PATH) == 24, "memory-mapped node");

static inline UINT16 efi_dp_node_length(const EFI_DEVICE_PATH_PROTOCOL *node)
{
	return (UINT16)(node->Length[0] | (node->Length[1] << 8));
}

static inline void efi_dp_set_node_length(EFI_DEVICE_PATH_PROTOCOL *node,
					  UINT16 len)
{
	node->Length[0] = (UINT8)len;
	node->Length[1] = (UINT8)(len >> 8);
}

static inline bool efi_dp_is_end(const EFI_DEVICE_PATH_PROTOCOL *node)
{
	return node->Type == END_DEVICE_PATH_TYPE &&
	       node->SubType == END_ENTIRE_DEVICE_PATH_SUBTYPE;
}

#endif
