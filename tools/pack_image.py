#!/usr/bin/env python3
"""Write mmuon's flash image (build/mmuon.bin) from its ELF.

The image is the ELF's load image -- every allocated section with contents,
at its load address, from 0 -- up to __packed_load, then the runtime code
(.rt_code) and the boot code (.boot and .boot_rodata, docs/architecture.md
"Boot code in RAM"), each as an lz4 legacy frame (`lz4 -l`, what
src/lib/lz4.c decodes) instead of as itself. code_load() decompresses them
into RAM at boot.

Usage: pack_image.py [--cross PREFIX] ELF OUT
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

LZ4_LEGACY_MAGIC = b"\x02\x21\x4c\x18"
# -12: the smallest output lz4 makes.
LZ4_ARGS = ["-12", "-l", "-q", "-c"]


def symbols(cross: str, elf: Path, names: tuple[str, ...]) -> dict[str, int]:
    out = subprocess.run([cross + "nm", str(elf)], check=True, capture_output=True,
                         text=True).stdout
    found = {}
    for name in names:
        m = re.search(rf"^([0-9a-f]+) \w {re.escape(name)}$", out, re.M)
        if not m:
            raise SystemExit(f"pack_image: no symbol {name} in {elf}")
        found[name] = int(m[1], 16)
    return found


def objcopy(cross: str, elf: Path, args: list[str]) -> bytes:
    with tempfile.NamedTemporaryFile() as f:
        subprocess.run([cross + "objcopy", "-O", "binary", *args, str(elf), f.name],
                       check=True)
        return Path(f.name).read_bytes()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cross", default="aarch64-linux-gnu-")
    p.add_argument("elf", type=Path)
    p.add_argument("out", type=Path)
    a = p.parse_args()
    sym = symbols(a.cross, a.elf, ("__packed_load", "__rt_code_start", "__rt_code_end",
                                   "__boot_start", "__boot_end"))
    packed = ((".rt_code",), (".boot", ".boot_rodata"))
    head = objcopy(a.cross, a.elf, [f"-R{s}" for sections in packed for s in sections])
    if len(head) > sym["__packed_load"]:
        raise SystemExit(f"pack_image: the image reaches 0x{len(head):x}, past "
                         f"__packed_load 0x{sym['__packed_load']:x}")
    image = head + bytes(sym["__packed_load"] - len(head))
    report = []
    for sections, (start, end) in zip(packed, (("__rt_code_start", "__rt_code_end"),
                                                ("__boot_start", "__boot_end"))):
        raw = objcopy(a.cross, a.elf, [f"-j{s}" for s in sections])
        if len(raw) != sym[end] - sym[start]:
            raise SystemExit(f"pack_image: {'+'.join(sections)} is {len(raw)} bytes, "
                             f"the symbols say {sym[end] - sym[start]}")
        frame = subprocess.run(["lz4", *LZ4_ARGS], input=raw, check=True,
                               capture_output=True).stdout
        if not frame.startswith(LZ4_LEGACY_MAGIC):
            raise SystemExit("pack_image: lz4 did not write a legacy frame")
        image += frame
        report.append(f"{'+'.join(sections)} {len(raw)} -> {len(frame)}")
    tmp = a.out.with_name(a.out.name + ".tmp")
    tmp.write_bytes(image)
    tmp.replace(a.out)
    print(f"  {a.out.name}: {len(image)} bytes (compressed: {', '.join(report)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
