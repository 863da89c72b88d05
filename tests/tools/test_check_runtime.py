"""tools/check_runtime.py catches runtime code that refers to boot code or data.

Tiny ELFs laid out like mmuon's (boot code in flash at 0, .rt_code and
.rt_data in RAM, linked with --emit-relocs) with one planted reference
each; the real firmware must pass (the build runs the check too).
"""

from __future__ import annotations

import pytest

from check_tools import assert_firmware_passes, assert_verdict, link, run_check

LINKER_SCRIPT = """
SECTIONS {
  .text 0 : { *(.text .text.*) }
  .rodata : { *(.rodata .rodata.*) }
  .rt_code 0x40200000 : { *(.rt.text .rt.text.*) *(.rt.rodata .rt.rodata.*) }
  .rt_data 0x40210000 : { *(.rt.data .rt.data.*) }
  .data 0x40230000 : { *(.data .data.*) }
}
"""

BOOT = """
    .section .text.boot, "ax"
    .global boot_fn
boot_fn: ret
    .section .data.boot, "aw"
    .global boot_var
boot_var: .quad 0
"""

CASES = {
    "clean": ("""
    .section .rt.text, "ax"
rt_fn: bl rt_helper
    adrp x0, rt_var
    ldr x0, [x0, :lo12:rt_var]
    ret
rt_helper: ret
    .section .rt.data, "aw"
rt_var: .quad rt_fn
""", None),
    "call to boot code": ("""
    .section .rt.text, "ax"
rt_fn: bl boot_fn
    ret
""", "CALL26 to boot_fn"),
    "boot data address": ("""
    .section .rt.text, "ax"
rt_fn: adrp x0, boot_var
    add x0, x0, :lo12:boot_var
    ret
""", "ADR_PREL_PG_HI21 to boot_var"),
    "pointer to boot code in runtime data": ("""
    .section .rt.text, "ax"
rt_fn: ret
    .section .rt.data, "aw"
rt_table: .quad boot_fn
""", "ABS64 to boot_fn"),
}


@pytest.mark.parametrize("case", CASES)
def test_check_runtime(tmp_path, case):
    body, expected = CASES[case]
    result = run_check("check_runtime.py", link(tmp_path, BOOT + body, LINKER_SCRIPT))
    assert_verdict(result, expected)
    if expected is not None:
        assert "outside the runtime regions" in result.stderr


def test_firmware_passes():
    assert_firmware_passes("check_runtime.py", "all inside the runtime regions")
