"""Bad disks and boot options: a message, then the next boot option.

Two disks on virtio-blk-pci: first (bootindex=0) a GPT disk whose ESP is bad
in one way (images.BAD_ESPS: FAT cluster-chain loop, a cluster past the end,
a directory cycle, a directory whose own chain loops, a BOOTAA64.EFI that is
not a PE or is empty, an ESP with no filesystem or of one sector; fsck.fat
-n confirms each damaged FAT is bad), then (bootindex=1) a good one: a UKI
as its \\EFI\\BOOT\\BOOTAA64.EFI. The firmware must say what was wrong with
the first and boot the second: the guest reaches the test init with the
UKI's command line, and the test fails on a hang (timeout) or a crash.

Boot options that point nowhere: a variable store with Boot0001 (a
partition no disk has), Boot0002 (a file the good disk lacks), Boot0003
(the good disk's BOOTAA64.EFI), BootOrder 1,2,3. EDK2 gets it through
virt-fw-vars; mmuon through mmuon-varstore once it boots from a pflash
variable store.

Debian's EDK2 runs the same images (slow): what it does with each is the
reference. mmuon's cases are known failures while it cannot read disks.
"""

from __future__ import annotations

import re
import subprocess

import pytest

import images
import qemu
from evidence import expect_signature, known_failure
from test_disk_boot import disk_boot, needs_tools

TIMEOUT = 180
# Debian's EDK2 (2022.11) never gets past these: its FAT driver follows a
# directory's looping cluster chain for ever, before its boot manager
# prints a line. The signature: EDK2's banner, then nothing from BdsDxe
# until the kill.
EDK2_HANGS = {"dir-chain-loop": "EDK2's FAT driver loops on a directory's cluster chain"}
EDK2_HANG_TIMEOUT = 60
EDK2_SILENT = r"\A(?![\s\S]*BdsDxe)[\s\S]*UEFI firmware \(version"
DEFAULT_KINDS = ("chain-loop", "not-pe", "no-fs")

# What mmuon's boot manager says of the bad disk (src/boot/boot_manager.c:
# "mmuon: boot: <what>: <why> (<device path>)"), the first disk being
# PciRoot(0x0)/Pci(0x1,0x0).
BAD_DISK = r"PciRoot\(0x0\)/Pci\(0x1,0x0\)"
MMUON_SAYS = {
    "chain-loop": r"filesystem corrupted",
    "cluster-out-of-range": r"filesystem corrupted",
    "dir-cycle": r"not found|filesystem corrupted",
    "dir-chain-loop": r"filesystem corrupted",
    "not-pe": r"not a valid PE image",
    "empty-file": r"not a valid PE image",
    "no-fs": r"no boot option and no filesystem on it",
    "one-sector": r"no boot option and no filesystem on it",
}


def fsck_fat(image: images.Image) -> str:
    """fsck.fat -n on the image's ESP (copied out: fsck.fat has no offset)."""
    part = image.parts[0]
    esp = image.path.with_suffix(".esp")
    with open(image.path, "rb") as src, open(esp, "wb") as dst:
        src.seek(part.offset)
        dst.write(src.read(part.size))
    r = subprocess.run(["fsck.fat", "-n", str(esp)], capture_output=True, text=True)
    esp.unlink()
    return f"exit {r.returncode}\n{r.stdout}{r.stderr}"


def kinds():
    out = []
    for fw in ("edk2", "mmuon"):
        for kind in images.BAD_ESPS:
            marks = []
            if fw == "edk2" and kind in EDK2_HANGS:
                marks.append(known_failure(EDK2_HANGS[kind]))
            if fw == "edk2" or kind not in DEFAULT_KINDS:
                marks.append(pytest.mark.slow)
            out.append(pytest.param(fw, kind, marks=marks, id=f"{fw}-{kind}"))
    return out


@pytest.mark.parametrize("fw,kind", kinds())
def test_bad_esp_then_next_disk(boot, request, kernel_new, initramfs, fw, kind):
    needs_tools()
    bad = images.bad_esp(kind)
    if kind in ("chain-loop", "cluster-out-of-range", "dir-cycle", "dir-chain-loop"):
        fsck = fsck_fat(bad)
        assert fsck.startswith("exit 1"), f"fsck.fat finds {bad.path} clean:\n{fsck}"
    good = images.uki_esp(kernel_new.path, initramfs.path)
    drives = (images.drive_args(bad, "virtio-blk-pci", 0, bootindex=0)
              + images.drive_args(good, "virtio-blk-pci", 1, bootindex=1))
    hangs = fw == "edk2" and kind in EDK2_HANGS
    b = disk_boot(boot, request, fw, drives, timeout=EDK2_HANG_TIMEOUT if hangs else TIMEOUT,
                  check_timeout=False)
    if b.timed_out:
        if hangs:
            expect_signature(b.output, EDK2_SILENT, "EDK2 hangs before its boot manager")
        raise AssertionError(f"hung: killed after the timeout\n\n{b.describe()}")
    if fw == "mmuon":
        said = re.search(rf"^mmuon: boot: .*: (?:{MMUON_SAYS[kind]}) \({BAD_DISK}.*\)$",
                         b.output, re.M)
        assert said, f"no message about the bad disk\n\n{b.describe()}"
    qemu.verify_report(b, cmdline=good.default_cmdline,
                       payload_sha256=initramfs.payload_sha256, efi=True)


# mmuon's boot manager on each option that points nowhere, then the good one.
MMUON_OPTIONS_SAY = [
    r'^mmuon: boot: Boot0001 "mmuon: no such partition": no such device or file \(HD\(',
    r'^mmuon: boot: Boot0002 "mmuon: no such file": not found \(.*\\EFI\\nowhere\\missing\.efi\)',
    r'^mmuon: booting Boot0003 "mmuon: the good disk": ',
]


@pytest.mark.parametrize("fw", [pytest.param("edk2", marks=pytest.mark.slow),
                                "mmuon"])
def test_boot_options_pointing_nowhere(boot, request, tmp_path, kernel_new, initramfs, fw):
    needs_tools()
    good = images.uki_esp(kernel_new.path, initramfs.path)
    options = images.boot_options_nowhere(good)
    if fw == "edk2":
        fw_args = images.edk2_args(images.edk2_vars(options, tmp_path / "vars.fd"))
    else:
        fw_args = images.mmuon_args(images.mmuon_vars(options, tmp_path / "vars.fd"))
    b = disk_boot(boot, request, fw, fw_args + images.drive_args(good, "virtio-blk-pci"),
                  timeout=TIMEOUT, raw=True)
    if fw == "mmuon":
        for said in MMUON_OPTIONS_SAY:
            assert re.search(said, b.output, re.M), f"no /{said}/\n\n{b.describe()}"
    qemu.verify_report(b, cmdline=good.default_cmdline,
                       payload_sha256=initramfs.payload_sha256, efi=True)
