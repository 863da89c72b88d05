"""systemd-boot as QEMU's -kernel (systemd-bootaa64.efi from
systemd-boot-efi:arm64 254, bookworm-backports), with a disk holding an ESP
(tests/boot/images.py: loader.conf, a Type #1 entry, a UKI in \\EFI\\Linux).

systemd-boot 254 knows it was started as -kernel by its DeviceHandle's
device path, VenMedia(QEMU_KERNEL_LOADER_FS_MEDIA_GUID)/End (mmuon's
kernel-loader filesystem, as EDK2's): it then looks through every
SimpleFileSystem for one with \\EFI (vmm_open) and reads its entries there.
Its menu runs on the serial console: a timer event and ConIn->WaitForKey
in WaitForEvent, CheckEvent, SetWatchdogTimer; it writes its Loader*
variables (the guest lists them in efivarfs).

- Both kernels, EL1 and EL2, the default entry at once (timeout 0): the
  Type #1 entry, whose kernel systemd-boot loads with LoadImage on a file
  device path (mmuon reads it straight into a random slot, FIXED).
- The menu driven over the serial console (timeout 5): Up, Enter boots the
  UKI instead (its stub then hands .linux to LoadImage from a buffer).
- systemd-boot 252 opens the filesystem of its own DeviceHandle and reads
  its entries there: as -kernel that is the kernel-loader filesystem, which
  has none, under EDK2 too (EDK2 then offers only "Reboot Into Firmware
  Interface"). 252 says "No loader found" and returns; mmuon reports the
  status and powers off. 252 boots from the ESP itself, as
  \\EFI\\BOOT\\BOOTAA64.EFI: tests/boot/test_disk_boot.py.
"""

from __future__ import annotations

import re

import pytest

import clients
import images
import qemu
from clients import FIXED, NOT_NX

TIMEOUT = 180
UP, ENTER = "\x1b[A", "\r"
MENU_UP = r"Boot in \d+ s"
LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"
# What systemd-boot writes on every boot (SetVariable of Loader* variables).
LOADER_VARIABLES = ("LoaderInfo", "LoaderFirmwareInfo", "LoaderEntrySelected",
                    "LoaderTimeExecUSec")


def boot_sdboot(boot, firmware, image: images.Image, **kw) -> qemu.Boot:
    missing = images.missing_tools()
    if missing:
        pytest.skip(f"missing {', '.join(missing)}: run tools/install-deps.sh")
    return boot(firmware=firmware, kernel=clients.systemd_boot("254"), mem="1G",
                extra=images.drive_args(image, "virtio-blk-pci"), timeout=TIMEOUT, **kw)


def check_loader_variables(r: qemu.Report, b: qemu.Boot) -> None:
    names = (r.detail("efivar-names") or "").split()
    missing = [v for v in LOADER_VARIABLES if f"{v}-{LOADER_GUID}" not in names]
    assert not missing, f"systemd-boot's {missing} not in efivarfs\n\n{b.describe()}"


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_sdboot_254_as_kernel(boot, firmware, kernel, initramfs, el2):
    image = images.sdboot("254", kernel.path, initramfs.path, menu_timeout=0)
    b = boot_sdboot(boot, firmware, image, el2=el2)
    r = qemu.verify_report(b, cmdline=image.cmdlines[images.SDBOOT_TYPE1_TITLE],
                           payload_sha256=initramfs.payload_sha256, efi=True)
    check_loader_variables(r, b)
    # NX-compatible (strict W^X); its Type #1 kernel placed by LoadImage.
    assert not NOT_NX.search(b.output) and FIXED in b.output, b.describe()


@pytest.mark.firmware
def test_sdboot_254_menu_over_serial(boot, firmware, kernel_new, initramfs):
    """The menu lists the UKI above the default Type #1 entry: Up, Enter."""
    image = images.sdboot("254", kernel_new.path, initramfs.path)
    b = boot_sdboot(boot, firmware, image, interact=[(MENU_UP, UP + ENTER)])
    assert images.SDBOOT_UKI_TITLE in b.output and images.SDBOOT_TYPE1_TITLE in b.output
    qemu.verify_report(b, cmdline=image.cmdlines[images.SDBOOT_UKI_TITLE],
                       payload_sha256=initramfs.payload_sha256, efi=True)
    # The UKI's stub handed .linux to LoadImage from its buffer.
    assert FIXED in b.output, b.describe()


@pytest.mark.firmware
def test_sdboot_252_as_kernel_finds_no_entries(boot, firmware, kernel_new, initramfs):
    image = images.sdboot("252", kernel_new.path, initramfs.path)
    missing = images.missing_tools()
    if missing:
        pytest.skip(f"missing {', '.join(missing)}: run tools/install-deps.sh")
    b = boot(firmware=firmware, kernel=clients.systemd_boot("252"), mem="1G",
             extra=images.drive_args(image, "virtio-blk-pci"), timeout=60)
    assert "No loader found. Configuration files in \\loader\\entries\\*.conf" in b.output, \
        b.describe()
    assert re.search(r"the kernel's EFI stub returned with status 0x0\b", b.output), \
        b.describe()
    assert b.returncode == 0 and "synchronous exception" not in b.output, b.describe()
