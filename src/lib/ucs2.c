// SPDX-License-Identifier: MIT
/*
 * UCS-2 string helpers and UTF-8 <-> UCS-2 conversion; the rules for bad
 * input and truncation are in ucs2.h.
 */
#include <stdbool.h>
#include <mmuon/ucs2.h>

#define REPLACEMENT '?'
#define BAD_CODE_POINT 0xffffffffu /* never a valid code point */

size_t strlen16(const uint16_t *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen16(const uint16_t *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp16(const uint16_t *a, const uint16_t *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (int)*a - (int)*b;
}

/*
 * Decode one UTF-8 sequence from @s (@n > 0 bytes available) into *@cp;
 * returns the bytes consumed. The second-byte ranges are those of the
 * Unicode standard's table of well-formed sequences, which exclude
 * overlong forms, surrogates and values above U+10FFFF. A sequence that
 * breaks off yields BAD_CODE_POINT and consumes only its valid prefix, so
 * the byte that broke it starts the next sequence.
 */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		lo = c == 0xe0 ? 0xa0 : 0x80; /* overlong */
		hi = c == 0xed ? 0x9f : 0xbf; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		lo = c == 0xf0 ? 0x90 : 0x80; /* overlong */
		hi = c == 0xf4 ? 0x8f : 0xbf; /* above U+10FFFF */
	} else {
		*cp = BAD_CODE_POINT; /* continuation or never-valid byte */
		return 1;
	}
	for (i = 1; i < len; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*cp = BAD_CODE_POINT;
			return i;
		}
		v = v << 6 | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return len;
}

size_t utf8_to_ucs2(uint16_t *dst, size_t dst_len, const char *src,
		    size_t src_len)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0, need = 0;
	uint32_t cp;

	while (i < src_len && s[i]) {
		i += utf8_decode(s + i, src_len - i, &cp);
		/* BAD_CODE_POINT is above 0xffff too. */
		if (need + 1 < dst_len)
			dst[need] = cp > 0xffff ? REPLACEMENT : (uint16_t)cp;
		need++;
	}
	if (dst_len)
		dst[need < dst_len ? need : dst_len - 1] = 0;
	return need;
}

size_t ucs2_char_to_utf8(uint16_t c, char out[3])
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	/* A lone half of a UTF-16 pair is not a character in UCS-2. */
	if (c >= 0xd800 && c <= 0xdfff) {
		out[0] = REPLACEMENT;
		return 1;
	}
	out[0] = (char)(0xe0 | c >> 12);
	out[1] = (char)(0x80 | (c >> 6 & 0x3f));
	out[2] = (char)(0x80 | (c & 0x3f));
	return 3;
}

/* Shared by the UTF-8 and ASCII encoders: stop at the first misfit. */
static size_t ucs2_encode(char *dst, size_t dst_size, const uint16_t *src,
			  size_t src_len, bool ascii)
{
	size_t i, k, n, out = 0, need = 0;
	bool full = false;
	char b[3];

	for (i = 0; i < src_len && src[i]; i++) {
		if (ascii) {
			b[0] = src[i] < 0x80 ? (char)src[i] : REPLACEMENT;
			n = 1;
		} else {
			n = ucs2_char_to_utf8(src[i], b);
		}
		/* Room for the character and the NUL, and nothing skipped. */
		if (!full && out + n < dst_size) {
			for (k = 0; k < n; k++)
				dst[out++] = b[k];
		} else {
			full = true;
		}
		need += n;
	}
	if (dst_size)
		dst[out] = 0;
	return need;
}

size_t ucs2_to_utf8(char *dst, size_t dst_size, const uint16_t *src,
		    size_t src_len)
{
	return ucs2_encode(dst, dst_size, src, src_len, false);
}

size_t ucs2_to_ascii(char *dst, size_t dst_size, const uint16_t *src,
		     size_t src_len)
{
	return ucs2_encode(dst, dst_size, src, src_len, true);
}
