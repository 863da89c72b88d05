"""Boot the kernels with QEMU's own loader (-kernel, no firmware, no EFI).

These validate the harness itself — the test init, the initramfs, the QEMU
runner and the report checks — so a failing firmware test can be blamed on
the firmware. The default run boots each kernel once; the rest is `slow`.
"""

from __future__ import annotations

import pytest

import qemu

# Each boot takes ~3 s on this machine (TCG, 2 cores); a boot over this is a
# regression in the harness or a loaded machine. The hard kill comes later.
BOOT_BUDGET = 30
TIMEOUT = 90

# Quotes and runs of spaces must reach /proc/cmdline unchanged, and the whole
# line must survive at the longest size arm64 keeps (2047 bytes).
QUOTED = ('mmuon.quoted="hello   world"', "mmuon.single='a b'", 'mmuon.mixed="x=\'1 2\'"')
FULL_CMDLINE = qemu.make_cmdline(*QUOTED, length=qemu.CMDLINE_MAX)


def check_budget(boot: qemu.Boot) -> None:
    assert boot.init_time is not None and boot.init_time < BOOT_BUDGET, (
        f"init reached after {boot.init_time} s (budget {BOOT_BUDGET} s)\n" + boot.describe()
    )


# ---- default: one boot per kernel -------------------------------------------------


def test_direct_boot(boot, kernel, initramfs):
    b = boot(kernel=kernel.path, initrd=initramfs.path, append=FULL_CMDLINE, timeout=TIMEOUT)
    r = qemu.verify_report(
        b, cmdline=FULL_CMDLINE, payload_sha256=initramfs.payload_sha256, efi=False, cpus=1
    )
    assert len(FULL_CMDLINE) == qemu.CMDLINE_MAX
    assert r.detail("cmdline-length") == str(qemu.CMDLINE_MAX)
    assert r.detail("cmdline") == FULL_CMDLINE  # the line itself, not just its hash
    assert r.get("rtc").status == "PASS"
    iomem = [e.detail for e in r.all("iomem")]
    assert any(d.endswith(": Kernel code") for d in iomem), iomem
    assert any(d.endswith(": Kernel data") for d in iomem), iomem
    assert r.detail("dmesg-firmware-count") == "0"
    assert b.kernel_time is not None, "no earlycon line from the kernel\n" + b.describe()
    check_budget(b)


# ---- the harness itself (no kernel) ---------------------------------------------------


def test_report_parser():
    lines = [
        (0.5, "[    1.0] random kernel line"),
        (1.0, "MMUON-TEST cmdline: INFO console=ttyAMA0 a=\"PASS x\"  "),
        (1.1, "[    2.5] rtc-pl031 9010000.pl031: setting system clockMMUON-TEST rtc: PASS 2025"),
        (1.2, "MMUON-TEST dmesg-firmware: INFO [    0.1] [Firmware Bug]: x"),
        (1.3, "MMUON-TEST payload: FAIL size=1 sha256=00"),
        (1.4, "MMUON-TEST empty: INFO"),
        (1.5, "MMUON-TEST done: FAIL 1 passed, 1 failed"),
    ]
    lines.append((1.6, "EFI stub: ERROR: FIRMWARE BUG: kernel image not aligned"))
    r = qemu.Report(lines)
    assert r.detail("cmdline") == 'console=ttyAMA0 a="PASS x"  '
    assert r.get("rtc").status == "PASS"
    assert r.detail("empty") == ""
    assert [e.name for e in r.failures] == ["payload", "done"]
    assert r.done and r.efi is None
    b = qemu.Boot(argv=["q"], lines=lines, stderr="", returncode=0, wall=2, timed_out=False)
    assert b.init_time == 1.0
    assert b.firmware_complaints == [lines[-1][1]]


def test_make_cmdline():
    assert FULL_CMDLINE.startswith(qemu.BASE_CMDLINE + " " + " ".join(QUOTED))
    assert len(qemu.make_cmdline("mmuon.é=€", length=300).encode()) == 300
    with pytest.raises(ValueError):
        qemu.make_cmdline("x" * 100, length=50)


def test_timeout_kills_qemu():
    # No firmware and no kernel: the CPU spins on the empty flash at 0.
    b = qemu.run_qemu(timeout=1.5, check_timeout=False)
    assert b.timed_out and b.returncode is None
    assert 1.5 <= b.wall < 10
    with pytest.raises(qemu.BootTimeout, match="killed after"):
        qemu.run_qemu(timeout=0.5)


# ---- slow: one aspect each, mostly on the newest kernel ---------------------------


@pytest.mark.slow
def test_cmdline_too_long_is_truncated(boot, kernel_new, initramfs):
    # Documents the kernel's limit the firmware has to respect, not a bug.
    long = qemu.make_cmdline(*QUOTED, length=qemu.CMDLINE_MAX + 200)
    b = boot(kernel=kernel_new.path, initrd=initramfs.path, append=long, timeout=TIMEOUT)
    qemu.verify_report(b, cmdline=long[: qemu.CMDLINE_MAX])


@pytest.mark.slow
def test_short_cmdline_utf8(boot, kernel_new, initramfs):
    # Non-ASCII passes through as UTF-8 bytes (an EFI firmware must
    # round-trip it through UCS-2; the BMP characters here can be).
    cmdline = qemu.make_cmdline("mmuon.utf8=é€ñ", "mmuon.tab=a\tb")
    b = boot(kernel=kernel_new.path, initrd=initramfs.path, append=cmdline, timeout=TIMEOUT)
    qemu.verify_report(b, cmdline=cmdline)


@pytest.mark.slow
@pytest.mark.parametrize("gzip", [False, True], ids=["cpio", "cpio.gz"])
def test_large_payload(boot, kernel_new, make_initramfs, gzip):
    ird = make_initramfs(payload_size=32 << 20, gzip=gzip)
    b = boot(kernel=kernel_new.path, initrd=ird.path, append=qemu.BASE_CMDLINE,
             timeout=TIMEOUT)
    r = qemu.verify_report(b, payload_sha256=ird.payload_sha256)
    assert f"size={32 << 20} " in r.detail("payload")
    check_budget(b)


@pytest.mark.slow
def test_smp(boot, kernel_new, initramfs):
    b = boot(kernel=kernel_new.path, initrd=initramfs.path, append=qemu.BASE_CMDLINE,
             smp=2, timeout=TIMEOUT)
    qemu.verify_report(b, cpus=2)


@pytest.mark.slow
def test_el2(boot, kernel, initramfs):
    b = boot(kernel=kernel.path, initrd=initramfs.path, append=qemu.BASE_CMDLINE,
             el2=True, timeout=TIMEOUT)
    qemu.verify_report(b, efi=False)
    assert b.time_of("CPU: All CPU\\(s\\) started at EL2"), b.describe()
    check_budget(b)


@pytest.mark.slow
def test_busybox_shell(boot, kernel_new, make_initramfs):
    # What tools/run.sh gives a user at a terminal, driven by a script.
    ird = make_initramfs(busybox=True)
    b = boot(
        kernel=kernel_new.path,
        initrd=ird.path,
        append=qemu.make_cmdline("mmuon.shell"),
        timeout=TIMEOUT,
        interact=[
            # Field 7 of stat is the controlling tty: job control needs one.
            (r"mmuon# ", "echo hello-$((6 * 7)) ctty=$(cut -d' ' -f7 /proc/self/stat)\n"),
            (r"hello-42", ""),
            (r"mmuon# ", "poweroff\n"),
        ],
    )
    qemu.verify_report(b)
    assert b.time_of(r"^hello-42 ctty=[1-9]"), b.describe()
    assert b.time_of(r"reboot: Power down"), b.describe()
    assert b.returncode == 0
