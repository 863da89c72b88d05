/* SPDX-License-Identifier: MIT */
/* Image loading entry points for the boot policy (src/boot/). */
#ifndef MMUON_EFI_IMAGE_H
#define MMUON_EFI_IMAGE_H

#include <efi/efi.h>

#include <mmuon/pe.h>

/*
 * Finish an image that is already laid out at base (pages allocated by the
 * caller, e.g. DMA'd there by fw_cfg): relocate, make its code visible to
 * instruction fetch, set section permissions, create its handle with the
 * loaded image protocols.
 */
EFI_STATUS efi_image_adopt(EFI_PHYSICAL_ADDRESS base, uint64_t pages,
			   const struct pe_image *pe, EFI_HANDLE parent,
			   EFI_DEVICE_PATH_PROTOCOL *device_path,
			   EFI_HANDLE *image_handle);

/* The loaded image protocol of an image handle, to fill in LoadOptions. */
EFI_LOADED_IMAGE_PROTOCOL *efi_image_loaded(EFI_HANDLE image_handle);

#endif
