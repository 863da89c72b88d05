/* SPDX-License-Identifier: MIT */
/*
 * Saving and resuming an execution context, for StartImage/Exit: Exit may
 * be called from deep inside an image and must return from the StartImage
 * that started it. Saves what AAPCS64 says a callee preserves: x19-x29,
 * lr, sp and d8-d15 (images use FP/SIMD even though mmuon does not).
 */
#ifndef MMUON_CONTEXT_H
#define MMUON_CONTEXT_H

#include <stdint.h>

struct context {
	uint64_t x19_x30[12];
	uint64_t sp;
	uint64_t d8_d15[8];
};

/* Returns 0 when saving, and 1 when resumed by context_resume(). */
int context_save(struct context *c) __attribute__((returns_twice));
__attribute__((noreturn)) void context_resume(const struct context *c);

#endif
