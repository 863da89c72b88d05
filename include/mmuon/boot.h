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

/*
 * From now on a Linux kernel given to LoadImage -- from a buffer (GRUB,
 * systemd-stub) or a file (systemd-boot, a Boot#### option) -- goes to a
 * random slot and is marked LINUX_EFI_LOADED_IMAGE_FIXED_GUID; its place
 * is recorded in the boot statistics, which are published in @fdt.
 */
void linux_kernel_placement(void *fdt);

/*
 * Gives the OS ACPI (QEMU's table loader) or, failing that, the DT, and
 * SMBIOS (src/boot/firmware_tables.c). Needs the memory map and fw_cfg.
 */
void firmware_tables_install(const struct platform *p);

#endif
