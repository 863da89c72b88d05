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

import sys

from elf_scan import Elf, branches, inside, open_elf, reaches, relocations

RUNTIME_SECTIONS = (".rt_code", ".rt_data", ".rt_bss")
CODE_SECTION = ".rt_code"


def runtime_ranges(elf: Elf) -> list[tuple[int, int]]:
    return [elf.sections[s] for s in RUNTIME_SECTIONS if s in elf.sections]


def check_relocations(elf: Elf, ranges) -> tuple[list[str], int]:
    problems, count = [], 0
    for r in relocations(elf, RUNTIME_SECTIONS):
        count += 1
        # A PC-relative page address may point at the end of a section.
        if not inside(ranges, r.target) and not inside(ranges, r.target - 1):
            problems.append(
                f"{elf.name_of(r.place)}: {r.kind} to {r.name or '?'}"
                f"{'+' if r.addend >= 0 else '-'}0x{abs(r.addend):x} = "
                f"{elf.name_of(r.target)}, outside the runtime regions")
    return problems, count


def check_branches(elf: Elf, ranges) -> tuple[list[str], int]:
    problems, count = [], 0
    for place, op, operands, target in branches(elf, (CODE_SECTION,)):
        count += 1
        if not reaches(ranges, op, target):
            problems.append(f"{elf.name_of(place)}: {op} {operands} "
                            f"-> {elf.name_of(target)}, outside the runtime regions")
    return problems, count


def main() -> int:
    elf = open_elf(__doc__)
    if CODE_SECTION not in elf.sections:
        print(f"check_runtime: {elf.path} has no {CODE_SECTION} section", file=sys.stderr)
        return 1
    ranges = runtime_ranges(elf)
    relocs, n_relocs = check_relocations(elf, ranges)
    found, n_branches = check_branches(elf, ranges)
    if n_relocs == 0:
        print(f"check_runtime: no relocations in the runtime sections of {elf.path} "
              "(linked without --emit-relocs?)", file=sys.stderr)
        return 1
    problems = relocs + found
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
