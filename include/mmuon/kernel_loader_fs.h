/* SPDX-License-Identifier: MIT */
/*
 * QEMU's -kernel, -initrd and -append as a read-only filesystem
 * (src/efi/kernel_loader_fs.c), as EDK2's QemuKernelLoaderFsDxe offers
 * them: files "kernel", "initrd" and "cmdline" on a handle whose device
 * path is VenMedia(QEMU_KERNEL_LOADER_FS_MEDIA_GUID)/End.
 */
#ifndef MMUON_KERNEL_LOADER_FS_H
#define MMUON_KERNEL_LOADER_FS_H

#include <efi/efi.h>

/* The filesystem's device path. */
struct kernel_loader_fs_path {
	EFI_VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH_PROTOCOL end;
} __attribute__((packed));

/* Its device path plus File("kernel"): where the -kernel image comes from. */
struct kernel_loader_file_path {
	EFI_VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH_PROTOCOL file;
	CHAR16 name[sizeof("kernel")];
	EFI_DEVICE_PATH_PROTOCOL end;
} __attribute__((packed));

/*
 * Reads the sizes of the three items from fw_cfg and installs the
 * filesystem and its device path on a new handle (*handle NULL) or on
 * *handle.
 */
EFI_STATUS kernel_loader_fs_install(EFI_HANDLE *handle);

/* VenMedia(QEMU_KERNEL_LOADER_FS_MEDIA_GUID)/File("kernel")/End. */
extern const struct kernel_loader_file_path kernel_loader_fs_kernel_path;

#endif
