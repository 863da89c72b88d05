#!/usr/bin/env python3
"""Read QEMU's fw_cfg files for a given `virt` configuration, from the host.

    tools/fw_cfg_dump.py [--list] [--out DIR] [--trim] [FILE ...] [-- QEMU ARGS ...]

QEMU builds its ACPI tables, table-loader script and SMBIOS data when the
machine is created, whether or not a firmware runs. This tool starts
`qemu-system-aarch64 -M virt -S -qtest stdio` with the given arguments and
reads the files through fw_cfg's DMA interface by qtest commands (a
descriptor written to guest RAM, the DMA register written, the result read
back): the exact bytes a firmware would get. Used to capture the unit tests'
and fuzzers' data (tests/unit/data/qemu/) and by the boot tests to derive
bad table-loader scripts from QEMU's real one.

--list prints the directory (size, selector, name); FILE names are written
to DIR with '/' replaced by '_' (default: the current directory), and their
sizes and names to DIR/files.txt; --trim leaves their trailing zeros out
(etc/acpi/tables is padded to 128 KiB), files.txt keeps the real sizes.
"""

from __future__ import annotations

import argparse
import os
import struct
import subprocess
import sys
from pathlib import Path

QEMU = os.environ.get("MMUON_QEMU", "qemu-system-aarch64")
FW_CFG = 0x0902_0000  # QEMU virt; the DT says so too
RAM = 0x4000_0000
DESC = RAM  # the DMA descriptor
BUF = RAM + 0x1000  # the data
DMA_READ, DMA_SKIP, DMA_SELECT = 2, 4, 8
FILE_DIR = 0x19


class FwCfg:
    """One QEMU process driven by qtest; read files with read()."""

    def __init__(self, qemu_args: list[str] | tuple[str, ...] = ()):
        argv = [QEMU, "-M", "virt", "-cpu", "max", "-nodefaults", "-display", "none",
                "-S", "-qtest", "stdio", "-qtest-log", "/dev/null", *qemu_args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.files = {name: (size, key) for size, key, name in self._directory()}

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.kill()
        self.proc.wait()

    def __enter__(self) -> "FwCfg":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _cmd(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        while True:
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError(f"QEMU exited: {self.proc.stderr.read()}")
            if reply.startswith("OK") or reply.startswith("FAIL"):
                break  # IRQ lines and the like come in between
        if not reply.startswith("OK"):
            raise RuntimeError(f"qtest {line!r}: {reply.strip()}")
        return reply[2:].strip()

    def _dma(self, control: int, length: int) -> None:
        desc = struct.pack(">IIQ", control, length, BUF)
        self._cmd(f"write {DESC:#x} {len(desc)} 0x{desc.hex()}")
        # The register takes the descriptor's address big-endian; qtest
        # writes the value in the guest's (little-endian) byte order.
        self._cmd(f"writeq {FW_CFG + 16:#x} {int.from_bytes(DESC.to_bytes(8, 'big'), 'little'):#x}")
        control, = struct.unpack(">I", bytes.fromhex(self._cmd(f"read {DESC:#x} 4")[2:]))
        if control:
            raise RuntimeError(f"fw_cfg DMA ended with control {control:#x}")

    def read_item(self, key: int, length: int, offset: int = 0) -> bytes:
        self._dma((key << 16) | DMA_SELECT | DMA_SKIP, offset)
        out = b""
        while len(out) < length:  # 64 KiB at a time keeps qtest's lines short
            n = min(length - len(out), 0x10000)
            self._dma(DMA_READ, n)
            out += bytes.fromhex(self._cmd(f"read {BUF:#x} {n}")[2:])
        return out

    def _directory(self):
        count, = struct.unpack(">I", self.read_item(FILE_DIR, 4))
        raw = self.read_item(FILE_DIR, 64 * count, 4)
        for i in range(count):
            size, key, _, name = struct.unpack(">IHH56s", raw[64 * i:64 * i + 64])
            yield size, key, name.rstrip(b"\0").decode()

    def read(self, name: str) -> bytes:
        size, key = self.files[name]
        return self.read_item(key, size)


def main() -> int:
    argv = sys.argv[1:]
    qemu_args: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, qemu_args = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--list", action="store_true")
    p.add_argument("--out", default=".")
    p.add_argument("--trim", action="store_true")
    p.add_argument("files", nargs="*")
    a = p.parse_args(argv)
    with FwCfg(qemu_args) as fw:
        if a.list:
            for name, (size, key) in sorted(fw.files.items(), key=lambda x: x[1][1]):
                print(f"{size:8} {key:#06x} {name}")
        manifest = []
        for name in a.files:
            data = fw.read(name)
            out = Path(a.out) / name.replace("/", "_")
            out.write_bytes(data.rstrip(b"\0") if a.trim else data)
            manifest.append(f"{len(data)} {name}\n")
            print(f"{out}: {out.stat().st_size} bytes")
        if manifest:
            (Path(a.out) / "files.txt").write_text("".join(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
