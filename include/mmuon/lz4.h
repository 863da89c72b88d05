/* SPDX-License-Identifier: MIT */
/*
 * LZ4 decompression, for the boot code the image carries compressed
 * (docs/architecture.md, "Boot code in RAM"). Pure logic: host-tested.
 */
#ifndef MMUON_LZ4_H
#define MMUON_LZ4_H

#include <stddef.h>

/* What `lz4 -l` writes first: the legacy frame's magic number. */
#define LZ4_LEGACY_MAGIC 0x184c2102u

/*
 * Decodes an LZ4 legacy frame -- the magic number, then blocks, each a
 * 32-bit little-endian compressed size and that many bytes of LZ4 block
 * data -- from [src, src + src_len) into [dst, dst + dst_len), until
 * dst_len bytes are written. Returns how many bytes of src the frame took
 * (what follows may be another frame), or -1 if the input is malformed,
 * ends early or would write outside dst (nothing is written outside it,
 * nothing is read outside src).
 */
long lz4_legacy_decode(void *dst, size_t dst_len, const void *src,
		       size_t src_len);

#endif
