/* SPDX-License-Identifier: MIT */
#ifndef MMUON_BOOT_H
#define MMUON_BOOT_H

#include <mmuon/platform.h>

/*
 * Load the kernel given with -kernel straight to a random final address,
 * offer the -initrd through LoadFile2 and start the kernel's EFI stub.
 * Never returns: a missing or bad kernel, or a stub that returns, is
 * reported and the machine powered off.
 */
__attribute__((noreturn)) void boot_linux(const struct platform *p);

#endif
