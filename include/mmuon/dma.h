/* SPDX-License-Identifier: MIT */
/*
 * Memory for the drivers under src/drivers/, which know nothing of UEFI:
 * src/efi/driver_memory.c backs these with boot-services pages (the OS
 * reuses them once it has quiesced the devices), host tests with calloc.
 *
 * mmuon maps RAM 1:1 and QEMU's virt machine has no IOMMU in front of
 * the devices mmuon drives, so a buffer's CPU address is the address a
 * device DMAs to. Coherency is the DT's word (dma-coherent): see
 * src/drivers/virtio/virtqueue.c for what that spares and what a
 * non-coherent device would need.
 */
#ifndef MMUON_DMA_H
#define MMUON_DMA_H

#include <stddef.h>
#include <stdint.h>

/* Zeroed, page-aligned memory a device may read and write; NULL if none. */
void *dma_alloc(size_t size);
void dma_free(void *p, size_t size);

/* The bus address a device uses for the CPU address @p (identity). */
static inline uint64_t dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Zeroed memory for a driver's own state; NULL if none. */
void *drv_zalloc(size_t size);
void drv_free(void *p);

#endif
