"""Disks: PCIe enumeration, virtio, BlockIo/DiskIo and partitions, end to end.

build/efi_apps/blockio_check.efi (tests/efi_apps/) runs as the "kernel"
and prints every BlockIo handle it finds (device path in EDK2's text form,
media fields), the CRC-32 of all the bytes it reads through each, and the
result of DiskIo and refusal checks. The images come from Debian's tools
(disk_images.py: sgdisk, fdisk, sfdisk, mkfs.fat, mtools, xorriso); the
test computes what the list must be -- paths as EDK2 builds them, sizes,
CRCs of the image bytes each handle spans -- and compares. EDK2 itself
(Debian's QEMU_EFI.fd) runs the same app on one configuration: its list
must be the same. Linux must then boot with the same devices, see the same
disks and partitions, and not complain about BARs.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import disk_images
import efi_app
import qemu
from disk_images import Handle, Image

APP = qemu.BUILD / "efi_apps" / "blockio_check.efi"
LOGS = qemu.BUILD / "boot" / "logs"
EDK2_FD = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")
HANDLE = re.compile(
    r"BLOCKIO handle (\d+) path=(\S*) media=id:(\d+),removable:(\d),present:(\d),"
    r"logical:(\d),ro:(\d),wc:(\d),bs:(\d+),align:(\d+),last:(\d+),lowest:(\d+),"
    r"lbpp:(\d+),opt:(\d+) rev=0x([0-9A-Fa-f]+) diskio=(\d) partinfo=(\S+) esp=(\d)")
CRC = re.compile(r"BLOCKIO crc (\d+) bytes=(\d+) (?:crc32=([0-9A-Fa-f]+)|(.*))")
CHECK = re.compile(r"BLOCKIO check (\d+) ([\w-]+): (PASS|FAIL) ?(.*)$")
WRITE = re.compile(r"BLOCKIO write (\d+) lba=(\d+) crc32=([0-9A-Fa-f]+): (PASS|FAIL)")
DONE = re.compile(r"BLOCKIO done handles=(\d+) failures=(\d+)")
PCI_ROOT = "PciRoot(0x0)"


@dataclasses.dataclass
class Listed:
    """One BlockIo handle as the app saw it."""
    index: int
    handle: Handle
    revision: int
    disk_io: bool
    partinfo: str
    checks: dict[str, tuple[str, str]]


class Run:
    def __init__(self, boot: qemu.Boot):
        self.boot = boot
        self.listed: list[Listed] = []
        self.writes: list[tuple[int, int, int, str]] = []
        self.done: tuple[int, int] | None = None
        crcs: dict[int, int | None] = {}
        checks: dict[int, dict[str, tuple[str, str]]] = {}
        raw = []
        for _, line in boot.lines:
            if m := HANDLE.search(line):
                raw.append(m)
            elif m := CRC.search(line):
                crcs[int(m[1])] = int(m[3], 16) if m[3] else None
            elif m := CHECK.search(line):
                checks.setdefault(int(m[1]), {})[m[2]] = (m[3], m[4])
            elif m := WRITE.search(line):
                self.writes.append((int(m[1]), int(m[2]), int(m[3], 16), m[4]))
            elif m := DONE.search(line):
                self.done = (int(m[1]), int(m[2]))
        for m in raw:
            i = int(m[1])
            h = Handle(path=m[2], block_size=int(m[9]), last_block=int(m[11]),
                       present=m[5] == "1", logical=m[6] == "1", read_only=m[7] == "1",
                       removable=m[4] == "1", crc32=crcs.get(i), esp=m[18] == "1")
            self.listed.append(Listed(i, h, int(m[15], 16), m[16] == "1", m[17],
                                      checks.get(i, {})))

    def fail(self, msg: str) -> None:
        raise AssertionError(msg + "\n\n" + self.boot.describe(tail=80))

    @property
    def handles(self) -> list[Handle]:
        return [x.handle for x in self.listed]


@pytest.fixture(scope="session")
def blockio_check() -> Path:
    efi_app.build(APP)
    return APP


@pytest.fixture(scope="session")
def images():
    missing = disk_images.missing_tools()
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run tools/install-deps.sh",
                    pytrace=False)
    return {
        "gpt": disk_images.gpt_disk(),
        "mbr": disk_images.mbr_disk(),
        "gpt4k": disk_images.gpt_4k_disk(),
        "empty": disk_images.raw_disk("empty.img", 0),
        "one": disk_images.raw_disk("one.img", 512),
        "cd": disk_images.el_torito_iso(),
    }


def drive(n: int, img: Image, device: str, *, read_only: bool = False,
          snapshot: bool = False, extra: str = "") -> list[str]:
    opts = (",readonly=on" if read_only else "") + (",snapshot=on" if snapshot else "")
    return ["-drive", f"if=none,id=d{n},file={img.path},format=raw{opts}",
            "-device", f"{device},drive=d{n}{extra}"]


def run_app(app: Path, name: str, extra: list[str], *, el2: bool = False,
            append: str | None = None, firmware: Path | None = None,
            timeout: float = 180) -> Run:
    if firmware is None:
        if not qemu.FIRMWARE.is_file():
            pytest.skip(f"{qemu.FIRMWARE} is not built: run `make`")
        firmware = qemu.FIRMWARE
    b = qemu.run_qemu(firmware=firmware, kernel=app, append=append, el2=el2,
                      extra=extra, timeout=timeout, log=LOGS / f"{name}.log")
    return Run(b)


def expect_list(run: Run, want: list[Handle]) -> None:
    """The app saw exactly these handles, in this order, and all its
    checks passed."""
    if run.done is None:
        run.fail("the app did not finish")
    got = run.handles
    if got != want:
        lines = ["handles differ (want / got):"]
        for i in range(max(len(got), len(want))):
            w = want[i] if i < len(want) else None
            g = got[i] if i < len(got) else None
            mark = "  " if w == g else "!!"
            lines.append(f"{mark} want {w}\n   got  {g}")
        run.fail("\n".join(lines))
    for x in run.listed:
        if x.revision != 0x2001F:
            run.fail(f"handle {x.index}: BlockIo revision {x.revision:#x}, want 0x2001F")
        if not x.disk_io:
            run.fail(f"handle {x.index}: no DiskIo")
        bad = {k: v for k, v in x.checks.items() if v[0] != "PASS"}
        if bad or set(x.checks) != {"diskio", "refusals"}:
            run.fail(f"handle {x.index} ({x.handle.path}): checks {x.checks}")
        if x.handle.logical and x.handle.path.split("/")[-1].startswith("HD("):
            scheme = "2" if ",GPT," in x.handle.path.split("/")[-1] else "1"
            if x.partinfo.split(",")[0] != scheme:
                run.fail(f"handle {x.index}: PartitionInfo {x.partinfo}")
    if run.done[1]:
        run.fail(f"the app counted {run.done[1]} failures")


def pci(*slots: int) -> str:
    return PCI_ROOT + "".join(f"/Pci({s:#x},0x0)" for s in slots)


# ---- configurations -------------------------------------------------------------

def two_disks(images) -> tuple[list[str], list]:
    """A GPT disk and a read-only MBR disk (transitional virtio-blk, root
    bus), and a GPT disk behind a pcie-root-port (modern-only)."""
    args = (drive(1, images["gpt"], "virtio-blk-pci", extra=",addr=0x2")
            + drive(2, images["mbr"], "virtio-blk-pci", read_only=True,
                    extra=",addr=0x3")
            + ["-device", "pcie-root-port,id=rp1,chassis=1,addr=0x4"]
            + drive(3, images["gpt4k"], "virtio-blk-pci",
                    extra=",bus=rp1,logical_block_size=4096,physical_block_size=4096"))
    disks = [(pci(2), images["gpt"], {}),
             (pci(2 + 1), images["mbr"], {"read_only": True}),
             (pci(4, 0), images["gpt4k"], {})]
    return args, disks


def tiny_disks(images) -> tuple[list[str], list]:
    """A 0-byte disk and a 1-sector one."""
    args = (drive(1, images["empty"], "virtio-blk-pci", extra=",addr=0x2")
            + drive(2, images["one"], "virtio-blk-pci", extra=",addr=0x3"))
    return args, [(pci(2), images["empty"], {}), (pci(3), images["one"], {})]


def scsi_disks(images) -> tuple[list[str], list]:
    """virtio-scsi: target 0 with two LUNs (the second read-only), a CD
    on target 1, an empty CD drive on target 3 (transitional 1af4:1004 on
    the root bus)."""
    def hd(n: int, img: Image, target: int, lun: int, ro: bool = False) -> list[str]:
        return (["-drive", f"if=none,id=s{n},file={img.path},format=raw"
                 + (",readonly=on" if ro else "")]
                + ["-device", f"scsi-hd,drive=s{n},bus=scsi0.0,scsi-id={target},lun={lun}"])
    args = (["-device", "virtio-scsi-pci,id=scsi0,addr=0x5"]
            + hd(0, images["gpt"], 0, 0) + hd(1, images["mbr"], 0, 1, ro=True)
            + ["-drive", f"if=none,id=cd0,file={images['cd'].path},format=raw,"
               "media=cdrom,readonly=on",
               "-device", "scsi-cd,drive=cd0,bus=scsi0.0,scsi-id=1,lun=0",
               "-drive", "if=none,id=cd1,media=cdrom,readonly=on",
               "-device", "scsi-cd,drive=cd1,bus=scsi0.0,scsi-id=3,lun=0"])
    scsi = PCI_ROOT + "/Pci(0x5,0x0)/Scsi"
    empty = disk_images.raw_disk("no-media", 0)
    return args, [(f"{scsi}(0x0,0x0)", images["gpt"], {}),
                  (f"{scsi}(0x0,0x1)", images["mbr"], {"read_only": True}),
                  (f"{scsi}(0x1,0x0)", images["cd"], {"read_only": True, "removable": True}),
                  (f"{scsi}(0x3,0x0)", dataclasses.replace(empty, block_size=2048),
                   {"read_only": True, "removable": True})]


def scsi_luns(images) -> tuple[list[str], list]:
    """virtio-scsi, two writable LUNs on target 0: what Debian's EDK2
    lists too. (On the `scsi` configuration it differs, as observed: it
    finds nothing beyond target 0, ignores a disk's write protection,
    also exposes the BIOS El Torito entry, and gives the EFI one a
    LastBlock past the end of the medium, which its BlockIo then refuses
    to read.)"""
    args = (["-device", "virtio-scsi-pci,id=scsi0,addr=0x5"]
            + ["-drive", f"if=none,id=s0,file={images['gpt'].path},format=raw",
               "-device", "scsi-hd,drive=s0,bus=scsi0.0,scsi-id=0,lun=0",
               "-drive", f"if=none,id=s1,file={images['mbr'].path},format=raw",
               "-device", "scsi-hd,drive=s1,bus=scsi0.0,scsi-id=0,lun=1"])
    scsi = PCI_ROOT + "/Pci(0x5,0x0)/Scsi"
    return args, [(f"{scsi}(0x0,0x0)", images["gpt"], {}),
                  (f"{scsi}(0x0,0x1)", images["mbr"], {})]


def mmio_disk(images, legacy: bool) -> tuple[list[str], list]:
    """virtio-blk-device on the highest virtio-mmio transport, version 1
    (QEMU's force-legacy) or 2."""
    args = (["-global", f"virtio-mmio.force-legacy={'on' if legacy else 'off'}"]
            + drive(1, images["gpt"], "virtio-blk-device"))
    path = "VenHw(837DCA9E-E874-4D82-B29A-23FE0E23D1E2,003E000A00000000)"
    return args, [(path, images["gpt"], {})]


CONFIGS = {
    "disks": two_disks,
    "scsi": scsi_disks,
    "scsi-luns": scsi_luns,
    "tiny": tiny_disks,
    "mmio-v1": lambda images: mmio_disk(images, True),
    "mmio-v2": lambda images: mmio_disk(images, False),
}


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_blockio(blockio_check, images, config, el2):
    """Every disk and partition as a BlockIo handle: EDK2's paths, the
    media, the bytes of the image; DiskIo agrees; bad requests refused."""
    args, disks = CONFIGS[config](images)
    run = run_app(blockio_check, f"test_storage.{config}.{'el2' if el2 else 'el1'}",
                  args, el2=el2)
    expect_list(run, disk_images.expected_handles(disks))
    if f"EL{2 if el2 else 1}," not in run.boot.output:
        run.fail("not at the expected EL")
    if config.startswith("mmio") and (
            ("virtio-mmio@0xa003e00 (legacy):" in run.boot.output)
            != (config == "mmio-v1")):
        run.fail("the MMIO transport's version is not the one asked for")


@pytest.mark.firmware
@pytest.mark.parametrize("config", ["disks", "scsi-luns", "mmio-v2"])
def test_same_as_edk2(blockio_check, images, config):
    """Debian's EDK2 lists the same handles, paths and bytes."""
    if not EDK2_FD.is_file():
        pytest.fail(f"{EDK2_FD} missing: tools/install-deps.sh (qemu-efi-aarch64)")
    args, _ = CONFIGS[config](images)
    ours = run_app(blockio_check, f"test_storage.edk2-compare.{config}.mmuon", args,
                   append="poweroff")
    theirs = run_app(blockio_check, f"test_storage.edk2-compare.{config}.edk2", args,
                     append="poweroff", firmware=EDK2_FD)
    if not theirs.listed:
        theirs.fail("EDK2 listed no BlockIo handle")

    def key(h: Handle):
        # EDK2 says WriteCaching and 0 blocks per physical block on
        # partitions; the rest must agree.
        return (h.path, h.block_size, h.last_block, h.present, h.logical,
                h.read_only, h.removable, h.crc32, h.esp)

    a = [key(h) for h in ours.handles]
    b = [key(h) for h in theirs.handles]
    if a != b:
        diff = "\n".join(f"{'  ' if x == y else '!!'} mmuon {x}\n   edk2  {y}"
                         for x, y in zip(a + [None] * len(b), b + [None] * len(a))
                         if x or y)
        ours.fail("mmuon and EDK2 disagree:\n" + diff)


@pytest.mark.firmware
def test_write(blockio_check, images):
    """A block written through BlockIo is in the image file afterwards;
    the read-only disk refused it."""
    gpt = images["gpt"].copy("gpt-write.img")
    args = drive(1, gpt, "virtio-blk-pci", extra=",addr=0x2")
    run = run_app(blockio_check, "test_storage.write", args, append="write")
    if len(run.writes) != 1:
        run.fail(f"expected one write (the disk), got {run.writes}")
    index, lba, crc, verdict = run.writes[0]
    if verdict != "PASS":
        run.fail("the write or its read-back failed")
    data = gpt.path.read_bytes()[lba * 512:(lba + 1) * 512]
    want = bytes((j * 7 + index * 13 + lba) & 0xFF for j in range(512))
    if data != want:
        run.fail(f"block {lba} of the image is not what the app wrote")
    import zlib
    if zlib.crc32(want) != crc:
        run.fail("the app's CRC of the pattern differs from the host's")


# ---- broken disks ----------------------------------------------------------------------


def corrupt(img: Image, name: str, offsets: list[int]) -> Image:
    """A copy of @img with one bit flipped at each offset."""
    bad = img.copy(name)
    with open(bad.path, "r+b") as f:
        for off in offsets:
            f.seek(off)
            b = f.read(1)
            f.seek(off)
            f.write(bytes([b[0] ^ 1]))
    return bad


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_bad_gpt(blockio_check, images, el2):
    """A primary GPT header with a bad CRC: the backup is used, with a
    message, and the partitions are all there. Both bad: a message, the
    disk without partitions, nothing else amiss."""
    gpt = images["gpt"]
    last = gpt.size - 512
    primary = corrupt(gpt, "gpt-bad-primary.img", [512 + 16])
    both = corrupt(gpt, "gpt-bad-both.img", [512 + 16, last + 16])
    args = (drive(1, primary, "virtio-blk-pci", extra=",addr=0x2")
            + drive(2, both, "virtio-blk-pci", extra=",addr=0x3"))
    run = run_app(blockio_check, f"test_storage.bad-gpt.{'el2' if el2 else 'el1'}",
                  args, el2=el2)
    want = disk_images.expected_handles([(pci(2), primary, {}), (pci(3), both, {})])
    # The second disk's partitions are gone; its bytes are what they are.
    want = [h for h in want if not (h.path.startswith(pci(3) + "/"))]
    expect_list(run, want)
    out = run.boot.output
    for line in (
            "mmuon: virtio 00:02.0: GPT: the primary header (LBA 1) has a bad CRC",
            f"mmuon: virtio 00:02.0: GPT: using the backup header (LBA {last // 512})",
            "mmuon: virtio 00:03.0: GPT: the primary header (LBA 1) has a bad CRC",
            f"mmuon: virtio 00:03.0: GPT: the backup header (LBA {last // 512}) has a "
            "bad CRC: no GPT partitions"):
        if line not in out:
            run.fail(f"no console line {line!r}")


BLKDEBUG = """[inject-error]
event = "read_aio"
errno = "5"
sector = "{sector}"
"""


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_device_errors(blockio_check, images, el2):
    """QEMU's blkdebug fails reads of one sector inside the last
    partition, under virtio-blk and under virtio-scsi: BlockIo says
    EFI_DEVICE_ERROR for the disk and that partition, the rest reads
    fine, nothing hangs."""
    gpt = images["gpt"]
    part = gpt.parts[-1]
    sector = part.start + part.blocks // 2
    conf = disk_images.DIR / "blkdebug.conf"
    conf.write_text(BLKDEBUG.format(sector=sector))

    def failing(node: str) -> list[str]:
        return ["-blockdev", f"driver=blkdebug,node-name={node},config={conf},"
                f"image.driver=file,image.filename={gpt.path},image.read-only=on",
                "-blockdev", f"driver=raw,node-name={node}-raw,file={node},read-only=on"]

    args = (failing("b0") + ["-device", "virtio-blk-pci,drive=b0-raw,addr=0x2"]
            + failing("b1") + ["-device", "virtio-scsi-pci,id=scsi0,addr=0x5",
                               "-device", "scsi-hd,drive=b1-raw,bus=scsi0.0,scsi-id=0,lun=0"])
    run = run_app(blockio_check, f"test_storage.device-errors.{'el2' if el2 else 'el1'}",
                  args, el2=el2, timeout=240)
    if run.done is None:
        run.fail("the app did not finish")
    statuses = {}
    for _, line in run.boot.lines:
        if m := CRC.search(line):
            statuses[int(m[1])] = m[4] or "ok"
    paths = {x.index: x.handle.path for x in run.listed}
    for i, path in paths.items():
        bad = path.endswith(("Pci(0x2,0x0)", "Scsi(0x0,0x0)")) or part.node in path
        want = "status=Device Error" if bad else "ok"
        if statuses.get(i) != want:
            run.fail(f"handle {i} ({path}): read {statuses.get(i)}, want {want}")
    if len(paths) != 2 * (1 + len(gpt.parts)):
        run.fail(f"expected both disks and their partitions, got {paths}")


# ---- Linux -------------------------------------------------------------------------

DISK = re.compile(r"(\w+) size=(\d+) lbs=(\d+) ro=(\d) sha256=(\S+) parts=(\S*)")


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_linux_sees_the_same_disks(boot, firmware, kernel_new, initramfs, images, el2):
    linux_with_disks(boot, firmware, kernel_new, initramfs, images, el2)


@pytest.mark.firmware
@pytest.mark.slow
def test_linux_61_sees_the_same_disks(boot, firmware, kernel_61, initramfs, images):
    linux_with_disks(boot, firmware, kernel_61, initramfs, images, False)


def linux_with_disks(boot, firmware, kernel, initramfs, images, el2):
    """Linux on the same machine (plus the default virtio-net NIC): no BAR
    complaint, the disks with the sizes, partitions and bytes the host
    wrote, and the NIC's driver bound."""
    import hashlib
    args, disks = two_disks(images)
    args += ["-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,romfile=,addr=0x1"]
    cmdline = qemu.BASE_CMDLINE + " mmuon.disks=3"
    b = boot(firmware=firmware, kernel=kernel.path, initrd=initramfs.path,
             append=cmdline, mem="1G", extra=args, el2=el2, timeout=240)
    r = qemu.verify_report(b, efi=True)
    seen = {}
    for e in r.all("disk"):
        m = DISK.match(e.detail)
        if m:
            seen[m[1]] = m
    # Linux names virtio disks in probe order: 00:02, 00:03, then 01:00.
    for name, (_, img, opt) in zip(["vda", "vdb", "vdc"], disks):
        m = seen.get(name)
        if not m:
            raise AssertionError(f"Linux has no {name}: {sorted(seen)}\n{b.describe()}")
        with open(img.path, "rb") as f:
            sha = hashlib.sha256(f.read(1 << 20)).hexdigest()
        assert int(m[2]) * 512 == img.size, f"{name}: size {m[2]} sectors"
        assert int(m[3]) == img.block_size, f"{name}: logical block size {m[3]}"
        assert (m[4] == "1") == opt.get("read_only", False), f"{name}: ro={m[4]}"
        assert m[5] == sha, f"{name}: first MiB differs from the image"
        starts = sorted(int(p.split(":")[1]) for p in m[6].split(",") if p)
        want = sorted(p.start * img.block_size // 512 for p in img.parts)
        for p in img.parts:
            want += [c.start * img.block_size // 512 for c in p.children]
        assert starts == sorted(want), f"{name}: partitions at {starts}, want {sorted(want)}"
    if "virtio_net" not in b.output and "virtio-pci 0000:00:01.0: enabling device" not in b.output:
        raise AssertionError("the NIC at 00:01.0 was not enabled by Linux\n" + b.describe())


# ---- GRUB's view -------------------------------------------------------------------

GRUB_LS = re.compile(r"\((hd\d+|cd\d+)(?:,(gpt|msdos)(\d+))?\)")


def everything(images) -> tuple[list[str], list[tuple[str, str, Image]]]:
    """Every kind of disk at once, and the names GRUB (its kind) and Linux
    give them: virtio-blk GPT and MBR disks (vda, vdb), a 4 KiB-sector disk
    behind a root port (vdc), a SCSI disk (sda) and a CD (sr0)."""
    args = (drive(1, images["gpt"], "virtio-blk-pci", snapshot=True, extra=",addr=0x2")
            + drive(2, images["mbr"], "virtio-blk-pci", snapshot=True, extra=",addr=0x3")
            + ["-device", "pcie-root-port,id=rp1,chassis=1,addr=0x4"]
            + drive(3, images["gpt4k"], "virtio-blk-pci", snapshot=True,
                    extra=",bus=rp1,logical_block_size=4096,physical_block_size=4096")
            + ["-device", "virtio-scsi-pci,id=scsi0,addr=0x5",
               "-drive", f"if=none,id=s0,file={images['gpt'].path},format=raw,snapshot=on",
               "-device", "scsi-hd,drive=s0,bus=scsi0.0,scsi-id=0,lun=0",
               "-drive", f"if=none,id=cd0,file={images['cd'].path},format=raw,"
               "media=cdrom,readonly=on",
               "-device", "scsi-cd,drive=cd0,bus=scsi0.0,scsi-id=1,lun=0"])
    names = [("hd0", "vda", images["gpt"]), ("hd1", "vdb", images["mbr"]),
             ("hd2", "vdc", images["gpt4k"]), ("hd3", "sda", images["gpt"]),
             ("cd0", "sr0", images["cd"])]
    return args, names


def partition_numbers(img: Image) -> tuple[set[int], set[int]]:
    """The numbers Linux gives the image's partitions, and those of the
    extended containers among them (GRUB's msdos map does not list one)."""
    nums, extended = set(), set()
    for p in img.parts:
        if p.node.startswith("HD("):
            n = int(p.node[3:].split(",")[0])
            nums.add(n)
            if p.children:
                extended.add(n)
                nums |= {4 + i + 1 for i in range(len(p.children))}
    return nums, extended


@pytest.mark.firmware
@pytest.mark.parametrize("el2", [False, True], ids=["el1", "el2"])
def test_grub_ls_sees_what_linux_sees(boot, firmware, kernel_new, initramfs, images, el2):
    """GRUB 2.12 (Debian's monolithic image) lists, through mmuon's
    BlockIo, the disks and partitions Linux finds on the same machine."""
    import clients
    args, names = everything(images)
    linux = boot(firmware=firmware, kernel=kernel_new.path, initrd=initramfs.path,
                 append=qemu.BASE_CMDLINE + f" mmuon.disks={len(names)}", mem="1G",
                 extra=args, el2=el2, timeout=240)
    r = qemu.verify_report(linux, efi=True)
    seen = {m[1]: m for e in r.all("disk") if (m := DISK.match(e.detail))}
    script = [(re.escape("grub> "), "ls\r"), (re.escape("grub> "), "halt\r")]
    grub = boot(firmware=firmware, kernel=clients.monolithic_grub("2.12"),
                interact=script, extra=args, el2=el2, timeout=120)
    listed: dict[str, set[int]] = {}
    for _, line in grub.lines:
        for m in GRUB_LS.finditer(line):
            listed.setdefault(m[1], set())
            if m[3]:
                listed[m[1]].add(int(m[3]))
    want_grub: list[tuple[str, tuple[int, ...]]] = []
    for g, l, img in names:
        if l not in seen:
            raise AssertionError(f"Linux has no {l}: {sorted(seen)}\n{linux.describe()}")
        linux_parts = {int(re.match(r"[a-z]+(\d+)", p.split(":")[0].replace(l, "x"))[1])
                       for p in seen[l][6].split(",") if p}
        nums, extended = partition_numbers(img)
        assert linux_parts == nums, f"{l}: Linux has partitions {linux_parts}, image {nums}"
        want_grub.append((g[:2], tuple(sorted(linux_parts - extended))))
    # GRUB numbers its disks in its own order: compare what each holds.
    got = sorted((name[:2], tuple(sorted(parts))) for name, parts in listed.items())
    if got != sorted(want_grub):
        raise AssertionError(f"GRUB lists {sorted(listed.items())}, Linux sees "
                             f"{sorted(want_grub)}\n" + grub.describe())
