/* SPDX-License-Identifier: MIT */
/*
 * The reset path: from the first instruction to C with the MMU and caches on.
 *
 * Rule for everything before "mmu_is_on": no load, store, atomic, prefetch
 * or DC ZVA. With the MMU off every data access is Device-nGnRnE (Arm ARM
 * D8.2.10, "behavior when stage 1 translation is disabled"): uncached, and
 * under KVM incoherent with what the host wrote through its cacheable
 * mapping. So the path below uses only immediates (movz/movk), PC-relative
 * addresses (adr/adrp) and system register writes; the only memory it reads
 * is instruction fetches and the translation table walks of the tables in
 * flash (src/arch/flash_tables.S), once SCTLR.M is set.
 * tools/mmu_off_audit.py checks this by single-stepping QEMU from reset.
 */
#include <mmuon/layout.h>
#include <mmuon/sysreg.h>
#include "asm.h"

	.arch_extension pan		// msr pan, only run where the CPU has it

/*
 * Not .text.<name>: -ffunction-sections puts a C function called reset in
 * .text.reset, and the linker script would then place it where the CPU
 * starts. .head.text is no function's section (mmuon.ld asserts _reset is
 * at the flash base).
 */
	.section .head.text, "ax"

/* For mmu_is_on only (data accesses): copies [start, end) from load, 16
 * bytes at a time (the linker script aligns both ends to 16). Clobbers
 * x0-x4. */
.macro copy_from_flash start, end, load
	adrp	x0, \start
	add	x0, x0, :lo12:\start
	adrp	x1, \end
	add	x1, x1, :lo12:\end
	adrp	x2, \load
	add	x2, x2, :lo12:\load
1:	cmp	x0, x1
	b.hs	2f
	ldp	x3, x4, [x2], #16
	stp	x3, x4, [x0], #16
	b	1b
2:
.endm

/* Zeroes [start, end), 16-byte aligned. Clobbers x0-x1. */
.macro zero start, end
	adrp	x0, \start
	add	x0, x0, :lo12:\start
	adrp	x1, \end
	add	x1, x1, :lo12:\end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
.endm

/*
 * For the reset path: the IPS/PS field of the TCR value in \tcr, at bit
 * \shift, becomes the CPU's physical address size, ID_AA64MMFR0_EL1.PARange
 * (the same encoding), capped at 48 bits (see TCR in sysreg.h). A system
 * register read: fine with the MMU off. Clobbers x1, x2.
 */
.macro tcr_set_ips tcr, shift
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf
	mov	x2, #TCR_PS_48
	cmp	x1, x2
	csel	x1, x1, x2, lo
	bfi	\tcr, x1, #\shift, #3
.endm

/*
 * For the reset path at EL1, and at EL2 with E2H = 1: PSTATE.PAN = 0 where
 * the CPU has FEAT_PAN (ID_AA64MMFR1_EL1.PAN, bits [23:20], non-zero). The
 * flash tables grant EL0 access too (flash_tables.S), and with PAN set the
 * firmware's own loads and stores through them would fault; the
 * architecture gives PAN no reset value. SCTLR.SPAN = 1 (the MMU-on
 * values in sysreg.h) keeps exceptions from setting it again. A system
 * register read and a PSTATE write: fine with the MMU off. Clobbers x1.
 */
.macro pan_off
	mrs	x1, id_aa64mmfr1_el1
	ubfx	x1, x1, #20, #4
	cbz	x1, 1f
	msr	pan, #0
1:
.endm

/* QEMU starts the CPU here, at flash address 0, at EL1, EL2 or EL3. */
FUNC(_reset)
	mrs	x19, CurrentEL
	lsr	x19, x19, #2		// x19 = entry exception level, kept for C
	mov	x20, #0			// x20 = HCR_EL2.E2H at EL2, kept for C
	cmp	x19, #2
	b.eq	reset_at_el2
	b.hi	reset_at_el3
	/* fall through: EL1 */

/*
 * EL1: the EL1&0 regime, TTBR0_EL1 only (EPD1 stops TTBR1 walks).
 * Leaves: MMU, D-cache and I-cache on, FP/SIMD untrapped, VBAR_EL1 set.
 */
reset_at_el1:
	mov_imm64 x0, MAIR_VALUE
	msr	mair_el1, x0
	mov_imm64 x0, TCR_EL1_VALUE
	tcr_set_ips x0, TCR_EL1_IPS_SHIFT
	msr	tcr_el1, x0
	adrp	x0, flash_tables
	add	x0, x0, :lo12:flash_tables	// 256-byte aligned: not a page
	msr	ttbr0_el1, x0
	mov_imm64 x0, CPACR_EL1_FPEN
	msr	cpacr_el1, x0
	adr	x0, exception_vectors
	msr	vbar_el1, x0
	pan_off
	isb
	/*
	 * TLB and I-cache contents are UNKNOWN out of reset (Arm ARM D8.13
	 * and D7.4.8): invalidate before the first walk and the first
	 * cacheable fetch. The D-cache needs no set/way invalidation in a
	 * VM: the hypervisor owns cache state at reset (KVM traps and
	 * emulates set/way operations anyway).
	 */
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	mov_imm64 x0, SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x0
	isb
	b	mmu_is_on

/*
 * EL2: plain (non-VHE) EL2 wherever the CPU allows it: HCR_EL2.E2H = 0,
 * TTBR0_EL2 only, descriptors in the EL2 format. Why not VHE: it exists
 * only from Armv8.1 (not on Cortex-A57/A53/A72), one format for every CPU
 * is simpler to get right, and Linux 6.1 rewrites HCR_EL2 with E2H = 0
 * first thing in init_kernel_el (see docs/architecture.md).
 *
 * Where E2H is RES1 -- CPUs without FEAT_E2H0 (ID_AA64MMFR4_EL1.E2H0 < 0),
 * KVM nested virtualization that offers no E2H0, and CPUs that predate the
 * field but read E2H as 1 anyway (the read-back catches those) -- EL2 runs
 * VHE-format instead: HCR_EL2.E2H = 1, so CPTR_EL2, TCR_EL2 and SCTLR_EL2
 * take the CPACR_EL1, TCR_EL1 and SCTLR_EL1 layouts, and the EL2&0 regime
 * reads EL1-format descriptors (PXN/UXN, AP[1]), which the flash tables'
 * descriptors are too (they read the same in every format). TTBR1 walks
 * are disabled (EPD1). x20 = 1 tells C which format its tables must use.
 * Both probes are system register reads: fine with the MMU off.
 * tools/mmu_off_audit.py --e2h-res1 and tests/boot/force_e2h.py make QEMU
 * look like such a CPU.
 */
reset_at_el2:
	mrs	x0, ID_AA64MMFR4_EL1
	sbfx	x0, x0, #ID_AA64MMFR4_E2H0_SHIFT, #4
	tbnz	x0, #63, reset_at_el2_e2h	// E2H0 < 0: E2H is RES1
	mov_imm64 x0, HCR_EL2_RW
	msr	hcr_el2, x0
	isb
	mrs	x0, hcr_el2
	tbnz	x0, #HCR_EL2_E2H_BIT, reset_at_el2_e2h
	mov_imm64 x0, CPTR_EL2_NO_TRAPS
	msr	cptr_el2, x0
	mov	x0, #CNTHCTL_EL2_EL1PCTEN_EL1PCEN
	msr	cnthctl_el2, x0
	mov_imm64 x0, MAIR_VALUE
	msr	mair_el2, x0
	mov_imm64 x0, TCR_EL2_VALUE
	tcr_set_ips x0, TCR_EL2_PS_SHIFT
	msr	tcr_el2, x0
	adrp	x0, flash_tables
	add	x0, x0, :lo12:flash_tables	// 256-byte aligned: not a page
	msr	ttbr0_el2, x0
	adr	x0, exception_vectors
	msr	vbar_el2, x0
	isb
	tlbi	alle2			// as at EL1: TLB is UNKNOWN at reset
	ic	iallu
	dsb	nsh
	isb
	mov_imm64 x0, SCTLR_EL2_MMU_ON
	msr	sctlr_el2, x0
	isb
	b	mmu_is_on

/* EL2 with E2H = 1: the EL1 layouts, in the EL2 registers. */
reset_at_el2_e2h:
	mov_imm64 x0, (HCR_EL2_RW | (1 << HCR_EL2_E2H_BIT))
	msr	hcr_el2, x0
	isb
	mov	x20, #1			// E2H = 1 (VHE): kept for C
	mov_imm64 x0, CPTR_EL2_E2H_NO_TRAPS
	msr	cptr_el2, x0
	mov	x0, #CNTHCTL_EL2_E2H_EL1PCTEN_EL1PCEN
	msr	cnthctl_el2, x0
	mov_imm64 x0, MAIR_VALUE
	msr	mair_el2, x0
	mov_imm64 x0, TCR_EL1_VALUE	// TCR_EL1's layout, with E2H = 1
	tcr_set_ips x0, TCR_EL1_IPS_SHIFT
	msr	tcr_el2, x0
	adrp	x0, flash_tables
	add	x0, x0, :lo12:flash_tables	// 256-byte aligned: not a page
	msr	ttbr0_el2, x0
	adr	x0, exception_vectors
	msr	vbar_el2, x0
	pan_off
	isb
	tlbi	alle2			// the EL2&0 regime, every ASID
	ic	iallu
	dsb	nsh
	isb
	mov_imm64 x0, SCTLR_EL1_MMU_ON
	msr	sctlr_el2, x0
	isb
	b	mmu_is_on

/*
 * EL3 (secure=on): mmuon is not a secure monitor. It turns its MMU on at
 * EL3 with the flash tables (the EL3 regime has EL2's single-range format,
 * which they are valid in), so that C can say "EL3 entry not supported"
 * on the console and power off through the secure GPIO that QEMU's DT describes.
 */
reset_at_el3:
	msr	cptr_el3, xzr		// FP/SIMD untrapped
	mov_imm64 x0, MAIR_VALUE
	msr	mair_el3, x0
	mov_imm64 x0, TCR_EL2_VALUE	// TCR_EL3 has TCR_EL2's layout
	tcr_set_ips x0, TCR_EL2_PS_SHIFT
	msr	tcr_el3, x0
	adrp	x0, flash_tables
	add	x0, x0, :lo12:flash_tables	// 256-byte aligned: not a page
	msr	ttbr0_el3, x0
	adr	x0, exception_vectors
	msr	vbar_el3, x0
	isb
	tlbi	alle3
	ic	iallu
	dsb	nsh
	isb
	mov_imm64 x0, SCTLR_EL2_MMU_ON	// same RES1 bits as SCTLR_EL2
	msr	sctlr_el3, x0
	isb
	/* fall through */

/*
 * From here on data accesses are cacheable. Copy .data and the runtime
 * data from flash, zero .bss and the runtime .bss, set up the two stacks
 * and enter C. (The runtime code is loaded by code_load() in C:
 * code needs cache maintenance and a mapping change, data does not.)
 *
 * C runs on SP_EL0 (SPSel = 0); exceptions switch to SP_ELx, which points
 * at a separate exception stack. A stack overflow into the guard page below
 * the boot stack therefore still gets a working stack for its crash dump.
 */

mmu_is_on:
	copy_from_flash __data_start, __data_end, __data_load
	copy_from_flash __rt_data_start, __rt_data_end, __rt_data_load
	zero	__bss_start, __bss_end
	zero	__rt_bss_start, __rt_bss_end
	adrp	x0, __exception_stack_top
	add	x0, x0, :lo12:__exception_stack_top
	mov	sp, x0			// SP_ELx: SPSel is 1 out of reset
	msr	spsel, #0
	adrp	x0, __boot_stack_top
	add	x0, x0, :lo12:__boot_stack_top
	mov	sp, x0			// SP_EL0
	mov	x0, x19			// entry exception level
	mov_imm64 x1, RAM_BASE		// where QEMU put the DTB
	mov	x2, x20			// E2H at EL2
	bl	mmuon_main
	b	.			// not reached: mmuon_main powers off
ENDFUNC(_reset)
