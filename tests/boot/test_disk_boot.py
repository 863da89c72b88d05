"""Booting from disks: Debian's shim + GRUB and systemd-boot, as users boot them.

The images (tests/boot/images.py, built with sgdisk, mkfs.fat, mtools and
mkfs.ext4, no mounts) hold Debian's own signed shim and GRUB and its
systemd-boot 252 and 254; the kernels are Debian's 6.1 and 6.12, the
initramfs the test init. Each image boots under Debian's EDK2 (AAVMF_CODE.fd
and a copy of AAVMF_VARS.fd as pflash, so its boot manager behaves as on a
first boot) and under mmuon, with the same image and flags:

- shim + GRUB from the ESP, and with the kernel on an ext4 root partition:
  the guest sees the exact command line grub.cfg gives, with GRUB's
  $root and $prefix expanded into it (the signed GRUB derives them from the
  device path of the partition it was loaded from: (hd0,gpt1)/EFI/debian,
  then (hd0,gpt2)/boot/grub after search.fs_uuid). shim installs its
  MOKvar configuration table and the SbatLevel variable, which the guest
  sees as /sys/firmware/efi/mok-variables/SbatLevelRT.
- systemd-boot: its menu lists the Type #1 entry and the UKI; Enter boots
  the default (Type #1: systemd-boot puts `initrd=` before its options),
  Up then Enter the UKI (its embedded command line).

What the clients were seen to do under EDK2 (shim's verbose mode:
virt-fw-vars --set-shim-verbose): shim 16.1 is not NX-compatible
(DllCharacteristics 0), finds EDK2's DXE services table among the
configuration tables and probes memory attributes for its HSI status,
asks QueryVariableInfo for the largest variable, writes the non-volatile
SbatLevel and mirrors MokList, MokListX, MokListTrusted and SbatLevel into
volatile *RT variables and its MOKvar table, then loads grubaa64.efi with
its own PE loader (no LoadImage) from the directory it was started from.
GRUB 2.06 reads the disk through BlockIo only, with its own GPT, FAT and
ext4 drivers, and passes the initrd in the DT it installs; systemd-boot
loads Type #1 kernels with LoadImage on a file device path and serves
their initrd through LoadFile2.

mmuon runs each at EL1 and EL2 on virtio-blk-pci, virtio-scsi-pci and
virtio-mmio (MMUON_SLOW=1); the default run keeps one case per client on a
different bus and EL. Under mmuon the kernel the boot loader hands to
LoadImage goes to a random slot marked FIXED and runs there (/proc/iomem);
test_disk_zero_copy.py shows a Type #1 kernel is not copied on the way.
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid

import pytest

import images
import qemu
from clients import FIXED, ebs_stats
from test_linux_boot import kernel_code_start

TIMEOUT = 240
CRASH = re.compile(r"mmuon: synchronous exception at EL\d: .*|mmuon: fatal: .*")


def needs_tools():
    missing = images.missing_tools()
    if missing:
        pytest.skip(f"missing {', '.join(missing)}: run tools/install-deps.sh")


def needs_edk2():
    for f in (images.AAVMF_CODE, images.AAVMF_VARS):
        if not f.is_file():
            pytest.skip(f"{f} is missing: run tools/install-deps.sh (qemu-efi-aarch64)")


def disk_boot(boot, request, fw: str, drives: list[str], *, el2: bool = False,
              timeout: float = TIMEOUT, raw: bool = False, **kw) -> qemu.Boot:
    """One boot of fw ("mmuon" or "edk2") with drives (images.drive_args);
    raw: drives already holds the firmware's flags too."""
    if fw == "edk2":
        needs_edk2()
    else:
        request.getfixturevalue("firmware")  # built, or skip
    if raw:
        kw["extra"] = drives
    elif fw == "edk2":
        kw["extra"] = images.edk2_args() + drives
    else:
        kw["extra"] = images.mmuon_args() + drives
    b = boot(mem="1G", el2=el2, timeout=timeout, **kw)
    crash = CRASH.search(b.output)
    assert not crash, f"{crash[0]}\n\n{b.describe()}"
    return b


Case = tuple[str, str, str, bool, str]  # variant, firmware, bus, el2, kernel


def cases(variants, default: list[Case], buses=images.DISK_BUSES, mmuon_marks=()):
    """Parametrize (variant, fw, bus, el2, kernel_name) for each variant:
    mmuon on every bus at EL1 and EL2 with the new kernel and on the first
    bus with 6.1; EDK2 on the first bus with both kernels and on the second
    at EL2. Cases not in default are slow; mmuon's get mmuon_marks."""
    params = []
    for v in variants:
        matrix = [(v, "edk2", buses[0], False, "new"), (v, "edk2", buses[0], False, "6.1"),
                  (v, "edk2", buses[1], True, "new")]
        matrix += [(v, "mmuon", bus, el2, "new") for el2 in (False, True) for bus in buses]
        matrix += [(v, "mmuon", buses[0], False, "6.1")]
        matrix += [c for c in default if c[0] == v and c not in matrix]
        for c in matrix:
            _, fw, bus, el2, kernel = c
            marks = list(mmuon_marks) if fw == "mmuon" else []
            if c not in default:
                marks.append(pytest.mark.slow)
            params.append(pytest.param(*c, marks=marks, id=f"{v}-{fw}-{bus}-el{2 if el2 else 1}-"
                                       f"linux-{kernel}"))
    return pytest.mark.parametrize("variant,fw,bus,el2,kernel_name", params)


def kernel_of(request, name: str):
    return request.getfixturevalue("kernel_61" if name == "6.1" else "kernel_new")


# ---- shim + GRUB ------------------------------------------------------------------


def check_shim_grub(b: qemu.Boot, image: images.Image, initramfs) -> qemu.Report:
    """The guest booted the image's entry, through shim: shim's MOKvar table
    (the kernel lists it among the EFI tables) with its SbatLevel in it."""
    r = qemu.verify_report(b, cmdline=image.default_cmdline,
                           payload_sha256=initramfs.payload_sha256, efi=True)
    efi_tables = " ".join(e.detail for e in r.all("dmesg-efi"))
    assert "MOKvar=" in efi_tables, b.describe()
    mok = (r.detail("mok-variables") or "").split()
    assert "SbatLevelRT" in mok and "MokListRT" in mok, f"{mok}\n\n{b.describe()}"
    return r


def check_mmuon_placed_kernel(b: qemu.Boot, r: qemu.Report, kernel) -> dict[str, int]:
    """Under mmuon: the kernel the boot loader handed to LoadImage went to a
    random 64 KiB-aligned slot marked FIXED, and (>= 6.3) ran there: the
    guest's /proc/iomem says so. Returns mmuon's boot statistics."""
    assert FIXED in b.output, b.describe()
    stats = ebs_stats(b)
    assert stats["kernel"] % 0x10000 == 0, stats
    if kernel.enters_with_mmu_on:
        assert kernel_code_start(r) == stats["kernel"], f"{stats}\n\n{b.describe()}"
    return stats


SHIM_GRUB = {"esp": images.shim_grub_esp, "ext4": images.shim_grub_ext4}

# shim mirrors MokListX into the volatile MokListXRT: one variable when
# QueryVariableInfo's MaximumVariableSize and Remaining say it fits, else
# one variable per signature (MokListXRT1, 2, ...) while they fit. With
# 16 KiB of volatile variables mmuon got 47 of them and a full store, and
# its own MmuonBootStats, written at ExitBootServices, was lost. Now the
# volatile budget is 64 KiB (see include/mmuon/vars.h): shim writes
# MokListXRT whole (all its volatile variables take under 10 KB, so they
# stay in the store's first 16 KiB) and MmuonBootStats reaches the OS.
SHIM_VOLATILES = ("MokListRT", "MokListXRT", "SbatLevelRT")
SHIM_SPLIT_MOKLISTX = re.compile(r"\bMokListXRT1-")
VOLATILES_MOVED = re.compile(r"mmuon: volatile variables: more than 16 KiB, moved to 64 KiB "
                             r"at 0x([0-9a-f]+)")


def check_shim_volatiles(b: qemu.Boot, r: qemu.Report) -> None:
    """shim's runtime-access volatile variables reached the OS whole: efivarfs
    lists MokListRT, MokListXRT and SbatLevelRT, no MokListXRT1."""
    names = {n.rsplit("-", 5)[0] for n in (r.detail("efivar-names") or "").split()}
    missing = [n for n in SHIM_VOLATILES if n not in names]
    assert not missing, f"efivarfs lacks {missing}: {sorted(names)}\n\n{b.describe()}"
    assert not SHIM_SPLIT_MOKLISTX.search(r.detail("efivar-names")), \
        f"shim split MokListXRT: the volatile store offered too little\n\n{b.describe()}"


@cases(SHIM_GRUB, default=[("esp", "mmuon", "virtio-blk-pci", False, "new"),
                           ("ext4", "mmuon", "virtio-scsi-pci", True, "6.1")])
def test_shim_grub(boot, request, initramfs, variant, fw, bus, el2, kernel_name):
    """shim + GRUB with the kernel on the ESP (esp) or on ext4 (ext4)."""
    needs_tools()
    kernel = kernel_of(request, kernel_name)
    image = SHIM_GRUB[variant](kernel.path, initramfs.path)
    b = disk_boot(boot, request, fw, images.drive_args(image, bus), el2=el2)
    r = check_shim_grub(b, image, initramfs)
    check_shim_volatiles(b, r)
    if fw == "mmuon":
        check_mmuon_placed_kernel(b, r, kernel)
        assert r.detail("bootstats-efivar"), \
            f"mmuon's boot statistics (MmuonBootStats) did not reach the OS\n\n{b.describe()}"


SHIM_LOCK_GUID = "605dab50-e046-4300-abb6-3dd810dd8b23"
EFI_CERT_SHA256_GUID = uuid.UUID("c1c41626-504c-4092-aca9-41f936934328")
NV_BS = 0x3  # what shim requires of MokList: no runtime access
MOK_HASHES = 420  # a 20 KiB MokList


def mok_list(hashes: int) -> bytes:
    """An EFI_SIGNATURE_LIST of SHA-256 hashes (UEFI 2.10, 32.4.1), as
    mokutil --import-hash leaves in MokList, owned by shim."""
    owner = uuid.UUID(SHIM_LOCK_GUID).bytes_le
    entries = b"".join(owner + hashlib.sha256(i.to_bytes(4, "little")).digest()
                       for i in range(hashes))
    return EFI_CERT_SHA256_GUID.bytes_le + struct.pack("<III", 28 + len(entries), 0, 48) + entries


def test_shim_grub_mirrors_a_large_mok_list(boot, request, initramfs, kernel_new, tmp_path):
    """A machine with 20 KiB of enrolled hashes in MokList: shim mirrors it,
    with its built-in certificate, into the runtime-access volatile
    MokListRT, more than the volatile store's first 16 KiB. mmuon moves the
    volatile variables to their 64 KiB (runtime data) and says so; shim
    writes MokListRT whole, GRUB boots the kernel, and the OS reads the
    variables there after ExitBootServices (efivarfs), MmuonBootStats too."""
    needs_tools()
    images.run("make", "-s", "-C", qemu.REPO, images.MMUON_VARSTORE.relative_to(qemu.REPO))
    store = tmp_path / "vars.fd"
    images.run(images.MMUON_VARSTORE, "format", store, "--size", 64 * images.MIB)
    images.run(images.MMUON_VARSTORE, "set", store, "MokList", SHIM_LOCK_GUID, NV_BS,
               mok_list(MOK_HASHES).hex())
    image = images.shim_grub_esp(kernel_new.path, initramfs.path)
    drives = images.mmuon_args(store) + images.drive_args(image, "virtio-blk-pci")
    b = disk_boot(boot, request, "mmuon", drives, raw=True)
    assert VOLATILES_MOVED.search(b.output), b.describe()
    r = check_shim_grub(b, image, initramfs)
    check_shim_volatiles(b, r)
    assert r.detail("bootstats-efivar"), b.describe()
    # What the OS keeps (memblock NOMAP: the runtime regions), less shim's
    # MOKvar table: the region the variables moved to is among it, and
    # with it mmuon keeps no more than the README's 256 KiB.
    moved = int(VOLATILES_MOVED.search(b.output)[1], 16)
    mokvar = int(re.search(r"MOKvar=0x([0-9a-f]+)", b.output)[1], 16)
    nomap = [(int(m[1], 16), int(m[2], 16) + 1) for e in r.all("memblock")
             if (m := re.search(r"0x([0-9a-f]+)\.\.0x([0-9a-f]+)\s+\d+ NOMAP", e.detail))]
    assert any(start <= moved < end for start, end in nomap), f"{nomap}\n\n{b.describe()}"
    kept = sum(end - start for start, end in nomap if not start <= mokvar < end)
    assert kept <= 256 << 10, f"mmuon keeps {kept >> 10} KiB: {nomap}\n\n{b.describe()}"


def test_bad_kernel_then_disk(boot, request, initramfs, kernel_new, tmp_path):
    """A -kernel that is not an EFI image is one boot option that failed, as
    under EDK2 (its QEMU loader is a boot option too): mmuon says why and
    boots the disk, shim + GRUB from the ESP, to the kernel there."""
    needs_tools()
    image = images.shim_grub_esp(kernel_new.path, initramfs.path)
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 256)
    b = disk_boot(boot, request, "mmuon", images.drive_args(image, "virtio-blk-pci"),
                  kernel=garbage)
    said = "mmuon: boot: QEMU -kernel: not a bootable EFI image: not a PE/COFF image (no MZ header)"
    lines = [line for _, line in b.lines]
    assert any(line.startswith(said) for line in lines), b.describe()
    assert "mmuon: booting removable media: " in b.output[b.output.index(said):], b.describe()
    check_mmuon_placed_kernel(b, check_shim_grub(b, image, initramfs), kernel_new)


# ---- systemd-boot ---------------------------------------------------------------

UP, ENTER = "\x1b[A", "\r"
# A menu line: cursor to row;column, colours, the title padded with blanks.
MENU_ROW = re.compile(r"\x1b\[(\d+);\d+H(?:\x1b\[[\d;]*m)*\s*(%s|%s)\s*(?=\x1b)" % (
    re.escape(images.SDBOOT_TYPE1_TITLE), re.escape(images.SDBOOT_UKI_TITLE)))
# The countdown under the menu: it is drawn, keys are read from here on.
MENU_UP = r"Boot in \d+ s"
# The menu's order, as systemd-boot 252 and 254 draw it under EDK2: the UKI
# first, the Type #1 entry (loader.conf's default, highlighted) below it.
MENU_ORDER = [images.SDBOOT_UKI_TITLE, images.SDBOOT_TYPE1_TITLE]
ENTRY_KEYS = {"type1": ENTER, "uki": UP + ENTER}
ENTRY_TITLES = {"type1": images.SDBOOT_TYPE1_TITLE, "uki": images.SDBOOT_UKI_TITLE}


def check_sdboot_menu(b: qemu.Boot) -> None:
    """The menu listed both entries, in MENU_ORDER."""
    rows = {}
    for m in MENU_ROW.finditer(b.output):
        rows.setdefault(m[2], int(m[1]))
    listed = sorted(rows, key=rows.get)
    assert listed == MENU_ORDER, f"menu: {listed}\n\n{b.describe()}"


@cases([f"{v}-{e}" for v in ("252", "254") for e in ENTRY_KEYS],
       default=[("252-type1", "mmuon", "virtio-mmio", False, "6.1"),
                ("254-uki", "mmuon", "virtio-blk-pci", True, "new")],
       buses=("virtio-scsi-pci", "virtio-mmio", "virtio-blk-pci"))
def test_sdboot(boot, request, initramfs, variant, fw, bus, el2, kernel_name):
    """systemd-boot VERSION-ENTRY: its menu lists both entries; its keys
    boot ENTRY (type1 or uki)."""
    needs_tools()
    version, entry = variant.split("-")
    kernel = kernel_of(request, kernel_name)
    image = images.sdboot(version, kernel.path, initramfs.path)
    b = disk_boot(boot, request, fw, images.drive_args(image, bus), el2=el2,
                  interact=[(MENU_UP, ENTRY_KEYS[entry])])
    check_sdboot_menu(b)
    r = qemu.verify_report(b, cmdline=image.cmdlines[ENTRY_TITLES[entry]],
                           payload_sha256=initramfs.payload_sha256, efi=True)
    if fw == "mmuon":
        check_mmuon_placed_kernel(b, r, kernel)

