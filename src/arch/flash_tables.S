/* SPDX-License-Identifier: MIT */
/*
 * The page tables the reset path turns the MMU on with. They are laid out
 * here, at build time, in the flash image: the reset path cannot write
 * tables to RAM before the MMU is on without making data accesses.
 *
 * They do not depend on the RAM size (the RAM tables cover what the DT
 * describes, up to 16 TiB): a 1:1 map of
 *   flash   [0, 64 MiB)          Normal WB, read-only, executable  (2 MiB blocks)
 *   flash   [64 MiB, 128 MiB)    Device-nGnRE, read/write, execute-never:
 *                                the variable bank, a device the CFI
 *                                driver commands (and never cacheable, so
 *                                no line of it can be in a cache when it
 *                                answers with status instead of data)
 *   devices [128 MiB, 1 GiB)     Device-nGnRE, read/write, execute-never
 *   RAM     [1 GiB, 256 GiB)     Normal WB, read/write, execute-never (1 GiB blocks)
 * RAM that does not exist is mapped too; nothing touches it before the DT
 * has been read and the RAM tables (src/arch/mmu.c) replace these.
 *
 * One set of tables for every regime the reset path can enter: the EL1&0
 * regime, EL2 with E2H = 1 (the same EL1 format), and EL2 with E2H = 0
 * and EL3 (the single-range format). Their descriptors differ only in the
 * permission bits (include/mmuon/pte.h), and these descriptors mean the
 * same in both (Arm ARM D8.4, stage 1 permissions):
 *   - AP[1] (bit 6) is 1 everywhere: RES1 in the single-range regimes; in
 *     the EL1 format it grants EL0 the same access. No EL0 code runs while
 *     these tables are live, and the reset path clears PSTATE.PAN where the
 *     CPU has it (reset.S), so EL1's own accesses are not refused for it.
 *   - bit 53 is 0 everywhere: RES0 in the single-range regimes, PXN in the
 *     EL1 format. Read/write mappings are still privileged-execute-never
 *     there: a region writable at EL0 is always treated as PXN.
 *   - bit 54 is XN in the single-range regimes and UXN in the EL1 format:
 *     set on every read/write mapping; clear on the flash, which the EL1
 *     format therefore also lets EL0 execute (there is no EL0 code).
 * So: flash read-only and executable at the running EL, everything else
 * read/write and execute-never, in every regime. One set instead of one
 * per format halves the 16.5 KiB the tables took in the image.
 * Every descriptor has AF set, so the walker never needs to write to flash.
 *
 * The walk starts at level 0 (MMUON_VA_BITS, the same TCR as the RAM
 * tables: see sysreg.h): a level 0 table of 2^(MMUON_VA_BITS - 39) entries,
 * aligned to its size, whose first entry points to the level 1 table
 * below; the others are invalid.
 */
#include <mmuon/layout.h>
#include <mmuon/pte.h>
#include <mmuon/sysreg.h>

#define NORMAL_LO (PTE_BLOCK | PTE_ATTRINDX(MT_NORMAL) | PTE_SH_INNER | PTE_AF)
#define DEVICE_LO (PTE_BLOCK | PTE_ATTRINDX(MT_DEVICE_nGnRE) | PTE_AF)
#define SZ_2M 0x200000
#define SZ_1G 0x40000000

/* Permissions valid in every format (see above): AP[2:1] and bits 54:53. */
#define ANY_AP_RW (1 << 6) /* AP = 0b01 */
#define ANY_AP_RO (3 << 6) /* AP = 0b11 */
#define ANY_HI_XN PTE_HI_XN /* bit 54: XN, or UXN with PXN implied */
#define ANY_HI_X 0

/* .quad of a descriptor: 64-bit address plus low and high attribute words. */
.macro desc addr, lo, hi
	.quad	(\addr) | (\lo) | ((\hi) << 32)
.endm

#define L0_ENTRIES (1 << (MMUON_VA_BITS - 39))

	.section .rodata.flash_tables, "a"

	.balign	4096
flash_tables_l1:			// level 1: 512 x 1 GiB
	.quad	flash_tables_l2 + PTE_TABLE
	.set	addr, SZ_1G
	.rept	(FLASH_MAP_RAM_LIMIT - SZ_1G) / SZ_1G
	desc	addr, NORMAL_LO | ANY_AP_RW, ANY_HI_XN
	.set	addr, addr + SZ_1G
	.endr
	.fill	512 - FLASH_MAP_RAM_LIMIT / SZ_1G, 8, 0

	.balign	4096
flash_tables_l2:			// level 2: the first GiB, 512 x 2 MiB
	.set	addr, FLASH_BASE
	.rept	FLASH_BANK_SIZE / SZ_2M
	desc	addr, NORMAL_LO | ANY_AP_RO, ANY_HI_X
	.set	addr, addr + SZ_2M
	.endr
	.rept	(FLASH_SIZE - FLASH_BANK_SIZE + DEVICE_WINDOW_SIZE) / SZ_2M
	desc	addr, DEVICE_LO | ANY_AP_RW, ANY_HI_XN
	.set	addr, addr + SZ_2M
	.endr

/* The level 0 root (what TTBR0 points to): a small table, which the
 * linker script puts below the vectors, where their alignment leaves room. */
	.section .rodata.flash_tables_root, "a"
	.balign	L0_ENTRIES * 8
	.global	flash_tables
flash_tables:
	.quad	flash_tables_l1 + PTE_TABLE
	.fill	L0_ENTRIES - 1, 8, 0
