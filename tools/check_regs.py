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

# (rule, what it finds, functions where it is allowed)
RULES = [
    ("x18", lambda mnemonic, operands: bool(X18.search(operands)),
     {"exception_entry"}),
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
    print(f"  registers: no x18 outside {sorted(RULES[0][2])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
