"""Zero copies from disk, proven from inside the guest as for -kernel.

systemd-boot 254 boots its Type #1 entry by LoadImage on the kernel's file
device path (\\mmuon\\vmlinuz on the ESP, no buffer). mmuon reads that
file's headers, places the kernel in a random slot (the -kernel policy),
and has the FAT driver read the file straight into it: whole blocks by
virtio DMA into the slot, nothing through the CPU. The guest checks:

- the kernel runs where mmuon put it: /proc/iomem "Kernel code" starts at
  the address mmuon printed and recorded in MmuonBootStats, and the stub
  says it ran the image in place (LINUX_EFI_LOADED_IMAGE_FIXED_GUID);
- the CPU did not copy it: every payload copy is counted (payload_copy(),
  test_placement shows the counter at work), and the count is less than
  systemd-boot's own file (which LoadImage copies from its buffer) plus a
  block per file systemd-boot read -- a copy of the 35 MB kernel would be
  far more;
- over several boots the slot differs (randomized, as for -kernel).
"""

from __future__ import annotations

import pytest

import images
import qemu
from test_disk_boot import ENTRY_KEYS, MENU_UP, disk_boot, needs_tools
from test_linux_boot import KERNEL_AT, kernel_code_start
from test_placement import stats

# Files systemd-boot reads through SimpleFileSystem before the kernel
# (loader.conf, the entries, the UKI's headers, the initrd, random-seed...):
# each may leave a partial block copied from the FAT cache.
FILES_READ_SLACK = 64 << 10
FIXED = "EFI stub: Image placement fixed by loader"


def boot_type1(boot, request, kernel_new, initramfs, bus="virtio-blk-pci", el2=False):
    image = images.sdboot("254", kernel_new.path, initramfs.path)
    b = disk_boot(boot, request, "mmuon", images.drive_args(image, bus), el2=el2,
                  interact=[(MENU_UP, ENTRY_KEYS["type1"])])
    r = qemu.verify_report(b, cmdline=image.cmdlines[images.SDBOOT_TYPE1_TITLE],
                           payload_sha256=initramfs.payload_sha256, efi=True)
    return b, r


@pytest.mark.parametrize("bus,el2", [
    ("virtio-blk-pci", False),
    pytest.param("virtio-scsi-pci", True, marks=pytest.mark.slow),
    pytest.param("virtio-mmio", False, marks=pytest.mark.slow),
], ids=["virtio-blk-pci-el1", "virtio-scsi-pci-el2", "virtio-mmio-el1"])
def test_type1_kernel_is_not_copied(boot, request, kernel_new, initramfs, bus, el2):
    needs_tools()
    b, r = boot_type1(boot, request, kernel_new, initramfs, bus, el2)
    at = KERNEL_AT.search(b.output)
    assert at, f"mmuon did not place the kernel\n\n{b.describe()}"
    kernel = int(at[1], 16)
    s = stats(r)
    assert s["kernel"] == kernel, s
    assert kernel_code_start(r) == kernel, b.describe()
    assert FIXED in b.output, b.describe()
    sdboot = images.clients.systemd_boot("254").stat().st_size
    assert s["cpu_copied_bytes"] < sdboot + FILES_READ_SLACK, (
        f"{s['cpu_copied_bytes']} bytes copied by the CPU: more than "
        f"systemd-boot's {sdboot} + {FILES_READ_SLACK}\n{s}")
    assert s["kernel_size"] > 10 * (sdboot + FILES_READ_SLACK), s


@pytest.mark.slow
def test_type1_kernel_placement_is_random(boot, request, kernel_new, initramfs):
    needs_tools()
    places = set()
    for _ in range(4):
        b, _ = boot_type1(boot, request, kernel_new, initramfs)
        places.add(int(KERNEL_AT.search(b.output)[1], 16))
    assert len(places) >= 3, [hex(p) for p in places]
