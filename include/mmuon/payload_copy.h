/* SPDX-License-Identifier: MIT */
/*
 * Copies of boot payload by the CPU, counted.
 *
 * mmuon's claim is that the kernel and the initrd reach their final
 * addresses by DMA, never through the CPU. Every place where firmware code
 * does copy payload (image files, initrds, file data a client asked to be
 * loaded) calls payload_copy() instead of memcpy(), so the boot statistics
 * (cpu_copied_bytes, src/boot/boot_stats.c) count the bytes actually copied,
 * not what a code path is assumed to copy. Copies a client makes through
 * CopyMem are the client's and are not counted; neither are the firmware's
 * own small structures (device paths, variables).
 */
#ifndef MMUON_PAYLOAD_COPY_H
#define MMUON_PAYLOAD_COPY_H

#include <stddef.h>
#include <stdint.h>

/* memcpy(dst, src, n), adding n to the count. */
void *payload_copy(void *dst, const void *src, size_t n);

/* Bytes copied by payload_copy() since reset. */
uint64_t payload_copied_bytes(void);

#endif
