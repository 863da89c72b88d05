/* SPDX-License-Identifier: MIT */
/*
 * VMSAv8-64 stage 1 descriptor bits, 4 KiB granule (Arm ARM D8.3).
 * Included from assembly and C.
 */
#ifndef MMUON_PTE_H
#define MMUON_PTE_H

#define PTE_VALID 1
#define PTE_BLOCK 1 /* bits[1:0] = 0b01 at levels 1 and 2 */
#define PTE_TABLE 3 /* bits[1:0] = 0b11 at levels 0..2 */
#define PTE_PAGE 3  /* bits[1:0] = 0b11 at level 3 */
#define PTE_ATTRINDX(i) ((i) << 2)
#define PTE_SH_INNER (3 << 8)
#define PTE_AF (1 << 10) /* set everywhere: no hardware AF updates to flash */

/*
 * Access permissions, AP[2:1] at bits [7:6]. In the EL1&0 regime AP[1]
 * grants EL0 access; we never do, because EL0-writable memory is also
 * privileged-execute-never. In the EL2 (E2H = 0) and EL3 regimes AP[1] is
 * RES1. AP[2] = 1 makes the mapping read-only.
 */
#define PTE_EL1_AP_RW (0 << 6)
#define PTE_EL1_AP_RO (2 << 6)
#define PTE_EL2_AP_RW (1 << 6)
#define PTE_EL2_AP_RO (3 << 6)

/* Execute-never: PXN (bit 53) and UXN (bit 54) at EL1; XN (bit 54) at EL2
 * and EL3, where bit 53 is RES0. Written as high-half shifts for asm. */
#define PTE_HI_PXN (1 << (53 - 32))
#define PTE_HI_UXN (1 << (54 - 32))
#define PTE_HI_XN (1 << (54 - 32))

#endif
