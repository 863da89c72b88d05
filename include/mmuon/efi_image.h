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

/*
 * The boot policy's say in where LoadImage puts an image it copies from a
 * buffer (src/boot/linux.c: Linux kernels handed over by GRUB or
 * systemd-stub go to a random slot, as the -kernel does). Returns
 * EFI_SUCCESS with @pages allocated at *base, and the image is then marked
 * LINUX_EFI_LOADED_IMAGE_FIXED_GUID; EFI_UNSUPPORTED to leave the image to
 * LoadImage (anywhere in free RAM); any other error fails the LoadImage.
 */
typedef EFI_STATUS (*efi_image_placer)(const struct pe_image *pe,
				       const void *file, UINTN file_size,
				       uint64_t pages,
				       EFI_PHYSICAL_ADDRESS *base);
/* @loaded (optional) is called once an image the placer placed is loaded:
 * copied, relocated, protected, marked FIXED. */
void efi_image_set_placer(efi_image_placer placer, void (*loaded)(void));

/* Images loaded so far without NX_COMPAT (given RWX code allocations). */
uint32_t efi_image_non_nx_count(void);

/*
 * AllocatePages calls this for each EfiLoaderCode allocation: made while an
 * image without NX_COMPAT runs, it becomes readable, writable and
 * executable (see src/efi/image.c). Fails only if the page tables have
 * no room for the change; the caller then frees the pages.
 */
EFI_STATUS efi_image_map_loader_code(EFI_PHYSICAL_ADDRESS base, UINTN pages);

/* The loaded image protocol of an image handle, to fill in LoadOptions. */
EFI_LOADED_IMAGE_PROTOCOL *efi_image_loaded(EFI_HANDLE image_handle);

#endif
