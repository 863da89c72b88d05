/* SPDX-License-Identifier: MIT */
/* Decoding the Exception Syndrome Register into words (Arm ARM D24.2.47). */
#ifndef MMUON_ESR_H
#define MMUON_ESR_H

#include <stddef.h>
#include <stdint.h>

/* E.g. "data abort, translation fault level 3, write". */
void esr_describe(uint64_t esr, char *buf, size_t size);

#endif
