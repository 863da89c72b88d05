# SPDX-License-Identifier: MIT
"""What tools/check_runtime.py and tools/check_flash.py share: reading the
linked firmware's sections, symbols, relocations (readelf -rW, the ELF is
linked with --emit-relocs) and direct branches (objdump -d), so that each
check is only its rule about where references may go.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections.abc import Iterator
from typing import NamedTuple

SECTION = re.compile(
    r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s")
RELOC_HEADER = re.compile(r"^Relocation section '\.rela(\S+)'")
# Offset Info Type Sym.Value Sym.Name + Addend (readelf -rW, RELA)
RELOC = re.compile(
    r"^([0-9a-f]+)\s+[0-9a-f]+\s+(R_AARCH64_\w+)\s+([0-9a-f]+)\s+(.*?)\s*([+-])\s*([0-9a-f]+)$")
RELOC_NO_SYMBOL = re.compile(r"^([0-9a-f]+)\s+[0-9a-f]+\s+(R_AARCH64_\w+)\s+([0-9a-f]+)$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(\S+)\s+(.*)$")
BRANCHES = {"b", "bl", "cbz", "cbnz", "tbz", "tbnz", "adr", "adrp"}
SYMBOL = re.compile(r"^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+(\w+)\s+\w+\s+\w+\s+\S+\s+(\S+)$")


def run(tool: list[str]) -> str:
    return subprocess.run(tool, check=True, capture_output=True, text=True).stdout


class Elf:
    def __init__(self, cross: str, path: str):
        self.cross, self.path = cross, path
        self.sections: dict[str, tuple[int, int]] = {}
        for line in run([cross + "readelf", "-SW", path]).splitlines():
            m = SECTION.match(line)
            if m:
                self.sections[m[1]] = (int(m[2], 16), int(m[2], 16) + int(m[3], 16))
        self.functions: list[tuple[int, int, str]] = []
        for line in run([cross + "readelf", "-sW", path]).splitlines():
            m = SYMBOL.match(line)
            if m and m[3] in ("FUNC", "OBJECT") and int(m[2]):
                start = int(m[1], 16)
                self.functions.append((start, start + int(m[2]), m[4]))
        self.functions.sort()

    def name_of(self, addr: int) -> str:
        for start, end, name in self.functions:
            if start <= addr < end:
                return f"{name}+0x{addr - start:x}"
        for name, (start, end) in self.sections.items():
            if start <= addr < end and start:
                return f"{name}+0x{addr - start:x}"
        return f"0x{addr:x}"


def open_elf(doc: str) -> Elf:
    """The ELF named on the command line: [--cross PREFIX] ELF."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--cross", default="aarch64-linux-gnu-")
    p.add_argument("elf")
    a = p.parse_args()
    return Elf(a.cross, a.elf)


def inside(ranges: list[tuple[int, int]], addr: int, size: int = 1) -> bool:
    return any(start <= addr and addr + size <= end for start, end in ranges)


def reaches(ranges: list[tuple[int, int]], op: str, target: int) -> bool:
    """Whether a branch or address computation reaches into ranges: adrp
    yields a 4 KiB page, which reaches them if it overlaps them."""
    if op == "adrp":
        return any(start < target + 4096 and target < end for start, end in ranges)
    return inside(ranges, target)


class Relocation(NamedTuple):
    place: int
    kind: str
    name: str  # the symbol, "" where the relocation names none
    addend: int
    target: int  # the symbol's value plus the addend


def relocations(elf: Elf, sections: tuple[str, ...]) -> Iterator[Relocation]:
    """Every relocation the linker applied inside the named sections,
    R_AARCH64_NONE left out."""
    section = None
    for line in run([elf.cross + "readelf", "-rW", elf.path]).splitlines():
        h = RELOC_HEADER.match(line)
        if h:
            section = h[1]
            continue
        if section not in sections:
            continue
        line = line.strip()
        m = RELOC.match(line)
        if m:
            place, kind, value, name = int(m[1], 16), m[2], int(m[3], 16), m[4]
            addend = int(m[6], 16) * (-1 if m[5] == "-" else 1)
        else:
            m = RELOC_NO_SYMBOL.match(line)
            if not m:
                continue
            place, kind, value, name, addend = int(m[1], 16), m[2], 0, "", int(m[3], 16)
        if kind != "R_AARCH64_NONE":
            yield Relocation(place, kind, name, addend, value + addend)


def branches(elf: Elf, sections: tuple[str, ...]) -> Iterator[tuple[int, str, str, int]]:
    """(place, op, operands, target) of every direct branch and PC-relative
    address in the named code sections that the ELF has (b, bl, b.cond,
    cbz, tbz, adr, adrp); a register branch (br, blr, ret) has no static
    target and is left out."""
    for section in sections:
        if section not in elf.sections:
            continue
        for line in run([elf.cross + "objdump", "-d", "-j", section, elf.path]).splitlines():
            m = INSN.match(line)
            if not m or (m[2] not in BRANCHES and not m[2].startswith("b.")):
                continue
            t = re.search(r"(?:#0x|\s)([0-9a-f]+)(?:\s|$)",
                          " " + m[3].split(",")[-1].strip() + " ")
            if t:
                yield int(m[1], 16), m[2], m[3].strip(), int(t[1], 16)


def call_span(cross: str, path: str, callee: str) -> tuple[int, int]:
    """The callee's address and the instruction after its one call site:
    the span a TCG plugin counts for "the cost of this call". The caller
    is not named: link-time optimization inlines callers freely. Boot code
    calls runtime code in RAM through a linker veneer (__callee_veneer)."""
    start = re.search(rf"^([0-9a-f]+) [Tt] {re.escape(callee)}$",
                      run([cross + "nm", path]), re.M)
    calls = re.findall(rf"^\s*([0-9a-f]+):\s+[0-9a-f]{{8}}\s+bl\s+[0-9a-f]+ "
                       rf"<(?:__)?{re.escape(callee)}(?:_veneer)?>",
                       run([cross + "objdump", "-d", path]), re.M)
    if not start or len(calls) != 1:
        raise SystemExit(f"{path}: {callee}: {'no symbol' if not start else ''}"
                         f" {len(calls)} call sites (want one)")
    return int(start[1], 16), int(calls[0], 16) + 4
