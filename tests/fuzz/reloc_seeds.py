#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fuzz_pe seeds from real EFI clients that carry base relocations.

For each PE file given: its first 4 KiB (the parser's mode), and the image
as LoadImage lays it out behind its relocation directory (fuzz_pe's raw
mode: bytes 0-7 are the directory's RVA and size, then SizeOfImage bytes of
image), so that the fuzzer starts from relocation tables that GRUB and
systemd really ship (DIR64 and ABSOLUTE entries, several blocks).

    reloc_seeds.py OUTDIR FILE...
"""

import struct
import sys
from pathlib import Path


def loaded(data: bytes) -> tuple[bytes, int, int] | None:
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    nsections, opt_size = struct.unpack_from("<H12xH", data, pe + 6)
    opt = pe + 24
    image_size, headers = struct.unpack_from("<II", data, opt + 56)
    if struct.unpack_from("<I", data, opt + 108)[0] <= 5:
        return None
    rva, size = struct.unpack_from("<II", data, opt + 112 + 5 * 8)
    if not size or image_size > (1 << 20):
        return None
    image = bytearray(image_size)
    image[:headers] = data[:headers]
    for i in range(nsections):
        vsize, va, raw_size, raw = struct.unpack_from("<4I", data, opt + opt_size + 40 * i + 8)
        n = min(vsize or raw_size, raw_size)
        image[va:va + n] = data[raw:raw + n]
    return bytes(image), rva, size


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for f in map(Path, sys.argv[2:]):
        data = f.read_bytes()
        # ~/.cache/mmuon/arm64/<piece>/...: name it after the piece too.
        parts = f.parts
        piece = parts[parts.index("arm64") + 1] if "arm64" in parts else f.parent.name
        name = f"{piece}-{f.name}"
        (out / f"{name}-head").write_bytes(data[:4096])
        lay = loaded(data)
        if lay:
            image, rva, size = lay
            (out / f"{name}-relocs").write_bytes(struct.pack("<II", rva, size) + image)
    return 0


if __name__ == "__main__":
    sys.exit(main())
