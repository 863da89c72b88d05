"""The runtime services after ExitBootServices, as Linux uses them.

mmuon runs its runtime services from a copy in RAM (docs/architecture.md,
"Runtime services in RAM"); the flash at 0 is not in the memory map. Linux
maps only what the memory map marks EFI_MEMORY_RUNTIME into its EFI page
tables, so each service it calls proves the copy complete:

- memblock: the RAM Linux took from the memory map does not include the
  flash (before: [0, image end) was nomap RAM, and memstart was 0);
- GetNextVariableName/GetVariable: efivarfs lists and reads a variable;
- GetTime: the rtc-efi device reads the time;
- ResetSystem: the test init restarts (mmuon.reboot); arm64 Linux restarts
  through ResetSystem when it has runtime services (machine_restart ->
  efi_reboot). QEMU's -d in_asm, filtered to the RAM copy of mmuon's
  ResetSystem, shows that code was executed there; -no-reboot ends QEMU.

At EL1, and at EL2 where Linux (VHE) calls the services at EL2.
"""

from __future__ import annotations

import re
import subprocess

import pytest

import qemu

TIMEOUT = 150
FLASH_END = 0x0800_0000  # QEMU virt: two 64 MiB flash banks at 0
MEMBLOCK = re.compile(r"^\s*\d+: 0x([0-9a-f]+)\.\.0x([0-9a-f]+)\s")


def symbol(elf, name: str) -> tuple[int, int]:
    """Address and size of a symbol of the firmware's ELF."""
    out = subprocess.run(["aarch64-linux-gnu-nm", "-S", str(elf)], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == name:
            return int(f[0], 16), int(f[1], 16)
    raise AssertionError(f"{name} not in {elf}")


def memblock_ranges(report: qemu.Report) -> list[tuple[int, int]]:
    ranges = []
    for detail in (e.detail for e in report.all("memblock")):
        m = MEMBLOCK.match(detail)
        if m:
            ranges.append((int(m[1], 16), int(m[2], 16)))
    return ranges


def runtime_boot(boot, firmware, kernel, initramfs, tmp_path, *, el2: bool):
    elf = firmware.with_suffix(".elf")
    reset, size = symbol(elf, "rt_reset_system")
    trace = tmp_path / "reset_system.log"
    cmdline = qemu.make_cmdline("mmuon.reboot")
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initramfs.path, append=cmdline,
             el2=el2, timeout=TIMEOUT,
             extra=["-d", "in_asm", "-D", str(trace), "-dfilter", f"{reset:#x}+{size:#x}"])
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256,
                           efi=True)
    return b, r, reset, trace


@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_runtime_services_run_from_ram(boot, firmware, kernel_new, initramfs, tmp_path, el2):
    b, r, reset, trace = runtime_boot(boot, firmware, kernel_new, initramfs, tmp_path, el2=el2)

    regions = memblock_ranges(r)
    assert regions, f"no memblock report from the guest:\n{r}"
    assert all(start >= FLASH_END for start, _ in regions), (
        f"memblock.memory includes the flash: {[(hex(s), hex(e)) for s, e in regions]}")
    assert not re.search(r"^\s*0+-[0-9a-f]+ : (System RAM|reserved)", b.output, re.M)

    assert r.get("efivars").status == "PASS", r          # GetNextVariableName, GetVariable
    assert r.get("efi-rtc").status == "PASS", r          # GetTime
    assert "EFI Runtime Services are disabled" not in b.output, b.describe()

    # ResetSystem: Linux restarted through it, and it ran from the RAM copy.
    assert "reboot: Restarting system" in b.output, b.describe()
    executed = trace.read_text(errors="replace") if trace.exists() else ""
    assert re.search(rf"^0x0*{reset:x}:", executed, re.M), (
        f"QEMU translated no code at ResetSystem's RAM copy (0x{reset:x}):\n{executed[:2000]}")


@pytest.mark.slow
def test_runtime_services_linux_61(boot, firmware, kernel_61, initramfs, tmp_path):
    """6.1's stub turns the MMU off before the kernel; the services are the same."""
    b, r, reset, trace = runtime_boot(boot, firmware, kernel_61, initramfs, tmp_path, el2=False)
    assert all(start >= FLASH_END for start, _ in memblock_ranges(r))
    assert r.get("efivars").status == "PASS", r
    assert re.search(rf"^0x0*{reset:x}:", trace.read_text(errors="replace"), re.M)
