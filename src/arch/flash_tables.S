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
 * Two copies: the EL1&0 regime (and EL2 with E2H = 1) and the EL2/EL3
 * regimes encode permissions and execute-never differently (see
 * include/mmuon/pte.h). Every descriptor has AF set, so the walker never
 * needs to write to flash.
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

/* .quad of a descriptor: 64-bit address plus low and high attribute words. */
.macro desc addr, lo, hi
	.quad	(\addr) | (\lo) | ((\hi) << 32)
.endm

#define L0_ENTRIES (1 << (MMUON_VA_BITS - 39))

/* One format's level 1 table and level 2 table for the first GiB. */
.macro flash_tables name, ap_rw, ap_ro, xn_hi, x_hi
	.balign	4096
\name\()_l1:				// level 1: 512 x 1 GiB
	.quad	\name\()_l2 + PTE_TABLE
	.set	addr, SZ_1G
	.rept	(FLASH_MAP_RAM_LIMIT - SZ_1G) / SZ_1G
	desc	addr, NORMAL_LO | \ap_rw, \xn_hi
	.set	addr, addr + SZ_1G
	.endr
	.fill	512 - FLASH_MAP_RAM_LIMIT / SZ_1G, 8, 0

	.balign	4096
\name\()_l2:				// level 2: the first GiB, 512 x 2 MiB
	.set	addr, FLASH_BASE
	.rept	FLASH_BANK_SIZE / SZ_2M
	desc	addr, NORMAL_LO | \ap_ro, \x_hi
	.set	addr, addr + SZ_2M
	.endr
	.rept	(FLASH_SIZE - FLASH_BANK_SIZE + DEVICE_WINDOW_SIZE) / SZ_2M
	desc	addr, DEVICE_LO | \ap_rw, \xn_hi
	.set	addr, addr + SZ_2M
	.endr
.endm

	.section .rodata.flash_tables, "a"
	/* EL1: flash executable at EL1 only (UXN), the rest never (PXN|UXN) */
	flash_tables flash_tables_el1, PTE_EL1_AP_RW, PTE_EL1_AP_RO, (PTE_HI_PXN | PTE_HI_UXN), PTE_HI_UXN
	flash_tables flash_tables_el2, PTE_EL2_AP_RW, PTE_EL2_AP_RO, PTE_HI_XN, 0

/* The level 0 roots (what TTBR0 points to), after both: small tables. */
.macro flash_root name
	.balign	L0_ENTRIES * 8
	.global	\name
\name:
	.quad	\name\()_l1 + PTE_TABLE
	.fill	L0_ENTRIES - 1, 8, 0
.endm
	flash_root flash_tables_el1
	flash_root flash_tables_el2
