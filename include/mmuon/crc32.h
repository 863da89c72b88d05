/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 as used by UEFI table headers (EFI_TABLE_HEADER.CRC32) and
 * CalculateCrc32(): IEEE 802.3, reflected, polynomial 0xEDB88320, initial
 * value and final XOR 0xFFFFFFFF -- the same as zlib's crc32().
 */
#ifndef MMUON_CRC32_H
#define MMUON_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC over @len more bytes. Start with @crc = 0; chaining works
 * like zlib: crc32_update(crc32_update(0, a, n), b, m) is the CRC of a
 * followed by b.
 */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

/* The CRC-32 of one buffer. */
static inline uint32_t crc32_calc(const void *buf, size_t len)
{
	return crc32_update(0, buf, len);
}

#endif
