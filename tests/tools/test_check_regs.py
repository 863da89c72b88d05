"""tools/check_regs.py catches code that uses registers the firmware must leave alone.

x18, and any FP/SIMD register.

Small objects with one planted use each, assembled here, must fail the
check with the function and instruction named; the same instructions in
the one function allowed to have them must pass. The real firmware must
pass (the build runs the check on every link too).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from check_tools import CROSS, assert_firmware_passes, assert_verdict, run_check

CLEAN = """
    .text
    .global plain
plain:
    mov x0, x19
    ldp x29, x30, [sp], #16
    ret
"""

# name: (assembly, the line expected in the report, or None for a pass)
CASES = {
    "clean": (CLEAN, None),
    "x18 as a scratch register": ("""
    .text
    .global memmap_thing
memmap_thing:
    ldr x18, [x1, #32]
    ret
""", "x18: memmap_thing at 0x"),
    "w18": ("""
    .text
    .global compute
compute:
    add w0, w18, #1
    ret
""", "x18: compute at 0x"),
    "x18 saved for the crash dump": ("""
    .text
exception_entry:
    stp x18, x19, [sp, #144]
    ret
""", None),
    # What Debian's prebuilt libfdt.a had in fdt_open_into and friends.
    "AdvSIMD load/store": ("""
    .text
    .global fdt_open_into
fdt_open_into:
    ldr d0, [x0, #88]
    stur d0, [x20, #20]
    ret
""", "FP/SIMD: fdt_open_into at 0x"),
    "vector arithmetic": ("""
    .text
    .global splice
splice:
    rev32 v1.8b, v1.8b
    ret
""", "FP/SIMD: splice at 0x"),
    "fmov from a general register": ("""
    .text
    .global appendprop
appendprop:
    fmov d0, x20
    ret
""", "FP/SIMD: appendprop at 0x"),
    "q register": ("""
    .text
    .global copy
copy:
    ldp q0, q1, [x1]
    ret
""", "FP/SIMD: copy at 0x"),
    "FPCR": ("""
    .text
    .global rounding
rounding:
    mrs x0, fpcr
    ret
""", "FP/SIMD: rounding at 0x"),
    "d8-d15 kept across Exit()": ("""
    .text
context_save:
    stp d8, d9, [x0, #104]
    ret
context_resume:
    ldp d8, d9, [x0, #104]
    ret
""", None),
    # Addresses that read like registers: "b d24 <target>".
    "a branch to 0xd24": ("""
    .text
    .global far
far:
    b target
    .org 0xd24
target:
    ret
""", None),
}


def assemble(tmp: Path, body: str) -> Path:
    src, obj = tmp / "t.S", tmp / "t.o"
    src.write_text(body)
    subprocess.run([CROSS + "gcc", "-c", "-o", str(obj), str(src)], check=True)
    return obj


@pytest.mark.parametrize("case", CASES)
def test_check_regs(tmp_path, case):
    body, expected = CASES[case]
    assert_verdict(run_check("check_regs.py", assemble(tmp_path, body)), expected)


def test_firmware_passes():
    assert_firmware_passes("check_regs.py", "no FP/SIMD outside context_resume, context_save")
