/* SPDX-License-Identifier: MIT */
/*
 * Exception vectors for whichever EL mmuon runs at (VBAR_EL1/EL2/EL3 all
 * point here). Every exception is fatal: save the registers, let C print a
 * decoded dump, power off.
 *
 * C normally runs on SP_EL0 (see reset.S), so an exception taken from
 * mmuon itself uses the "current EL, SP_EL0" group and runs its handler on
 * SP_ELx, the separate exception stack. An exception inside the handler
 * arrives in the "current EL, SP_ELx" group: it gets a fresh exception
 * stack and a short message, never a loop.
 */
#include "asm.h"

#define FRAME_SIZE (34 * 8) /* x0-x30, sp, elr, spsr */

/* kind: 0 sync, 1 IRQ, 2 FIQ, 3 SError; group: 0..3 as in VBAR order */
.macro vector group, kind
	.balign	128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #((\group << 2) | \kind)
	b	exception_entry
.endm

/*
 * Taken on SP_ELx: an exception in the exception handler (or a wild SP).
 * Restart the exception stack from its top so the dump itself cannot fault
 * on the stack again; the interrupted x0 is lost to the address.
 */
.macro vector_nested kind
	.balign	128
	adrp	x0, __exception_stack_top
	add	x0, x0, :lo12:__exception_stack_top
	mov	sp, x0
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #((1 << 2) | \kind)
	b	exception_entry
.endm

	.section .text.vectors, "ax"
	.balign	2048
FUNC(exception_vectors)
	vector 0, 0		// current EL, SP_EL0
	vector 0, 1
	vector 0, 2
	vector 0, 3
	vector_nested 0		// current EL, SP_ELx: nested, or before SPSel = 0
	vector_nested 1
	vector_nested 2
	vector_nested 3
	vector 2, 0		// lower EL, AArch64
	vector 2, 1
	vector 2, 2
	vector 2, 3
	vector 3, 0		// lower EL, AArch32
	vector 3, 1
	vector 3, 2
	vector 3, 3
ENDFUNC(exception_vectors)

/* x0 = vector id; x0/x1 of the interrupted context at [sp]. */
exception_entry:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, sp_el0
	stp	x30, x1, [sp, #240]
	mov	x1, sp
	mov	x29, xzr		// end of frame-pointer chain for C
	bl	exception_report	// (vector id, frame): does not return
	b	.
