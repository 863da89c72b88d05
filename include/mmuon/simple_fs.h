/* SPDX-License-Identifier: MIT */
/*
 * EFI_SIMPLE_FILE_SYSTEM_PROTOCOL on FAT volumes (src/efi/simple_fs.c).
 */
#ifndef MMUON_SIMPLE_FS_H
#define MMUON_SIMPLE_FS_H

#include <efi/efi.h>
#include <efi/protocol/simple_file_system.h>

#include <mmuon/blockdev.h>

/*
 * Mounts @dev as FAT and installs EFI_SIMPLE_FILE_SYSTEM_PROTOCOL on
 * @handle. EFI_UNSUPPORTED if it is not FAT; a FAT volume that is not
 * usable (EFI_VOLUME_CORRUPTED) is reported on the console under @name.
 */
EFI_STATUS efi_simple_fs_attach(EFI_HANDLE handle, struct blockdev *dev,
				const char *name);

/*
 * Mounts FAT on every disk and partition the storage drivers install, now
 * and later (efi_block_watch), as EDK2's FAT driver binds to each BlockIo.
 */
void efi_simple_fs_install(void);

#endif
