// SPDX-License-Identifier: MIT
/*
 * CRC-32 (IEEE 802.3, reflected) with a 16-entry table: two lookups per
 * byte. The firmware only checksums a few small table headers, so 64 bytes
 * of table beat zlib's 1 KiB (or 8 KiB slicing) tables on image size.
 */
#include <stdbool.h>

#include <mmuon/crc32.h>

/* crc_nibble[i] = CRC register after shifting nibble i through 0xEDB88320. */
static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

#if defined(MMUON_FIRMWARE) && defined(__aarch64__)
/*
 * FEAT_CRC32 (ID_AA64ISAR0_EL1.CRC32, bits [19:16]; every core mmuon runs
 * on has it, but it is optional in Armv8.0): CRC32X folds 8 bytes into the
 * register in one instruction, with the same reflected polynomial as the
 * table. A GPT's 16 KiB entry array then costs about 2,000 instructions
 * instead of 200,000. General-purpose registers only: no FP/SIMD. The ID
 * register is read on every call (no state, so the runtime copy needs
 * none); under KVM that read may trap, once per call, not per byte.
 */
static bool have_crc32_instructions(void)
{
	uint64_t isar0;

	asm("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	return (isar0 >> 16 & 0xf) != 0;
}

static uint32_t crc32_instructions(uint32_t crc, const uint8_t *p, size_t len)
{
	for (; len && ((uintptr_t)p & 7); len--, p++)
		asm(".arch_extension crc\n\tcrc32b %w0, %w0, %w1"
		    : "+r"(crc)
		    : "r"((uint32_t)*p));
	for (; len >= 8; len -= 8, p += 8)
		asm(".arch_extension crc\n\tcrc32x %w0, %w0, %x1"
		    : "+r"(crc)
		    : "r"(*(const uint64_t *)p));
	for (; len; len--, p++)
		asm(".arch_extension crc\n\tcrc32b %w0, %w0, %w1"
		    : "+r"(crc)
		    : "r"((uint32_t)*p));
	return crc;
}
#endif

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* The register holds the complement between calls (zlib's rule). */
	crc = ~crc;
#if defined(MMUON_FIRMWARE) && defined(__aarch64__)
	if (have_crc32_instructions())
		return ~crc32_instructions(crc, p, len);
#endif
	while (len--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
		crc = (crc >> 4) ^ crc_nibble[crc & 0xf];
	}
	return ~crc;
}
