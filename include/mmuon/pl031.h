/* SPDX-License-Identifier: MIT */
/*
 * The Arm PrimeCell PL031 real time clock (Arm DDI 0224): a 32-bit counter
 * of seconds, which Linux and QEMU read as seconds since the Unix epoch,
 * UTC. These accessors touch only the device's MMIO, so the runtime
 * services may use them after ExitBootServices.
 */
#ifndef MMUON_PL031_H
#define MMUON_PL031_H

#include <stdbool.h>
#include <stdint.h>

#define PL031_DR 0x000	 /* data: the current count, read-only */
#define PL031_MR 0x004	 /* match (alarm) */
#define PL031_LR 0x008	 /* load: writing sets the count */
#define PL031_CR 0x00c	 /* control: bit 0 starts the counter */
#define PL031_IMSC 0x010 /* interrupt mask set/clear */
#define PL031_ICR 0x01c	 /* interrupt clear */
#define PL031_PERIPH_ID0 0xfe0
#define PL031_CELL_ID0 0xff0

#define PL031_CR_START 1u

/* True if the PrimeCell identification registers name a PL031. */
bool pl031_probe(uintptr_t base);
/* Starts the counter if it is not running and masks its interrupt (the
 * firmware never takes it). */
void pl031_init(uintptr_t base);
uint32_t pl031_read_seconds(uintptr_t base);
void pl031_write_seconds(uintptr_t base, uint32_t seconds);

#endif
