"""The configuration matrix: Linux through mmuon on many QEMU `virt` machines.

Each configuration changes a few knobs of the baseline (newest Debian
kernel, `-cpu max`, EL1, 1 GiB, one CPU, the 1 MiB test initramfs, the
usual command line) and must boot to the test init with a clean report:
EFI present, command line and initrd intact, every CPU online, the EL and
the RAM mmuon announced, no complaint from the EFI stub. Two rows expect a
kernel panic instead (no initrd, or an over-long command line the stub
cuts): there mmuon's part is what is checked.

A few cheap rows run by default; the rest are `slow`:

    make matrix        # everything: MMUON_SLOW=1 pytest tests/boot/test_matrix.py
    /usr/bin/python3 -m pytest -q tests/boot/test_matrix.py -k EL2    # a slice
"""

from __future__ import annotations

import dataclasses
import re

import pytest

import qemu

TIMEOUT = 180  # a 16 GiB, 4-CPU boot under TCG on a busy host stays < 30 s
MiB = 1 << 20

QUOTED = ('mmuon.quoted="hello   world"', "mmuon.single='a b'", "mmuon.utf8=caf\u00e9\u20ac")
CMDLINE_2K = qemu.make_cmdline(*QUOTED, length=qemu.CMDLINE_MAX)
# Twice what the kernel keeps (COMMAND_LINE_SIZE is 2048 with the NUL).
CMDLINE_TOO_LONG = qemu.make_cmdline(length=4096)


@dataclasses.dataclass(frozen=True)
class Config:
    id: str
    kernel: str = "new"  # "6.1" or "new"
    cpu: str = "max"
    el2: bool = False
    mem: str = "1G"
    smp: int = 1
    machine_opts: str = ""
    payload: int | None = 1 * MiB  # initramfs payload size; None: no initrd
    cmdline: str = qemu.BASE_CMDLINE
    expect: str = "init"  # "init", "no-root" (kernel panics) or "cut" (stub cuts cmdline)
    fast: bool = False  # in the default run

    @property
    def mem_mib(self) -> int:
        n, unit = int(self.mem[:-1]), self.mem[-1]
        return n * {"M": 1, "G": 1024}[unit]


def _el(el2: bool) -> str:
    return "EL2" if el2 else "EL1"


CPUS = ["max", "cortex-a57", "cortex-a53", "cortex-a72", "max,pauth=off"]

MATRIX = (
    [Config(f"cpu-{c.replace(',', '-').replace('=', '-')}-{_el(e)}", cpu=c, el2=e,
            fast=(c, e) == ("cortex-a53", True))
     for c in CPUS for e in (False, True)]
    + [Config(f"mem-{m}-{_el(e)}", mem=m, el2=e, fast=(m, e) == ("128M", False))
       for m in ("128M", "5G", "16G") for e in (False, True)]
    # RAM ending off a 2 MiB boundary: page-granular tables at its top.
    + [Config("mem-1001M-EL1", mem="1001M")]
    + [Config(f"smp-4-{_el(e)}", smp=4, el2=e) for e in (False, True)]
    # Without highmem RAM ends below 4 GiB: 3 GiB is as much as fits.
    + [Config(f"highmem-off-3G-{_el(e)}", machine_opts="highmem=off", mem="3G", el2=e)
       for e in (False, True)]
    + [
        Config("no-initrd", payload=None, expect="no-root", fast=True),
        Config("cmdline-empty", cmdline="", fast=True),
        Config("cmdline-2k", cmdline=CMDLINE_2K),
        Config("cmdline-4k", cmdline=CMDLINE_TOO_LONG, expect="cut"),
        Config("initrd-64M", payload=64 * MiB),
    ]
    + [Config(f"linux-6.1-{_el(e)}", kernel="6.1", el2=e) for e in (False, True)]
)


def _params():
    for cfg in MATRIX:
        marks = () if cfg.fast else (pytest.mark.slow,)
        yield pytest.param(cfg, id=cfg.id, marks=marks)


def _kernel(cfg: Config, kernel_61, kernel_new):
    return kernel_61 if cfg.kernel == "6.1" else kernel_new


def check_firmware_part(b: qemu.Boot, cfg: Config) -> None:
    """What mmuon itself said: the EL and RAM it found, the kernel started."""
    el = 2 if cfg.el2 else 1
    m = re.search(r"^mmuon \S+ at EL(\d)(?: \(non-VHE\))?, RAM (\d+) MiB$", b.output, re.M)
    assert m, f"no banner\n{b.describe()}"
    assert (int(m[1]), int(m[2])) == (el, cfg.mem_mib), b.describe()
    assert re.search(r"^mmuon: kernel image at 0x[0-9a-f]+ \(\d+ bytes\)$", b.output, re.M)
    assert "EFI stub: Image placement fixed by loader" in b.output, b.describe()
    assert not re.search(r"^mmuon: fatal", b.output, re.M), b.describe()
    assert not re.search(r"synchronous exception|SError", b.output), b.describe()


def check_initrd(b: qemu.Boot, cfg: Config, initrd) -> None:
    m = re.search(r"^mmuon: initrd at 0x[0-9a-f]+ \((\d+) bytes\)$", b.output, re.M)
    if initrd is None:
        assert m is None, b.describe()
        return
    assert m and int(m[1]) == initrd.path.stat().st_size, b.describe()
    assert "Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path" in b.output


@pytest.mark.parametrize("cfg", _params())
def test_matrix(boot, firmware, kernel_61, kernel_new, make_initramfs, cfg):
    kernel = _kernel(cfg, kernel_61, kernel_new)
    initrd = None if cfg.payload is None else make_initramfs(payload_size=cfg.payload)
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initrd and initrd.path,
             append=cfg.cmdline, cpu=cfg.cpu, el2=cfg.el2, mem=cfg.mem, smp=cfg.smp,
             machine_opts=cfg.machine_opts, timeout=TIMEOUT)
    check_firmware_part(b, cfg)
    check_initrd(b, cfg, initrd)

    if cfg.expect == "no-root":
        # Without an initrd (and no disk) the kernel cannot mount a root:
        # its panic, with panic=-1 and -no-reboot, ends QEMU cleanly.
        assert "Kernel panic - not syncing: VFS: Unable to mount root fs" in b.output, \
            b.describe()
        assert not b.firmware_complaints, b.describe()
        assert not b.timed_out and b.returncode == 0, b.describe()
        return

    if cfg.expect == "cut":
        # The stub cuts what it cannot keep, says so (its ERROR), and boots
        # on: the guest gets a prefix of what QEMU was given.
        assert re.search(r"EFI stub: ERROR: Command line is too long: truncated to \d+ bytes",
                         b.output), b.describe()
        r = qemu.verify_report(b, payload_sha256=initrd.payload_sha256, efi=True,
                               cpus=cfg.smp, firmware_complaints_ok=True)
        got = r.detail("cmdline") or ""
        assert got and cfg.cmdline.startswith(got), b.describe()
        return

    r = qemu.verify_report(b, cmdline=cfg.cmdline, payload_sha256=initrd.payload_sha256,
                           efi=True, cpus=cfg.smp)
    assert r.detail("dmesg-firmware-count") == "0", b.describe()
    # The kernel's own view of the EL it was entered at.
    assert re.search(rf"CPU: All CPU\(s\) started at {_el(cfg.el2)}", b.output), b.describe()


def test_fast_subset_is_small():
    """The default run stays at a few cheap boots (make test's budget)."""
    fast = [c.id for c in MATRIX if c.fast]
    assert 3 <= len(fast) <= 4, fast
