/* SPDX-License-Identifier: MIT */
#ifndef MMUON_BOOT_H
#define MMUON_BOOT_H

#include <mmuon/platform.h>

/*
 * Load the kernel given with -kernel straight to a random final address,
 * offer the -initrd through LoadFile2 and start the kernel's EFI stub.
 * Returns only if there is no -kernel, it cannot be booted (not an arm64
 * EFI image, no room, a DMA error) or its image returned: @why (@size
 * bytes) then says which, for the boot manager, which goes on with the
 * other boot options as EDK2 does. Without fw_cfg it stops the machine.
 */
void boot_linux(const struct platform *p, char *why, size_t size);

/*
 * From now on a Linux kernel given to LoadImage -- from a buffer (GRUB,
 * systemd-stub) or a file (systemd-boot, a Boot#### option) -- goes to a
 * random slot and is marked LINUX_EFI_LOADED_IMAGE_FIXED_GUID; its place
 * is recorded in the boot statistics, which are published from now on
 * (src/boot/boot_stats.c).
 */
void linux_kernel_placement(void);

/*
 * Gives the OS ACPI (QEMU's table loader) or, failing that, the DT, and
 * SMBIOS (src/boot/firmware_tables.c). Needs the memory map and fw_cfg.
 */
void firmware_tables_install(const struct platform *p);

#endif
