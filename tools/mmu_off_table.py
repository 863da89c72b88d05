#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Whole-boot MMU-off audit: data accesses with the MMU off, reset to init.

Boots the same kernel and test initramfs under each firmware (mmuon, QEMU's
own loader `-kernel`, EDK2, U-Boot) at EL1 and EL2 with the mmu_off TCG
plugin (tools/plugin/mmu_off.c) and prints a markdown table of the loads and
stores executed while SCTLR_ELx.M was 0 for the current EL, split into

  firmware part  reset .. the kernel's first instruction
  kernel part    the kernel's first instruction .. the first instruction at
                 EL0, which is the test init

The kernel's first instruction is found by its bytes: this script reads the
16 bytes at the kernel Image's offset 0 (entered by QEMU -kernel and
U-Boot's booti) and at its PE entry point (entered by EFI loaders: mmuon,
EDK2, U-Boot's bootefi) and passes them to the plugin (match=HEX).

Who made an access is told by the address of the instruction, not by the
time: for mmuon the plugin gets the ranges of its code (fw=START-END: every
executable section of build/mmuon.elf, that is its code in flash and its
runtime code in RAM), and counts the accesses of instructions there, at EL1
or above, as the firmware's own, over the whole boot (the runtime services
the kernel calls included). For the other firmwares the code ranges are
not known here, and only the split in time is shown.

The firmwares need nothing typed: EDK2 boots QEMU's -kernel from fw_cfg by
itself, and U-Boot's default bootcmd (after its 2 s autoboot delay) runs
`qfw load` + `booti` on it.

Then the same for EFI clients between the firmware and the kernel (mmuon
and EDK2 only): a standalone GRUB 2.12 image and a UKI of systemd-stub 254,
each built by tests/boot/clients.py with the kernel and the initramfs
inside, given as -kernel; and the disk paths: systemd-boot 254 (Type #1
entry) and shim + signed GRUB 2.06 on GPT disks (tests/boot/images.py) on
virtio-blk-pci, found by the firmware's boot manager. The kernel is still
found by its bytes; "before the kernel" then includes the client's own
accesses, and mmuon's code is still told apart by its address.

    tools/mmu_off_table.py [--kernel new|6.1|PATH] [--only mmuon,edk2] [--el 1,2]
                           [--clients grub-2.12,uki-254,sdboot-disk,shim-grub-disk]
                           [--json FILE] [--verbose]

Exit status: 0 when every boot reached the init and mmuon made no MMU-off
access (none before the kernel, none by its code over the whole boot) at
every EL; 1 otherwise; 2 when something needed is missing. Consoles go
to build/boot/logs/mmu-off-<firmware>-el<N>.log.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gzip
import json
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "boot"))
import clients  # noqa: E402  (tests/boot/clients.py: GRUB images, UKIs)
import images  # noqa: E402  (tests/boot/images.py: disk images of Debian's clients)
import qemu  # noqa: E402  (tests/boot/qemu.py: QEMU command lines, console)

PLUGIN = qemu.BUILD / "plugin" / "mmu_off.so"
MKINITRAMFS = ROOT / "tools" / "mkinitramfs.sh"
LOGS = qemu.BUILD / "boot" / "logs"

# name -> firmware image for -bios (None: QEMU's own loader, no firmware)
FIRMWARES = {
    "mmuon": qemu.FIRMWARE,
    "qemu -kernel": None,
    "edk2": Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"),
    "u-boot": Path("/usr/lib/u-boot/qemu_arm64/u-boot.bin"),
}

# EFI clients: (row label, builder(kernel, initrd) -> the -kernel image, or
# a disk image the firmware boots from, on virtio-blk-pci), run under these
# firmwares.
CLIENTS = {
    "grub-2.12": ("GRUB 2.12", lambda k, i: clients.build_grub(
        "2.12", k, i, clients.grub_menu([("test init", qemu.BASE_CMDLINE)]))),
    "uki-254": ("UKI (systemd-stub 254)", lambda k, i: clients.build_uki(
        "254", k, i, qemu.BASE_CMDLINE)),
    "sdboot-disk": ("systemd-boot 254 from a disk (Type #1 entry)",
                    lambda k, i: images.sdboot("254", k, i, menu_timeout=0)),
    "shim-grub-disk": ("shim + GRUB 2.06 from a disk", images.shim_grub_esp),
}
CLIENT_FIRMWARES = ("mmuon", "edk2")

ENTRY_BYTES = 16  # how many bytes of the kernel's first instructions to match

SHF_ALLOC, SHF_EXECINSTR = 0x2, 0x4


def code_ranges(elf: Path) -> list[tuple[int, int]]:
    """[start, end) of every allocated, executable section of an ELF64
    little-endian file: where its code runs (mmuon is identity-mapped)."""
    data = elf.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{elf} is not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    ranges = []
    for i in range(shnum):
        _, _, flags, addr, _, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        if flags & SHF_ALLOC and flags & SHF_EXECINSTR and size:
            ranges.append((addr, addr + size))
    return sorted(ranges)


@functools.cache
def firmware_code(name: str) -> tuple[tuple[int, int], ...]:
    """The code ranges of a firmware, where known (mmuon: from its ELF)."""
    if name != "mmuon":
        return ()
    elf = qemu.FIRMWARE.with_suffix(".elf")
    return tuple(code_ranges(elf)) if elf.is_file() else ()


# ---- the kernel's first instructions ----------------------------------------


def _image(kernel: Path) -> bytes:
    data = kernel.read_bytes()
    # QEMU gunzips a compressed Image for -kernel; match what it runs.
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _rva_to_offset(data: bytes, pe: int, rva: int) -> int:
    """File offset of a PE relative virtual address (through the sections)."""
    nsections, opt_size = struct.unpack_from("<H12xH", data, pe + 6)
    table = pe + 24 + opt_size
    for i in range(nsections):
        vsize, va, raw_size, raw = struct.unpack_from("<4I", data, table + 40 * i + 8)
        if va <= rva < va + max(vsize, raw_size):
            return raw + rva - va
    return rva  # in the headers


def kernel_entry_patterns(kernel: Path) -> list[bytes]:
    """Bytes at the Image's offset 0 and, for an EFI-stub Image, its PE entry."""
    data = _image(kernel)
    out = [data[:ENTRY_BYTES]]
    if data[:2] == b"MZ":
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] == b"PE\0\0":
            entry = struct.unpack_from("<I", data, pe + 24 + 16)[0]
            off = _rva_to_offset(data, pe, entry)
            out.append(data[off:off + ENTRY_BYTES])
    return out


def plugin_argv(kernel: Path | None, out: Path, plugin: Path = PLUGIN,
                patterns: list[bytes] | None = None,
                fw_code: tuple[tuple[int, int], ...] | list = ()) -> list[str]:
    """QEMU arguments loading the plugin; its JSON result goes to `out`.
    fw_code: [start, end) ranges of the firmware's code (mmu_off.so's fw=).

    QEMU splits -plugin's value at commas, so neither path may contain one.
    """
    if patterns is None:
        patterns = kernel_entry_patterns(kernel) if kernel else []
    for p in (plugin, out):
        if "," in str(p):
            raise ValueError(f"QEMU cannot take a path with a comma: {p}")
    args = ([str(plugin)] + [f"match={p.hex()}" for p in patterns]
            + [f"fw={s:x}-{e:x}" for s, e in fw_code] + [f"out={out}"])
    return ["-plugin", ",".join(args)]


def accesses(counts: dict) -> int:
    """Loads + stores + block operations of one {"loads": .., ...} entry."""
    return counts["loads"] + counts["stores"] + counts["block_ops"]


def mmu_off(result: dict, phase: str) -> int:
    """MMU-off accesses of a phase, by any code."""
    return accesses(result["phases"][phase]["mmu_off"])


def mmu_off_by_code(result: dict, origin: str, phases=("firmware", "kernel", "user")) -> int:
    """MMU-off accesses by firmware or other code over the given phases."""
    return sum(accesses(result["code"][origin][p]["mmu_off"]) for p in phases)


def build_plugin() -> Path:
    """make the plugins (host gcc); returns mmu_off.so's path."""
    r = subprocess.run(["make", "-s", "-C", str(ROOT), "plugins"],
                       capture_output=True, text=True)
    if r.returncode or not PLUGIN.is_file():
        raise RuntimeError(f"make plugins failed:\n{r.stdout}{r.stderr}")
    return PLUGIN


# ---- one boot -----------------------------------------------------------------


@dataclasses.dataclass
class Row:
    firmware: str
    el: int
    boot: qemu.Boot | None
    result: dict | None  # the plugin's JSON (None: QEMU died or was killed)
    skipped: str = ""

    @property
    def firmware_part(self) -> int | None:
        """MMU-off accesses before the kernel's first instruction."""
        return mmu_off(self.result, "firmware") if self.result else None

    @property
    def kernel_part(self) -> int | None:
        """... from there to the first instruction at EL0."""
        return mmu_off(self.result, "kernel") if self.result else None

    @property
    def firmware_code(self) -> int | None:
        """MMU-off accesses by the firmware's own code, whole boot (None:
        its code ranges are not known)."""
        if not self.result or not self.result["fw_ranges"]:
            return None
        return mmu_off_by_code(self.result, "firmware")

    @property
    def insns_before_kernel(self) -> int | None:
        if not self.result or not self.result["kernel_entered"]:
            return None
        return self.result["phases"]["firmware"]["insns"]

    @property
    def reached_init(self) -> bool:
        return bool(self.boot and self.boot.report.done and self.result
                    and self.result["el0_reached"])


def run_one(name: str, el: int, kernel: Path, initrd: Path, *,
            timeout: float = 300, plugin: Path = PLUGIN, client: str = "") -> Row:
    """One boot; with `client` (a CLIENTS key), the firmware starts that
    client, built around the kernel and initrd, which starts the kernel."""
    fw = FIRMWARES[name]
    label = f"{name} + {CLIENTS[client][0]}" if client else name
    if fw is not None and not fw.is_file():
        return Row(label, el, None, None, skipped=f"{fw} is missing")
    boot_kernel, boot_initrd, append = kernel, initrd, qemu.BASE_CMDLINE
    drives: list[str] = []
    if client:
        try:
            boot_kernel = CLIENTS[client][1](kernel, initrd)
        except RuntimeError as e:
            return Row(label, el, None, None, skipped=f"cannot build {client}: {e}")
        boot_initrd, append = None, None  # inside the client
        if isinstance(boot_kernel, images.Image):  # on a disk: no -kernel
            drives = images.drive_args(boot_kernel, "virtio-blk-pci")
            boot_kernel = None
    slug = (name + (f"-{client}" if client else "")).replace(" -", "-").replace(" ", "-")
    with tempfile.TemporaryDirectory(prefix="mmu-off-") as tmp:
        out = Path(tmp) / "result.json"
        boot = qemu.run_qemu(
            kernel=boot_kernel, initrd=boot_initrd, append=append, firmware=fw,
            el2=(el == 2), timeout=timeout, check_timeout=False,
            log=LOGS / f"mmu-off-{slug}-el{el}.log",
            extra=plugin_argv(kernel, out, plugin, fw_code=firmware_code(name)) + drives,
        )
        result = json.loads(out.read_text()) if out.is_file() else None
    return Row(label, el, boot, result)


# ---- the table ------------------------------------------------------------------


def _num(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def table(rows: list[Row]) -> str:
    out = [
        "| firmware | EL | data accesses with the MMU off: by the firmware's code, "
        "whole boot | before the kernel | kernel part | reached init "
        "| instructions before the kernel |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        if r.skipped:
            out.append(f"| {r.firmware} | {r.el} | - | - | - | skipped: {r.skipped} | - |")
            continue
        init = "yes" if r.reached_init else (
            "no (timeout)" if r.boot and r.boot.timed_out else "no")
        el = str(r.el)
        if r.result and r.result["entry_el"] != r.el:
            el += f" (started at EL{r.result['entry_el']}!)"
        fw_code = _num(r.firmware_code) if r.firmware_code is not None else (
            "-" if not r.result else "(code not known)")
        out.append(f"| {r.firmware} | {el} | {fw_code} | {_num(r.firmware_part)} | "
                   f"{_num(r.kernel_part)} | {init} | {_num(r.insns_before_kernel)} |")
    return "\n".join(out)


def details(r: Row) -> str:
    if not r.result:
        return f"{r.firmware} EL{r.el}: no plugin result\n" + (
            r.boot.describe(tail=30) if r.boot else r.skipped)
    lines = [f"{r.firmware} EL{r.el}" + (f" (console: {r.boot.log})" if r.boot else "")]
    if r.result["fw_ranges"]:
        lines.append("  firmware code: " + ", ".join(
            f"{s:#x}-{e:#x}" for s, e in r.result["fw_ranges"]))
    for name, p in r.result["phases"].items():
        lines.append(f"  {name:8} {p['insns']:>14,} insns; MMU off: {_kinds(p['mmu_off'])}; "
                     f"MMU on: {_kinds(p['mmu_on'])}")
        for origin in ("firmware", "other"):
            c = r.result["code"][origin][name]
            if accesses(c["mmu_off"]) or accesses(c["mmu_on"]):
                lines.append(f"           by {origin} code: MMU off {_kinds(c['mmu_off'])}; "
                             f"MMU on {_kinds(c['mmu_on'])}")
    for t in r.result["transitions"]:
        lines.append(f"  MMU {t['mmu']:3} at EL{t['el']} from {t['vaddr']:#x} "
                     f"({t['phase']}, after {t['insns']:,} insns): then "
                     f"{_kinds(t['accesses'])}")
    if r.result["read_errors"]:
        lines.append(f"  {r.result['read_errors']} register reads FAILED")
    return "\n".join(lines)


def _kinds(c: dict) -> str:
    return (f"{c['loads']:,} loads, {c['stores']:,} stores"
            + (f", {c['block_ops']:,} block ops" if c["block_ops"] else ""))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kernel", default="new",
                   help="new (default), 6.1, or a path to an arm64 Image")
    p.add_argument("--initrd", type=Path,
                   help="default: the test initramfs (tools/mkinitramfs.sh)")
    p.add_argument("--only", default=",".join(FIRMWARES),
                   help="comma-separated firmwares: " + ", ".join(FIRMWARES))
    p.add_argument("--el", default="1,2", help="exception levels to start at")
    p.add_argument("--clients", default=",".join(CLIENTS),
                   help="EFI clients to run under " + " and ".join(CLIENT_FIRMWARES)
                   + " too: " + ", ".join(CLIENTS) + " ('' for none)")
    p.add_argument("--timeout", type=float, default=300, help="per boot, seconds")
    p.add_argument("--json", type=Path, help="write every plugin result here")
    p.add_argument("--verbose", action="store_true",
                   help="per boot: loads/stores per phase and MMU on/off changes")
    a = p.parse_args(argv)

    kernel = qemu.KERNELS.get(a.kernel, Path(a.kernel))
    names = [n.strip() for n in a.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIRMWARES]
    if unknown:
        p.error(f"unknown firmware {unknown}; known: {list(FIRMWARES)}")
    client_names = [c.strip() for c in a.clients.split(",") if c.strip()]
    unknown = [c for c in client_names if c not in CLIENTS]
    if unknown:
        p.error(f"unknown client {unknown}; known: {list(CLIENTS)}")
    els = [int(e) for e in a.el.split(",")]
    if not kernel.is_file():
        print(f"kernel {kernel} is missing: tools/fetch-arm64.sh", file=sys.stderr)
        return 2
    if shutil.which(qemu.QEMU) is None:
        print(f"{qemu.QEMU} is not installed (make deps)", file=sys.stderr)
        return 2
    try:
        build_plugin()
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 2
    initrd = a.initrd
    if initrd is None:
        initrd = qemu.BUILD / "boot" / "test-1048576.cpio"
        subprocess.run([str(MKINITRAMFS), str(initrd)], check=True,
                       stdout=subprocess.DEVNULL)

    rows = []
    for name in names:
        for el in els:
            print(f"[mmu-off] {name} at EL{el} ...", file=sys.stderr, flush=True)
            r = run_one(name, el, kernel, initrd, timeout=a.timeout)
            rows.append(r)
            if a.verbose:
                print(details(r), file=sys.stderr)
    for client in client_names:
        for name in (n for n in names if n in CLIENT_FIRMWARES):
            for el in els:
                print(f"[mmu-off] {name} + {client} at EL{el} ...", file=sys.stderr,
                      flush=True)
                r = run_one(name, el, kernel, initrd, timeout=a.timeout, client=client)
                rows.append(r)
                if a.verbose:
                    print(details(r), file=sys.stderr)

    print(f"Kernel {kernel.name} ({kernel.resolve()}), initrd {initrd.name}; "
          "TCG, -cpu max, 512 MiB, 1 vCPU.\n")
    print(table(rows))
    print("\nBy the firmware's code: instructions in its code ranges (mmuon: the executable "
          "sections of build/mmuon.elf, flash and runtime code in RAM) at EL1 or above, from "
          "reset to QEMU's exit, runtime services included. Before the kernel: any code, "
          "reset to the kernel's first instruction; kernel part: from there to the first "
          "instruction at EL0 (the init). Accesses as QEMU performs them (loads, stores, and "
          "block operations: DC ZVA and FEAT_MOPS, which QEMU does without memory callbacks).")
    if a.json:
        a.json.write_text(json.dumps(
            [{"firmware": r.firmware, "el": r.el, "reached_init": r.reached_init,
              "skipped": r.skipped, "result": r.result} for r in rows], indent=1))

    bad = [r for r in rows if not r.skipped and not r.reached_init]
    # mmuon: nothing before the kernel, nothing by its code; with a client
    # between them, "before the kernel" is the client's too: mmuon's code
    # is what must stay at 0.
    bad += [r for r in rows
            if r.firmware.split(" + ")[0] == "mmuon" and not r.skipped
            and (r.firmware_code != 0
                 or (" + " not in r.firmware and r.firmware_part != 0))]
    for r in bad:
        print(f"\n[mmu-off] FAILED: {r.firmware} at EL{r.el}", file=sys.stderr)
        print(details(r), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
