/* SPDX-License-Identifier: MIT */
/*
 * UINT64 canary_call(void *fn, const UINT64 args[5], UINT64 *changed)
 *
 * Calls fn(args[0], ..., args[4]) with known values in the registers
 * AAPCS64 says a callee preserves (x19-x28, d8-d15) and in x18, the
 * platform register UEFI firmware must not touch (Linux checks it around
 * every runtime call: "FW_BUG register x18 corrupted"), and afterwards
 * stores in *changed a bit for each that does not hold its value any more:
 * bits 0-9 for x19-x28, bits 10-17 for d8-d15, bit 18 for x18. Returns
 * what fn returned. For StartImage, whose return after an Exit() from deep
 * inside a child that clobbered them all must restore the caller's
 * registers, and for the boot and runtime services.
 */
	.text
	.balign 4
	.global canary_call
	.hidden canary_call
	.type canary_call, %function

/* The value register number n holds: 0xc0de0000000000nn. */
.macro canary reg, n
	movz	\reg, #\n
	movk	\reg, #0xc0de, lsl #48
.endm

/* Sets bit in x11 unless reg holds canary n (x10 scratch). */
.macro check_x reg, n, bit
	canary	x10, \n
	cmp	\reg, x10
	b.eq	1f
	orr	x11, x11, #(1 << \bit)
1:
.endm

.macro check_d reg, n, bit
	fmov	x12, \reg
	check_x	x12, \n, \bit
.endm

canary_call:
	stp	x29, x30, [sp, #-176]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	stp	x2, x18, [sp, #160]

	mov	x9, x0
	mov	x10, x1
	ldp	x0, x1, [x10]
	ldp	x2, x3, [x10, #16]
	ldr	x4, [x10, #32]
	canary	x18, 0x18
	canary	x19, 0x19
	canary	x20, 0x20
	canary	x21, 0x21
	canary	x22, 0x22
	canary	x23, 0x23
	canary	x24, 0x24
	canary	x25, 0x25
	canary	x26, 0x26
	canary	x27, 0x27
	canary	x28, 0x28
	canary	x10, 0x108
	fmov	d8, x10
	canary	x10, 0x109
	fmov	d9, x10
	canary	x10, 0x110
	fmov	d10, x10
	canary	x10, 0x111
	fmov	d11, x10
	canary	x10, 0x112
	fmov	d12, x10
	canary	x10, 0x113
	fmov	d13, x10
	canary	x10, 0x114
	fmov	d14, x10
	canary	x10, 0x115
	fmov	d15, x10
	blr	x9

	mov	x11, #0
	check_x	x19, 0x19, 0
	check_x	x20, 0x20, 1
	check_x	x21, 0x21, 2
	check_x	x22, 0x22, 3
	check_x	x23, 0x23, 4
	check_x	x24, 0x24, 5
	check_x	x25, 0x25, 6
	check_x	x26, 0x26, 7
	check_x	x27, 0x27, 8
	check_x	x28, 0x28, 9
	check_d	d8, 0x108, 10
	check_d	d9, 0x109, 11
	check_d	d10, 0x110, 12
	check_d	d11, 0x111, 13
	check_d	d12, 0x112, 14
	check_d	d13, 0x113, 15
	check_d	d14, 0x114, 16
	check_d	d15, 0x115, 17
	check_x	x18, 0x18, 18
	/* sp and x29 came back too, or the loads below would show it. */
	ldp	x4, x18, [sp, #160]
	str	x11, [x4]

	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	ldp	x29, x30, [sp], #176
	ret
	.size canary_call, . - canary_call
