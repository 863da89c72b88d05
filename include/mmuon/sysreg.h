/* SPDX-License-Identifier: MIT */
/*
 * System register values that the reset path programs from immediates and
 * that C code checks against. Included from assembly and C, so only plain
 * integer constants here.
 */
#ifndef MMUON_SYSREG_H
#define MMUON_SYSREG_H

/* SCTLR_ELx bits shared by EL1, EL2 (E2H=0) and EL3. */
#define SCTLR_M (1 << 0)  /* stage 1 translation on */
#define SCTLR_A (1 << 1)  /* alignment checks: left off, C may do unaligned */
#define SCTLR_C (1 << 2)  /* data and unified caches on */
#define SCTLR_SA (1 << 3) /* SP alignment check */
#define SCTLR_I (1 << 12) /* instruction cache on */
#define SCTLR_WXN (1 << 19)

/*
 * SCTLR_EL1: M, C, I and SA plus every bit that is RES1 in Armv8.0 (SA0,
 * EOS, TSCXT, EIS, SPAN, nTLSMD, LSMAOE) and nTWI/nTWE so that EL0 WFI/WFE
 * do not trap. Endianness (EE, E0E) stays little.
 */
#define SCTLR_EL1_MMU_ON                                                       \
	(SCTLR_M | SCTLR_C | SCTLR_SA | (1 << 4) | (1 << 11) | SCTLR_I |       \
	 (1 << 16) | (1 << 18) | (1 << 20) | (1 << 22) | (1 << 23) |           \
	 (1 << 28) | (1 << 29))

/* SCTLR_EL2 with HCR_EL2.E2H == 0, and SCTLR_EL3: RES1 bits 4, 5, 11, 16,
 * 18, 22, 23, 28, 29. */
#define SCTLR_EL2_MMU_ON                                                       \
	(SCTLR_M | SCTLR_C | SCTLR_SA | (1 << 4) | (1 << 5) | (1 << 11) |      \
	 SCTLR_I | (1 << 16) | (1 << 18) | (1 << 22) | (1 << 23) | (1 << 28) | \
	 (1 << 29))

/*
 * MAIR: one byte per attribute index used in the page tables.
 *   0: Device-nGnRE           (MMIO)
 *   1: Normal, inner/outer write-back, read/write-allocate, non-transient
 *   2: Normal, non-cacheable
 *   3: Device-nGnRnE
 */
#define MT_DEVICE_nGnRE 0
#define MT_NORMAL 1
#define MT_NORMAL_NC 2
#define MT_DEVICE_nGnRnE 3
#define MAIR_VALUE 0x000044ff04

/*
 * Translation control, 4 KiB granule, 44-bit VA (T0SZ = 20: 16 TiB, walks
 * start at level 0 with a 32-entry table), table walks inner shareable and
 * write-back cacheable (so tables written with cacheable stores need only a
 * DSB to be seen by the walker).
 *
 * Why 44 bits, fixed: the flash tables and the RAM tables must use the same
 * TCR, so that the switch between them changes TTBR0 only (mmu_switch.S);
 * changing T0SZ with the MMU on would let walks mix old and new. 44 bits
 * hold every physical address of a 44-bit-PA CPU (Cortex-A57/A72) and RAM
 * up to 16 TiB on the others; a 32-entry level 0 table costs 256 bytes of
 * flash, a 48-bit one 4 KiB. mmu_init() stops with a
 * message for RAM the tables cannot reach.
 *
 * The output size (IPS/PS) is the CPU's: the reset path copies
 * ID_AA64MMFR0_EL1.PARange into it (tcr_set_ips in reset.S), capped at 48
 * bits (52 would need TCR.DS, FEAT_LPA2 descriptors).
 */
#define MMUON_VA_BITS 44
#define TCR_T0SZ (64 - MMUON_VA_BITS)
#define TCR_IRGN0_WBWA (1 << 8)
#define TCR_ORGN0_WBWA (1 << 10)
#define TCR_SH0_INNER (3 << 12)
#define TCR_TG0_4K (0 << 14)
#define TCR_EL1_EPD1 (1 << 23)	 /* no TTBR1 walks: the firmware is 1:1 */
#define TCR_EL1_TG1_4K (2 << 30) /* unused (EPD1), but not a reserved value */
#define TCR_EL1_IPS_SHIFT 32	 /* IPS at bits [34:32] */
#define TCR_EL2_PS_SHIFT 16	 /* PS at bits [18:16] (E2H = 0, and EL3) */
#define TCR_EL2_RES1 ((1 << 31) | (1 << 23))
#define TCR_PS_48 5 /* the largest IPS/PS without TCR.DS */

#define TCR_COMMON                                                             \
	(TCR_T0SZ | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |          \
	 TCR_TG0_4K)
/* Without the IPS/PS field, which the reset path fills in. */
#define TCR_EL1_VALUE (TCR_COMMON | TCR_EL1_EPD1 | TCR_EL1_TG1_4K)
#define TCR_EL2_VALUE (TCR_COMMON | TCR_EL2_RES1)

/* CPACR_EL1.FPEN = 0b11: FP/SIMD usable at EL1 and EL0 (UEFI requires it). */
#define CPACR_EL1_FPEN (3 << 20)
/* CPTR_EL2 with E2H == 0: RES1 bits 0-7, 9, 12, 13; TFP (bit 10) clear. */
#define CPTR_EL2_NO_TRAPS 0x33ff
/*
 * CPTR_EL2 with E2H == 1 has CPACR_EL1's layout: FPEN (bits 21:20) = 0b11
 * lets EL2 use FP/SIMD; nothing is RES1.
 */
#define CPTR_EL2_E2H_NO_TRAPS CPACR_EL1_FPEN
/* HCR_EL2.RW: EL1 is AArch64. E2H = 0 where the CPU allows it: see
 * docs/architecture.md. */
#define HCR_EL2_RW (1 << 31)
/* HCR_EL2.E2H: the EL2 regime takes the EL1 register and descriptor
 * formats (VHE). RES1 on CPUs without FEAT_E2H0. */
#define HCR_EL2_E2H_BIT 34

/*
 * ID_AA64MMFR4_EL1 (op0 3, op1 0, CRn 0, CRm 7, op2 4; named by encoding,
 * as older assemblers do not know it; reads as 0 on CPUs that predate it,
 * as unallocated ID registers do). E2H0, bits [27:24], is a signed field:
 * 0 means FEAT_E2H0 (HCR_EL2.E2H may be 0), negative means E2H is RES1.
 */
#define ID_AA64MMFR4_EL1 s3_0_c0_c7_4
#define ID_AA64MMFR4_E2H0_SHIFT 24
/*
 * CNTHCTL_EL2: EL1 (and EL0) may read the physical counter and use the
 * physical timer, as UEFI 2.10 section 2.3.6 asks of firmware at EL2
 * ("setting bits EL1PCTEN and EL1PCEN"): bits 0 and 1 with E2H = 0, bits
 * 10 and 11 with E2H = 1.
 */
#define CNTHCTL_EL2_EL1PCTEN_EL1PCEN 0x3
#define CNTHCTL_EL2_E2H_EL1PCTEN_EL1PCEN (0x3 << 10)
/* SCR_EL3: NS | RES1 bits 4, 5 | SMD | HCE | RW. */
#define SCR_EL3_NS (1 << 0)

#endif
