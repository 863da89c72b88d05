/* SPDX-License-Identifier: MIT */
/*
 * UCS-2 strings (UEFI's CHAR16, here plain uint16_t so that this header
 * does not depend on the UEFI type definitions) and their conversion from
 * and to UTF-8. Used for LoadOptions (the kernel command line, which the
 * EFI stub expects in UCS-2) and for console output.
 *
 * Rules shared by the conversions:
 * - Anything that cannot be represented becomes '?': invalid UTF-8, code
 *   points outside the BMP (UCS-2 has no surrogate pairs) and, going the
 *   other way, surrogate code units. Invalid UTF-8 gives one '?' per
 *   maximal ill-formed subpart (the Unicode/WHATWG convention), so
 *   "\xe2\x82" + "A" gives "?A", not "??A".
 * - Input ends at a NUL or after the given length, whichever comes first.
 * - Output is always NUL-terminated when its size is non-zero, and is never
 *   cut inside a character. The return value is the length the complete
 *   output needs without the NUL, like snprintf(): the output was
 *   truncated iff the result >= the output size; (NULL, 0) measures.
 */
#ifndef MMUON_UCS2_H
#define MMUON_UCS2_H

#include <stddef.h>
#include <stdint.h>

/* Code units before the NUL. */
size_t strlen16(const uint16_t *s);

/* Code units before the NUL, at most @max (for unterminated buffers). */
size_t strnlen16(const uint16_t *s, size_t max);

/* <0, 0, >0 as strcmp(), comparing code unit values. */
int strcmp16(const uint16_t *a, const uint16_t *b);

/*
 * UTF-8 (ASCII included) to UCS-2. @dst_len counts code units, NUL
 * included; returns the code units the whole string needs, NUL excluded.
 */
size_t utf8_to_ucs2(uint16_t *dst, size_t dst_len, const char *src,
		    size_t src_len);

/*
 * UCS-2 to UTF-8. @dst_size counts bytes, NUL included; @src_len counts
 * code units. Returns the bytes the whole string needs, NUL excluded.
 */
size_t ucs2_to_utf8(char *dst, size_t dst_size, const uint16_t *src,
		    size_t src_len);

/*
 * UCS-2 to 7-bit ASCII (for consoles that cannot take UTF-8): everything
 * above 0x7f becomes '?'. Sizes and return value as ucs2_to_utf8().
 */
size_t ucs2_to_ascii(char *dst, size_t dst_size, const uint16_t *src,
		     size_t src_len);

/*
 * One code unit as UTF-8 into @out (1 to 3 bytes, not NUL-terminated);
 * returns the number of bytes. For streaming output without a buffer.
 */
size_t ucs2_char_to_utf8(uint16_t c, char out[3]);

#endif
