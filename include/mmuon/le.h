/* SPDX-License-Identifier: MIT */
/*
 * Little-endian fields of any width at any alignment, byte by byte: for
 * firmware tables and file formats whose fields are not naturally aligned
 * (ACPI, SMBIOS, QEMU's table-loader script); and the 8-bit checksum those
 * tables carry.
 */
#ifndef MMUON_LE_H
#define MMUON_LE_H

#include <stddef.h>
#include <stdint.h>

/* The size-byte (1 to 8) little-endian value at p. */
static inline uint64_t le_get(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

/* Stores the low size bytes (1 to 8) of v at p, little-endian. */
static inline void le_put(uint8_t *p, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The sum of len bytes at p, modulo 256: 0 over a whole ACPI table or
 * SMBIOS entry point whose checksum byte is right. */
static inline uint8_t byte_sum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

#endif
