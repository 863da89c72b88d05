// SPDX-License-Identifier: MIT
/*
 * LZ4 block and legacy frame decoding (the formats as lz4's documentation
 * describes them: lz4_Block_format.md, lz4_Frame_format.md "Legacy
 * frame").
 *
 * A block is a run of sequences: a token (literal length in the high
 * nibble, match length - 4 in the low one, 15 meaning "more in the next
 * bytes, each adding up to 255"), the literals, a 16-bit little-endian
 * offset back into the output and the match to copy from there (it may
 * overlap what it writes). The last sequence has literals only.
 *
 * Built for speed on the boot's path (it decodes the boot code, ~100 KiB,
 * ~10,000 sequences, every boot): the common sequence takes one path with
 * a single check (see decode_block); the others are decoded with every
 * length and offset checked against both buffers, literals and matches
 * moved 16 bytes at a time where both buffers have room for the whole
 * chunk and a match does not overlap its own chunk, else byte by byte.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <mmuon/lz4.h>

#define MIN_MATCH 4
#define CHUNK 16
/* Room the fast path needs: a token, 14 literals (read as a chunk), an
 * offset; 14 literals and two chunks of match written. */
#define FAST_IN (1 + CHUNK + 2)
#define FAST_OUT (14 + 2 * CHUNK)

static void copy_chunk(uint8_t *d, const uint8_t *s)
{
	__builtin_memcpy(d, s, CHUNK);
}

/* An extended length: bytes of 255 continue it. 0, or -1 at the end. */
static int add_length(size_t *len, const uint8_t **ip, const uint8_t *iend)
{
	uint8_t b;

	do {
		if (*ip == iend)
			return -1;
		b = *(*ip)++;
		*len += b;
	} while (b == 255);
	return 0;
}

/*
 * [d, d + len) from s, 16 bytes at a time if chunks (the caller has
 * checked that both buffers hold len + 16 bytes from d and s, and that s
 * is not within 16 bytes below d), else byte by byte (s may then overlap
 * d from below, as a match does: each byte is there before it is read).
 */
static void copy(uint8_t *d, const uint8_t *s, size_t len, bool chunks)
{
	size_t i;

	if (chunks) {
		for (i = 0; i < len; i += CHUNK)
			copy_chunk(d + i, s + i);
		return;
	}
	for (i = 0; i < len; i++)
		d[i] = s[i];
}

/* One block into [*op, oend); out is where the output started (the
 * furthest back an offset may reach). */
static int decode_block(uint8_t *out, uint8_t **op, uint8_t *oend,
			const uint8_t *ip, const uint8_t *iend)
{
	uint8_t *o = *op;
	/* The last places the fast path may start at. */
	const uint8_t *ifast = iend - FAST_IN;
	const uint8_t *ofast = oend - FAST_OUT;

	for (;;) {
		size_t len, offset;
		uint8_t token;

		/*
		 * The common sequence -- up to 14 literals, a match of up to
		 * 18 bytes from at least 16 back -- far enough from the ends
		 * of both buffers that its chunks stay inside them whatever
		 * it says: literals and match are copied as whole chunks
		 * (what lands past the sequence is overwritten by the next
		 * ones), with only the offset to check. Not the last sequence
		 * either: that one ends the input right after its literals.
		 */
		if (ip <= ifast && o <= ofast) {
			uint16_t off;

			token = *ip;
			len = token >> 4;
			__builtin_memcpy(&off, ip + 1 + len, sizeof(off));
			offset = off; /* little-endian, as the format */
			if (len < 15 && (token & 15) < 15 && offset >= CHUNK &&
			    offset <= (size_t)(o + len - out)) {
				copy_chunk(o, ip + 1);
				o += len;
				ip += 3 + len;
				copy_chunk(o, o - offset);
				copy_chunk(o + CHUNK, o - offset + CHUNK);
				o += (token & 15) + MIN_MATCH;
				continue;
			}
		}
		if (ip == iend)
			return -1;
		token = *ip++;
		len = token >> 4;
		if (len == 15 && add_length(&len, &ip, iend))
			return -1;
		if (len > (size_t)(iend - ip) || len > (size_t)(oend - o))
			return -1;
		copy(o, ip, len,
		     (size_t)(oend - o) >= len + CHUNK &&
			     (size_t)(iend - ip) >= len + CHUNK);
		o += len;
		ip += len;
		if (ip == iend)
			break; /* the last sequence: literals only */
		if (iend - ip < 2)
			return -1;
		offset = ip[0] | (size_t)ip[1] << 8;
		ip += 2;
		if (!offset || offset > (size_t)(o - out))
			return -1;
		len = token & 15;
		if (len == 15 && add_length(&len, &ip, iend))
			return -1;
		len += MIN_MATCH;
		if (len > (size_t)(oend - o))
			return -1;
		copy(o, o - offset, len,
		     offset >= CHUNK && (size_t)(oend - o) >= len + CHUNK);
		o += len;
	}
	*op = o;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

long lz4_legacy_decode(void *dst, size_t dst_len, const void *src,
		       size_t src_len)
{
	const uint8_t *ip = src, *iend = ip + src_len;
	uint8_t *out = dst, *op = out, *oend = out + dst_len;

	if (src_len < 4 || le32(ip) != LZ4_LEGACY_MAGIC)
		return -1;
	ip += 4;
	while (op < oend) {
		uint32_t size;

		if (iend - ip < 4)
			return -1;
		size = le32(ip);
		ip += 4;
		if (!size || size > (size_t)(iend - ip) ||
		    decode_block(out, &op, oend, ip, ip + size))
			return -1;
		ip += size;
	}
	return ip - (const uint8_t *)src;
}
