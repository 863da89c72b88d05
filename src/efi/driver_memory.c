// SPDX-License-Identifier: MIT
/*
 * include/mmuon/dma.h for the firmware: everything the drivers allocate
 * is EfiBootServicesData, so none of it stays reserved once the OS has
 * exited boot services (the drivers reset their devices first: see
 * src/boot/storage.c).
 */
#include <string.h>

#include <mmuon/dma.h>
#include <mmuon/efi_core.h>

void *dma_alloc(size_t size)
{
	EFI_PHYSICAL_ADDRESS addr;

	if (!size ||
	    efi_allocate_pages(AllocateAnyPages, EfiBootServicesData,
			       EFI_SIZE_TO_PAGES(size), &addr) != EFI_SUCCESS)
		return NULL;
	return memset((void *)(uintptr_t)addr, 0, size);
}

void dma_free(void *p, size_t size)
{
	if (p)
		efi_free_pages((uintptr_t)p, EFI_SIZE_TO_PAGES(size));
}

void *drv_zalloc(size_t size)
{
	return efi_zalloc(size);
}

void drv_free(void *p)
{
	efi_free(p);
}
