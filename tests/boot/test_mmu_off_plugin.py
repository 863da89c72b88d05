# SPDX-License-Identifier: MIT
"""Whole-boot MMU-off audit with the mmu_off TCG plugin (tools/plugin/).

The plugin counts the loads and stores made while SCTLR_ELx.M = 0 for the
current EL, split at the kernel's first instruction (firmware part) and at
the first instruction at EL0, the init (kernel part).

- Tiny flash images assembled here, whose accesses are known exactly, prove
  that the plugin counts MMU-off accesses, finds the "kernel" by its bytes,
  follows ERET to EL0 and an exception back, and counts instructions
  exactly; without them a blind plugin would pass mmuon by default.
- mmuon with the >= 6.3 kernel at EL1 and EL2: the firmware part must be 0.
  The kernel part is printed, not asserted: it is the kernel's business.
  Observed with Debian's 6.12: 0 at EL1; 10 loads at EL2, made by the
  kernel's own hyp stub (entered by HVC from EL1 at VBAR_EL2 + 0x400 with
  the EL2 MMU off, to switch to VHE). The kernel also turns its MMU off
  and on again three times on the way, without a data access in between.
- QEMU -kernel (the kernel entered with the MMU off, 1,300 accesses) and, in
  the slow run, EDK2 at EL2 (~127,000 in its reset path): the plugin sees
  MMU-off accesses in real boots too.

`make mmu-off-table` prints the whole comparison (tools/mmu_off_table.py).
Run with `-s` to see the counts.
"""

import json
import shutil
import subprocess
import sys

import pytest

import qemu

sys.path.insert(0, str(qemu.REPO / "tools"))
import mmu_off_table  # noqa: E402

CROSS = "aarch64-linux-gnu-"


def run_plugin(boot, tmp_path, *, plugin_so=None, patterns=None, kernel=None, fw_code=(),
               **kw):
    """Boot with the plugin; return (Boot, the plugin's JSON result)."""
    out = tmp_path / "mmu_off.json"
    extra = mmu_off_table.plugin_argv(
        kernel, out, plugin=plugin_so or mmu_off_table.PLUGIN, patterns=patterns,
        fw_code=fw_code)
    b = boot(kernel=kernel, extra=extra, **kw)
    assert out.is_file(), "the plugin wrote no result\n" + b.describe()
    return b, json.loads(out.read_text())


def show(name, result):
    print(f"\n{name}: entry EL{result['entry_el']}")
    print(mmu_off_table.details(mmu_off_table.Row(name, result["entry_el"], None, result)))


# ---- tiny images with known answers ---------------------------------------------

KERNEL_AT = 0x304  # not 128-byte aligned: found by its bytes, not its place
RT_AT = 0x4000_1000  # where the "firmware" copies its "runtime code" in RAM
# The firmware's code, as mmuon's is given: its flash part and its runtime
# code in RAM (two instructions). The EL0 code at `user` lies inside the
# first range: it must not count as firmware.
FW_CODE = [(0, KERNEL_AT), (RT_AT, RT_AT + 8)]

# Everything runs with the MMU off (SCTLR_EL1/EL2.M reset to 0); RAM is at
# 0x4000_0000. The firmware makes one access of each kind the plugin must
# see, copies a two-instruction "runtime service" to RAM and calls it; the
# "kernel" makes a load, calls that runtime service too (as Linux calls
# mmuon's), then ERETs to EL0; EL0 (at `user`, inside the firmware's flash
# range) loads and makes an SVC; EL1's vector stores and powers off (PSCI).
TINY = """
    .arch armv8.8-a+mops
    .globl _start
_start:
    movz x1, #0x4000, lsl #16
{enable_fp}
    isb
    ldr x0, [x1]                // 1 load
    str x0, [x1, #8]            // 1 store
    ldp x2, x3, [x1, #16]       // 1 load: one 16-byte access (LSE2)
    add x16, x1, #32
    ldxr x4, [x16]              // 1 load
    mov x5, #1
    add x16, x1, #40
    ldadd x5, x6, [x16]         // 1 load and 1 store: an atomic read-modify-write
    ld1 {{v0.16b}}, [x1]          // 2 loads: two 8-byte elements
    add x7, x1, #0x100
    dc zva, x7                  // 1 block op (no memory callback)
    add x10, x1, #0x200
    mov x11, #32
    mov x12, #0
    setp [x10]!, x11!, x12      // 3 block ops (no memory callback)
    setm [x10]!, x11!, x12
    sete [x10]!, x11!, x12
    adr x13, rt_code            // copy the runtime code to RAM:
    movz x14, #{rt_hi:#x}, lsl #16
    movk x14, #{rt_lo:#x}
    ldr w15, [x13]              // 2 loads, 2 stores
    str w15, [x14]
    ldr w15, [x13, #4]
    str w15, [x14, #4]
    dsb sy
    ic iallu
    dsb sy
    isb
    blr x14                     // rt_code in RAM: 1 load
    b kernel
rt_code:
    ldr x0, [x1, #48]
    ret
user:                           // EL0, in the firmware's range: 1 load
    ldr x0, [x1, #24]
    svc #0

    .org {kernel_at:#x}
kernel:
    nop
    movz x9, #0x1234
    movz x9, #0x5678
    nop
    ldr x0, [x1, #56]           // 1 load (other code)
    blr x14                     // the runtime service again: 1 load (firmware code)
    adr x4, vectors
    msr vbar_el1, x4
{to_el0}
    adr x4, user
    msr elr_{elx}, x4
    mov x4, #0x3c0              // EL0t, DAIF masked
    msr spsr_{elx}, x4
    eret

    .org 0x800
vectors:
    .org 0xc00                  // synchronous, from a lower EL, AArch64
    str x0, [x1, #64]           // 1 store (other code)
    movz w0, #0x0008
    movk w0, #0x8400, lsl #16
    {psci} #0
"""
# Executed before the kernel's first instruction: the 34 from _start to
# `b kernel`, and rt_code's two.
TINY_FIRMWARE_INSNS = 36
# (loads, stores, block ops) with the MMU off by firmware code before the
# kernel, as QEMU 10 performs them (target/arm/tcg/translate-a64.c):
#   loads:  ldr 1, ldp 1 (trans_LDP issues one 16-byte operation for the
#           pair), ldxr 1, ldadd 1, ld1 2 (the 16 byte elements as two
#           8-byte loads), the copy 2, rt_code's ldr 1;
#   stores: str 1, ldadd 1 (an atomic read-modify-write is reported as a
#           load and a store), the copy 2;
#   block ops: dc zva 1, setp/setm/sete 3 (QEMU memsets host memory for
#           them: no memory callback, no load or store reported).
TINY_FIRMWARE_ACCESSES = (1 + 1 + 1 + 1 + 2 + 2 + 1, 1 + 1 + 2, 1 + 3)


def tiny_image(tmp_path, el):
    """Assemble TINY for entry at EL1 or EL2; return (.bin path, kernel bytes)."""
    for t in ("as", "ld", "objcopy"):
        if shutil.which(CROSS + t) is None:
            pytest.fail(f"{CROSS}{t} is not installed (make deps)")
    body = TINY.format(
        kernel_at=KERNEL_AT,
        rt_hi=RT_AT >> 16,
        rt_lo=RT_AT & 0xFFFF,
        elx=f"el{el}",
        # ld1 needs FP/SIMD untrapped: CPACR_EL1.FPEN = 0b11 at EL1; at EL2
        # (E2H = 0) CPTR_EL2.TFP = 0, the RES1 bits set.
        enable_fp=("    mov x7, #0x33ff\n    msr cptr_el2, x7" if el == 2 else
                   "    mov x7, #(3 << 20)\n    msr cpacr_el1, x7"),
        # From EL2, EL1 must be AArch64 (HCR_EL2.RW) for EL0 to be; SVC from
        # EL0 then goes to EL1 (TGE = 0). PSCI: HVC at EL1, SMC with EL2.
        to_el0="    movz x5, #0x8000, lsl #16\n    msr hcr_el2, x5" if el == 2 else "",
        psci="smc" if el == 2 else "hvc",
    )
    src, obj = tmp_path / "tiny.s", tmp_path / "tiny.o"
    elf, binf = tmp_path / "tiny.elf", tmp_path / "tiny.bin"
    src.write_text(body)
    for cmd in ([CROSS + "as", "-o", str(obj), str(src)],
                [CROSS + "ld", "-Ttext=0", "-e", "_start", "-o", str(elf), str(obj)],
                [CROSS + "objcopy", "-O", "binary", str(elf), str(binf)]):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, " ".join(cmd) + "\n" + p.stderr
    return binf, binf.read_bytes()[KERNEL_AT:KERNEL_AT + 16]


def kinds(c: dict) -> tuple[int, int, int]:
    return c["loads"], c["stores"], c["block_ops"]


@pytest.mark.parametrize("el", [1, 2])
def test_plugin_counts_a_tiny_image_exactly(boot, plugin, tmp_path, el):
    binf, kbytes = tiny_image(tmp_path, el)
    b, res = run_plugin(boot, tmp_path, firmware=binf, el2=(el == 2), timeout=30,
                        patterns=[bytes(16), kbytes],  # a pattern that never matches first
                        fw_code=FW_CODE)
    show(f"tiny image at EL{el}", res)
    assert b.returncode == 0, b.describe()
    assert res["entry_el"] == el and res["read_errors"] == 0, res
    assert res["kernel_entered"] and res["kernel_entry_pattern"] == 1, res
    assert res["el0_reached"], res
    fw, kern, user = (res["phases"][p] for p in ("firmware", "kernel", "user"))
    assert fw["start_vaddr"] == 0 and kern["start_vaddr"] == KERNEL_AT, res
    assert fw["insns"] == TINY_FIRMWARE_INSNS, res
    # In time: what each phase did with the MMU off, whoever did it.
    assert kinds(fw["mmu_off"]) == TINY_FIRMWARE_ACCESSES, res
    assert kinds(kern["mmu_off"]) == (2, 0, 0), res  # the kernel's and rt_code's loads
    # EL0's load, then the store in EL1's vector (after EL0 started).
    assert kinds(user["mmu_off"]) == (1, 1, 0), res
    for p in (fw, kern, user):
        assert kinds(p["mmu_on"]) == (0, 0, 0), res
    # By code: the firmware's own accesses, wherever in time; the EL0 load
    # inside the firmware's range is not the firmware's.
    code = res["code"]
    assert kinds(code["firmware"]["firmware"]["mmu_off"]) == TINY_FIRMWARE_ACCESSES, res
    assert kinds(code["firmware"]["kernel"]["mmu_off"]) == (1, 0, 0), res
    assert kinds(code["firmware"]["user"]["mmu_off"]) == (0, 0, 0), res
    assert kinds(code["other"]["firmware"]["mmu_off"]) == (0, 0, 0), res
    assert kinds(code["other"]["kernel"]["mmu_off"]) == (1, 0, 0), res
    assert kinds(code["other"]["user"]["mmu_off"]) == (1, 1, 0), res


def test_insn_count_plugin_on_the_tiny_image(boot, plugin, tmp_path):
    binf, kbytes = tiny_image(tmp_path, 1)
    b, res = run_plugin(boot, tmp_path, firmware=binf, timeout=30, patterns=[kbytes],
                        plugin_so=plugin.with_name("insn_count.so"))
    print(f"\ninsn_count on the tiny image: {res}")
    assert b.returncode == 0, b.describe()
    assert res["kernel_entered"] and res["kernel_vaddr"] == KERNEL_AT, res
    assert res["complete"], res  # rewritten at exit, with the total
    assert res["insns_before_kernel"] == TINY_FIRMWARE_INSNS, res
    assert res["insns_total"] > TINY_FIRMWARE_INSNS, res


# ---- real boots -------------------------------------------------------------------


@pytest.mark.parametrize("el", [1, 2])
def test_mmuon_makes_no_mmu_off_access(boot, plugin, any_firmware, kernel_new, initramfs,
                                       tmp_path, el):
    """Over the whole boot, no instruction of mmuon's (its code in flash and
    its runtime code in RAM, from build/mmuon.elf) makes a data access with
    the MMU off, and nothing does before the kernel is entered. From -bios
    and from the pflash pair: the same code, mapped both ways."""
    if not kernel_new.enters_with_mmu_on:
        pytest.skip(f"{kernel_new.package} turns the MMU off in its stub (< 6.3)")
    fw_code = mmu_off_table.code_ranges(qemu.FIRMWARE.with_suffix(".elf"))
    b, res = run_plugin(boot, tmp_path, firmware=any_firmware, kernel=kernel_new.path,
                        initrd=initramfs.path, append=qemu.BASE_CMDLINE,
                        el2=(el == 2), timeout=240, fw_code=fw_code)
    show(f"mmuon + {kernel_new.short} at EL{el}", res)
    qemu.verify_report(b, efi=True)
    assert res["entry_el"] == el and res["read_errors"] == 0, res
    # Entered at the PE entry point (EFI), not at the Image head.
    assert res["kernel_entered"] and res["kernel_entry_pattern"] == 1, res
    assert res["el0_reached"], res
    assert mmu_off_table.mmu_off_by_code(res, "firmware") == 0, \
        f"mmuon's code made MMU-off data accesses: {res['code']['firmware']}"
    assert mmu_off_table.mmu_off(res, "firmware") == 0, \
        f"MMU-off data accesses before the kernel: {res['phases']['firmware']}"
    # Not blind: the plugin saw the firmware turn its MMU on, then access,
    # and saw mmuon's code run again, for the kernel (runtime services).
    first, second = res["transitions"][:2]
    assert (first["mmu"], first["vaddr"], mmu_off_table.accesses(first["accesses"])) == \
        ("off", 0, 0)
    assert second["mmu"] == "on" and second["phase"] == "firmware", res["transitions"]
    fw_on = res["code"]["firmware"]["firmware"]["mmu_on"]
    assert fw_on["loads"] > 0 and fw_on["stores"] > 0, fw_on
    assert res["code"]["firmware"]["kernel"]["mmu_on"]["loads"] > 0, res["code"]
    print(f"  kernel part: {mmu_off_table.mmu_off(res, 'kernel'):,} MMU-off accesses "
          "(the kernel's own)")


def test_plugin_sees_the_kernel_entered_with_mmu_off(boot, plugin, kernel_new, initramfs,
                                                     tmp_path):
    # QEMU's own loader enters the Image head with the MMU off: the kernel's
    # early code then makes MMU-off accesses (1,300 with Debian's 6.12).
    b, res = run_plugin(boot, tmp_path, kernel=kernel_new.path, initrd=initramfs.path,
                        append=qemu.BASE_CMDLINE, timeout=240)
    show(f"QEMU -kernel + {kernel_new.short}", res)
    qemu.verify_report(b, efi=False)
    assert res["kernel_entered"] and res["kernel_entry_pattern"] == 0, res
    # QEMU's boot stub: a handful of instructions before the Image head.
    assert 0 < res["phases"]["firmware"]["insns"] < 100, res
    assert mmu_off_table.mmu_off(res, "kernel") > 0, res


@pytest.mark.slow
def test_plugin_sees_edk2_mmu_off_at_el2(boot, plugin, kernel_new, initramfs, tmp_path):
    edk2 = mmu_off_table.FIRMWARES["edk2"]
    if not edk2.is_file():
        pytest.skip(f"{edk2} is missing (qemu-efi-aarch64; make deps)")
    b, res = run_plugin(boot, tmp_path, firmware=edk2, kernel=kernel_new.path,
                        initrd=initramfs.path, append=qemu.BASE_CMDLINE, el2=True,
                        timeout=300)
    show(f"EDK2 + {kernel_new.short} at EL2", res)
    qemu.verify_report(b, efi=True, firmware_complaints_ok=True)
    assert res["kernel_entered"] and res["kernel_entry_pattern"] == 1, res
    assert mmu_off_table.mmu_off(res, "firmware") > 0, res


@pytest.mark.slow
def test_plugin_direct_kernel_at_el2(boot, plugin, kernel_new, initramfs, tmp_path):
    # QEMU -kernel at EL2: the same kernel part as at EL1 plus the hyp
    # stub's loads, so mmuon's EL2 kernel part is the kernel's own.
    b, res = run_plugin(boot, tmp_path, kernel=kernel_new.path, initrd=initramfs.path,
                        append=qemu.BASE_CMDLINE, el2=True, timeout=240)
    show(f"QEMU -kernel + {kernel_new.short} at EL2", res)
    qemu.verify_report(b, efi=False)
    assert res["entry_el"] == 2 and mmu_off_table.mmu_off(res, "kernel") > 0, res
