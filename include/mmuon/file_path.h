/* SPDX-License-Identifier: MIT */
/*
 * Files named by device paths, as LoadImage(BootPolicy, parent, path,
 * NULL, 0) and the boot manager need them (src/efi/file_path.c): the
 * device part of the path is resolved with LocateDevicePath, the rest is
 * read through the protocol found there, in EDK2's order:
 *
 *   EFI_SIMPLE_FILE_SYSTEM_PROTOCOL   the rest is File() nodes
 *   EFI_LOAD_FILE2_PROTOCOL           only with BootPolicy FALSE
 *   EFI_LOAD_FILE_PROTOCOL
 *
 * A file on a filesystem can also be read piece by piece straight into
 * its final place (efi_file_source_read): a kernel read this way goes by
 * DMA from the disk to the slot it runs in.
 */
#ifndef MMUON_FILE_PATH_H
#define MMUON_FILE_PATH_H

#include <efi/efi.h>
#include <efi/protocol/simple_file_system.h>

/* Longest path name built from File() nodes, NUL included. */
#define FILE_PATH_NAME_MAX 512

/* A file opened through SimpleFileSystem. */
struct efi_file_source {
	EFI_FILE_PROTOCOL *root, *file;
	UINT64 size;
	EFI_HANDLE device; /* the handle with the filesystem */
};

/*
 * Opens the file @path names on a SimpleFileSystem. EFI_NOT_FOUND if no
 * filesystem is on the path or the file is not there, EFI_UNSUPPORTED if
 * it names a directory or something other than File() nodes follow the
 * device.
 */
EFI_STATUS efi_file_source_open(EFI_DEVICE_PATH_PROTOCOL *path,
				struct efi_file_source *src);

/* Reads @len bytes at @offset into @dst (all of them, or an error). */
EFI_STATUS efi_file_source_read(struct efi_file_source *src, UINT64 offset,
				void *dst, UINTN len);

void efi_file_source_close(struct efi_file_source *src);

/*
 * The whole file @path names, in pool memory (EfiBootServicesData) that
 * the caller frees with efi_free_pool; *@device gets the handle it came
 * from (may be NULL).
 */
EFI_STATUS efi_file_path_read(BOOLEAN boot_policy,
			      EFI_DEVICE_PATH_PROTOCOL *path, void **buffer,
			      UINTN *size, EFI_HANDLE *device);

#endif
