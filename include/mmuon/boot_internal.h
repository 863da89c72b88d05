/* SPDX-License-Identifier: MIT */
/* Between the files of the boot policy (src/boot/). */
#ifndef MMUON_BOOT_INTERNAL_H
#define MMUON_BOOT_INTERNAL_H

#include <stdint.h>

/*
 * What the boot did with the kernel and the initrd, published at
 * ExitBootServices as the EFI variable MmuonBootStats (runtime access), so
 * the guest can check the zero-copy claim itself.
 */
struct boot_stats {
	uint64_t kernel_base, kernel_size;
	uint64_t initrd_base, initrd_size;
	uint64_t dma_bytes; /* written by fw_cfg DMA */
	/* payload copied by the CPU (payload_copy()): 0 unless a loader handed
	 * a kernel to LoadImage from a buffer */
	uint64_t cpu_copied_bytes;
	uint64_t bss_zeroed_bytes; /* written by the CPU: the kernel's BSS */
};

extern struct boot_stats boot_stats;

/* Offer -initrd through LoadFile2, if one was given. */
void initrd_install(void);

/* Publish boot_stats in the installed DT now and on every
 * boot_stats_update(), and as an EFI variable at ExitBootServices. */
void boot_stats_publish(void);
void boot_stats_update(void);

#endif
