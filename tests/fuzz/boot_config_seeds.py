#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Seeds for fuzz_boot_config in OUTDIR/fuzz_boot_config (default
build/fuzz/seeds): Boot#### contents as EDK2 and OS installers write them
(full PCI paths, HD()/File() short forms, EDK2's firmware-volume entries,
optional data), and QEMU 10.0 bootorder files for arm64 virt. Byte 0
selects the parser (0: load option, 1: bootorder)."""
import os
import struct
import sys


def node(t, s, body=b""):
    return struct.pack("<BBH", t, s, 4 + len(body)) + body


END = node(0x7F, 0xFF)
PCIROOT = node(2, 1, struct.pack("<II", 0x0A0341D0, 0))


def pci(dev, fn=0):
    return node(1, 1, bytes([fn, dev]))


def hd_gpt(num, start, size, guid):
    return node(4, 1, struct.pack("<IQQ", num, start, size) + guid + b"\x02\x02")


def hd_mbr(num, start, size, sig):
    return node(4, 1, struct.pack("<IQQI", num, start, size, sig) + bytes(12) + b"\x01\x01")


def file(path):
    return node(4, 4, (path + "\0").encode("utf-16-le"))


def scsi(target, lun):
    return node(3, 2, struct.pack("<HH", target, lun))


def option(attr, desc, path, optional=b""):
    d = (desc + "\0").encode("utf-16-le")
    return struct.pack("<IH", attr, len(path)) + d + path + optional


GUID = bytes(range(0x10, 0x20))
AUTO = bytes.fromhex("4eac0881119f594d850ee21a522c59b2")
seeds = {
    "misc-device": option(1, "UEFI Misc Device", PCIROOT + pci(1) + END, AUTO),
    "scsi-cd": option(1, "UEFI QEMU QEMU CD-ROM", PCIROOT + pci(3) + scsi(0, 1) + END, AUTO),
    "debian-shim": option(1, "debian", hd_gpt(1, 0x800, 0x100000, GUID) + file("\\EFI\\debian\\shimaa64.efi") + END),
    "debian-full": option(1, "debian", PCIROOT + pci(1) + hd_gpt(1, 0x800, 0x100000, GUID) + file("\\EFI\\debian\\shimaa64.efi") + END, b"\x01\x02"),
    "mbr-split-file": option(1, "split", hd_mbr(2, 0x800, 0x1000, 0x12345678) + file("\\EFI") + file("BOOT\\BOOTAA64.EFI") + END),
    "file-only": option(1, "fallback", file("\\EFI\\BOOT\\BOOTAA64.EFI") + END),
    "uiapp": option(0x109, "UiApp", node(4, 7, bytes(16)) + node(4, 6, bytes(16)) + END),
    "uri": option(1, "HTTP", PCIROOT + pci(2) + node(3, 0x18, b"http://x/y.efi") + END),
    "two-paths": option(1, "two", PCIROOT + END + file("\\a") + END, b"args"),
}
BOOTORDER = (
    "/pci@ffffffffffffffff/scsi@1/channel@0/disk@1,0\n"
    "/pci@ffffffffffffffff/pci-bridge@3,1/scsi@0/channel@0/disk@0,0\n"
    "/pci@ffffffffffffffff/scsi@5/disk@0,0\n"
    "/pci@ffffffffffffffff/ethernet@1/ethernet-phy@0\n"
    "/virtio-mmio@000000000a003c00/disk@0,0\n"
    "/virtio-mmio@000000000a003e00/channel@0/disk@0,0\n"
    "/pci@ffffffffffffffff/scsi@1f,3/channel@0/disk@c8,3fff\n"
    "HALT\0"
)

out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else "build/fuzz/seeds", "fuzz_boot_config")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, "option-" + name), "wb") as f:
        f.write(b"\0" + data)
with open(os.path.join(out, "bootorder-qemu10"), "wb") as f:
    f.write(b"\1" + BOOTORDER.encode())
