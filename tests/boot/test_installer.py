"""The Debian 12 netboot installer from a CD, to its first screen.

debian-installer-12-netboot-arm64 ships the netboot tree but no ISO:
images.installer() builds one in the layout of Debian's mini.iso (shim and
the signed CD GRUB in an El Torito EFI image, the installer's own GRUB menu,
kernel and initrd on the ISO 9660 side). It is attached as a virtio-blk CD
(`-drive if=virtio,media=cdrom`, 512-byte blocks) and as a SCSI CD on
virtio-scsi (scsi-cd, 2048-byte blocks). The installer's GRUB menu has no
timeout: the test presses Enter on its first entry ("Install"); the boot is
done when the installer draws "Select a language" on the serial console.

Under Debian's EDK2 first (AAVMF pflash), then mmuon at EL1 and EL2; the
default run boots mmuon from the virtio-blk CD at EL1.
"""

from __future__ import annotations

import pytest

import images
from test_disk_boot import disk_boot, needs_tools

TIMEOUT = 480  # the installer's 40 MB initrd under TCG: ~100 s on a busy host
GRUB_MENU = r"Advanced options"  # the installer's menu is drawn: Enter boots "Install"
GRUB_VERSION = r"GNU GRUB +version 2\.06"


def _cases():
    out = [pytest.param("edk2", "virtio-cd", False, marks=pytest.mark.slow,
                        id="edk2-virtio-cd-el1"),
           pytest.param("edk2", "scsi-cd", True, marks=pytest.mark.slow,
                        id="edk2-scsi-cd-el2")]
    for el2 in (False, True):
        for bus in images.CD_BUSES:
            marks = []
            if (bus, el2) != ("virtio-cd", False):
                marks.append(pytest.mark.slow)
            out.append(pytest.param("mmuon", bus, el2, marks=marks,
                                    id=f"mmuon-{bus}-el{2 if el2 else 1}"))
    return out


@pytest.mark.parametrize("fw,bus,el2", _cases())
def test_installer_first_screen(boot, request, fw, bus, el2):
    needs_tools()
    image = images.installer()
    b = disk_boot(boot, request, fw, images.drive_args(image, bus), el2=el2,
                  timeout=TIMEOUT, interact=[(GRUB_MENU, "\r")],
                  stop_at=images.INSTALLER_FIRST_SCREEN)
    assert b.time_of(GRUB_VERSION), f"no GRUB menu\n\n{b.describe()}"
    assert b.stopped, f"no {images.INSTALLER_FIRST_SCREEN!r}\n\n{b.describe()}"
    assert not b.firmware_complaints, b.describe()
