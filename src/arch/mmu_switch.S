/* SPDX-License-Identifier: MIT */
/*
 * Switching TTBR0 from the flash tables to the RAM tables, MMU on.
 *
 * The two sets of tables differ (RAM: 1 GiB blocks become exact ranges of
 * smaller blocks and pages; devices: a window becomes single pages), and
 * the old entries may still be in the TLB. The Arm ARM (D8.16.1, break-
 * before-make) requires that no access may use a TLB entry of the old
 * translation for an address whose translation changes size or output
 * once the new one may be used too, or the result may be a TLB conflict
 * abort or a mix of both. The sequence below meets that without an ASID
 * (there are none in the EL2 regime with E2H = 0):
 *   - between the TTBR write and the TLBI only these instructions run,
 *     fetched from flash, which both sets of tables map with the same
 *     2 MiB blocks, output addresses and memory type: no other address is
 *     accessed. Only the permission bits of those blocks differ (the flash
 *     tables' serve every regime and grant EL0 access too, see
 *     flash_tables.S), which is not a change break-before-make is needed
 *     for: until the TLBI either may be used, and both let this EL read
 *     and execute the flash;
 *   - the TLBI then removes every old entry before the first data access.
 * The new tables were written with cacheable stores; table walks are
 * cacheable (TCR IRGN0/ORGN0 = WBWA), so a DSB makes them visible.
 */
#include "asm.h"

	.section .text.mmu_switch, "ax"

/* x0 = new TTBR0 value. */
FUNC(mmu_switch_el1)
	dsb	ishst
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ret
ENDFUNC(mmu_switch_el1)

FUNC(mmu_switch_el2)
	dsb	ishst
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	dsb	nsh
	isb
	ret
ENDFUNC(mmu_switch_el2)

FUNC(mmu_switch_el3)
	dsb	ishst
	msr	ttbr0_el3, x0
	isb
	tlbi	alle3
	dsb	nsh
	isb
	ret
ENDFUNC(mmu_switch_el3)

/*
 * The "break" of break-before-make for one live entry: x0 = entry. Writes
 * it invalid, makes that visible to the walker, and invalidates the whole
 * TLB of this regime (simpler than a by-VA loop over a block of up to
 * 1 GiB, and rare). The caller then writes the new entry; the next
 * dsb/isb (mmu_publish) makes it visible.
 */
FUNC(mmu_break_entry_el1)
	str	xzr, [x0]
	dsb	ishst
	tlbi	vmalle1
	dsb	ish
	isb
	ret
ENDFUNC(mmu_break_entry_el1)

FUNC(mmu_break_entry_el2)
	str	xzr, [x0]
	dsb	ishst
	tlbi	alle2
	dsb	ish
	isb
	ret
ENDFUNC(mmu_break_entry_el2)

FUNC(mmu_break_entry_el3)
	str	xzr, [x0]
	dsb	ishst
	tlbi	alle3
	dsb	ish
	isb
	ret
ENDFUNC(mmu_break_entry_el3)

/* After writing new entries into live tables: visible to the walker before
 * the next instruction may use them. */
FUNC(mmu_publish)
	dsb	ishst
	isb
	ret
ENDFUNC(mmu_publish)
