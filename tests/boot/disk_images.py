"""Disk and ISO images for the storage tests, built with Debian's tools.

sgdisk (GPT), fdisk -b 4096 (GPT on 4 KiB sectors: sfdisk 2.38 has no
sector size option), sfdisk (MBR with logical partitions), mkfs.fat and
mtools (files on a FAT ESP, no mount), xorriso (El Torito). No loop
device, no root.

Each image comes with what a firmware should make of it: its partitions
as EDK2 numbers and names them (the device path node text that
blockio_check.efi prints), so a test can compute the whole expected
BlockIo handle list for a VM configuration (expected_handles()).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import qemu

DIR = qemu.BUILD / "boot" / "disks"
TOOLS = ("sgdisk", "fdisk", "sfdisk", "mkfs.fat", "mcopy", "xorriso")

GUID_ESP = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
GUID_LINUX = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"


def missing_tools() -> list[str]:
    return [t for t in TOOLS if not shutil.which(t)]


def run(*cmd: str, stdin: str | None = None, cwd: Path | None = None) -> str:
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=cwd)
    if r.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


@dataclasses.dataclass(frozen=True)
class Part:
    node: str  # the device path node: HD(...) or CDROM(...)
    start: int  # in the disk's blocks
    blocks: int  # what the partition's BlockIo spans
    esp: bool = False
    children: tuple["Part", ...] = ()  # logical partitions of an extended one


@dataclasses.dataclass(frozen=True)
class Image:
    path: Path
    block_size: int
    parts: tuple[Part, ...]

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def crc32(self, start: int = 0, length: int | None = None) -> int:
        """CRC-32 of bytes [start, start + length) of the image."""
        with open(self.path, "rb") as f:
            f.seek(start)
            left = self.size - start if length is None else length
            crc = 0
            while left > 0:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                crc = zlib.crc32(chunk, crc)
                left -= len(chunk)
        return crc

    def copy(self, name: str) -> "Image":
        dst = self.path.with_name(name)
        shutil.copyfile(self.path, dst)
        return dataclasses.replace(self, path=dst)


def _fresh(name: str, size: int) -> Path:
    DIR.mkdir(parents=True, exist_ok=True)
    p = DIR / name
    p.unlink(missing_ok=True)
    with open(p, "wb") as f:
        f.truncate(size)
    return p


def _fill(path: Path, offset: int, length: int, seed: int) -> None:
    """Deterministic non-zero bytes, so that CRCs tell blocks apart."""
    block = bytes((i * 7 + seed) & 0xFF for i in range(4096))
    with open(path, "r+b") as f:
        f.seek(offset)
        left = length
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n


def _gpt_parts(path: Path) -> list[tuple[int, int, int, str, str]]:
    """(number, start, end, type GUID, unique GUID) of each entry, from sgdisk."""
    out = []
    listing = run("sgdisk", "-p", str(path))
    for m in re.finditer(r"^\s+(\d+)\s+(\d+)\s+(\d+)\s", listing, re.M):
        n = int(m[1])
        info = run("sgdisk", "-i", str(n), str(path))
        typ = re.search(r"Partition GUID code: ([0-9A-F-]+)", info)[1]
        uniq = re.search(r"Partition unique GUID: ([0-9A-F-]+)", info)[1]
        out.append((n, int(m[2]), int(m[3]), typ, uniq))
    return out


def gpt_disk(name: str = "gpt.img", mib: int = 16) -> Image:
    """GPT: a FAT ESP (with a file) at 1 MiB, entry 2 unused, a Linux
    partition filled with a pattern to the end."""
    p = _fresh(name, mib << 20)
    run("sgdisk", "-o", "-n", "1:2048:+4M", "-t", "1:ef00",
        "-n", "3:0:0", "-t", "3:8300", str(p))
    parts = _gpt_parts(p)
    esp_start = parts[0][1]
    run("mkfs.fat", f"--offset={esp_start}", str(p),
        str((parts[0][2] - esp_start + 1) // 2))
    hello = DIR / "hello.txt"
    hello.write_text("mmuon storage test\n")
    run("mcopy", "-i", f"{p}@@{esp_start * 512}", str(hello), "::/HELLO.TXT")
    _fill(p, parts[1][1] * 512, (parts[1][2] - parts[1][1] + 1) * 512, 3)
    return Image(p, 512, tuple(
        Part(f"HD({n},GPT,{uniq},{start:#x},{end - start + 1:#x})", start,
             end - start + 1, typ == GUID_ESP)
        for n, start, end, typ, uniq in parts))


def gpt_4k_disk(name: str = "gpt4k.img", mib: int = 16) -> Image:
    """GPT on 4 KiB logical sectors (fdisk -b 4096): an ESP, a Linux one."""
    p = _fresh(name, mib << 20)
    run("fdisk", "-b", "4096", str(p),
        stdin="g\nn\n1\n256\n767\nt\n1\nn\n2\n768\n2047\nw\n")
    listing = run("fdisk", "-b", "4096", "-l", "-o", "Device,Start,Sectors,Type-UUID,UUID",
                  str(p))
    _fill(p, 768 * 4096, 1280 * 4096, 5)
    parts = []
    for m in re.finditer(r"^\S+\s+(\d+)\s+(\d+)\s+([0-9A-F-]{36})\s+([0-9A-F-]{36})$",
                         listing, re.M):
        start, size, typ, uniq = int(m[1]), int(m[2]), m[3], m[4]
        parts.append(Part(f"HD({len(parts) + 1},GPT,{uniq},{start:#x},{size:#x})",
                          start, size, typ == GUID_ESP))
    if [p.start for p in parts] != [256, 768]:
        raise RuntimeError("fdisk -b 4096 did not make the partitions:\n" + listing)
    return Image(p, 4096, tuple(parts))


def mbr_disk(name: str = "mbr.img", mib: int = 8) -> Image:
    """MBR (signature 0x4D4D554F): an ESP (0xEF), an extended partition
    with two logical ones, slot 3 empty, a Linux one in slot 4 (HD(4,...):
    EDK2 numbers primaries by slot, logical ones from 1 under their
    extended partition)."""
    p = _fresh(name, mib << 20)
    n = p.name
    run("sfdisk", "-q", n, cwd=DIR, stdin="\n".join([
        "label: dos", "label-id: 0x4d4d554f",
        f"{n}1 : start=2048, size=4096, type=ef",
        f"{n}2 : start=6144, size=8192, type=5",
        f"{n}4 : start=14336, size=2048, type=83",
        f"{n}5 : start=8192, size=2048, type=83",
        f"{n}6 : start=12288, size=1024, type=83", ""]))
    _fill(p, 8192 * 512, 2048 * 512, 7)
    sig = "0x4D4D554F"

    def hd(num: int, start: int, size: int, s: str = sig) -> str:
        return f"HD({num},MBR,{s},{start:#x},{size:#x})"

    logical = (Part(hd(1, 8192, 2048, "0x00000000"), 8192, 2048),
               Part(hd(2, 12288, 1024, "0x00000000"), 12288, 1024))
    return Image(p, 512, (
        Part(hd(1, 2048, 4096), 2048, 4096, esp=True),
        Part(hd(2, 6144, 8192), 6144, 8192, children=logical),
        Part(hd(4, 14336, 2048), 14336, 2048),
    ))


def raw_disk(name: str, size: int) -> Image:
    """No partition table: a pattern (or nothing, for size 0)."""
    p = _fresh(name, size)
    if size:
        _fill(p, 0, size, 11)
    return Image(p, 512, ())


def el_torito_iso(name: str = "cd.iso") -> Image:
    """An ISO with a BIOS image in the initial entry and a FAT EFI image in
    a section (platform 0xEF): only the EFI one is a partition, CDROM(1,...)
    as EDK2 numbers it, its size in 2048-byte blocks from the catalog's
    count of 512-byte sectors, as EDK2 reads it (clamped for BlockIo)."""
    root = DIR / (name + ".root")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "readme.txt").write_text("mmuon El Torito test\n")
    efi = root / "efi.img"
    with open(efi, "wb") as f:
        f.truncate(1 << 20)
    run("mkfs.fat", str(efi))
    (root / "bios.bin").write_bytes(bytes(2048))
    iso = DIR / name
    iso.unlink(missing_ok=True)
    run("xorriso", "-as", "mkisofs", "-quiet", "-o", str(iso), "-b", "bios.bin",
        "-no-emul-boot", "-boot-load-size", "4", "-eltorito-alt-boot", "-e",
        "efi.img", "-no-emul-boot", str(root))
    report = run("xorriso", "-indev", str(iso), "-report_el_torito", "plain")
    m = re.search(r"El Torito boot img :\s+2\s+UEFI\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\d+)",
                  report)
    if not m:
        raise RuntimeError("xorriso reports no UEFI boot image:\n" + report)
    sectors, lba = int(m[1]), int(m[2])
    blocks = iso.stat().st_size // 2048
    return Image(iso, 2048, (
        Part(f"CDROM(0x1,{lba:#x},{sectors:#x})", lba, min(sectors, blocks - lba)),
    ))


# ---- what a firmware should list ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Handle:
    path: str
    block_size: int
    last_block: int
    present: bool
    logical: bool
    read_only: bool
    removable: bool
    crc32: int | None  # of the bytes it spans; None if it spans none
    esp: bool = False


def _part_handles(img: Image, prefix: str, parts: tuple[Part, ...],
                  ro: bool, removable: bool) -> list[Handle]:
    """The partitions, then what each of them holds (EDK2's order: it
    connects the partitions' own handles after installing them all)."""
    out = []
    for part in parts:
        out.append(Handle(f"{prefix}/{part.node}", img.block_size, part.blocks - 1,
                          True, True, ro, removable,
                          img.crc32(part.start * img.block_size,
                                    part.blocks * img.block_size),
                          part.esp))
    for part in parts:
        out += _part_handles(img, f"{prefix}/{part.node}", part.children, ro,
                             removable)
    return out


def expected_handles(disks: list[tuple[str, Image, dict]]) -> list[Handle]:
    """Every BlockIo handle for disks given as (device path, image, options):
    the disk, then its partitions (logical ones after all the primary
    ones), in the order the firmware installs them. Options:
    read_only, removable, block_size (a 4 KiB-sector disk)."""
    out = []
    for path, img, opt in disks:
        ro = opt.get("read_only", False)
        removable = opt.get("removable", False)
        bs = img.block_size
        blocks = img.size // bs
        out.append(Handle(path, bs, max(blocks - 1, 0), blocks > 0, False, ro,
                          removable, img.crc32() if blocks else None))
        out += _part_handles(img, path, img.parts, ro, removable)
    return out
