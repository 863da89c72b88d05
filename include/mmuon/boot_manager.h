/* SPDX-License-Identifier: MIT */
#ifndef MMUON_BOOT_MANAGER_H
#define MMUON_BOOT_MANAGER_H

#include <mmuon/platform.h>

/*
 * The UEFI boot manager (src/boot/boot_manager.c): QEMU's -kernel first,
 * then BootNext, BootOrder (sorted by QEMU's bootindex= order) and the
 * removable-media file of every filesystem. Returns never: when nothing
 * boots, what was tried is listed and the machine powered off.
 */
__attribute__((noreturn)) void boot_manager_run(const struct platform *p);

#endif
