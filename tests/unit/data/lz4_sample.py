#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a deterministic sample for tests/unit/test_lz4.c to argv[1]:
argv[2] bytes (default 9 MiB: two legacy-frame blocks of 8 MiB) made of what
exercises an LZ4 decoder -- short and long literal runs (length bytes past
15 and past 270), matches at offsets below 16 (overlapping their own copy)
and up to 65535, long matches -- like code and data do."""

import random
import sys

size = int(sys.argv[2]) if len(sys.argv) > 2 else 9 << 20
rng = random.Random(1)
out = bytearray()
while len(out) < size:
    kind = rng.randrange(5)
    if kind == 0:  # literals: random bytes, a few to a few hundred
        out += rng.randbytes(rng.choice((1, 3, 14, 15, 16, 17, 40, 300)))
    elif kind == 1 and out:  # a repeat at a short offset: overlapping copy
        off = rng.randrange(1, min(16, len(out)) + 1)
        for _ in range(rng.randrange(4, 100)):
            out.append(out[-off])
    elif kind == 2 and out:  # a repeat from up to 64 KiB back
        off = rng.randrange(1, min(65535, len(out)) + 1)
        n = rng.choice((4, 5, 18, 19, 20, 64, 300, 1000))
        for _ in range(n):
            out.append(out[-off])
    elif kind == 3:  # a run of one byte
        out += bytes([rng.randrange(256)]) * rng.choice((4, 30, 5000))
    else:  # text
        out += rng.choice((b"mmuon: ", b"EFI_SUCCESS", b"\x00\x00\x80\xd2", b"ret\n"))
with open(sys.argv[1], "wb") as f:
    f.write(out[:size])
