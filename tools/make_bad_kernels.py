#!/usr/bin/env python3
"""Malformed kernels, initrds and DTBs for mmuon's robustness tests.

    tools/make_bad_kernels.py [--kernel vmlinuz-new] [--out build/bad] [--list]

Writes into OUT (default build/bad/):

  kernels  name.bin for each entry of _kernels(): random bytes, ELF files,
           truncated and header-patched copies of a real arm64 EFI-stub
           kernel (Debian's vmlinuz), kernels bigger than RAM, one whose
           code is all zeros
  initrd   initrd-200m.img, 200 MiB of zeros (sparse on disk)
  DTBs     QEMU `virt`'s own DTB (dumped with -M virt,dumpdtb=), decompiled
           with dtc, edited (DTBS) and recompiled: name.dtb each; for
           `qemu-system-aarch64 -bios mmuon.bin -dtb name.dtb`

Everything is rewritten on each run (< 1 s: the damaged copies are sparse
files), so the tests call make_all() once per session. Byte offsets in the PE/COFF header
are read from the kernel itself, never assumed. Python 3.11 stdlib only;
dtc and qemu-system-aarch64 are needed for the DTBs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "build" / "bad"
CACHE = Path(os.environ.get("MMUON_CACHE", Path.home() / ".cache" / "mmuon")) / "arm64"
KERNEL = CACHE / "vmlinuz-new"
QEMU = os.environ.get("MMUON_QEMU", "qemu-system-aarch64")

MiB = 1 << 20

# ---- PE/COFF header of the real kernel -------------------------------------


class PeHeader:
    """Where the fields we patch live in a PE32+ file (offsets into it)."""

    def __init__(self, data: bytes):
        if data[:2] != b"MZ":
            raise ValueError("not a PE/COFF file (no MZ)")
        self.lfanew_at = 0x3C
        nt = struct.unpack_from("<I", data, self.lfanew_at)[0]
        if data[nt:nt + 4] != b"PE\0\0":
            raise ValueError("no PE signature")
        self.machine_at = nt + 4
        self.nsections_at = nt + 6
        opt_size = struct.unpack_from("<H", data, nt + 20)[0]
        opt = nt + 24
        self.entry = struct.unpack_from("<I", data, opt + 16)[0]  # AddressOfEntryPoint
        self.size_of_image_at = opt + 56
        self.size_of_headers_at = opt + 60
        # PE32+ DataDirectory[4], the certificate table: (file offset, size).
        self.security_dir_at = opt + 112 + 4 * 8
        self.nsections = struct.unpack_from("<H", data, self.nsections_at)[0]
        table = opt + opt_size
        # Section header fields: VirtualSize +8, VirtualAddress +12,
        # SizeOfRawData +16, PointerToRawData +20.
        self.sections = [table + 40 * i for i in range(self.nsections)]

    def section(self, data: bytes, i: int) -> tuple[int, int, int, int]:
        """(VirtualSize, VirtualAddress, SizeOfRawData, PointerToRawData)."""
        return struct.unpack_from("<IIII", data, self.sections[i] + 8)


def patched(data: bytes, *fields: tuple[int, str, int]) -> bytes:
    """data with struct-packed values written at the given offsets."""
    out = bytearray(data)
    for offset, fmt, value in fields:
        struct.pack_into(fmt, out, offset, value)
    return bytes(out)


# ---- a tiny aarch64 ELF -------------------------------------------------------


def aarch64_elf() -> bytes:
    """A minimal static aarch64 Linux executable: exit(0).

    What people hand a firmware by mistake (a vmlinux is an ELF too); built
    here so that no cross compiler is needed.
    """
    base, ehsize, phsize = 0x400000, 64, 56
    code = struct.pack(
        "<3I",
        0xD2800000,  # mov x0, #0
        0xD2800BA8,  # mov x8, #93 (exit)
        0xD4000001,  # svc #0
    )
    entry = base + ehsize + phsize
    size = ehsize + phsize + len(code)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, LE, v1
    ehdr = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        2,  # ET_EXEC
        183,  # EM_AARCH64
        1,
        entry,
        ehsize,  # e_phoff
        0,  # e_shoff
        0,
        ehsize,
        phsize,
        1,  # one program header
        64,
        0,
        0,
    )
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x10000)  # PT_LOAD R+X
    return ehdr + phdr + code


# ---- the kernels -----------------------------------------------------------------

# What mmuon must say is a regular expression matched against the console
# after "mmuon: boot: QEMU -kernel: " (the boot manager then goes on with
# the other boot options, and lists it first when nothing boots).
NOT_EFI = r"not a bootable EFI image: "
NO_ROOM = r"{} bytes in memory: does not fit in free RAM"

# The real kernel is damaged in its first HEAD bytes only; the rest of each
# copy is a sparse hole of the original length: mmuon refuses all of these
# before it loads a byte past the headers, and it checks the headers against
# the file's size, which stays right. 20 copies then cost ~1 MiB of disk,
# not 700 MiB.
HEAD = 64 * 1024
# Not a refusal: an exception dump (matched on its first line).
CRASH_AT_ENTRY = r"synchronous exception at EL\d: unknown reason \(undefined instruction\)"
CRASHES = {"zero-body"}
BIG_FILE_SIZE = 200 * MiB

RETURN_LOAD_ERROR = struct.pack(
    "<3I",
    0xD2800020,  # mov  x0, #1
    0xF2F00000,  # movk x0, #0x8000, lsl #48: EFI_LOAD_ERROR
    0xD65F03C0,  # ret
)


@dataclasses.dataclass(frozen=True)
class Bad:
    data: bytes  # the file's first bytes
    size: int  # the file's size; past len(data) it reads as zeros
    message: str  # after "mmuon: boot: QEMU -kernel: " (CRASHES: the dump's first line)
    code: tuple[tuple[int, bytes], ...] = ()  # (file offset, bytes) put in the hole


def _kernels(k: bytes) -> dict[str, Bad]:
    size = len(k)
    head = k[:HEAD]
    pe = PeHeader(head)
    last = pe.sections[-1]
    vsize, va, raw, ptr = pe.section(head, pe.nsections - 1)

    def damaged(message: str, *fields: tuple[int, str, int]) -> Bad:
        return Bad(patched(head, *fields), size, NOT_EFI + message)

    def whole(data: bytes, message: str) -> Bad:
        return Bad(data, len(data), message)

    # The last section stretched over a real 200 MiB file (the padding is
    # zeros), SizeOfImage to match: a kernel that honestly needs the room.
    big_raw = BIG_FILE_SIZE - ptr
    big = patched(
        head, (last + 8, "<I", big_raw), (last + 16, "<I", big_raw),
        (pe.size_of_image_at, "<I", va + big_raw),
    )
    return {
        "random": whole(
            random.Random(0x6D6D756F6E).randbytes(64 * 1024),
            NOT_EFI + r"not a PE/COFF image \(no MZ header\)",
        ),
        "one-byte": whole(b"M", NOT_EFI + r"not a PE/COFF image \(no MZ header\) \(0x0\)"),
        "mz-only": whole(
            b"MZ",
            NOT_EFI + r"PE header offset \(e_lfanew\) misaligned or out of bounds \(0x40\)",
        ),
        "elf-aarch64": whole(aarch64_elf(), NOT_EFI + r"an ELF file, not a PE/COFF image"),
        "elf-host": whole(
            Path(shutil.which("true") or "/bin/true").read_bytes(),
            NOT_EFI + r"an ELF file, not a PE/COFF image",
        ),
        # An arm64 Image whose first instruction is not the "MZ" one, as
        # from a kernel built without CONFIG_EFI_STUB.
        "bare-image": damaged(r"an arm64 Image without EFI stub", (0, "<I", 0x14000000)),
        "truncated-2k": whole(
            k[: 2 * 1024],
            NOT_EFI + r"PE SizeOfHeaders does not cover the section table "
            r"or exceeds the file \(0x10000\)",
        ),
        "truncated-64k": whole(
            k[: 64 * 1024],
            NOT_EFI + rf"PE section data extends past the end of the file \({ptr:#x}\)",
        ),
        "machine-x86_64": damaged(
            r"PE machine type is not AArch64 \(0xaa64\) \(0x8664\)",
            (pe.machine_at, "<H", 0x8664),
        ),
        "size-of-image-zero": damaged(
            r"PE SizeOfImage smaller than SizeOfHeaders \(0x0\)",
            (pe.size_of_image_at, "<I", 0),
        ),
        "size-of-image-short": damaged(
            rf"PE section extends past SizeOfImage \({va + vsize:#x}\)",
            (pe.size_of_image_at, "<I", va),
        ),
        # 4 GiB - 64 KiB passes every header check and fits in no RAM here.
        "size-of-image-4g": Bad(
            patched(head, (pe.size_of_image_at, "<I", 0xFFFF0000)), size,
            NO_ROOM.format(0xFFFF0000),
        ),
        "size-of-headers-huge": damaged(
            r"PE SizeOfHeaders does not cover the section table or exceeds "
            r"the file \(0xffffffff\)",
            (pe.size_of_headers_at, "<I", 0xFFFFFFFF),
        ),
        "size-of-headers-zero": damaged(
            r"PE SizeOfHeaders does not cover the section table or exceeds "
            r"the file \(0x0\)",
            (pe.size_of_headers_at, "<I", 0),
        ),
        "section-outside-file": damaged(
            r"PE section data extends past the end of the file "
            rf"\({0xFFFFF000 + min(raw, vsize):#x}\)",
            (last + 20, "<I", 0xFFFFF000),
        ),
        # PointerToRawData + SizeOfRawData wraps around 32 bits.
        "section-offset-wraps": damaged(
            r"PE section data extends past the end of the file "
            rf"\({0xFFFFFE00 + min(0x1000, vsize):#x}\)",
            (last + 20, "<I", 0xFFFFFE00), (last + 16, "<I", 0x1000),
        ),
        # SizeOfRawData past the end of the file (clipped to VirtualSize,
        # which is past it too).
        "section-raw-size-huge": damaged(
            rf"PE section data extends past the end of the file \({ptr + vsize:#x}\)",
            (last + 16, "<I", 0xFFFFFFF0),
        ),
        "section-virtual-size-huge": damaged(
            rf"PE section extends past SizeOfImage \({va + 0xFFFFFFF0:#x}\)",
            (last + 8, "<I", 0xFFFFFFF0),
        ),
        "sections-zero": damaged(r"PE image has no sections", (pe.nsections_at, "<H", 0)),
        "sections-65535": damaged(
            r"PE image has more than 32 sections \(0xffff\)",
            (pe.nsections_at, "<H", 0xFFFF),
        ),
        "lfanew-huge": damaged(
            r"PE header offset \(e_lfanew\) misaligned or out of bounds",
            (pe.lfanew_at, "<I", 0xFFFFFFF0),
        ),
        "lfanew-misaligned": damaged(
            r"PE header offset \(e_lfanew\) misaligned or out of bounds \(0x41\)",
            (pe.lfanew_at, "<I", 0x41),
        ),
        # Inside the file, but past the 4 KiB mmuon reads for the headers.
        "lfanew-past-probe": damaged(
            r"PE/COFF headers extend past the bytes read",
            (pe.lfanew_at, "<I", 0x10000),
        ),
        # For -m 128M: the headers ask for 256 MiB, the file stays small.
        "image-256m": Bad(
            patched(head, (pe.size_of_image_at, "<I", 256 * MiB)), size,
            NO_ROOM.format(256 * MiB),
        ),
        # For -m 128M: a real 200 MiB file.
        "big-file": Bad(big, BIG_FILE_SIZE, NO_ROOM.format(va + big_raw)),
        # Headers fine, code all zeros (UDF #0): mmuon loads and starts it,
        # and its exception vectors must catch the image's first fault.
        "zero-body": Bad(head, size, CRASH_AT_ENTRY),
        # An "EFI stub" that returns EFI_LOAD_ERROR at once: StartImage
        # must come back to mmuon in one piece (file offsets are RVAs).
        "stub-returns": Bad(
            head, size,
            r"the kernel's EFI stub returned with status 0x8000000000000001",
            code=((pe.entry, RETURN_LOAD_ERROR),),
        ),
    }


def expected_kernel_messages(kernel: Path = KERNEL) -> dict[str, str]:
    return {name: bad.message for name, bad in _kernels(kernel.read_bytes()).items()}


# ---- the DTBs ----------------------------------------------------------------------

def _sub1(pattern: str, repl: str, s: str) -> str:
    out, n = re.subn(pattern, repl, s, count=1, flags=re.S)
    if n != 1:
        raise ValueError(f"DTS edit found nothing to change: {pattern}")
    return out


def _drop_node(name: str):
    """An edit removing the top-level node name@<unit address>."""
    return lambda dts: _sub1(rf"\n\t{name}@[0-9a-f]+ \{{.*?\n\t\}};\n", "\n", dts)


def _no_stdout_path(dts: str) -> str:
    return _sub1(r"\n\t\tstdout-path = [^;]*;", "", dts)


def _stdout_not_pl011(dts: str) -> str:
    fw_cfg = re.search(r"\n\t(fw-cfg@[0-9a-f]+) \{", dts)[1]
    return _sub1(r'stdout-path = "[^"]*";', f'stdout-path = "/{fw_cfg}";', dts)


def _overlapping_ram(dts: str) -> str:
    # A second RAM node overlapping QEMU's: QEMU leaves it alone (it only
    # rewrites /memory), mmuon must refuse the ambiguous map.
    node = (
        "\tram@48000000 {\n\t\treg = <0x00 0x48000000 0x00 0x10000000>;\n"
        '\t\tdevice_type = "memory";\n\t};\n\n'
    )
    return _sub1(r"\n(?=\tmemory@)", "\n" + node, dts)


def _move_fw_cfg(to: str):
    """An edit moving fw_cfg's reg to `to`: a unit name like "pl031" (that
    device's address) or a hex address."""

    def edit(dts: str) -> str:
        m = re.search(rf"\n\t{to}@([0-9a-f]+) \{{", dts)
        addr = int(m[1], 16) if m else int(to, 16)
        return _sub1(r"(\n\tfw-cfg@[0-9a-f]+ \{[^}]*?reg = )<[^>]*>",
                     rf"\g<1><0x00 {addr:#x} 0x00 0x18>", dts)

    return edit


def _console_no_reg(dts: str) -> str:
    return _sub1(r"(\n\tpl011@[0-9a-f]+ \{[^}]*?)\n\t\treg = [^;]*;", r"\1", dts)


# name: (edit of the decompiled DTS, what mmuon must say). QEMU rewrites
# the memory node, /psci and /chosen's bootargs, initrd and seeds in any
# -dtb it is given, so edits there never reach the guest: "no-memory" shows
# that (None: no message expected, QEMU restores the node).
DTBS = {
    "no-stdout-path": (_no_stdout_path, r"no /chosen/stdout-path in the DT"),
    "stdout-not-pl011": (_stdout_not_pl011, r"stdout-path /fw-cfg@[0-9a-f]+ is not a PL011"),
    "no-fw-cfg": (
        _drop_node("fw-cfg"),
        r"no fw_cfg device with DMA in the DT: cannot load a kernel",
    ),
    "console-no-reg": (_console_no_reg, r"console /pl011@[0-9a-f]+ has no reg"),
    # fw_cfg's reg names another device: mmuon finds no DMA signature there.
    "fw-cfg-not-fw-cfg": (
        _move_fw_cfg("pl031"),
        r"no fw_cfg device with DMA in the DT: cannot load a kernel",
    ),
    # fw_cfg's reg names a hole in the device window: the probe's read takes
    # a synchronous external abort, which mmuon can only dump (no fixups).
    "fw-cfg-no-device": (
        _move_fw_cfg("0xb000000"),
        r"synchronous exception at EL\d: data abort, synchronous external abort, read",
    ),
    "overlapping-ram": (_overlapping_ram, r"RAM ranges overlap at 0x48000000"),
    "no-memory": (_drop_node("memory"), None),
}
DTB_CRASHES = {"fw-cfg-no-device"}

# The machine the DTBs are dumped from; the tests boot it at EL1 and EL2
# (QEMU fixes the PSCI method up for EL2 itself).
DTB_MACHINE = ["-M", "virt", "-cpu", "max", "-m", "256M", "-smp", "1"]


def qemu_dtb(out: Path, machine: list[str] = DTB_MACHINE) -> None:
    """QEMU's own DTB for `machine` (-M virt[,...] must come first)."""
    argv = list(machine)
    argv[1] += f",dumpdtb={out}"
    r = subprocess.run(
        [QEMU, *argv, "-nographic", "-nodefaults", "-net", "none"],
        capture_output=True, text=True, timeout=60,
    )
    if r.returncode or not out.is_file():
        raise RuntimeError(f"QEMU could not dump its DTB:\n{r.stderr}")


def _dtc(*args: str, stdin: str | None = None) -> str:
    r = subprocess.run(["dtc", "-q", *args], input=stdin, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"dtc {' '.join(args)} failed:\n{r.stderr}")
    return r.stdout


def make_dtbs(out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = out / "virt.dtb"
    if not base.is_file():
        qemu_dtb(base)
    dts = _dtc("-I", "dtb", "-O", "dts", str(base))
    (out / "virt.dts").write_text(dts)
    paths = {}
    for name, (edit, _) in DTBS.items():
        path = out / f"{name}.dtb"
        edited = edit(dts)
        (out / f"{name}.dts").write_text(edited)
        # Renamed into place: another test run may be booting the old one.
        tmp = out / f".{name}.dtb.tmp"
        _dtc("-I", "dts", "-O", "dtb", "-o", str(tmp), "-", stdin=edited)
        tmp.replace(path)
        paths[name] = path
    return paths


# ---- a good kernel that takes the copying path ----------------------------------

# How far moved_sections() moves the section data in the file: a multiple of
# the kernel's FileAlignment (0x200), less than its SectionAlignment.
SECTION_SHIFT = 0x1000


def moved_sections(data: bytes, shift: int = SECTION_SHIFT) -> tuple[bytes, int]:
    """The real kernel with `shift` zero bytes inserted after its headers:
    every section's PointerToRawData moves by `shift` while its RVA stays,
    so no section is at its file offset and the file cannot run where it is
    DMA'd in one piece. A firmware must put the sections at their RVAs
    (mmuon DMAs them there one by one; a loader that reads the file into a
    buffer copies them). The certificate table (a file offset) moves along.
    Returns the file and the bytes such a copy moves: the headers and each
    section's data up to its VirtualSize.
    """
    pe = PeHeader(data)
    headers = struct.unpack_from("<I", data, pe.size_of_headers_at)[0]
    out = bytearray(data[:headers] + bytes(shift) + data[headers:])
    copied = headers
    for i, at in enumerate(pe.sections):
        vsize, _, raw, ptr = pe.section(data, i)
        if raw:
            if ptr < headers:
                raise ValueError(f"section {i} has data inside the headers")
            struct.pack_into("<I", out, at + 20, ptr + shift)
        copied += min(raw, vsize or raw)
    cert, cert_size = struct.unpack_from("<II", data, pe.security_dir_at)
    if cert_size:
        struct.pack_into("<I", out, pe.security_dir_at, cert + shift)
    return bytes(out), copied


def make_moved_kernel(kernel: Path = KERNEL, out: Path = OUT) -> tuple[Path, int]:
    """build/bad/moved-sections.bin (see moved_sections()) and the bytes a
    loader copies for it."""
    out.mkdir(parents=True, exist_ok=True)
    data, copied = moved_sections(kernel.read_bytes())
    path = out / "moved-sections.bin"
    tmp = out / ".moved-sections.tmp"
    tmp.write_bytes(data)
    tmp.replace(path)
    return path, copied


# ---- everything ------------------------------------------------------------------


def make_kernels(kernel: Path = KERNEL, out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, bad in _kernels(kernel.read_bytes()).items():
        path = out / f"{name}.bin"
        paths[name] = path
        tmp = out / f".{name}.tmp"  # renamed into place, as for the DTBs
        with open(tmp, "wb") as f:
            f.write(bad.data)
            for offset, code in bad.code:
                f.seek(offset)
                f.write(code)
            f.truncate(bad.size)  # a hole: reads as zeros, costs no disk
        tmp.replace(path)
    return paths


def make_initrd(out: Path = OUT, size: int = BIG_FILE_SIZE) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"initrd-{size // MiB}m.img"
    if not path.is_file() or path.stat().st_size != size:
        with open(path, "wb") as f:
            f.truncate(size)
    return path


def make_all(kernel: Path = KERNEL, out: Path = OUT) -> dict[str, Path]:
    paths = make_kernels(kernel, out)
    paths.update({f"dtb:{n}": p for n, p in make_dtbs(out).items()})
    paths["initrd-200m"] = make_initrd(out)
    return paths


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel", type=Path, default=KERNEL,
                   help="a real arm64 EFI-stub kernel to damage (default: %(default)s)")
    p.add_argument("--out", type=Path, default=OUT, help="output directory (default: %(default)s)")
    p.add_argument("--list", action="store_true", help="print each file and what mmuon must say")
    a = p.parse_args()
    if not a.kernel.is_file():
        print(f"{a.kernel} is missing: run tools/fetch-arm64.sh kernel-new", file=sys.stderr)
        return 1
    paths = make_all(a.kernel, a.out)
    msgs = expected_kernel_messages(a.kernel)
    msgs.update({f"dtb:{n}": m or "(QEMU rewrites it)" for n, (_, m) in DTBS.items()})
    for name, path in paths.items():
        print(f"{path}" + (f"\n    {msgs[name]}" if a.list and name in msgs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
