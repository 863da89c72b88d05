/* SPDX-License-Identifier: MIT */
/*
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL and EFI_FILE_PROTOCOL (UEFI 2.10,
 * sections 13.4 and 13.5), with the information types GetInfo/SetInfo
 * exchange: EFI_FILE_INFO, EFI_FILE_SYSTEM_INFO and
 * EFI_FILE_SYSTEM_VOLUME_LABEL (13.5.16-13.5.18).
 *
 * mmuon offers them on FAT partitions (src/efi/simple_fs.c) and on QEMU's
 * -kernel/-initrd files (the kernel-loader filesystem). systemd-boot reads
 * its entries through them; LoadImage reads a file device path through
 * them.
 */
#ifndef EFI_PROTOCOL_SIMPLE_FILE_SYSTEM_H
#define EFI_PROTOCOL_SIMPLE_FILE_SYSTEM_H

#include <efi/guid.h>
#include <efi/runtime_services.h>
#include <efi/types.h>

#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID                                   \
	EFI_GUID_INIT(0x964e5b22, 0x6459, 0x11d2, 0x8e, 0x39, 0x00, 0xa0,      \
		      0xc9, 0x69, 0x72, 0x3b)
#define EFI_FILE_INFO_ID                                                       \
	EFI_GUID_INIT(0x09576e92, 0x6d3f, 0x11d2, 0x8e, 0x39, 0x00, 0xa0,      \
		      0xc9, 0x69, 0x72, 0x3b)
#define EFI_FILE_SYSTEM_INFO_ID                                                \
	EFI_GUID_INIT(0x09576e93, 0x6d3f, 0x11d2, 0x8e, 0x39, 0x00, 0xa0,      \
		      0xc9, 0x69, 0x72, 0x3b)
#define EFI_FILE_SYSTEM_VOLUME_LABEL_ID                                        \
	EFI_GUID_INIT(0xdb47d7d3, 0xfe81, 0x11d3, 0x9a, 0x35, 0x00, 0x90,      \
		      0x27, 0x3f, 0xc1, 0x4d)

#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_REVISION 0x00010000
#define EFI_FILE_PROTOCOL_REVISION 0x00010000
#define EFI_FILE_PROTOCOL_REVISION2 0x00020000
#define EFI_FILE_PROTOCOL_LATEST_REVISION EFI_FILE_PROTOCOL_REVISION2

/* Open modes: READ, READ|WRITE or READ|WRITE|CREATE, nothing else. */
#define EFI_FILE_MODE_READ 0x0000000000000001ULL
#define EFI_FILE_MODE_WRITE 0x0000000000000002ULL
#define EFI_FILE_MODE_CREATE 0x8000000000000000ULL

/* File attributes (the low six are FAT's directory-entry attributes). */
#define EFI_FILE_READ_ONLY 0x0000000000000001ULL
#define EFI_FILE_HIDDEN 0x0000000000000002ULL
#define EFI_FILE_SYSTEM 0x0000000000000004ULL
#define EFI_FILE_RESERVED 0x0000000000000008ULL
#define EFI_FILE_DIRECTORY 0x0000000000000010ULL
#define EFI_FILE_ARCHIVE 0x0000000000000020ULL
#define EFI_FILE_VALID_ATTR 0x0000000000000037ULL

typedef struct EFI_FILE_PROTOCOL EFI_FILE_PROTOCOL;
typedef EFI_FILE_PROTOCOL *EFI_FILE_HANDLE;
typedef struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL EFI_SIMPLE_FILE_SYSTEM_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_OPEN_VOLUME)(
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *This, EFI_FILE_PROTOCOL **Root);

struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL {
	UINT64 Revision;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_OPEN_VOLUME OpenVolume;
};

/* For the *Ex functions (revision 2): asynchronous I/O tokens. */
typedef struct {
	EFI_EVENT Event;
	EFI_STATUS Status;
	UINTN BufferSize;
	VOID *Buffer;
} EFI_FILE_IO_TOKEN;

typedef EFI_STATUS(EFIAPI *EFI_FILE_OPEN)(EFI_FILE_PROTOCOL *This,
					  EFI_FILE_PROTOCOL **NewHandle,
					  CHAR16 *FileName, UINT64 OpenMode,
					  UINT64 Attributes);
typedef EFI_STATUS(EFIAPI *EFI_FILE_CLOSE)(EFI_FILE_PROTOCOL *This);
typedef EFI_STATUS(EFIAPI *EFI_FILE_DELETE)(EFI_FILE_PROTOCOL *This);
typedef EFI_STATUS(EFIAPI *EFI_FILE_READ)(EFI_FILE_PROTOCOL *This,
					  UINTN *BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_WRITE)(EFI_FILE_PROTOCOL *This,
					   UINTN *BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_GET_POSITION)(EFI_FILE_PROTOCOL *This,
						  UINT64 *Position);
typedef EFI_STATUS(EFIAPI *EFI_FILE_SET_POSITION)(EFI_FILE_PROTOCOL *This,
						  UINT64 Position);
typedef EFI_STATUS(EFIAPI *EFI_FILE_GET_INFO)(EFI_FILE_PROTOCOL *This,
					      EFI_GUID *InformationType,
					      UINTN *BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_SET_INFO)(EFI_FILE_PROTOCOL *This,
					      EFI_GUID *InformationType,
					      UINTN BufferSize, VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FILE_FLUSH)(EFI_FILE_PROTOCOL *This);
typedef EFI_STATUS(EFIAPI *EFI_FILE_OPEN_EX)(EFI_FILE_PROTOCOL *This,
					     EFI_FILE_PROTOCOL **NewHandle,
					     CHAR16 *FileName, UINT64 OpenMode,
					     UINT64 Attributes,
					     EFI_FILE_IO_TOKEN *Token);
typedef EFI_STATUS(EFIAPI *EFI_FILE_READ_EX)(EFI_FILE_PROTOCOL *This,
					     EFI_FILE_IO_TOKEN *Token);
typedef EFI_STATUS(EFIAPI *EFI_FILE_WRITE_EX)(EFI_FILE_PROTOCOL *This,
					      EFI_FILE_IO_TOKEN *Token);
typedef EFI_STATUS(EFIAPI *EFI_FILE_FLUSH_EX)(EFI_FILE_PROTOCOL *This,
					      EFI_FILE_IO_TOKEN *Token);

struct EFI_FILE_PROTOCOL {
	UINT64 Revision;
	EFI_FILE_OPEN Open;
	EFI_FILE_CLOSE Close;
	EFI_FILE_DELETE Delete;
	EFI_FILE_READ Read;
	EFI_FILE_WRITE Write;
	EFI_FILE_GET_POSITION GetPosition;
	EFI_FILE_SET_POSITION SetPosition;
	EFI_FILE_GET_INFO GetInfo;
	EFI_FILE_SET_INFO SetInfo;
	EFI_FILE_FLUSH Flush;
	/* Revision 2 */
	EFI_FILE_OPEN_EX OpenEx;
	EFI_FILE_READ_EX ReadEx;
	EFI_FILE_WRITE_EX WriteEx;
	EFI_FILE_FLUSH_EX FlushEx;
};

/*
 * EFI_FILE_INFO: Size counts the whole structure, FileName's NUL
 * included. FileName is the file's own name, not its path ("" for the
 * root directory).
 */
typedef struct {
	UINT64 Size;
	UINT64 FileSize;
	UINT64 PhysicalSize;
	EFI_TIME CreateTime;
	EFI_TIME LastAccessTime;
	EFI_TIME ModificationTime;
	UINT64 Attribute;
	CHAR16 FileName[];
} EFI_FILE_INFO;

/* The fixed part of EFI_FILE_INFO, the offset of FileName. */
#define SIZE_OF_EFI_FILE_INFO 80

typedef struct {
	UINT64 Size;
	BOOLEAN ReadOnly;
	UINT64 VolumeSize;
	UINT64 FreeSpace;
	UINT32 BlockSize;
	CHAR16 VolumeLabel[];
} EFI_FILE_SYSTEM_INFO;

/* The fixed part of EFI_FILE_SYSTEM_INFO, the offset of VolumeLabel. */
#define SIZE_OF_EFI_FILE_SYSTEM_INFO 36

typedef struct {
	CHAR16 VolumeLabel[1];
} EFI_FILE_SYSTEM_VOLUME_LABEL;

_Static_assert(__builtin_offsetof(EFI_FILE_INFO, FileName) ==
		       SIZE_OF_EFI_FILE_INFO,
	       "EFI_FILE_INFO layout");
_Static_assert(__builtin_offsetof(EFI_FILE_SYSTEM_INFO, VolumeLabel) ==
		       SIZE_OF_EFI_FILE_SYSTEM_INFO,
	       "EFI_FILE_SYSTEM_INFO layout");
_Static_assert(__builtin_offsetof(EFI_FILE_PROTOCOL, FlushEx) == 14 * 8,
	       "EFI_FILE_PROTOCOL layout");

#endif
