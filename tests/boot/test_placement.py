"""Zero copies and randomized placement, proven from inside the guest.

- The kernel runs where mmuon DMA'd it: /proc/iomem "Kernel code" starts at
  the address mmuon printed (>= 6.3 honours LINUX_EFI_LOADED_IMAGE_FIXED_GUID
  and runs in place; 6.1 also stays, but turns the MMU off in its stub).
- The initrd the kernel uses is where mmuon DMA'd it: the kernel's own
  memblock log (memblock=debug) reserves it at mmuon's address.
- mmuon's counters, read by the guest from the EFI variable MmuonBootStats
  (efivarfs: DT or ACPI boots) and from /chosen/mmuon,boot-stats (DT boots;
  both must agree): no byte of kernel or initrd copied by the CPU, and
  exactly the bytes LoadImage copied when the kernel's sections must move.
- Over 8 boots the kernel lands at >= 7 distinct addresses; with nokaslr at
  the lowest 2 MiB-aligned slot, where the stub runs it without moving it.
"""

from __future__ import annotations

import re
import time

import pytest

import make_bad_kernels  # tools/, on pytest.ini's pythonpath
import qemu
from test_linux_boot import INITRD_AT, KERNEL_AT, kernel_code_start

TIMEOUT = 120
# mmuon places the kernel within a second or two of reset, even under load.
PLACEMENT_DEADLINE = 60
SZ_64K = 0x10000
SZ_2M = 0x200000


def boot_to_init(boot, firmware, kernel, initramfs, extra_cmdline=""):
    cmdline = qemu.make_cmdline(*filter(None, [extra_cmdline]))
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initramfs.path,
             append=cmdline, mem="1G", timeout=TIMEOUT)
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256, efi=True)
    return b, r


def stats(report: qemu.Report) -> dict[str, int]:
    """mmuon's boot statistics as the guest read them: from the EFI variable
    MmuonBootStats through efivarfs, which works whether the kernel booted
    with a DT or with ACPI, and from /chosen/mmuon,boot-stats, which exists
    only with a DT; where both are there they must say the same."""
    def parse(text: str) -> dict[str, int]:
        return {k: int(v, 0) for k, v in (kv.split("=") for kv in text.split())}

    efivar, chosen = report.detail("bootstats-efivar"), report.detail("bootstats")
    assert efivar, "the guest found no MmuonBootStats EFI variable\n" + str(report)
    if chosen is not None:
        assert parse(chosen) == parse(efivar), f"/chosen: {chosen}\nEFI variable: {efivar}"
    return parse(efivar)


def test_kernel_and_initrd_stay_where_mmuon_put_them(boot, firmware, kernel_new, initramfs):
    b, r = boot_to_init(boot, firmware, kernel_new, initramfs, "memblock=debug")
    kernel = int(KERNEL_AT.search(b.output)[1], 16)
    initrd = int(INITRD_AT.search(b.output)[1], 16)
    assert kernel % SZ_64K == 0
    assert kernel_code_start(r) == kernel, b.describe()
    # arm64_memblock_init reserves the initrd it was given, then the kernel.
    reserved = [int(a, 16) for a in re.findall(
        r"memblock_reserve: \[0x([0-9a-f]+)-0x[0-9a-f]+\] arm64_memblock_init", b.output)]
    assert initrd in reserved, f"initrd at {initrd:#x}, kernel reserved {[hex(a) for a in reserved]}"
    assert kernel in reserved


def test_no_byte_copied_by_the_cpu(boot, any_firmware, kernel_new, initramfs):
    b, r = boot_to_init(boot, any_firmware, kernel_new, initramfs)
    s = stats(r)
    assert s["cpu_copied_bytes"] == 0, s
    assert s["kernel"] == int(KERNEL_AT.search(b.output)[1], 16)
    assert s["initrd"] == int(INITRD_AT.search(b.output)[1], 16)
    assert s["initrd_size"] == initramfs.path.stat().st_size
    # Everything else arrived by DMA: the kernel file (less its signature)
    # and the initrd, plus a few small reads (headers, command line).
    assert s["dma_bytes"] >= s["kernel_size"] - s["bss_zeroed_bytes"] + s["initrd_size"]


def test_moved_sections_still_zero_copy(boot, firmware, kernel_new, initramfs):
    """A kernel whose sections are not at their file offsets
    (make_bad_kernels.moved_sections(): the real kernel, its section data
    moved 4 KiB down the file) cannot be DMA'd in one piece: mmuon says so
    and DMAs the headers and each section to their place, and the count
    the guest reads is still 0 bytes copied by the CPU."""
    moved, _ = make_bad_kernels.make_moved_kernel(kernel_new.path)
    cmdline = qemu.make_cmdline()
    b = boot(firmware=firmware, kernel=moved, initrd=initramfs.path, append=cmdline,
             mem="1G", timeout=TIMEOUT)
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256,
                           efi=True)
    said = "mmuon: kernel sections are not at their file offsets: DMA section by section"
    assert said in [line for _, line in b.lines], f"no line {said!r}\n" + b.describe()
    s = stats(r)
    assert s["cpu_copied_bytes"] == 0, s
    assert kernel_code_start(r) == s["kernel"], b.describe()


def placements(firmware, kernel, n, cmdline="console=ttyAMA0", deadline=PLACEMENT_DEADLINE):
    """Kernel addresses over n boots, each stopped once mmuon has placed it.

    Each boot is killed at its placement line, or after `deadline` seconds
    without one (BootTimeout with the console), whatever QEMU prints or not.
    """
    found = []
    for i in range(n):
        b = qemu.run_qemu(firmware=firmware, kernel=kernel.path, append=cmdline, mem="1G",
                          stop_at=KERNEL_AT, timeout=deadline,
                          log=qemu.BUILD / "boot" / "logs" / f"placements.{i + 1}.log")
        m = KERNEL_AT.search(b.output)
        assert b.stopped and m, "no placement line\n" + b.describe()
        found.append(int(m[1], 16))
    return found


def test_placements_has_a_hard_deadline(kernel_new, tmp_path):
    """A firmware that never prints (here `b .` at the reset vector) ends in
    BootTimeout after the deadline: placements() cannot block."""
    silent = tmp_path / "spin.bin"
    silent.write_bytes(bytes.fromhex("00000014") * 1024)  # b . (branch to itself)
    start = time.monotonic()
    with pytest.raises(qemu.BootTimeout, match="QEMU killed after 2 s"):
        placements(silent, kernel_new, 1, deadline=2)
    assert time.monotonic() - start < 15


def test_placement_is_randomized(firmware, kernel_new):
    addrs = placements(firmware, kernel_new, 8)
    assert all(a % SZ_64K == 0 for a in addrs), [hex(a) for a in addrs]
    assert len(set(addrs)) >= 7, [hex(a) for a in addrs]


def test_nokaslr_placement_follows_the_stub_rule(boot, firmware, kernel_new, initramfs):
    """nokaslr: the stub wants 2 MiB alignment to run in place; mmuon picks
    the lowest 2 MiB-aligned slot, the same every boot."""
    addrs = placements(firmware, kernel_new, 2, "console=ttyAMA0 nokaslr")
    assert addrs[0] == addrs[1] and addrs[0] % SZ_2M == 0, [hex(a) for a in addrs]
    b, r = boot_to_init(boot, firmware, kernel_new, initramfs, "nokaslr")
    assert "KASLR disabled on kernel command line" in b.output
    assert kernel_code_start(r) == int(KERNEL_AT.search(b.output)[1], 16), b.describe()


NO_ENTROPY_WARNINGS = [
    "mmuon: warning: no entropy source (no RNDR, SMCCC TRNG or DT rng-seed): "
    "no EFI_RNG_PROTOCOL, so no KASLR",
    "mmuon: no entropy: kernel placement not randomized",
]


def test_no_entropy_is_said_and_placement_is_fixed(boot, firmware, kernel_new, initramfs):
    """cortex-a57 has no RNDR, QEMU offers no SMCCC TRNG, and
    dtb-randomness=off leaves rng-seed out of the DT: mmuon has no entropy,
    says so, offers no EFI_RNG_PROTOCOL (the kernel runs without KASLR) and
    puts the kernel at the lowest free slot, the same every boot."""
    no_entropy = dict(cpu="cortex-a57", machine_opts="dtb-randomness=off")
    cmdline = qemu.make_cmdline()
    b = boot(firmware=firmware, kernel=kernel_new.path, initrd=initramfs.path,
             append=cmdline, mem="1G", timeout=TIMEOUT, **no_entropy)
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256,
                           efi=True)
    lines = [line for _, line in b.lines]
    for warning in NO_ENTROPY_WARNINGS:
        assert warning in lines, f"no line {warning!r}\n" + b.describe()
    assert "KASLR disabled due to lack of seed" in b.output, b.describe()
    assert "RNG: HMAC_DRBG seeded" not in b.output, b.describe()
    kernel = int(KERNEL_AT.search(b.output)[1], 16)
    assert kernel_code_start(r) == kernel, b.describe()
    again = qemu.run_qemu(firmware=firmware, kernel=kernel_new.path, append=cmdline,
                          mem="1G", stop_at=KERNEL_AT, timeout=PLACEMENT_DEADLINE,
                          **no_entropy)
    assert int(KERNEL_AT.search(again.output)[1], 16) == kernel, again.describe()


def test_linux_6_1_stub(boot, firmware, kernel_61, initramfs):
    """6.1's stub also honours the FIXED GUID, but cleans the image and
    turns the MMU off before entering the kernel (docs/boot-protocol.md).
    Its "Kernel code" resource starts at _stext, one 64 KiB header page
    after the image base: the image was not moved."""
    b, r = boot_to_init(boot, firmware, kernel_61, initramfs)
    m = KERNEL_AT.search(b.output)
    base, size = int(m[1], 16), int(m[2])
    code = kernel_code_start(r)
    assert base <= code < base + size, f"image {base:#x}+{size:#x}, Kernel code {code:#x}"
    assert stats(r)["cpu_copied_bytes"] == 0
