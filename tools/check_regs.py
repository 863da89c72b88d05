#!/usr/bin/env python3
"""Check that mmuon's code leaves alone the registers it must not use.

Reads the disassembly of the linked firmware (objdump -d) and fails on:

- x18 (or w18) in any instruction. x18 is the platform register: UEFI
  (2.10 section 2.3.6.4) reserves it, an OS may keep something in it across
  firmware calls (Linux checks it around runtime services calls: "FW_BUG
  register x18 corrupted"). The C code is built with -ffixed-x18; this
  catches assembly, libraries built without the flag, and the flag going
  missing. The one use allowed: exception_entry stores it, with the other
  registers of the interrupted context, for the crash dump.
- any FP/SIMD (or SVE) instruction: one that names a vector or FP register
  (v0-v31, q/d/s/h/b0-31, z0-z31, p0-p15) or FPCR/FPSR. The firmware is
  built -mgeneral-regs-only: it must not depend on FP being enabled (an EL2
  whose CPTR traps FP, an OS that hands it FP state it must not corrupt),
  and prebuilt libraries compiled without the flag (libfdt-dev's libfdt.a
  had AdvSIMD in fdt_open_into) must not bring it back. The one use
  allowed: context_save/context_resume keep d8-d15 across an image's Exit(),
  as AAPCS64 says a callee preserves them.

The allowed places are named by function (the symbol an instruction falls
under in the disassembly), never by address.

Usage: check_regs.py [--cross PREFIX] ELF
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

FUNCTION = re.compile(r"^[0-9a-f]+ <(.+)>:$")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+(?:[0-9a-f]{8}|[0-9a-f]{4} [0-9a-f]{4})\s+(\S+)\s*(.*)$")
X18 = re.compile(r"\b[xw]18\b")
# Operands only. Addresses (branch and literal targets, printed as hex with
# the symbol: "d24 <mmu_init+0x114>") are dropped first, and a system
# register name like s3_0_c15_c2_0 does not end at a word boundary.
FP_SIMD = re.compile(r"\b(?:[vqdshbz](?:[0-9]|[12][0-9]|3[01])|p(?:[0-9]|1[0-5])|fpcr|fpsr)\b")
TARGET = re.compile(r"\b[0-9a-f]+ <[^>]*>")

# (rule, what it finds, functions where it is allowed)
RULES = [
    ("x18", lambda mnemonic, operands: bool(X18.search(operands)),
     {"exception_entry"}),
    ("FP/SIMD", lambda mnemonic, operands: bool(FP_SIMD.search(TARGET.sub("", operands))),
     {"context_save", "context_resume"}),
]


def violations(disassembly: str, rules=RULES) -> list[str]:
    found = []
    function = "?"
    for line in disassembly.splitlines():
        m = FUNCTION.match(line)
        if m:
            function = m[1]
            continue
        m = INSN.match(line)
        if not m:
            continue
        address, mnemonic, operands = m[1], m[2], m[3].split("//")[0]
        for name, matches, allowed in rules:
            if function not in allowed and matches(mnemonic, operands):
                found.append(f"{name}: {function} at 0x{address}: {mnemonic} {operands.strip()}")
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cross", default="aarch64-linux-gnu-")
    ap.add_argument("elf")
    args = ap.parse_args()
    dis = subprocess.run([args.cross + "objdump", "-d", args.elf],
                         check=True, capture_output=True, text=True).stdout
    found = violations(dis)
    for v in found:
        print(f"check_regs: {args.elf}: {v}", file=sys.stderr)
    if found:
        print(f"check_regs: {len(found)} instruction(s) use registers the firmware "
              "must leave alone", file=sys.stderr)
        return 1
    print("  registers: " + "; ".join(f"no {name} outside {', '.join(sorted(allowed))}"
                                       for name, _, allowed in RULES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
