/* SPDX-License-Identifier: MIT */
/*
 * EFI_BLOCK_IO_PROTOCOL (UEFI 2.10, section 13.9) with the revision 3 media
 * fields, EFI_DISK_IO_PROTOCOL (13.7) and EFI_PARTITION_INFO_PROTOCOL
 * (13.18), which mmuon installs on every disk and partition.
 */
#ifndef EFI_PROTOCOL_BLOCK_IO_H
#define EFI_PROTOCOL_BLOCK_IO_H

#include <efi/guid.h>
#include <efi/types.h>

#define EFI_BLOCK_IO_PROTOCOL_REVISION3 0x0002001f
#define EFI_DISK_IO_PROTOCOL_REVISION 0x00010000
#define EFI_PARTITION_INFO_PROTOCOL_REVISION 0x00001000

typedef struct {
	UINT32 MediaId;
	BOOLEAN RemovableMedia;
	BOOLEAN MediaPresent;
	BOOLEAN LogicalPartition;
	BOOLEAN ReadOnly;
	BOOLEAN WriteCaching;
	UINT32 BlockSize;
	UINT32 IoAlign;
	EFI_LBA LastBlock;
	/* revision 2 */
	EFI_LBA LowestAlignedLba;
	UINT32 LogicalBlocksPerPhysicalBlock;
	/* revision 3 */
	UINT32 OptimalTransferLengthGranularity;
} EFI_BLOCK_IO_MEDIA;

typedef struct EFI_BLOCK_IO_PROTOCOL EFI_BLOCK_IO_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_BLOCK_RESET)(EFI_BLOCK_IO_PROTOCOL *This,
					    BOOLEAN ExtendedVerification);
typedef EFI_STATUS(EFIAPI *EFI_BLOCK_READ)(EFI_BLOCK_IO_PROTOCOL *This,
					   UINT32 MediaId, EFI_LBA Lba,
					   UINTN BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_BLOCK_WRITE)(EFI_BLOCK_IO_PROTOCOL *This,
					    UINT32 MediaId, EFI_LBA Lba,
					    UINTN BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_BLOCK_FLUSH)(EFI_BLOCK_IO_PROTOCOL *This);

struct EFI_BLOCK_IO_PROTOCOL {
	UINT64 Revision;
	EFI_BLOCK_IO_MEDIA *Media;
	EFI_BLOCK_RESET Reset;
	EFI_BLOCK_READ ReadBlocks;
	EFI_BLOCK_WRITE WriteBlocks;
	EFI_BLOCK_FLUSH FlushBlocks;
};

typedef struct EFI_DISK_IO_PROTOCOL EFI_DISK_IO_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_DISK_READ)(EFI_DISK_IO_PROTOCOL *This,
					  UINT32 MediaId, UINT64 Offset,
					  UINTN BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_DISK_WRITE)(EFI_DISK_IO_PROTOCOL *This,
					   UINT32 MediaId, UINT64 Offset,
					   UINTN BufferSize, VOID *Buffer);

struct EFI_DISK_IO_PROTOCOL {
	UINT64 Revision;
	EFI_DISK_READ ReadDisk;
	EFI_DISK_WRITE WriteDisk;
};

#define PARTITION_TYPE_OTHER 0x00
#define PARTITION_TYPE_MBR 0x01
#define PARTITION_TYPE_GPT 0x02

/* The on-disk records, as EFI_PARTITION_INFO_PROTOCOL carries them. */
typedef struct __attribute__((packed)) {
	UINT8 BootIndicator;
	UINT8 StartHead;
	UINT8 StartSector;
	UINT8 StartTrack;
	UINT8 OSIndicator;
	UINT8 EndHead;
	UINT8 EndSector;
	UINT8 EndTrack;
	UINT8 StartingLBA[4];
	UINT8 SizeInLBA[4];
} MBR_PARTITION_RECORD;

typedef struct __attribute__((packed)) {
	EFI_GUID PartitionTypeGUID;
	EFI_GUID UniquePartitionGUID;
	EFI_LBA StartingLBA;
	EFI_LBA EndingLBA;
	UINT64 Attributes;
	CHAR16 PartitionName[36];
} EFI_PARTITION_ENTRY;

typedef struct __attribute__((packed)) {
	UINT32 Revision;
	UINT32 Type;  /* PARTITION_TYPE_* */
	UINT8 System; /* 1: an EFI system partition */
	UINT8 Reserved[7];
	union {
		MBR_PARTITION_RECORD Mbr;
		EFI_PARTITION_ENTRY Gpt;
	} Info;
} EFI_PARTITION_INFO_PROTOCOL;

_Static_assert(sizeof(MBR_PARTITION_RECORD) == 16, "MBR record");
_Static_assert(sizeof(EFI_PARTITION_ENTRY) == 128, "GPT entry");
_Static_assert(sizeof(EFI_PARTITION_INFO_PROTOCOL) == 144, "partition info");

#endif
