"""Bootable disk and CD images holding Debian's own EFI clients.

For the disk-boot tests (test_disk_boot.py, test_installer.py,
test_disk_bad_inputs.py) and for whoever develops the storage stack, the
filesystem or the boot manager. Built with Debian's tools only, as a user:
sgdisk (GPT), mkfs.fat + mtools (FAT, files copied in with mcopy, no
mount), mkfs.ext4 -d (ext4 filled from a directory), xorriso (the
installer ISO). The clients come from tools/fetch-arm64.sh (shim,
grub-signed, systemd-252, systemd-254, d-i-netboot; fetched on first use);
the kernels and the test initramfs are the boot tests' own.

Build one by hand (the Debian python3, which has pytest) and get the QEMU
flags that boot it:

    /usr/bin/python3 tests/boot/images.py list
    /usr/bin/python3 tests/boot/images.py shim-grub-esp         # path + flags
    /usr/bin/python3 tests/boot/images.py sdboot-254 --kernel 6.1 --bus virtio-mmio
    /usr/bin/python3 tests/boot/images.py installer --bus scsi-cd --edk2
    /usr/bin/python3 tests/boot/images.py bad-esp-chain-loop

then paste the printed flags after
`qemu-system-aarch64 -M virt -cpu max -m 1G -nographic -nodefaults -serial stdio`
(they hold -bios build/mmuon.bin, or EDK2's pflash pair with --edk2). The
comment lines say what the guest's /proc/cmdline must be for each menu
entry. Images are cached in build/boot/images/ under a hash of their inputs
and of this file; QEMU opens them with snapshot=on, so a guest never
changes them.

The images (functions of this module, each returning an Image):

- shim_grub_esp: GPT disk, one FAT32 ESP: shim as \\EFI\\BOOT\\BOOTAA64.EFI,
  Debian's signed grubaa64.efi and mmaa64.efi beside it, grub.cfg in
  \\EFI\\debian\\ (the signed GRUB's built-in prefix is /EFI/debian on the
  partition it was loaded from, found by its device path: (hd0,gpt1)), the
  kernel and the initramfs in the ESP's root.
- shim_grub_ext4: the same ESP (FAT16) without the kernel;
  \\EFI\\debian\\grub.cfg is what Debian installs (search.fs_uuid, then
  configfile) and the kernel, the initramfs and the real grub.cfg are in
  /boot of an ext4 root partition (GPT entry 2), read by GRUB's own driver.
- sdboot(version): GPT disk, FAT16 ESP: systemd-boot 252 or 254 as
  \\EFI\\BOOT\\BOOTAA64.EFI, loader/loader.conf (5 s menu), a Type #1 entry
  (loader/entries/mmuon-type1.conf: linux, initrd, options; the default)
  and a UKI (\\EFI\\Linux\\mmuon-uki.efi, clients.build_uki).
- installer(): the Debian 12 netboot installer as Debian's mini.iso lays it
  out (El Torito EFI image holding shim as \\EFI\\boot\\bootaa64.efi and the
  CD GRUB gcdaa64.efi as grubaa64.efi; /.disk/mini-info; /boot/grub with
  the netboot tree's menu; /linux, /initrd.gz). Its menu has no timeout.
- uki_esp: the simplest good disk: a UKI as \\EFI\\BOOT\\BOOTAA64.EFI (the
  next boot option after each bad one).
- bad_esp(kind), BAD_ESPS: a FAT32 ESP (512-byte clusters) whose
  BOOTAA64.EFI chain loops or runs past the last cluster, whose \\EFI\\BOOT
  is the root again or has a looping chain, a BOOTAA64.EFI that is text or
  empty, an ESP of zeros or of one sector. Fat32 is the small editor that
  damages them.
- boot_options_nowhere(good) + edk2_vars() / mmuon_vars(): Boot0001..3
  (no such partition, no such file, the good disk) in BootOrder, written
  into EDK2's variable store (virt-fw-vars) or mmuon's (mmuon-varstore).

drive_args(image, bus) attaches an image on virtio-blk-pci, virtio-scsi-pci,
virtio-mmio, as a virtio-blk CD or a SCSI CD; mmuon_args() and edk2_args()
are the firmware's flags. Every image records the command line each of its
entries gives the guest (Image.cmdlines), so a test compares /proc/cmdline
exactly, and its GPT partitions (Image.parts).
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import uuid
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clients  # noqa: E402
import qemu  # noqa: E402

OUT = qemu.BUILD / "boot" / "images"
FETCH = qemu.REPO / "tools" / "fetch-arm64.sh"
TOOLS = ("sgdisk", "mkfs.fat", "mcopy", "mmd", "mkfs.ext4", "xorriso")
MIB = 1 << 20
SECTOR = 512

BOOT_FILE = "EFI/BOOT/BOOTAA64.EFI"  # the removable-media path, in mtools' terms
# GPT partition types (sgdisk codes).
ESP_TYPE, LINUX_TYPE = "ef00", "8300"
ROOT_UUID = "4d4d554f-726f-4f74-8000-000000000002"  # the ext4 root's UUID
FAT_SERIAL = "4d4d554f"

AAVMF_CODE = Path("/usr/share/AAVMF/AAVMF_CODE.fd")
AAVMF_VARS = Path("/usr/share/AAVMF/AAVMF_VARS.fd")
AAVMF_VARS_MS = Path("/usr/share/AAVMF/AAVMF_VARS.ms.fd")


class ImageError(RuntimeError):
    """A tool failed or a piece is missing."""


def missing_tools() -> list[str]:
    return [t for t in TOOLS if not shutil.which(t)]


def run(*cmd, **kw) -> str:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode:
        raise ImageError(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n"
                         f"{r.stdout}{r.stderr}")
    return r.stdout


def fetched(piece: str) -> Path:
    """The cache directory of a tools/fetch-arm64.sh piece, fetched if needed."""
    d = qemu.CACHE / piece
    if not d.is_dir():
        run(FETCH, piece)
    return d


def versions(piece: str) -> dict[str, str]:
    """Package -> version of what tools/fetch-arm64.sh unpacked for piece."""
    lines = (fetched(piece) / "PACKAGES").read_text().split("\n")
    return dict(line.split(" ", 1) for line in lines if line)


# ---- disks, partitions, filesystems --------------------------------------------


def guid(name: str, n: int) -> str:
    """The GUID of disk image name (n = 0) or of its partition n: fixed, so
    the same image gets the same device paths (HD(...) nodes) every build,
    and distinct between images, so a boot option names one disk."""
    h = zlib.crc32(name.encode())
    return f"4d4d554f-{h >> 16:04x}-4{h & 0xfff:03x}-8000-{n:012x}"


@dataclasses.dataclass(frozen=True)
class Part:
    number: int  # GPT entry, from 1
    start: int  # first sector
    sectors: int
    guid: str

    @property
    def offset(self) -> int:
        return self.start * SECTOR

    @property
    def size(self) -> int:
        return self.sectors * SECTOR


Layout = list[tuple[str, int, str]]  # (sgdisk type code, MiB, name) per partition


def plan(name: str, layout: Layout) -> list[Part]:
    """Where gpt_disk() puts the partitions: the first at 1 MiB, the others
    right after it."""
    parts, start = [], MIB // SECTOR
    for i, (_, mib, _) in enumerate(layout, 1):
        sectors = max(mib * MIB // SECTOR, 1)
        parts.append(Part(i, start, sectors, guid(name, i)))
        start += sectors
    return parts


def gpt_disk(path: Path, name: str, layout: Layout, spare_mib: int = 1) -> list[Part]:
    """A sparse disk image with a GPT (sgdisk): plan(name, layout); a MiB
    of size 0 makes a one-sector partition."""
    parts = plan(name, layout)
    path.unlink(missing_ok=True)
    with open(path, "wb") as f:
        f.truncate((parts[-1].start + parts[-1].sectors) * SECTOR + (spare_mib + 1) * MIB)
    args = ["-o", "-U", guid(name, 0)]
    for part, (code, _, label) in zip(parts, layout):
        i = part.number
        args += [f"-n{i}:{part.start}:{part.start + part.sectors - 1}", f"-t{i}:{code}",
                 f"-u{i}:{part.guid}", f"-c{i}:{label}"]
    run("sgdisk", *args, path)
    return parts


def _mtools(cmd: str, disk: Path, part: Part, *args) -> None:
    # MTOOLS_SKIP_CHECK: the images are made by mkfs.fat, which mtools'
    # geometry check would question for an offset filesystem.
    run(cmd, "-i", f"{disk}@@{part.offset}", *args,
        env=dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0"))


def fat(disk: Path, part: Part, files: dict[str, Path | bytes | str], *,
        bits: int = 32, label: str = "ESP") -> None:
    """mkfs.fat on the partition, then the files (ESP path -> source file or
    content) copied in with mtools; directories are made as needed."""
    run("mkfs.fat", f"--offset={part.start}", "-F", bits, "-i", FAT_SERIAL, "-n", label,
        disk, part.size // 1024)
    fat_files(disk, part, files)


def fat_files(disk: Path, part: Part, files: dict[str, Path | bytes | str]) -> None:
    """Copy files (ESP path -> source file or content) into the FAT on part."""
    made: set[str] = set()
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        for i, (dest, src) in enumerate(files.items()):
            dirs = dest.split("/")[:-1]
            for n in range(1, len(dirs) + 1):
                d = "/".join(dirs[:n])
                if d.upper() not in made:
                    _mtools("mmd", disk, part, f"::/{d}")
                    made.add(d.upper())
            if not isinstance(src, Path):
                data = src.encode() if isinstance(src, str) else src
                src = Path(tmp) / str(i)
                src.write_bytes(data)
            _mtools("mcopy", disk, part, src, f"::/{dest}")


def ext4(disk: Path, part: Part, files: dict[str, Path | bytes | str], *,
         uuid: str = ROOT_UUID, label: str = "root") -> None:
    """mkfs.ext4 -d: an ext4 filesystem (Debian's default features) on the
    partition, filled from a tree holding files (path -> source or content)."""
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        for dest, src in files.items():
            p = Path(tmp) / dest
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(src, Path):
                shutil.copyfile(src, p)
            else:
                p.write_bytes(src.encode() if isinstance(src, str) else src)
        run("mkfs.ext4", "-q", "-F", "-b", "4096", "-E", f"offset={part.offset}",
            "-U", uuid, "-L", label, "-d", tmp, disk, f"{part.size // 1024}k")


def mib_for(*files: Path, slack: int = 8) -> int:
    """A partition size (MiB) that holds files, with slack for the rest."""
    return sum(f.stat().st_size for f in files) // MIB + slack


# ---- images ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Image:
    name: str
    path: Path
    cd: bool  # an ISO: attach it as a CD (virtio-cd, scsi-cd)
    # Menu entry title -> the /proc/cmdline the guest must see when booted
    # from it; the first one is the default.
    cmdlines: dict[str, str]
    what: str  # one line for humans
    parts: tuple[Part, ...] = ()  # where known: the GPT partitions

    @property
    def default_cmdline(self) -> str:
        return next(iter(self.cmdlines.values()))


_SELF_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:8]


def _key(*parts) -> str:
    """A hash of the inputs (files by path, size and mtime) and of this
    module, so an image is rebuilt when either changed."""
    h = hashlib.sha256(_SELF_HASH.encode())
    for p in parts:
        if isinstance(p, Path):
            st = p.stat()
            p = f"{p}:{st.st_size}:{st.st_mtime_ns}"
        h.update(str(p).encode() + b"\0")
    return h.hexdigest()[:16]


def _cached(name: str, suffix: str, inputs: tuple, build) -> Path:
    """build(path) once per distinct inputs: build/boot/images/NAME-KEY.SUFFIX."""
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{name}-{_key(name, *inputs)}.{suffix}"
    if not out.is_file():
        tmp = out.with_name(out.name + ".tmp")
        build(tmp)
        os.replace(tmp, out)
    return out


def _disk(name: str, layout: Layout, inputs: tuple, fill) -> tuple[Path, tuple[Part, ...]]:
    """A cached GPT disk: gpt_disk(), then fill(path, parts) formats and
    fills the partitions. Returns the image and its partitions."""
    def build(path: Path) -> None:
        fill(path, gpt_disk(path, name, layout))

    return _cached(name, "img", (layout, *inputs), build), tuple(plan(name, layout))


def shim() -> dict[str, Path]:
    """Debian's signed shim and its helpers (shim-signed, shim-helpers-arm64-signed)."""
    d = fetched("shim") / "usr/lib/shim"
    return {n: d / f"{n}aa64.efi.signed" for n in ("shim", "mm", "fb")}


def signed_grub(kind: str = "grub") -> Path:
    """Debian's signed monolithic GRUB: grub (disks: prefix /EFI/debian) or
    gcd (CDs: prefix /boot/grub), grub-efi-arm64-signed."""
    return fetched("grub-signed") / f"usr/lib/grub/arm64-efi-signed/{kind}aa64.efi.signed"


def grub_entry(title: str, kernel: str, initrd: str, args: str) -> str:
    return (f"menuentry '{title}' {{\n  linux {kernel} {args}\n"
            f"  initrd {initrd}\n}}\n")


# GRUB expands these in the `linux` line: the guest's /proc/cmdline shows
# where GRUB found its files (root) and its config (prefix).
GRUB_WHERE = "mmuon.grub_root=${root} mmuon.grub_prefix=${prefix}"


def _grub_cmdline(name: str, kernel: str, root: str, prefix: str) -> tuple[str, str]:
    """(what grub.cfg says, what the guest sees) for an entry booting kernel."""
    args = qemu.make_cmdline(f"mmuon.image={name}", GRUB_WHERE)
    seen = args.replace("${root}", root).replace("${prefix}", prefix)
    return args, f"BOOT_IMAGE={kernel} {seen}"


def _shim_grub_esp_files() -> dict[str, Path]:
    """\\EFI\\BOOT as Debian's grub-install --force-extra-removable leaves it
    (shim as BOOTAA64.EFI, GRUB and MokManager beside it), without
    fbaa64.efi, which would make shim run the fallback instead of GRUB."""
    s = shim()
    return {"EFI/BOOT/BOOTAA64.EFI": s["shim"],
            "EFI/BOOT/grubaa64.efi": signed_grub(),
            "EFI/BOOT/mmaa64.efi": s["mm"]}


def shim_grub_esp(kernel: Path, initrd: Path) -> Image:
    """shim + signed GRUB; grub.cfg, kernel and initrd on the ESP."""
    name = "shim-grub-esp"
    title = "mmuon test (ESP)"
    args, seen = _grub_cmdline(name, "/vmlinuz", "hd0,gpt1", "(hd0,gpt1)/EFI/debian")
    cfg = "set timeout=0\nset default=0\n" + grub_entry(title, "/vmlinuz", "/initrd.img", args)
    files = _shim_grub_esp_files()
    files.update({"EFI/debian/grub.cfg": cfg, "vmlinuz": kernel, "initrd.img": initrd})

    layout = [(ESP_TYPE, mib_for(*(f for f in files.values() if isinstance(f, Path))), "EFI")]
    path, parts = _disk(name, layout, tuple(files.values()),
                        lambda path, parts: fat(path, parts[0], files, bits=32))
    return Image(name, path, False, {title: seen},
                 "GPT, FAT32 ESP: shim, GRUB, grub.cfg, kernel, initrd", parts)


def shim_grub_ext4(kernel: Path, initrd: Path) -> Image:
    """shim + signed GRUB on the ESP; kernel, initrd and grub.cfg on ext4."""
    name = "shim-grub-ext4"
    title = "mmuon test (ext4)"
    args, seen = _grub_cmdline(name, "/boot/vmlinuz", "hd0,gpt2", "(hd0,gpt2)/boot/grub")
    # What Debian's grub-install writes to \EFI\debian\grub.cfg.
    stub_cfg = (f"search.fs_uuid {ROOT_UUID} root hd0,gpt2\n"
                "set prefix=($root)'/boot/grub'\nconfigfile $prefix/grub.cfg\n")
    cfg = "set timeout=0\nset default=0\n" + grub_entry(
        title, "/boot/vmlinuz", "/boot/initrd.img", args)
    esp_files = _shim_grub_esp_files()
    esp_files["EFI/debian/grub.cfg"] = stub_cfg
    root_files = {"boot/vmlinuz": kernel, "boot/initrd.img": initrd, "boot/grub/grub.cfg": cfg}

    layout = [(ESP_TYPE, 16, "EFI"), (LINUX_TYPE, mib_for(kernel, initrd, slack=16), "root")]

    def fill(path: Path, parts: list[Part]) -> None:
        fat(path, parts[0], esp_files, bits=16)
        ext4(path, parts[1], root_files)

    path, parts = _disk(name, layout, (*esp_files.values(), *root_files.values()), fill)
    return Image(name, path, False, {title: seen},
                 "GPT, FAT16 ESP: shim, GRUB, grub.cfg stub; ext4 root: grub.cfg, kernel, initrd",
                 parts)



# systemd-boot's menu: the Type #1 entry is the default, the UKI second
# (its title is the PRETTY_NAME of the .osrel clients.build_uki writes).
SDBOOT_TYPE1_TITLE = "mmuon test (Type #1)"
SDBOOT_UKI_TITLE = "mmuon test UKI"


def sdboot(version: str, kernel: Path, initrd: Path, menu_timeout: int = 5) -> Image:
    """systemd-boot `version` (252, 254) on a FAT16 ESP, as bootctl installs
    it, with a Type #1 entry (kernel and initrd in \\mmuon\\) and a UKI in
    \\EFI\\Linux. The menu waits menu_timeout seconds (the tests pick an entry
    with the keys; 0 boots the default at once, for make bench)."""
    name = f"sdboot-{version}" + (f"-timeout{menu_timeout}" if menu_timeout != 5 else "")
    args_type1 = qemu.make_cmdline(f"mmuon.image={name}", "mmuon.entry=type1")
    args_uki = qemu.make_cmdline(f"mmuon.image={name}", "mmuon.entry=uki")
    uki = clients.build_uki(version, kernel, initrd, args_uki)
    boot = clients.systemd_boot(version)
    files = {
        "EFI/BOOT/BOOTAA64.EFI": boot,
        "EFI/systemd/systemd-bootaa64.efi": boot,
        "loader/loader.conf": f"timeout {menu_timeout}\ndefault mmuon-type1.conf\neditor no\n",
        "loader/entries/mmuon-type1.conf": (
            f"title {SDBOOT_TYPE1_TITLE}\nlinux /mmuon/vmlinuz\n"
            f"initrd /mmuon/initrd.img\noptions {args_type1}\n"),
        "mmuon/vmlinuz": kernel,
        "mmuon/initrd.img": initrd,
        "EFI/Linux/mmuon-uki.efi": uki,
    }

    layout = [(ESP_TYPE, mib_for(kernel, initrd, uki), "EFI")]
    path, parts = _disk(name, layout, tuple(files.values()),
                        lambda path, parts: fat(path, parts[0], files, bits=16))
    # systemd-boot names the Type #1 entry's initrd before its options
    # (for kernels that load it themselves); the UKI's .cmdline is as built.
    cmdlines = {SDBOOT_TYPE1_TITLE: f"initrd=\\mmuon\\initrd.img {args_type1}",
                SDBOOT_UKI_TITLE: args_uki}
    return Image(name, path, False, cmdlines,
                 f"GPT, FAT16 ESP: systemd-boot {version}, a Type #1 entry, a UKI", parts)


def netboot_tree() -> Path:
    """debian-installer-12-netboot-arm64's tree: debian-installer/arm64/..."""
    return fetched("d-i-netboot") / "usr/lib/debian-installer/images/12/arm64/text"


# The installer's first screen, on the serial console.
INSTALLER_FIRST_SCREEN = "Select a language"
INSTALLER_ENTRY = "Install"


def installer() -> Image:
    """The Debian 12 netboot installer as an ISO in the layout of Debian's
    mini.iso: an El Torito EFI image (FAT) with the signed shim as
    \\EFI\\boot\\bootaa64.efi and the signed CD GRUB (gcdaa64.efi, built-in
    prefix /boot/grub on the CD it came from) as grubaa64.efi; /.disk/mini-info
    (what that GRUB's embedded config searches for when the prefix is not
    there); /boot/grub with the netboot tree's grub.cfg (paths moved from
    /debian-installer/arm64/ to /, as in mini.iso), modules and font; /linux
    and /initrd.gz."""
    name = "installer"
    tree = netboot_tree()
    di = tree / "debian-installer/arm64"
    cfg = (di / "grub/grub.cfg").read_text().replace("/debian-installer/arm64/", "/")
    version = versions("d-i-netboot")["debian-installer-12-netboot-arm64"]
    info = f"Debian GNU/Linux 12 (bookworm) arm64 netboot mini.iso {version}\n"
    efi_files = {"EFI/boot/bootaa64.efi": shim()["shim"],
                 "EFI/boot/grubaa64.efi": signed_grub("gcd")}

    def build(path: Path) -> None:
        root = path.with_name(path.name + ".root")
        shutil.rmtree(root, ignore_errors=True)
        (root / ".disk").mkdir(parents=True)
        (root / ".disk/mini-info").write_text(info)
        shutil.copytree(di / "grub", root / "boot/grub")
        (root / "boot/grub/grub.cfg").write_text(cfg)
        for f in ("linux", "initrd.gz"):
            shutil.copyfile(di / f, root / f)
        efi_img = root / "boot/grub/efi.img"
        with open(efi_img, "wb") as f:
            f.truncate(8 * MIB)
        fat(efi_img, Part(0, 0, 8 * MIB // SECTOR, ""), efi_files, bits=12, label="EFI")
        run("xorriso", "-as", "mkisofs", "-quiet", "-r", "-J", "-V", "Debian 12 arm64 n",
            "-o", path, "-e", "boot/grub/efi.img", "-no-emul-boot", root)
        shutil.rmtree(root)

    path = _cached(name, "iso", (cfg, info, di / "linux", di / "initrd.gz",
                                 *efi_files.values()), build)
    return Image(name, path, True, {INSTALLER_ENTRY: ""},
                 f"ISO (mini.iso layout): debian-installer {version}, shim, CD GRUB")


def uki_esp(kernel: Path, initrd: Path) -> Image:
    """The simplest disk that boots: a UKI (systemd-stub 254) as
    \\EFI\\BOOT\\BOOTAA64.EFI on a FAT32 ESP."""
    name = "uki-esp"
    args = qemu.make_cmdline(f"mmuon.image={name}")
    uki = clients.build_uki("254", kernel, initrd, args)

    path, parts = _disk(name, [(ESP_TYPE, mib_for(uki), "EFI")], (uki,),
                        lambda path, parts: fat(path, parts[0], {BOOT_FILE: uki}))
    return Image(name, path, False, {"UKI": args}, "GPT, FAT32 ESP: a UKI as BOOTAA64.EFI",
                 parts)


# ---- bad input ---------------------------------------------------------------------


class Fat32:
    """Just enough of FAT32 to damage a filesystem mkfs.fat and mtools made:
    8.3 path lookup, cluster chains, FAT entries (written to every FAT copy)."""

    EOC = 0x0FFFFFF8

    def __init__(self, disk: Path, part: Part):
        self.disk, self.base = disk, part.offset
        bpb = self.read(0, 512)
        (self.sector, self.per_cluster, reserved, self.fats) = struct.unpack_from("<HBHB", bpb, 11)
        total, self.fat_sectors, _, _, self.root = struct.unpack_from("<IIHHI", bpb, 32)
        if struct.unpack_from("<H", bpb, 22)[0] != 0 or bpb[82:87] != b"FAT32":
            raise ImageError("not a FAT32 filesystem")
        self.fat_at = reserved * self.sector
        self.data_at = self.fat_at + self.fats * self.fat_sectors * self.sector
        self.cluster_size = self.per_cluster * self.sector
        self.clusters = (total * self.sector - self.data_at) // self.cluster_size

    def read(self, at: int, n: int) -> bytes:
        with open(self.disk, "rb") as f:
            f.seek(self.base + at)
            return f.read(n)

    def write(self, at: int, data: bytes) -> None:
        with open(self.disk, "r+b") as f:
            f.seek(self.base + at)
            f.write(data)

    def cluster_at(self, c: int) -> int:
        return self.data_at + (c - 2) * self.cluster_size

    def next(self, c: int) -> int:
        return struct.unpack("<I", self.read(self.fat_at + 4 * c, 4))[0] & 0x0FFFFFFF

    def set_next(self, c: int, value: int) -> None:
        for i in range(self.fats):
            self.write(self.fat_at + i * self.fat_sectors * self.sector + 4 * c,
                       struct.pack("<I", value))

    def chain(self, c: int) -> list[int]:
        out = []
        while 2 <= c < self.EOC and len(out) <= self.clusters:
            out.append(c)
            c = self.next(c)
        return out

    def lookup(self, path: str) -> tuple[int, int, int]:
        """(offset of the directory entry, first cluster, size) of an 8.3 path."""
        c = self.root
        found = None
        for part in path.upper().split("/"):
            stem, _, ext = part.partition(".")
            want = stem.ljust(8).encode() + ext.ljust(3).encode()
            found = None
            for dc in self.chain(c):
                at = self.cluster_at(dc)
                data = self.read(at, self.cluster_size)
                for off in range(0, self.cluster_size, 32):
                    if data[off:off + 11] == want:
                        hi, lo, size = (struct.unpack_from("<H", data, off + 20)[0],
                                        struct.unpack_from("<H", data, off + 26)[0],
                                        struct.unpack_from("<I", data, off + 28)[0])
                        found = (at + off, hi << 16 | lo, size)
            if found is None:
                raise ImageError(f"{path}: no {part}")
            c = found[1]
        return found

    def point_entry(self, entry_at: int, cluster: int) -> None:
        """Make the directory entry at entry_at start at cluster."""
        self.write(entry_at + 20, struct.pack("<H", cluster >> 16))
        self.write(entry_at + 26, struct.pack("<H", cluster & 0xFFFF))


# What each bad ESP holds, and how it is damaged after mkfs.fat and mtools.
BAD_ESPS = {
    "chain-loop": "BOOTAA64.EFI's cluster chain loops back after 10 clusters",
    "cluster-out-of-range": "BOOTAA64.EFI's chain runs into a cluster past the end",
    "dir-cycle": "\\EFI\\BOOT is the root directory again (EFI/BOOT/EFI/BOOT/...)",
    "dir-chain-loop": "\\EFI\\BOOT's own cluster chain loops before BOOTAA64.EFI",
    "not-pe": "BOOTAA64.EFI is text, not a PE image",
    "empty-file": "BOOTAA64.EFI is 0 bytes long",
    "no-fs": "an ESP partition of zeros: no filesystem at all",
    "one-sector": "an ESP partition of one sector (zeros)",
}


def bad_esp(kind: str) -> Image:
    """A GPT disk whose ESP is bad in one way (BAD_ESPS). Where a file is
    needed it is systemd-boot 254 (85 KiB, a real PE), on a FAT32 ESP with
    512-byte clusters, so that chains are long; fsck.fat -n finds every
    damaged filesystem bad (the tests check)."""
    if kind not in BAD_ESPS:
        raise ValueError(f"unknown bad ESP {kind!r}: one of {list(BAD_ESPS)}")
    name = f"bad-esp-{kind}"
    pe = clients.systemd_boot("254")
    files: dict[str, Path | bytes | str] = {BOOT_FILE: pe}
    if kind == "not-pe":
        files[BOOT_FILE] = "This is not a PE image: mmuon must say so and go on.\n" * 100
    elif kind == "empty-file":
        files[BOOT_FILE] = b""
    elif kind == "dir-chain-loop":
        # Enough entries before BOOTAA64.EFI to fill three clusters of \EFI\BOOT.
        files = {f"EFI/BOOT/FILLER{i:02}.TXT": f"{i}\n" for i in range(40)}
        files[BOOT_FILE] = pe

    layout = [(ESP_TYPE, {"one-sector": 0, "no-fs": 16}.get(kind, 40), "EFI")]

    def fill(path: Path, parts: list[Part]) -> None:
        (esp,) = parts
        if kind in ("one-sector", "no-fs"):
            return
        run("mkfs.fat", f"--offset={esp.start}", "-F", "32", "-s", "1", "-i", FAT_SERIAL,
            "-n", "ESP", path, esp.size // 1024)
        fat_files(path, esp, files)
        fs = Fat32(path, esp)
        entry, first, _ = fs.lookup(BOOT_FILE)
        chain = fs.chain(first)
        if kind == "chain-loop":
            fs.set_next(chain[10], chain[3])
        elif kind == "cluster-out-of-range":
            fs.set_next(chain[10], fs.clusters + 100)
        elif kind == "dir-cycle":
            boot_entry, _, _ = fs.lookup("EFI/BOOT")
            fs.point_entry(boot_entry, fs.root)
        elif kind == "dir-chain-loop":
            _, boot_dir, _ = fs.lookup("EFI/BOOT")
            dir_chain = fs.chain(boot_dir)
            if len(dir_chain) < 3 or fs.cluster_at(dir_chain[-1]) > entry:
                raise ImageError(f"\\EFI\\BOOT spans {dir_chain}: BOOTAA64.EFI not after them")
            fs.set_next(dir_chain[1], dir_chain[0])

    path, parts = _disk(name, layout, (kind, pe), fill)
    return Image(name, path, False, {}, BAD_ESPS[kind], parts)


# ---- boot options ------------------------------------------------------------------

LOAD_OPTION_ACTIVE = 0x1
EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
NV_BS_RT = 0x7  # EFI_VARIABLE_NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS


def devpath_hd(part: Part) -> bytes:
    """HD(n,GPT,guid,start,size): UEFI 10.3.5.1, 42 bytes."""
    return (struct.pack("<BBHIQQ", 4, 1, 42, part.number, part.start, part.sectors)
            + uuid.UUID(part.guid).bytes_le + bytes([2, 2]))


def devpath_file(name: str) -> bytes:
    """File(name): UEFI 10.3.5.4, a NUL-terminated UCS-2 path."""
    text = (name + "\0").encode("utf-16-le")
    return struct.pack("<BBH", 4, 4, 4 + len(text)) + text


DEVPATH_END = bytes([0x7F, 0xFF, 4, 0])


def load_option(description: str, devpath: bytes, attributes: int = LOAD_OPTION_ACTIVE) -> bytes:
    """EFI_LOAD_OPTION (UEFI 3.1.3): attributes, FilePathListLength,
    Description, FilePathList; no optional data."""
    desc = (description + "\0").encode("utf-16-le")
    return struct.pack("<IH", attributes, len(devpath)) + desc + devpath


@dataclasses.dataclass(frozen=True)
class BootOption:
    number: int
    description: str
    devpath: bytes

    @property
    def name(self) -> str:
        return f"Boot{self.number:04X}"

    @property
    def data(self) -> bytes:
        return load_option(self.description, self.devpath)


def boot_options_nowhere(good: Image) -> list[BootOption]:
    """Boot0001 names a partition no disk has, Boot0002 a file the good
    disk's ESP does not hold, Boot0003 the good disk's BOOTAA64.EFI; in
    that order in BootOrder. All short-form HD(...)/File(...) paths, as
    efibootmgr and grub-install write them."""
    esp = good.parts[0]
    nowhere = dataclasses.replace(esp, guid=guid("no such disk", 1))
    return [
        BootOption(1, "mmuon: no such partition",
                   devpath_hd(nowhere) + devpath_file("\\EFI\\BOOT\\BOOTAA64.EFI") + DEVPATH_END),
        BootOption(2, "mmuon: no such file",
                   devpath_hd(esp) + devpath_file("\\EFI\\nowhere\\missing.efi") + DEVPATH_END),
        BootOption(3, "mmuon: the good disk",
                   devpath_hd(esp) + devpath_file("\\EFI\\BOOT\\BOOTAA64.EFI") + DEVPATH_END),
    ]


def boot_order(options: list[BootOption]) -> bytes:
    return b"".join(struct.pack("<H", o.number) for o in options)


# EDK2's variables that make AAVMF_VARS.ms.fd a Secure Boot store with
# Microsoft's keys, and the boot options it comes with.
EDK2_SB_AND_OPTIONS = ("PK", "KEK", "db", "dbx", "SecureBootEnable", "Boot0000", "Boot0001",
                       "Boot0002", "BootOrder")


def edk2_vars(options: list[BootOption], out: Path) -> Path:
    """An EDK2 variable store holding options and their BootOrder, for
    edk2_args(vars_file=). Debian's AAVMF_VARS.fd is all zeros (EDK2 formats
    it on the first boot), so virt-fw-vars (python3-virt-firmware) starts
    from AAVMF_VARS.ms.fd without its Secure Boot keys and boot options."""
    variables = [{"name": o.name, "guid": EFI_GLOBAL_VARIABLE, "attr": NV_BS_RT,
                  "data": o.data.hex()} for o in options]
    variables += [{"name": "BootOrder", "guid": EFI_GLOBAL_VARIABLE, "attr": NV_BS_RT,
                   "data": boot_order(options).hex()},
                  {"name": "Timeout", "guid": EFI_GLOBAL_VARIABLE, "attr": NV_BS_RT,
                   "data": "0000"}]
    spec = out.with_suffix(".json")
    spec.write_text(json.dumps({"version": 2, "variables": variables}))
    deletes = [a for v in EDK2_SB_AND_OPTIONS for a in ("-d", v)]
    run("virt-fw-vars", "-i", AAVMF_VARS_MS, *deletes, "--set-json", spec, "-o", out)
    return out


MMUON_VARSTORE = qemu.BUILD / "host" / "mmuon-varstore"


def mmuon_vars(options: list[BootOption], out: Path) -> Path:
    """A mmuon variable store (a 64 MiB flash bank) holding options and their
    BootOrder, written by build/host/mmuon-varstore (the firmware's own
    store code, built for the host; made here if missing)."""
    run("make", "-s", "-C", qemu.REPO, MMUON_VARSTORE.relative_to(qemu.REPO))
    run(MMUON_VARSTORE, "format", out, "--size", 64 * MIB)
    for name, data in [*((o.name, o.data) for o in options), ("BootOrder", boot_order(options))]:
        run(MMUON_VARSTORE, "set", out, name, EFI_GLOBAL_VARIABLE, NV_BS_RT, data.hex())
    return out


# ---- QEMU ---------------------------------------------------------------------------

DISK_BUSES = ("virtio-blk-pci", "virtio-scsi-pci", "virtio-mmio")
CD_BUSES = ("virtio-cd", "scsi-cd")


def drive_args(image: Image | Path, bus: str, index: int = 0,
               bootindex: int | None = None) -> list[str]:
    """QEMU flags attaching image on bus (DISK_BUSES, CD_BUSES). snapshot=on:
    what the guest writes goes to a temporary overlay, never to the image.
    virtio-cd is `-drive if=virtio,media=cdrom` (512-byte blocks), scsi-cd a
    SCSI CD-ROM (2048-byte blocks) on virtio-scsi."""
    path = image.path if isinstance(image, Image) else image
    drive = f"file={path},format=raw,snapshot=on"
    boot = f",bootindex={bootindex}" if bootindex is not None else ""
    dev = f"disk{index}"
    if bus == "virtio-cd" and bootindex is None:
        return ["-drive", f"{drive},if=virtio,media=cdrom"]
    if bus in ("virtio-cd", "scsi-cd"):
        drive += ",media=cdrom"
    args = ["-drive", f"{drive},if=none,id={dev}"]
    if bus in ("virtio-blk-pci", "virtio-cd"):
        return args + ["-device", f"virtio-blk-pci,drive={dev}{boot}"]
    if bus == "virtio-mmio":
        return args + ["-device", f"virtio-blk-device,drive={dev}{boot}"]
    if bus in ("virtio-scsi-pci", "scsi-cd"):
        kind = "scsi-cd" if bus == "scsi-cd" else "scsi-hd"
        return args + ["-device", f"virtio-scsi-pci,id=scsi{index}",
                       "-device", f"{kind},drive={dev},bus=scsi{index}.0{boot}"]
    raise ValueError(f"unknown bus {bus!r}: one of {DISK_BUSES + CD_BUSES}")


def mmuon_args(vars_file: Path | None = None) -> list[str]:
    """mmuon as -bios, with vars_file (mmuon_vars()) as its variable bank."""
    args = ["-bios", str(qemu.FIRMWARE)]
    if vars_file is not None:
        args += ["-drive", f"if=pflash,format=raw,unit=1,file={vars_file}"]
    return args


def edk2_args(vars_file: Path = AAVMF_VARS) -> list[str]:
    """Debian's EDK2 as a distribution runs it: AAVMF_CODE.fd and a private
    copy of a variable store (snapshot=on: what EDK2 writes goes to a
    temporary overlay). The default, AAVMF_VARS.fd, is a first boot: EDK2
    formats the store and makes its boot options."""
    return ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={AAVMF_CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,snapshot=on,file={vars_file}"]


# ---- by hand -------------------------------------------------------------------------


def _main() -> int:
    builders = {
        "shim-grub-esp": lambda k, i: shim_grub_esp(k, i),
        "shim-grub-ext4": lambda k, i: shim_grub_ext4(k, i),
        "sdboot-252": lambda k, i: sdboot("252", k, i),
        "sdboot-254": lambda k, i: sdboot("254", k, i),
        "installer": lambda k, i: installer(),
        "uki-esp": lambda k, i: uki_esp(k, i),
        **{f"bad-esp-{b}": (lambda b: lambda k, i: bad_esp(b))(b) for b in BAD_ESPS},
    }
    p = argparse.ArgumentParser(description="Build a disk-boot test image and print "
                                "the QEMU flags that boot it.")
    p.add_argument("image", choices=["list", *builders])
    p.add_argument("--kernel", choices=list(qemu.KERNELS), default="new")
    p.add_argument("--bus", default=None, help=f"one of {DISK_BUSES + CD_BUSES}")
    p.add_argument("--edk2", action="store_true", help="flags for Debian's EDK2, not mmuon")
    a = p.parse_args()
    if a.image == "list":
        print("\n".join(builders))
        return 0
    kernel = qemu.KERNELS[a.kernel]
    if not kernel.is_file():
        run(FETCH, f"kernel-{a.kernel}")
    initrd = qemu.BUILD / "boot" / "test-1048576.cpio"
    run(qemu.REPO / "tools" / "mkinitramfs.sh", initrd)
    img = builders[a.image](kernel, initrd)
    bus = a.bus or ("virtio-cd" if img.cd else "virtio-blk-pci")
    fw = edk2_args() if a.edk2 else mmuon_args()
    print(f"# {img.name}: {img.what}\n# {img.path}")
    for title, cmdline in img.cmdlines.items():
        print(f"# {title}: {cmdline}")
    print(" ".join(fw + drive_args(img, bus)))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
