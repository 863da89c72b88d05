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


@pytest.fixture(scope="module")
def plugin():
    try:
        return mmu_off_table.build_plugin()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)


def run_plugin(boot, tmp_path, *, plugin_so=None, patterns=None, kernel=None, **kw):
    """Boot with the plugin; return (Boot, the plugin's JSON result)."""
    out = tmp_path / "mmu_off.json"
    extra = mmu_off_table.plugin_argv(
        kernel, out, plugin=plugin_so or mmu_off_table.PLUGIN, patterns=patterns)
    b = boot(kernel=kernel, extra=extra, **kw)
    assert out.is_file(), "the plugin wrote no result\n" + b.describe()
    return b, json.loads(out.read_text())


def off(result, phase):
    p = result["phases"][phase]
    return p["mmu_off_loads"] + p["mmu_off_stores"]


def show(name, result):
    print(f"\n{name}: entry EL{result['entry_el']}")
    for ph, p in result["phases"].items():
        print(f"  {ph:8} {p['insns']:>14,} insns, MMU off: {p['mmu_off_loads']:,} loads "
              f"{p['mmu_off_stores']:,} stores; MMU on: {p['mmu_on_loads']:,} loads "
              f"{p['mmu_on_stores']:,} stores")
    for t in result["transitions"]:
        print(f"  MMU {t['mmu']:3} at EL{t['el']} from {t['vaddr']:#x} ({t['phase']}): "
              f"then {t['loads']:,} loads, {t['stores']:,} stores")


# ---- tiny images with known answers ---------------------------------------------

KERNEL_AT = 0x104  # not 128-byte aligned: found by its bytes, not its place

# Firmware: 1 load, 1 store, in 4 instructions. "Kernel": 1 load, then ERET
# to EL0. EL0: 1 load, SVC. EL1's vector: 1 store, PSCI SYSTEM_OFF. All with
# the MMU off (SCTLR_EL1/EL2.M reset to 0). RAM is at 0x4000_0000.
TINY = """
    .globl _start
_start:
    movz x1, #0x4000, lsl #16
    ldr x0, [x1]
    str x0, [x1, #8]
    b kernel

    .org {kernel_at:#x}
kernel:
    nop
    movz x9, #0x1234
    movz x9, #0x5678
    nop
    ldr x0, [x1, #16]
    adr x4, vectors
    msr vbar_el1, x4
{to_el0}
    adr x4, user
    msr elr_{elx}, x4
    mov x4, #0x3c0          // EL0t, DAIF masked
    msr spsr_{elx}, x4
    eret
user:
    ldr x0, [x1, #24]
    svc #0

    .org 0x800
vectors:
    .org 0xc00               // synchronous, from a lower EL, AArch64
    str x0, [x1, #32]
    movz w0, #0x0008
    movk w0, #0x8400, lsl #16
    {psci} #0
"""


def tiny_image(tmp_path, el):
    """Assemble TINY for entry at EL1 or EL2; return (.bin path, kernel bytes)."""
    for t in ("as", "ld", "objcopy"):
        if shutil.which(CROSS + t) is None:
            pytest.fail(f"{CROSS}{t} is not installed (make deps)")
    body = TINY.format(
        kernel_at=KERNEL_AT,
        elx=f"el{el}",
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


@pytest.mark.parametrize("el", [1, 2])
def test_plugin_counts_a_tiny_image_exactly(boot, plugin, tmp_path, el):
    binf, kbytes = tiny_image(tmp_path, el)
    b, res = run_plugin(boot, tmp_path, firmware=binf, el2=(el == 2), timeout=30,
                        patterns=[bytes(16), kbytes])  # a pattern that never matches first
    show(f"tiny image at EL{el}", res)
    assert b.returncode == 0, b.describe()
    assert res["entry_el"] == el and res["read_errors"] == 0, res
    assert res["kernel_entered"] and res["kernel_entry_pattern"] == 1, res
    assert res["el0_reached"], res
    fw, kern, user = (res["phases"][p] for p in ("firmware", "kernel", "user"))
    assert fw["start_vaddr"] == 0 and kern["start_vaddr"] == KERNEL_AT, res
    assert fw["insns"] == 4, res  # movz, ldr, str, b
    assert (fw["mmu_off_loads"], fw["mmu_off_stores"]) == (1, 1), res
    assert (kern["mmu_off_loads"], kern["mmu_off_stores"]) == (1, 0), res
    # EL0's load, then the store in EL1's vector (after EL0 started).
    assert (user["mmu_off_loads"], user["mmu_off_stores"]) == (1, 1), res
    for p in (fw, kern, user):
        assert p["mmu_on_loads"] == p["mmu_on_stores"] == 0, res


def test_insn_count_plugin_on_the_tiny_image(boot, plugin, tmp_path):
    binf, kbytes = tiny_image(tmp_path, 1)
    b, res = run_plugin(boot, tmp_path, firmware=binf, timeout=30, patterns=[kbytes],
                        plugin_so=plugin.with_name("insn_count.so"))
    print(f"\ninsn_count on the tiny image: {res}")
    assert b.returncode == 0, b.describe()
    assert res["kernel_entered"] and res["kernel_vaddr"] == KERNEL_AT, res
    assert res["insns_before_kernel"] == 4, res
    assert res["insns_total"] > 4, res


# ---- real boots -------------------------------------------------------------------


@pytest.mark.parametrize("el", [1, 2])
def test_mmuon_no_mmu_off_access_before_the_kernel(boot, plugin, firmware, kernel_new,
                                                   initramfs, tmp_path, el):
    if not kernel_new.enters_with_mmu_on:
        pytest.skip(f"{kernel_new.package} turns the MMU off in its stub (< 6.3)")
    b, res = run_plugin(boot, tmp_path, firmware=firmware, kernel=kernel_new.path,
                        initrd=initramfs.path, append=qemu.BASE_CMDLINE,
                        el2=(el == 2), timeout=240)
    show(f"mmuon + {kernel_new.short} at EL{el}", res)
    qemu.verify_report(b, efi=True)
    assert res["entry_el"] == el and res["read_errors"] == 0, res
    # Entered at the PE entry point (EFI), not at the Image head.
    assert res["kernel_entered"] and res["kernel_entry_pattern"] == 1, res
    assert res["el0_reached"], res
    fw = res["phases"]["firmware"]
    assert off(res, "firmware") == 0, f"mmuon made MMU-off data accesses: {fw}"
    # Not blind: the plugin saw the firmware turn its MMU on, then access.
    first, second = res["transitions"][:2]
    assert (first["mmu"], first["vaddr"], first["loads"] + first["stores"]) == ("off", 0, 0)
    assert second["mmu"] == "on" and second["phase"] == "firmware", res["transitions"]
    assert fw["mmu_on_loads"] > 0 and fw["mmu_on_stores"] > 0, fw
    print(f"  kernel part: {off(res, 'kernel'):,} MMU-off accesses (the kernel's own)")


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
    assert off(res, "kernel") > 0, res


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
    assert off(res, "firmware") > 0, res


@pytest.mark.slow
def test_plugin_direct_kernel_at_el2(boot, plugin, kernel_new, initramfs, tmp_path):
    # QEMU -kernel at EL2: the same kernel part as at EL1 plus the hyp
    # stub's loads, so mmuon's EL2 kernel part is the kernel's own.
    b, res = run_plugin(boot, tmp_path, kernel=kernel_new.path, initrd=initramfs.path,
                        append=qemu.BASE_CMDLINE, el2=True, timeout=240)
    show(f"QEMU -kernel + {kernel_new.short} at EL2", res)
    qemu.verify_report(b, efi=False)
    assert res["entry_el"] == 2 and off(res, "kernel") > 0, res
