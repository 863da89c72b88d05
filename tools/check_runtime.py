#!/usr/bin/env python3
"""Check that mmuon's runtime services stand on their own.

After ExitBootServices the OS maps only the regions the memory map marks
EFI_MEMORY_RUNTIME: mmuon's runtime code and data in RAM (the .rt_code,
.rt_data and .rt_bss sections of the ELF, see docs/architecture.md,
"Runtime services in RAM"). Code there that calls, jumps to or takes the
address of anything else -- boot code in flash, boot data -- works during
boot and faults (or worse) once the OS runs. This script fails the build
when it finds such a reference:

- every relocation the linker applied inside a runtime section (the ELF is
  linked with --emit-relocs) must resolve to an address inside the runtime
  sections: calls and branches (CALL26, JUMP26), address computations
  (ADR_PREL_PG_HI21, ADD_ABS_LO12_NC, LDST*), pointers in data (ABS64);
- every direct branch and PC-relative address in the disassembly of the
  runtime code (b, bl, b.cond, cbz, tbz, adr, adrp) must land there too,
  which also covers hand-written assembly and linker stubs.

Usage: check_runtime.py [--cross PREFIX] ELF
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

RUNTIME_SECTIONS = (".rt_code", ".rt_data", ".rt_bss")
CODE_SECTION = ".rt_code"

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

    def runtime_ranges(self) -> list[tuple[int, int]]:
        return [self.sections[s] for s in RUNTIME_SECTIONS if s in self.sections]

    def name_of(self, addr: int) -> str:
        for start, end, name in self.functions:
            if start <= addr < end:
                return f"{name}+0x{addr - start:x}"
        for name, (start, end) in self.sections.items():
            if start <= addr < end and start:
                return f"{name}+0x{addr - start:x}"
        return f"0x{addr:x}"


def inside(ranges: list[tuple[int, int]], addr: int, size: int = 1) -> bool:
    return any(start <= addr and addr + size <= end for start, end in ranges)


def check_relocations(elf: Elf, ranges) -> tuple[list[str], int]:
    problems, count, section = [], 0, None
    for line in run([elf.cross + "readelf", "-rW", elf.path]).splitlines():
        h = RELOC_HEADER.match(line)
        if h:
            section = h[1]
            continue
        if section not in RUNTIME_SECTIONS:
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
        if kind == "R_AARCH64_NONE":
            continue
        count += 1
        target = value + addend
        # A PC-relative page address may point at the end of a section.
        if not inside(ranges, target) and not inside(ranges, target - 1):
            problems.append(
                f"{elf.name_of(place)}: {kind} to {name or '?'}"
                f"{'+' if addend >= 0 else '-'}0x{abs(addend):x} = "
                f"{elf.name_of(target)}, outside the runtime regions")
    return problems, count


def check_branches(elf: Elf, ranges) -> tuple[list[str], int]:
    if CODE_SECTION not in elf.sections:
        return [], 0
    out = run([elf.cross + "objdump", "-d", "-j", CODE_SECTION, elf.path])
    problems, count = [], 0
    for line in out.splitlines():
        m = INSN.match(line)
        if not m:
            continue
        op = m[2]
        if op not in BRANCHES and not op.startswith("b."):
            continue
        t = re.search(r"(?:#0x|\s)([0-9a-f]+)(?:\s|$)", " " + m[3].split(",")[-1].strip() + " ")
        if not t:
            continue  # a register branch (br, blr, ret) has no static target
        target = int(t[1], 16)
        count += 1
        size = 4096 if op == "adrp" else 1
        # adrp yields a page: some of that page must be runtime.
        ok = inside(ranges, target) if op != "adrp" else any(
            start < target + size and target < end for start, end in ranges)
        if not ok:
            problems.append(f"{elf.name_of(int(m[1], 16))}: {op} {m[3].strip()} "
                            f"-> {elf.name_of(target)}, outside the runtime regions")
    return problems, count


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cross", default="aarch64-linux-gnu-")
    p.add_argument("elf")
    a = p.parse_args()
    elf = Elf(a.cross, a.elf)
    ranges = elf.runtime_ranges()
    if CODE_SECTION not in elf.sections:
        print(f"check_runtime: {a.elf} has no {CODE_SECTION} section", file=sys.stderr)
        return 1
    relocs, n_relocs = check_relocations(elf, ranges)
    branches, n_branches = check_branches(elf, ranges)
    if n_relocs == 0:
        print(f"check_runtime: no relocations in the runtime sections of {a.elf} "
              "(linked without --emit-relocs?)", file=sys.stderr)
        return 1
    problems = relocs + branches
    for problem in problems:
        print(f"check_runtime: {problem}", file=sys.stderr)
    if problems:
        print(f"check_runtime: {len(problems)} reference(s) from runtime code or data to "
              "boot-time code or data; see docs/architecture.md, \"Runtime services in RAM\"",
              file=sys.stderr)
        return 1
    code = elf.sections[CODE_SECTION]
    print(f"  runtime: {code[1] - code[0]} bytes of code, {n_relocs} relocations and "
          f"{n_branches} branches checked: all inside the runtime regions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
