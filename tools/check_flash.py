#!/usr/bin/env python3
"""Check that mmuon's flash code does not reach into its boot code too early.

The boot code (the ELF's .boot and .boot_rodata sections: everything not
built to run from flash, see docs/architecture.md, "Boot code in RAM") is
in RAM only once
mmu_init() has decompressed it; until then its addresses hold nothing.
The code that runs from flash (.text, .text.flash: the reset path, DT
discovery, the console, panic, the page tables, the exception handler)
must therefore not call it, jump to it or take its address -- except in
mmuon_main(), which calls into it after mmu_init() returns (src/boot/main.c
says so where it does). This fails the build on any other reference:

- every relocation the linker applied inside the flash code and its
  read-only data (the ELF is linked with --emit-relocs);
- every direct branch and PC-relative address in the disassembly of the
  flash code, which also covers hand-written assembly.

Usage: check_flash.py [--cross PREFIX] ELF
"""

from __future__ import annotations

import re
import sys

from elf_scan import INSN, Elf, branches, inside, open_elf, reaches, relocations, run

FLASH_CODE = (".text", ".text.vectors", ".text.flash")
FLASH_SECTIONS = FLASH_CODE + (".rodata", ".flash_tables_root", ".flash_tables")
BOOT_SECTIONS = (".boot", ".boot_rodata")
# Functions that may refer to the boot code: they run it after mmu_init().
ALLOWED = ("mmuon_main",)


def function_of(elf: Elf, addr: int) -> str:
    return elf.name_of(addr).split("+")[0]


def check_relocations(elf: Elf, boot: tuple[int, int]) -> tuple[list[str], int, set[int]]:
    """Also returns the places that have a relocation."""
    problems, count, places = [], 0, set()
    # Symbols of functions and objects; the others the linker script
    # defines are bounds of regions (__boot_start): addresses, not uses.
    named = {name for _, _, name in elf.functions}
    for r in relocations(elf, FLASH_SECTIONS):
        count += 1
        places.add(r.place)
        if r.name.startswith("__") and r.name not in named and r.addend == 0:
            continue
        if inside([boot], r.target) and function_of(elf, r.place) not in ALLOWED:
            problems.append(f"{elf.name_of(r.place)}: {r.kind} to {r.name or '?'} = "
                            f"{elf.name_of(r.target)}, in the boot code")
    return problems, count, places


def veneer_targets(elf: Elf) -> dict[int, int]:
    """The linker's long-branch veneers in the flash code (the boot code is
    1 GiB away, beyond a bl): their address -> where they branch (adrp x16
    + add x16, x16, #lo12 + br x16)."""
    out = run([elf.cross + "objdump", "-d", "-j", ".text.flash", elf.path])
    targets, current, page = {}, None, None
    for line in out.splitlines():
        v = re.match(r"^([0-9a-f]+) <(\w+_veneer)>:$", line)
        if v:
            current, page = int(v[1], 16), None
            continue
        m = INSN.match(line)
        if not m or current is None:
            continue
        if m[2] == "adrp":  # "x16, 4028c000 <symbol+0xe0>"
            page = int(re.match(r"x16,\s*([0-9a-f]+)", m[3])[1], 16)
        elif m[2] == "add" and page is not None:
            targets[current] = page + int(re.search(r"#0x([0-9a-f]+)", m[3])[1], 16)
            current = None
    return targets


def check_branches(elf: Elf, boot: tuple[int, int],
                   relocated: set[int]) -> tuple[list[str], int]:
    """What relocations do not cover: hand-written assembly, veneers."""
    problems, count = [], 0
    veneers = veneer_targets(elf)
    for start, _, name in elf.functions:
        if name.endswith("_veneer") and start not in veneers and \
                inside([elf.sections[".text.flash"]], start):
            problems.append(f"{name}: a veneer whose target this check cannot read")
    for place, op, operands, target in branches(elf, FLASH_CODE):
        count += 1
        if place in relocated or function_of(elf, place).endswith("_veneer"):
            continue  # checked by its relocation, or at the branches to it
        target = veneers.get(target, target)
        if reaches([boot], op, target) and function_of(elf, place) not in ALLOWED:
            problems.append(f"{elf.name_of(place)}: {op} {operands} -> "
                            f"{elf.name_of(target)}, in the boot code")
    return problems, count


def main() -> int:
    elf = open_elf(__doc__)
    if any(s not in elf.sections for s in BOOT_SECTIONS + (".text.flash",)):
        print(f"check_flash: {elf.path} has no .boot, .boot_rodata or .text.flash section",
              file=sys.stderr)
        return 1
    boot = (elf.sections[".boot"][0], elf.sections[".boot_rodata"][1])
    relocs, n_relocs, relocated = check_relocations(elf, boot)
    found, n_branches = check_branches(elf, boot, relocated)
    if n_relocs == 0:
        print(f"check_flash: no relocations in the flash sections of {elf.path} "
              "(linked without --emit-relocs?)", file=sys.stderr)
        return 1
    problems = relocs + found
    for problem in problems:
        print(f"check_flash: {problem}", file=sys.stderr)
    if problems:
        print(f"check_flash: {len(problems)} reference(s) from the flash code to the boot "
              f"code, which is in RAM only after mmu_init() (allowed only in "
              f"{', '.join(ALLOWED)}); see docs/architecture.md, \"Boot code in RAM\"",
              file=sys.stderr)
        return 1
    print(f"  flash: {n_relocs} relocations and {n_branches} branches checked: the boot "
          f"code is reached only from {', '.join(ALLOWED)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
