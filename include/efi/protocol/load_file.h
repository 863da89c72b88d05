/* SPDX-License-Identifier: MIT */
/*
 * EFI_LOAD_FILE_PROTOCOL and EFI_LOAD_FILE2_PROTOCOL (UEFI 2.10, section
 * 13.1, 13.2). Both have the same layout; they differ in GUID and in that
 * LoadFile2 must be called with BootPolicy FALSE. Linux loads its initrd
 * through LoadFile2 on the LINUX_EFI_INITRD_MEDIA_GUID device path.
 */
#ifndef EFI_PROTOCOL_LOAD_FILE_H
#define EFI_PROTOCOL_LOAD_FILE_H

#include <efi/guid.h>
#include <efi/protocol/device_path.h>
#include <efi/types.h>

typedef struct EFI_LOAD_FILE_PROTOCOL EFI_LOAD_FILE_PROTOCOL;

/*
 * With *BufferSize too small (or Buffer NULL) the answer is
 * EFI_BUFFER_TOO_SMALL and the size needed in *BufferSize.
 */
typedef EFI_STATUS(EFIAPI *EFI_LOAD_FILE)(EFI_LOAD_FILE_PROTOCOL *This,
					  EFI_DEVICE_PATH_PROTOCOL *FilePath,
					  BOOLEAN BootPolicy, UINTN *BufferSize,
					  VOID *Buffer);

struct EFI_LOAD_FILE_PROTOCOL {
	EFI_LOAD_FILE LoadFile;
};

typedef EFI_LOAD_FILE_PROTOCOL EFI_LOAD_FILE2_PROTOCOL;
typedef EFI_LOAD_FILE EFI_LOAD_FILE2;

#endif
