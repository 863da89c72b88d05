#!/usr/bin/env python3
"""Seeds for fuzz_table_loader and fuzz_smbios from QEMU's own fw_cfg data.

    gen_tables_seeds.py OUTDIR

Reads tests/unit/data/qemu/<set>/ (captured by tools/fw_cfg_dump.py) and
writes, in the input layouts the harnesses' comments describe:
  fuzz_table_loader/<set>[-fail-N]  the files and QEMU's script (and the
                                    same with the load of file N failing)
  fuzz_smbios/<set>                 QEMU's entry point and structures
"""

import hashlib
import os
import struct
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "unit" / "data" / "qemu"
# The order of FILES in fuzz_table_loader.c.
FILES = ["etc/acpi/rsdp", "etc/acpi/tables", "etc/hardware_errors",
         "etc/hardware_errors_addr", "etc/table-loader", "A", "A_addr"]
NO_FAIL = 0xF


def load_set(d: Path) -> dict[str, bytes]:
    files = {}
    for line in (d / "files.txt").read_text().splitlines():
        size, name = line.split(maxsplit=1)
        data = (d / name.replace("/", "_")).read_bytes()
        files[name] = data + bytes(int(size) - len(data))
    return files


def table_loader_seed(files: dict[str, bytes], fail: int) -> bytes:
    out = bytes([fail])
    for name in FILES:
        if name not in files:
            out += struct.pack("<IH", 0xFFFFFFFF, 0)
            continue
        data = files[name]
        stored = data.rstrip(b"\0")[:0xFFFF]
        out += struct.pack("<IH", len(data), len(stored)) + stored
    return out + files["etc/table-loader"]


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    for target in ("fuzz_table_loader", "fuzz_smbios"):
        (out / target).mkdir(parents=True, exist_ok=True)
    for d in sorted(p for p in DATA.iterdir() if p.is_dir()):
        files = load_set(d)
        for fail in (NO_FAIL, 0, 2):
            name = d.name + ("" if fail == NO_FAIL else f"-fail-{fail}")
            (out / "fuzz_table_loader" / name).write_bytes(table_loader_seed(files, fail))
        anchor = files["etc/smbios/smbios-anchor"]
        seed = bytes([len(anchor), 1]) + anchor + files["etc/smbios/smbios-tables"]
        (out / "fuzz_smbios" / d.name).write_bytes(seed)


if __name__ == "__main__":
    main()
