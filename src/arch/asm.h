/* SPDX-License-Identifier: MIT */
/* Assembler helpers shared by the .S files. */
#ifndef MMUON_ASM_H
#define MMUON_ASM_H

/*
 * Load a 64-bit immediate with movz/movk only. A literal-pool "ldr =imm"
 * would be a data access, which the reset path must not make.
 */
.macro mov_imm64 reg, val
	movz	\reg, #((\val) & 0xffff)
	movk	\reg, #(((\val) >> 16) & 0xffff), lsl #16
	movk	\reg, #(((\val) >> 32) & 0xffff), lsl #32
	movk	\reg, #(((\val) >> 48) & 0xffff), lsl #48
.endm

#define FUNC(name)      \
	.global name;   \
	.type name, %function; \
	name:
#define ENDFUNC(name) .size name, . - name

#endif
