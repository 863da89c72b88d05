"""Unified Kernel Images as QEMU's -kernel: systemd-stub 252 (bookworm) and
254 (bookworm-backports) with Debian's kernels, built by the tests
(tests/boot/clients.py: objcopy adds .osrel, .cmdline, .linux, .initrd).

- 252's stub is gnu-efi: it relocates itself, has no .reloc and no
  NX_COMPAT, so mmuon names it on the console and gives it RWX code
  allocations. 254's has ImageBase 0x1d1f80000 and a .reloc: mmuon must
  relocate it; it is NX-compatible (strict W^X).
- The stub finds its device on the kernel-loader filesystem (254 asserts on
  a NULL DeviceHandle), hands .linux to LoadImage (mmuon places the kernel
  at a random slot, FIXED) and offers .initrd through its own LoadFile2.
- Without -append the UKI's .cmdline is the command line (mmuon passes no
  LoadOptions); with -append, LoadOptions win.
- -initrd with a UKI that has .initrd is refused with a clear message; a
  UKI without .initrd takes mmuon's LoadFile2 initrd from -initrd.
- A UKI whose .linux is cut short: LoadImage says why and fails, the stub
  returns, mmuon says so and powers off. No hang, no crash.
"""

from __future__ import annotations

import pytest

import clients
import qemu
from clients import FIXED, LOADFILE2_INITRD, NOT_NX, check_copied, ebs_stats
from test_linux_boot import INITRD_AT, KERNEL_AT, kernel_code_start

TIMEOUT = 150
STUB_254_IMAGE_BASE = 0x1D1F80000
UKI_CMDLINE = qemu.make_cmdline("mmuon.loader=uki")


def describe(b: qemu.Boot, msg: str) -> str:
    return f"{msg}\n\n{b.describe()}"


def boot_uki(boot, firmware, uki, **kw) -> qemu.Boot:
    return boot(firmware=firmware, kernel=uki, mem="1G", timeout=TIMEOUT, **kw)


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
@pytest.mark.parametrize("version", clients.SYSTEMD_VERSIONS)
def test_uki_boots_linux(boot, firmware, version, kernel, initramfs, el2):
    uki = clients.build_uki(version, kernel.path, initramfs.path, UKI_CMDLINE)
    b = boot_uki(boot, firmware, uki, el2=el2)
    r = qemu.verify_report(b, cmdline=UKI_CMDLINE, payload_sha256=initramfs.payload_sha256,
                           efi=True)
    # The stub's own LoadFile2 initrd: mmuon offers none without -initrd.
    assert LOADFILE2_INITRD in b.output and not INITRD_AT.search(b.output), b.describe()
    # 252 is not NX-compatible, 254 is.
    assert NOT_NX.findall(b.output) == (["kernel"] if version == "252" else []), b.describe()
    placed = [int(m[1], 16) for m in KERNEL_AT.finditer(b.output)]
    assert len(placed) == 2, describe(b, "mmuon places the UKI, then the kernel")
    if version == "254":
        assert placed[0] != STUB_254_IMAGE_BASE, "254's stub ran where it was linked"
    # The UKI is DMA'd section by section (they are not at their file
    # offsets); the kernel from .linux goes to a random slot, FIXED, and
    # the only bytes the CPU copied are the kernel's, from the stub's buffer.
    assert "DMA section by section" in b.output, b.describe()
    assert FIXED in b.output, b.describe()
    stats = ebs_stats(b)
    assert stats["kernel"] == placed[1] and placed[1] % 0x10000 == 0, stats
    check_copied(b, stats, kernel.path)
    assert stats["non_nx_images"] == (1 if version == "252" else 0), stats
    if kernel.enters_with_mmu_on:
        assert kernel_code_start(r) == placed[1], b.describe()


@pytest.mark.firmware
@pytest.mark.parametrize("version", clients.SYSTEMD_VERSIONS)
def test_uki_append_wins(boot, firmware, version, kernel_new, initramfs):
    """-append becomes LoadOptions, which the stub prefers to .cmdline."""
    uki = clients.build_uki(version, kernel_new.path, initramfs.path, UKI_CMDLINE)
    cmdline = qemu.make_cmdline("mmuon.from=append")
    b = boot_uki(boot, firmware, uki, append=cmdline)
    qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256, efi=True)


@pytest.mark.firmware
def test_uki_with_initrd_refuses_dash_initrd(boot, firmware, kernel_new, initramfs):
    uki = clients.build_uki("254", kernel_new.path, initramfs.path, UKI_CMDLINE)
    b = boot_uki(boot, firmware, uki, initrd=initramfs.path)
    assert "is a Unified Kernel Image with its own initrd (.initrd section)" in b.output, \
        b.describe()
    assert "mmuon: powering off" in b.output and b.returncode == 0, b.describe()
    assert "EFI stub" not in b.output, describe(b, "nothing ran")


@pytest.mark.firmware
@pytest.mark.parametrize("version", clients.SYSTEMD_VERSIONS)
def test_uki_without_initrd_takes_dash_initrd(boot, firmware, version, kernel_new, initramfs):
    """No .initrd: the stub registers none, so mmuon's -initrd is the one."""
    uki = clients.build_uki(version, kernel_new.path, None, UKI_CMDLINE)
    b = boot_uki(boot, firmware, uki, initrd=initramfs.path)
    qemu.verify_report(b, cmdline=UKI_CMDLINE, payload_sha256=initramfs.payload_sha256,
                       efi=True)
    m = INITRD_AT.search(b.output)
    assert m and int(m[2]) == initramfs.path.stat().st_size, b.describe()


@pytest.mark.firmware
@pytest.mark.parametrize("version", clients.SYSTEMD_VERSIONS)
def test_uki_truncated_linux(boot, firmware, version, kernel_new, initramfs):
    """.linux holds the first half of the kernel file: a PE whose sections
    run past its end. LoadImage refuses it with a message, and the stub's
    error comes back to mmuon, which powers off."""
    data = kernel_new.path.read_bytes()
    uki = clients.build_uki(version, kernel_new.path, initramfs.path, UKI_CMDLINE,
                            linux=data[: len(data) // 2])
    b = boot_uki(boot, firmware, uki)
    assert "mmuon: LoadImage: PE section data extends past the end of the file" in b.output, \
        b.describe()
    assert "the kernel's EFI stub returned with status 0x8" in b.output, b.describe()
    assert b.returncode == 0 and "synchronous exception" not in b.output, b.describe()
