/* SPDX-License-Identifier: MIT */
/*
 * Physical layout of QEMU's arm64 "virt" machine that the reset path has to
 * know before it can read the device tree. Everything past the reset path is
 * discovered from the DT instead. Included from assembly and C.
 */
#ifndef MMUON_LAYOUT_H
#define MMUON_LAYOUT_H

/*
 * -bios (or -drive if=pflash,unit=0) maps the image as flash at 0: two
 * 64 MiB banks, the firmware in the first, the variable store in the
 * second (-drive if=pflash,unit=1).
 */
#define FLASH_BASE 0x00000000
#define FLASH_SIZE 0x08000000
#define FLASH_BANK_SIZE 0x04000000

/* The device window: everything between flash and RAM. */
#define DEVICE_WINDOW_BASE 0x08000000
#define DEVICE_WINDOW_SIZE 0x38000000

/*
 * RAM starts at 1 GiB; with a firmware present QEMU puts the DTB at its base.
 * The flash tables map 1 GiB .. 256 GiB as normal memory so that they never
 * depend on the RAM size; above 256 GiB QEMU puts its high MMIO windows.
 */
#define RAM_BASE 0x40000000
#define FLASH_MAP_RAM_LIMIT 0x4000000000

/*
 * The firmware's own RAM (.data, .bss, stacks, early page tables) sits 2 MiB
 * above the DTB, which QEMU sizes at no more than 1 MiB.
 */
#define FW_RAM_BASE 0x40200000
#define FW_RAM_SIZE 0x00200000

/*
 * The firmware's RAM starts with the runtime services (docs/architecture.md,
 * "Runtime services in RAM"): their code in 64 KiB units, then a runtime
 * data region of this size, 64 KiB aligned, which holds their data and the
 * arena of runtime allocations (at least RT_ARENA_MIN_SIZE of it). The two
 * together are what the OS keeps of mmuon after ExitBootServices.
 */
#define RT_DATA_REGION_SIZE 0x20000
#define RT_ARENA_MIN_SIZE 0x18000

/*
 * Used only to report a crash that happens before the DT has named the
 * console (a fault in DT parsing itself): QEMU virt's first PL011.
 */
#define EARLY_CRASH_UART 0x09000000

#endif
