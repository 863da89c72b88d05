"""tools/check_flash.py catches flash code that reaches into the boot code.

Tiny ELFs laid out like mmuon's (flash code at 0, the boot code in RAM at
1 GiB, linked with --emit-relocs) with one planted reference each; calls
from mmuon_main, which go through the linker's long-branch veneers, and the
address of the region's bounds pass. The real firmware must pass (the
build runs the check too).
"""

from __future__ import annotations

import subprocess

import pytest

from check_tools import CROSS, assert_firmware_passes, assert_verdict, link, run_check

LINKER_SCRIPT = """
SECTIONS {
  .text 0 : { *(.flash.head.text) }
  .text.flash : { *(.flash.text .flash.text.*) }
  .rodata : { *(.flash.rodata .flash.rodata.*) }
  .boot 0x40200000 : { __boot_start = .; *(.text .text.*) }
  .boot_rodata : { *(.rodata .rodata.*) __boot_end = .; }
}
"""

BOOT = """
    .section .flash.head.text, "ax"
    .global _reset
_reset: bl mmuon_main
    .section .flash.text.main, "ax"
    .global mmuon_main
    .type mmuon_main, %function
mmuon_main:
    bl flash_fn
    bl boot_fn
    ret
    .size mmuon_main, . - mmuon_main
    .type flash_fn, %function
flash_fn: ret
    .size flash_fn, . - flash_fn
    .section .text.boot, "ax"
    .global boot_fn
    .type boot_fn, %function
boot_fn: bl flash_fn
    ret
    .size boot_fn, . - boot_fn
    .section .rodata.boot, "a"
    .global boot_table
    .type boot_table, %object
boot_table: .quad boot_fn
    .size boot_table, . - boot_table
"""

CASES = {
    "clean": ("""
    .section .flash.text.loader, "ax"
    .type loader, %function
loader:
    adrp x0, __boot_start
    add x0, x0, :lo12:__boot_start
    ret
    .size loader, . - loader
""", None),
    "call to boot code": ("""
    .section .flash.text.early, "ax"
    .type early, %function
early: bl boot_fn
    ret
    .size early, . - early
""", "early+0x0: R_AARCH64_CALL26 to boot_fn"),
    "boot data address": ("""
    .section .flash.text.early, "ax"
    .type early, %function
early: adrp x0, boot_table
    add x0, x0, :lo12:boot_table
    ret
    .size early, . - early
""", "R_AARCH64_ADR_PREL_PG_HI21 to boot_table"),
    "pointer to boot code in flash data": ("""
    .section .flash.rodata.ops, "a"
ops: .quad boot_fn
""", "R_AARCH64_ABS64 to boot_fn"),
}


@pytest.mark.parametrize("case", CASES)
def test_check_flash(tmp_path, case):
    body, expected = CASES[case]
    elf = link(tmp_path, BOOT + body, LINKER_SCRIPT)
    # Not blind: the far calls went through veneers the check must follow.
    nm = subprocess.run([CROSS + "nm", str(elf)], check=True, capture_output=True,
                        text=True).stdout
    assert "_veneer" in nm
    result = run_check("check_flash.py", elf)
    assert_verdict(result, expected)
    if expected is None:
        assert "reached only from mmuon_main" in result.stdout


def test_firmware_passes():
    assert_firmware_passes("check_flash.py", "reached only from mmuon_main")
