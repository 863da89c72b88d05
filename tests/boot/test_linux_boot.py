"""Linux through mmuon: the kernel's own EFI stub, MMU on, to the test init.

Each boot checks from inside the guest (the test init's report) that EFI is
there, the command line and the initrd arrived intact, the RTC works and the
kernel logged no complaint about the firmware; and from the console that the
stub printed no error. The default run boots each kernel once at EL1 and
the new kernel once at EL2; more configurations are `slow`.
"""

from __future__ import annotations

import re

import pytest

import qemu

TIMEOUT = 120
QUOTED = ('mmuon.quoted="hello   world"', "mmuon.single='a b'", 'mmuon.mixed="x=\'1 2\'"')
FULL_CMDLINE = qemu.make_cmdline(*QUOTED, length=qemu.CMDLINE_MAX)

KERNEL_AT = re.compile(r"mmuon: kernel image at 0x([0-9a-f]+) \((\d+) bytes\)")
INITRD_AT = re.compile(r"mmuon: initrd at 0x([0-9a-f]+) \((\d+) bytes\)")


def kernel_code_start(report: qemu.Report) -> int | None:
    for d in (e.detail for e in report.all("iomem")):
        m = re.match(r"([0-9a-f]+)-[0-9a-f]+ : Kernel code", d)
        if m:
            return int(m[1], 16)
    return None


def boot_linux(boot, firmware, kernel, initramfs, *, el2=False, mem="1G", cmdline=FULL_CMDLINE, **kw):
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initramfs.path, append=cmdline,
             mem=mem, el2=el2, timeout=TIMEOUT, **kw)
    r = qemu.verify_report(b, cmdline=cmdline, payload_sha256=initramfs.payload_sha256, efi=True)
    assert "EFI stub: ERROR" not in b.output, b.describe()
    assert r.detail("dmesg-firmware-count") == "0", b.describe()
    assert r.get("rtc").status == "PASS", b.describe()
    return b, r


def test_linux_boots_through_its_efi_stub(boot, firmware, kernel, initramfs):
    b, r = boot_linux(boot, firmware, kernel, initramfs)
    assert r.detail("cmdline") == FULL_CMDLINE
    assert "EFI stub: Image placement fixed by loader" in b.output, b.describe()
    assert "Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in b.output
    m = INITRD_AT.search(b.output)
    assert m and int(m[2]) == initramfs.path.stat().st_size, b.describe()


def test_linux_at_el2(boot, firmware, kernel_new, initramfs):
    b, r = boot_linux(boot, firmware, kernel_new, initramfs, el2=True)
    assert re.search(r"^mmuon \S+ at EL2", b.output, re.M)
    # The kernel keeps EL2 for KVM: it says so when it finds it.
    assert re.search(r"CPU: All CPU\(s\) started at EL2", b.output), b.describe()


def test_kernel_runs_where_mmuon_put_it(boot, firmware, kernel_new, initramfs):
    """>= 6.3: the stub honours the FIXED GUID and runs the image in place."""
    b, r = boot_linux(boot, firmware, kernel_new, initramfs)
    m = KERNEL_AT.search(b.output)
    assert m, b.describe()
    assert kernel_code_start(r) == int(m[1], 16), b.describe()


@pytest.mark.slow
@pytest.mark.parametrize("mem", ["128M", "5G"])
def test_linux_memory_sizes(boot, firmware, kernel_new, initramfs, mem):
    boot_linux(boot, firmware, kernel_new, initramfs, mem=mem)


@pytest.mark.slow
def test_linux_el2_cortex_a57(boot, firmware, kernel_new, initramfs):
    boot_linux(boot, firmware, kernel_new, initramfs, el2=True, cpu="cortex-a57")


@pytest.mark.slow
def test_linux_smp(boot, firmware, kernel_new, initramfs):
    b, r = boot_linux(boot, firmware, kernel_new, initramfs, smp=4)
    assert (r.detail("cpus") or "").startswith("4 "), r
