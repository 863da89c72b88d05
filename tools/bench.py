#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot-time benchmark: mmuon against QEMU -kernel, EDK2 and U-Boot.

    tools/bench.py [-n N] [--out DIR] [--mem SIZE] [--only NAME,...]

(`make bench`, `make bench N=3`.) Boots the same kernel (vmlinuz-new, a
Linux >= 6.3) and the same test initramfs (tools/mkinitramfs.sh) under

  qemu        QEMU's own loader (-kernel, no firmware): the floor
  edk2        Debian's EDK2 (qemu-efi-aarch64, QEMU_EFI.fd as -bios); its
              QemuKernelLoaderFsDxe loads the -kernel from fw_cfg and its
              boot manager starts it before any boot-menu timeout
  uboot       Debian's U-Boot (u-boot-qemu) as shipped: 2 s autoboot delay
  uboot0      the same u-boot.bin with bootdelay=0 in its flash environment
              (see uboot_env_image(): no rebuild, the variable only)
  mmuon       build/mmuon.bin

round-robin (run 1 of each, then run 2 of each, ...) so that slow drifts of
the machine hit every firmware alike, one QEMU at a time. Each boot is timed
from the QEMU process start to the kernel's first console line ("Booting
Linux on physical CPU", printed as soon as earlycon is up) and to the test
init's first `MMUON-TEST` line, and QEMU's own CPU time at the kernel's
first line is noted too (other load on the host stretches it less than the
wall time). A boot that does not reach the init's `done` with QEMU exiting
0 is counted as failed and left out of the figures.

Then the figures that do not depend on machine noise:
  - guest instructions executed before the kernel's first instruction
    (tools/plugin/insn_count.c under -icount, one boot per firmware, see
    count_instructions());
  - the RAM each EFI firmware keeps after ExitBootServices, from the EFI
    memory map the kernel prints with efi=debug (see kept_memory());
  - the size of build/mmuon.bin.

Writes DIR/bench.md, bench.csv (one row per boot), bench.dat + bench.png
(gnuplot, tools/bench/bench.gp) and prints a one-line summary last. Consoles
go to build/bench/logs/. Timings are printed, never asserted: the exit
status is 0 unless the setup or every boot of some firmware failed.

The mmuon build is named in every output (its banner's `git describe`). A
build from a dirty tree (version ending in -dirty), or one that is not the
tree's HEAD, is marked NOT FOR PUBLISHING in bench.md, bench.csv, the plot
and the summary. --publish (make bench PUBLISH=1) then copies the results
to docs/results/ and rewrites the README's figures (between its
`<!-- bench:begin -->` and `<!-- bench:end -->` lines, the block bench.md
also shows), and refuses, writing nothing there, for such a build, a
failed boot or a missing figure.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "boot"))
import qemu  # noqa: E402  (tests/boot/qemu.py: the boot harness)
from bench_boots import kernel_package, load_average  # noqa: E402

BUILD = REPO / "build" / "bench"
LOGS = BUILD / "logs"
GNUPLOT_SCRIPT = REPO / "tools" / "bench" / "bench.gp"
EDK2_FD = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")
UBOOT_BIN = Path("/usr/lib/u-boot/qemu_arm64/u-boot.bin")
MMUON_BIN = REPO / "build" / "mmuon.bin"
PLUGIN_DIR = REPO / "build" / "plugin"

# Both are qemu_arm64_defconfig's (U-Boot 2023.01): CONFIG_ENV_IS_IN_FLASH,
# CONFIG_ENV_ADDR=0x4000000 (the base of the `virt` machine's second flash
# bank, pflash1) and CONFIG_ENV_SIZE=0x40000. The boot checks that they are
# right: U-Boot says "Loading Environment from Flash... OK" only when the
# CRC over exactly ENV_SIZE - 4 bytes at that address matches.
UBOOT_ENV_OFFSET = 0
UBOOT_ENV_SIZE = 0x40000
VIRT_FLASH_BANK = 64 << 20  # each of virt's two pflash banks

# EFI memory types the OS may not reuse after ExitBootServices (UEFI 2.10,
# 7.2, table "Memory Type Usage after ExitBootServices()"), as the kernel
# names them in efi=debug lines. ACPI Reclaim is the OS's once the tables are
# read, and Loader/Boot/Conventional are free; MMIO is kept but is no RAM.
KEPT_TYPES = {"Reserved", "Runtime Code", "Runtime Data", "ACPI Mem NVS", "Unusable",
              "PAL Code", "Persistent", "MMIO", "MMIO Port"}
NOT_RAM_TYPES = {"MMIO", "MMIO Port"}
RAM_BASE = 0x4000_0000  # QEMU virt

# The first console line from the kernel or its EFI stub: it has been entered.
KERNEL_SPOKE = re.compile(r"EFI stub: |" + qemu.KERNEL_FIRST_LINE.pattern)

EFI_MEMMAP_LINE = re.compile(
    r"^\[\s*[\d.]+\] efi:\s+0x([0-9a-f]+)-0x([0-9a-f]+) \[([A-Za-z ]+?)\s*\|"
)


# ---- what is booted -------------------------------------------------------------


@dataclasses.dataclass
class Firmware:
    key: str  # short name, CSV/plot id
    label: str  # for tables and the plot
    bios: Path | None  # -bios file, None: QEMU -kernel
    efi: bool  # enters the kernel through its EFI stub (PE entry point)
    extra: list[str] = dataclasses.field(default_factory=list)
    # Console lines that must appear, else the boot did not test what it says.
    expect: list[str] = dataclasses.field(default_factory=list)
    note: str = ""
    available: bool = True
    why_not: str = ""


def mmuon_version(log: Path = LOGS / "mmuon-1.log") -> str:
    """The version mmuon printed in its banner (git describe at build time)."""
    try:
        m = re.search(r"\| mmuon (\S+) at EL", log.read_text())
    except OSError:
        return ""
    return m[1] if m else ""


def tree_version() -> str:
    """`git describe --always --dirty` of the repository, as the Makefile's."""
    r = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else ""


@dataclasses.dataclass
class Build:
    """The mmuon build benchmarked, and whether its figures may be published."""
    version: str  # from its banner
    tree: str  # the tree's version when the run started

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.version:
            out.append("its version is unknown (no banner in the first boot's log)")
        elif self.version.endswith("-dirty"):
            out.append(f"it was built from uncommitted changes ({self.version})")
        elif self.tree and self.version != self.tree:
            out.append(f"it is {self.version}, not the tree's {self.tree} (a stale build)")
        if self.tree.endswith("-dirty") and not self.version.endswith("-dirty"):
            out.append(f"the tree has uncommitted changes ({self.tree})")
        return out

    @property
    def publishable(self) -> bool:
        return not self.problems

    def mark(self) -> str:
        """One line for every output: the build, and NOT FOR PUBLISHING."""
        if self.publishable:
            return f"mmuon build {self.version} (a clean commit)"
        return (f"NOT FOR PUBLISHING: mmuon build {self.version or '?'}: "
                + "; ".join(self.problems))


def deb_version(package: str) -> str:
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "(version unknown)"


def firmwares(uboot_env: Path | None, mmuon: Path = MMUON_BIN) -> list[Firmware]:
    fws = [
        Firmware("qemu", "QEMU -kernel", None, efi=False,
                 note="no firmware: QEMU's own loader enters the Image at offset 0"),
        Firmware("edk2", "EDK2", EDK2_FD, efi=True,
                 note=f"Debian qemu-efi-aarch64 {deb_version('qemu-efi-aarch64')}, -bios "
                      "QEMU_EFI.fd as shipped: starts the -kernel (fw_cfg) before any "
                      "boot-menu timeout, and gives the kernel ACPI tables, not the DT"),
        Firmware("uboot", "U-Boot", UBOOT_BIN, efi=False,
                 expect=[r"Hit any key to stop autoboot:\s+2"],
                 note=f"Debian u-boot-qemu {deb_version('u-boot-qemu')} as shipped "
                      "(bootdelay=2); its bootcmd_qfw loads the -kernel from fw_cfg and "
                      "starts it with booti, not through EFI"),
        Firmware("uboot0", "U-Boot bootdelay=0", UBOOT_BIN, efi=False,
                 note="same u-boot.bin; its default environment with bootdelay=0 "
                      "in flash bank 1 (mkenvimage format, no rebuild)",
                 expect=[r"Loading Environment from Flash\.\.\. OK",
                         r"Hit any key to stop autoboot:\s+0"]),
        Firmware("mmuon", "mmuon", mmuon, efi=True, note="build/mmuon.bin"),
    ]
    for fw in fws:
        if fw.bios is not None and not fw.bios.is_file():
            fw.available, fw.why_not = False, f"{fw.bios} is missing"
    uboot0 = next(f for f in fws if f.key == "uboot0")
    if uboot_env is None:
        if uboot0.available:
            uboot0.available = False
            uboot0.why_not = "no default environment found in u-boot.bin"
    else:
        uboot0.extra = ["-drive", f"if=pflash,unit=1,format=raw,readonly=on,file={uboot_env}"]
    return fws


# ---- inputs ----------------------------------------------------------------------


def build_initramfs() -> Path:
    out = BUILD / "bench.cpio"
    subprocess.run([str(REPO / "tools" / "mkinitramfs.sh"), str(out)], check=True)
    return out


def uboot_default_env(binary: bytes) -> list[bytes] | None:
    """U-Boot's built-in default environment, from u-boot.bin.

    default_environment[] is one run of "name=value\\0" strings ended by an
    extra NUL. Anchor on its bootdelay entry and extend both ways over
    strings that look like variables.
    """
    at = binary.find(b"\0bootdelay=")
    if at < 0:
        return None

    def is_var(s: bytes) -> bool:
        return (b"=" in s and s[:1].isalpha()
                and all(32 <= c < 127 or c in (9, 10) for c in s))

    start = at + 1
    while True:
        prev = binary.rfind(b"\0", 0, start - 1)
        if prev < 0 or not is_var(binary[prev + 1:start - 1]):
            break
        start = prev + 1
    end = binary.find(b"\0\0", at + 1)
    env = binary[start:end].split(b"\0")
    if not all(is_var(v) for v in env) or not any(v.startswith(b"bootcmd=") for v in env):
        return None
    return env


def uboot_env_image(out: Path) -> Path | None:
    """A pflash1 image holding U-Boot's own default environment, bootdelay=0.

    Debian's qemu_arm64 U-Boot keeps its environment in flash (it prints
    "Loading Environment from Flash... *** Warning - bad CRC, using default
    environment" on an empty bank), so the delay is a variable, not a build
    option. A stored environment replaces the default one as a whole, so the
    image carries every default variable unchanged except bootdelay. Format
    (what u-boot-tools' mkenvimage writes for a non-redundant environment):
    little-endian CRC-32 of the data, then ENV_SIZE - 4 bytes of
    "name=value\\0" strings, an empty string, zero padding.
    """
    env = uboot_default_env(UBOOT_BIN.read_bytes()) if UBOOT_BIN.is_file() else None
    if env is None:
        return None
    env = [b"bootdelay=0" if v.startswith(b"bootdelay=") else v for v in env]
    data = b"\0".join(env) + b"\0\0"
    data = data.ljust(UBOOT_ENV_SIZE - 4, b"\0")
    image = bytearray(b"\xff" * VIRT_FLASH_BANK)  # erased NOR flash
    image[UBOOT_ENV_OFFSET:UBOOT_ENV_OFFSET + UBOOT_ENV_SIZE] = (
        struct.pack("<I", zlib.crc32(data)) + data)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(image)
    return out


@dataclasses.dataclass(frozen=True)
class KernelImage:
    path: Path
    package: str
    pe_entry: int  # AddressOfEntryPoint: offset of the EFI stub's entry
    head: bytes  # the first 4 KiB, for matching instruction bytes


def kernel_image(path: Path) -> KernelImage:
    """The arm64 Image's PE entry point (Debian's vmlinuz is an uncompressed
    PE/COFF Image whose file offsets equal its in-memory offsets)."""
    data = path.read_bytes()
    if data[0x38:0x3C] != b"ARM\x64":
        raise SystemExit(f"bench: {path} is not an arm64 Image")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise SystemExit(f"bench: {path} has no PE header (not an EFI-stub kernel)")
    opt = pe + 24  # after the signature and the COFF file header
    entry = struct.unpack_from("<I", data, opt + 16)[0]
    return KernelImage(path, kernel_package(path), entry, data[:4096])


# ---- timed boots -----------------------------------------------------------------


@dataclasses.dataclass
class Run:
    fw: str
    round: int
    kernel_s: float | None
    init_s: float | None
    exit_s: float
    ok: bool
    why: str = ""
    kernel_cpu_s: float | None = None  # QEMU's CPU time at the kernel's first line


def qemu_cpu_seconds() -> float | None:
    """CPU time used so far by our QEMU child (all its live threads).

    A second clock beside the wall time: other processes competing for the
    host's CPUs stretch the wall time of a boot, much less the CPU time QEMU
    itself needed. run_qemu() does not expose the child, so it is found as
    the only child of this process (one QEMU at a time). schedstat's first
    field is nanoseconds on a CPU (stat's utime/stime tick at 10 ms).
    """
    try:
        kids = Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()
        total = 0
        for pid in kids:
            for task in Path(f"/proc/{pid}/task").iterdir():
                total += int((task / "schedstat").read_text().split()[0])
        return total / 1e9 if kids else None
    except (OSError, ValueError):
        return None


def boot_once(fw: Firmware, kernel: Path, initrd: Path, mem: str, rnd: int,
              timeout: float, append: str = qemu.BASE_CMDLINE, log_name: str = "",
              logs: Path = LOGS) -> tuple[Run, qemu.Boot]:
    log = logs / (log_name or f"{fw.key}-{rnd}.log")
    cpu: list[float | None] = []

    def on_line(t: float, line: str) -> None:
        if not cpu and qemu.KERNEL_FIRST_LINE.search(line):
            cpu.append(qemu_cpu_seconds())

    b = qemu.run_qemu(kernel=kernel, initrd=initrd, append=append, firmware=fw.bios,
                      mem=mem, extra=fw.extra, timeout=timeout, check_timeout=False,
                      log=log, on_line=on_line)
    r = b.report
    why = ""
    if b.timed_out:
        why = f"killed after {timeout:.0f} s"
    elif not r.done:
        why = "the test init did not finish"
    elif b.returncode != 0:
        why = f"QEMU exit {b.returncode}"
    elif r.failures:
        why = "guest checks failed: " + ", ".join(e.name for e in r.failures)
    elif b.kernel_time is None:
        why = "no kernel first line (earlycon?)"
    else:
        for rx in fw.expect:
            if b.time_of(rx) is None:
                why = f"console lacks /{rx}/"
                break
    if why:
        why += f" (console: {log.relative_to(REPO)})"
    return Run(fw.key, rnd, b.kernel_time, b.init_time, b.wall, not why, why,
               cpu[0] if cpu else None), b


def timed_boots(fws: list[Firmware], kernel: Path, initrd: Path, n: int, mem: str,
                timeout: float) -> list[Run]:
    runs = []
    for rnd in range(1, n + 1):
        for fw in fws:
            run, _ = boot_once(fw, kernel, initrd, mem, rnd, timeout)
            runs.append(run)
            k = "-" if run.kernel_s is None else f"{run.kernel_s:.3f}"
            i = "-" if run.init_s is None else f"{run.init_s:.3f}"
            c = "-" if run.kernel_cpu_s is None else f"{run.kernel_cpu_s:.3f}"
            print(f"  run {rnd}/{n} {fw.key:7s} kernel {k:>6s} s (QEMU CPU {c:>6s} s)  "
                  f"init {i:>6s} s"
                  + ("" if run.ok else f"  FAILED: {run.why}"), flush=True)
    return runs


@dataclasses.dataclass
class Stats:
    n_ok: int
    n: int
    kernel: tuple[float, float, float] | None  # min, median, max (s)
    init: tuple[float, float, float] | None
    kernel_cpu: tuple[float, float, float] | None  # QEMU CPU time to the kernel line


def stats(runs: list[Run], key: str) -> Stats:
    mine = [r for r in runs if r.fw == key]
    ok = [r for r in mine if r.ok]

    def mmm(xs: list[float]) -> tuple[float, float, float] | None:
        return (min(xs), statistics.median(xs), max(xs)) if xs else None

    return Stats(len(ok), len(mine), mmm([r.kernel_s for r in ok]),
                 mmm([r.init_s for r in ok]),
                 mmm([r.kernel_cpu_s for r in ok if r.kernel_cpu_s is not None]))


# ---- instructions before the kernel ----------------------------------------------


def find_plugin() -> Path | None:
    """tools/plugin/insn_count.c, built by `make plugins`."""
    p = PLUGIN_DIR / "insn_count.so"
    return p if p.is_file() else None


@dataclasses.dataclass
class Count:
    insns: int | None  # guest instructions before the kernel's first one
    entry: int | None = None  # where the kernel was entered
    why: str = ""
    tables: int | None = None  # mmuon: installing ACPI and SMBIOS (tables_marks())


def tables_marks(elf: Path) -> list[int] | None:
    """Where mmuon's ACPI and SMBIOS installation starts and ends.

    The entry of firmware_tables_install() (src/boot/firmware_tables.c) and
    the instruction after its one call: both start a translation block, so
    the plugin's count at the second minus the first is what installing the
    tables cost (fw_cfg reads and DMA, the script, the checks, SMBIOS).
    """
    objdump = os.environ.get("CROSS", "aarch64-linux-gnu-") + "objdump"
    try:
        out = subprocess.run([objdump, "-d", str(elf)], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    entry = re.search(r"^([0-9a-f]+) <firmware_tables_install>:", out, re.M)
    # The call is from flash code (mmuon_main) to the boot code in RAM, so
    # through the linker's long-branch veneer (docs/architecture.md, "Boot
    # code in RAM"); a direct bl where both are in the same place.
    calls = re.findall(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+bl\s+[0-9a-f]+ "
                       r"<(?:__)?firmware_tables_install(?:_veneer)?>", out, re.M)
    if not entry or len(calls) != 1:
        return None
    return [int(entry[1], 16), int(calls[0], 16) + 4]


def tables_cost(c: Count) -> str:
    if c.tables is None or not c.insns:
        return "not measured (no firmware_tables_install() marks)"
    return f"{c.tables:,} instructions ({100 * c.tables / c.insns:.1f}%)"


def count_instructions(fw: Firmware, img: KernelImage, initrd: Path, mem: str,
                       plugin: Path, timeout: float, logs: Path = LOGS,
                       marks: list[int] | None = None) -> Count:
    """Guest instructions executed from reset to the kernel's first one.

    The plugin (tools/plugin/insn_count.c) recognises the kernel's first
    instruction by its bytes: the first executed block that starts with the
    Image's first 16 bytes at its PE entry point (where every EFI loader
    enters the stub) or at offset 0 (QEMU -kernel, U-Boot's booti).

    -icount shift=0,sleep=off makes the count deterministic: the guest's
    clock then advances one nanosecond per instruction (and jumps over idle
    time), so a firmware that waits on its timer executes the same number of
    instructions on any host. U-Boot's 2 s autoboot delay thus counts as the
    ~2e9 instructions a 1 GHz CPU spins through in 2 s; without icount it
    would be whatever this host managed in 2 s.

    The plugin writes its result as soon as the kernel is entered, so QEMU
    is stopped at the first console line the kernel (or its EFI stub)
    prints: the rest of the boot adds nothing to the figure. The console
    and the plugin's result go to `logs`.

    marks: two addresses; Count.tables is the instructions between the first
    executions of the blocks there (see tables_marks()).
    """
    data = img.path.read_bytes()
    patterns = [data[img.pe_entry:img.pe_entry + 16], data[:16]]
    out = logs / f"{fw.key}-count.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    arg = ",".join([str(plugin)] + [f"match={p.hex()}" for p in patterns]
                   + [f"mark={m:x}" for m in marks or []] + [f"out={out}"])
    extra = fw.extra + ["-plugin", arg, "-icount", "shift=0,sleep=off"]
    log = logs / f"{fw.key}-count.log"
    b = qemu.run_qemu(kernel=img.path, initrd=initrd, append=qemu.BASE_CMDLINE,
                      firmware=fw.bios, mem=mem, extra=extra, timeout=timeout,
                      check_timeout=False, log=log, stop_at=KERNEL_SPOKE)
    try:
        res = json.loads(out.read_text())
    except (OSError, ValueError):
        why = "killed on timeout" if b.timed_out else f"QEMU exit {b.returncode}"
        return Count(None, why=f"no result from the plugin ({why}; {log.relative_to(REPO)})")
    if not res.get("kernel_entered"):
        return Count(None, why=f"the kernel was never entered ({log.relative_to(REPO)})")
    c = Count(res["insns_before_kernel"], res["kernel_vaddr"])
    at = [m["insns"] for m in res.get("marks", [])]
    if marks and len(at) == 2 and None not in at:
        c.tables = at[1] - at[0]
    return c


# ---- the EFI memory map the kernel sees ------------------------------------------


@dataclasses.dataclass
class Kept:
    ram: int  # bytes of RAM the OS may not reuse
    all: int  # the same plus MMIO and firmware flash (not RAM)
    entries: list[tuple[int, int, str]]  # (start, end exclusive, type) of every kept entry


def parse_efi_memmap(lines: list[str], ram_end: int) -> Kept | None:
    """Sum the kept entries of the first `efi: Processing EFI memory map`."""
    entries: list[tuple[int, int, str]] = []
    started = False
    for line in lines:
        m = EFI_MEMMAP_LINE.search(line)
        if m:
            started = True
            entries.append((int(m[1], 16), int(m[2], 16) + 1, m[3].strip()))
        elif started:  # the map is printed in one run of lines
            break
    if not entries:
        return None
    kept = [e for e in entries if e[2] in KEPT_TYPES]

    def in_ram(s: int, e: int) -> int:
        return max(0, min(e, ram_end) - max(s, RAM_BASE))

    ram = sum(in_ram(s, e) for s, e, t in kept if t not in NOT_RAM_TYPES)
    return Kept(ram, sum(e - s for s, e, _ in kept), kept)


def kept_memory(fw: Firmware, kernel: Path, initrd: Path, mem: str,
                timeout: float, logs: Path = LOGS) -> tuple[Kept | None, str]:
    append = qemu.BASE_CMDLINE + " efi=debug"
    run, b = boot_once(fw, kernel, initrd, mem, 0, timeout, append=append,
                       log_name=f"{fw.key}-efi-debug.log", logs=logs)
    ram_end = RAM_BASE + parse_size(mem)
    kept = parse_efi_memmap([line for _, line in b.lines], ram_end)
    if kept is None:
        return None, run.why or "no EFI memory map in the kernel log"
    return kept, ""


def parse_size(s: str) -> int:
    m = re.fullmatch(r"(\d+)([KMGT]?)", s.upper())
    if not m:
        raise SystemExit(f"bench: bad memory size {s}")
    return int(m[1]) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[m[2]]


# ---- machine ---------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    qv = subprocess.run([qemu.QEMU, "--version"], capture_output=True, text=True)
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model or platform.processor() or "?",
        "load": load_average(),
        "qemu": qv.stdout.splitlines()[0] if qv.stdout else "?",
    }


# ---- output ----------------------------------------------------------------------


def ms(x: float) -> str:
    return f"{x * 1000:.0f}"


def fmt_mmm(t: tuple[float, float, float] | None) -> str:
    return "-" if t is None else f"{t[0]:.3f} / **{t[1]:.3f}** / {t[2]:.3f}"


def overhead(t: tuple[float, float, float] | None,
             floor: tuple[float, float, float] | None) -> str:
    if t is None or floor is None:
        return "-"
    return f"{(t[1] - floor[1]) * 1000:+.0f}"


def kib(n: int) -> str:
    return f"{n / 1024:.0f} KiB" if n % 1024 == 0 or n < 10 << 20 else f"{n / (1 << 20):.1f} MiB"


def write_csv(path: Path, runs: list[Run], build: Build) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["round", "firmware", "kernel_first_line_s", "init_s", "qemu_exit_s",
                    "kernel_first_line_qemu_cpu_s", "ok", "why", "mmuon_build"])
        for r in runs:
            w.writerow([r.round, r.fw,
                        "" if r.kernel_s is None else f"{r.kernel_s:.4f}",
                        "" if r.init_s is None else f"{r.init_s:.4f}",
                        f"{r.exit_s:.4f}",
                        "" if r.kernel_cpu_s is None else f"{r.kernel_cpu_s:.4f}",
                        int(r.ok), r.why, build.mark()])


def write_plot(out: Path, fws: list[Firmware], st: dict[str, Stats], n: int,
               build: Build) -> str:
    """bench.dat and bench.png; returns "" or why there is no plot."""
    dat = out / "bench.dat"
    with dat.open("w") as f:
        f.write("# label kernel_med kernel_min kernel_max init_med init_min init_max\n")
        for fw in fws:
            s = st.get(fw.key)
            if s is None or s.kernel is None or s.init is None:
                continue
            k, i = s.kernel, s.init
            f.write(f'"{fw.label}" {k[1]:.4f} {k[0]:.4f} {k[2]:.4f} '
                    f"{i[1]:.4f} {i[0]:.4f} {i[2]:.4f}\n")
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return "gnuplot is not installed (gnuplot-nox)"
    r = subprocess.run(
        [gnuplot, "-e", f"datafile='{dat}'; outfile='{out / 'bench.png'}'; runs={n}; "
         f"note='{build.mark().replace(chr(39), '')}'",
         str(GNUPLOT_SCRIPT)], capture_output=True, text=True)
    if r.returncode != 0:
        return f"gnuplot failed: {r.stderr.strip()}"
    return ""


# ---- main ------------------------------------------------------------------------


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--runs", type=int, default=int(os.environ.get("N", 10)),
                   help="boots per firmware (default 10, or $N)")
    p.add_argument("--out", type=Path, default=REPO / "results")
    p.add_argument("--kernel", type=Path, default=qemu.KERNELS["new"])
    p.add_argument("--mem", default="1G", help="guest RAM (default 1G)")
    p.add_argument("--timeout", type=float, default=180, help="per boot, seconds")
    p.add_argument("--only", help="comma-separated firmware keys "
                   "(qemu,edk2,uboot,uboot0,mmuon)")
    p.add_argument("--no-count", action="store_true", help="skip the instruction counts")
    p.add_argument("--no-memmap", action="store_true", help="skip the efi=debug boots")
    p.add_argument("--publish", action="store_true",
                   help="copy the results to docs/results/ and rewrite the README's "
                   "figures; refused for a dirty or stale build, a failed boot or a "
                   "missing figure")
    a = p.parse_args()
    if a.runs < 1:
        p.error("-n must be at least 1")

    if not a.kernel.is_file():
        print(f"bench: no kernel {a.kernel}: run tools/fetch-arm64.sh kernel-new",
              file=sys.stderr)
        return 2
    img = kernel_image(a.kernel)
    BUILD.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    a.out.mkdir(parents=True, exist_ok=True)
    initrd = build_initramfs()
    env = uboot_env_image(BUILD / "uboot-env-bootdelay0.img")
    # Others may rebuild build/mmuon.bin while this runs: every boot and the
    # size below use one snapshot of it.
    mmuon = BUILD / "mmuon.bin"
    image_size = None
    marks = None
    if MMUON_BIN.is_file():
        shutil.copyfile(MMUON_BIN, mmuon)
        image_size = mmuon.stat().st_size
        if MMUON_BIN.with_suffix(".elf").is_file():
            shutil.copyfile(MMUON_BIN.with_suffix(".elf"), mmuon.with_suffix(".elf"))
            marks = tables_marks(mmuon.with_suffix(".elf"))
    fws = firmwares(env, mmuon if image_size is not None else MMUON_BIN)
    if a.only:
        keys = a.only.split(",")
        unknown = set(keys) - {f.key for f in fws}
        if unknown:
            p.error(f"unknown firmware {', '.join(sorted(unknown))}")
        fws = [f for f in fws if f.key in keys]
    skipped = [f for f in fws if not f.available]
    for f in skipped:
        print(f"bench: skipping {f.label}: {f.why_not}", file=sys.stderr)
    fws = [f for f in fws if f.available]
    if not fws:
        return 2

    mach = machine()
    started = datetime.datetime.now().astimezone()
    tree = tree_version()
    if tree.endswith("-dirty"):
        print(f"bench: WARNING: the tree has uncommitted changes ({tree}): these figures "
              "will be marked NOT FOR PUBLISHING", file=sys.stderr, flush=True)
    print(f"bench: {a.runs} round(s) of {', '.join(f.key for f in fws)}; "
          f"kernel {img.package}; {mach['nproc']} CPUs ({mach['cpu']}), "
          f"load {mach['load']}", flush=True)
    runs = timed_boots(fws, a.kernel, initrd, a.runs, a.mem, a.timeout)
    build = Build(mmuon_version(), tree)
    print(f"bench: {build.mark()}", flush=True)
    for fw in fws:
        if fw.key == "mmuon" and image_size is not None:
            sha = hashlib.sha256(mmuon.read_bytes()).hexdigest()[:12]
            fw.note = (f"build/mmuon.bin, version {build.version or '?'}, a copy taken "
                       f"at the start (sha256 {sha})")
    load_after = load_average()
    st = {f.key: stats(runs, f.key) for f in fws}

    counts: dict[str, Count] = {}
    plugin = find_plugin()
    if not a.no_count:
        for fw in fws:
            if plugin is None:
                counts[fw.key] = Count(None, why="no build/plugin/insn_count.so: make plugins")
                continue
            c = counts[fw.key] = count_instructions(
                fw, img, initrd, a.mem, plugin, a.timeout + 120,
                marks=marks if fw.key == "mmuon" else None)
            print(f"  instructions before the kernel, {fw.key}: "
                  + (f"{c.insns:,} (entered at {c.entry:#x})" if c.insns is not None
                     else c.why), flush=True)
            if fw.key == "mmuon":
                print(f"  ... of which installing ACPI and SMBIOS: {tables_cost(c)}",
                      flush=True)

    kept: dict[str, tuple[Kept | None, str]] = {}
    if not a.no_memmap:
        for fw in fws:
            if fw.efi:
                kept[fw.key] = kept_memory(fw, a.kernel, initrd, a.mem, a.timeout)
                k = kept[fw.key][0]
                print(f"  kept after ExitBootServices, {fw.key}: "
                      + (f"RAM {kib(k.ram)}, with MMIO/flash {kib(k.all)}" if k
                         else kept[fw.key][1]), flush=True)

    write_csv(a.out / "bench.csv", runs, build)
    plot_err = write_plot(a.out, fws, st, a.runs, build)
    run = RunInfo(a.runs, a.mem, mach, load_after, started, build)
    block = readme_block(fws, st, counts, kept, image_size, run)
    md = report(fws, skipped, st, counts, kept, img, image_size, run, plot_err, block)
    (a.out / "bench.md").write_text(md)
    print(f"bench: wrote {a.out / 'bench.md'}, bench.csv"
          + (", bench.png" if not plot_err else f" (no plot: {plot_err})"))
    print(("" if build.publishable else "NOT FOR PUBLISHING: ")
          + summary(st, counts, kept, image_size))
    failed_all = [f.key for f in fws if st[f.key].n_ok == 0]
    if a.publish:
        why = publish_refusal(fws, skipped, st, counts, kept, build)
        if why:
            print(f"bench: NOT PUBLISHED: {why}", file=sys.stderr)
            return 1
        publish(a.out, block)
    return 1 if failed_all else 0


def median_overhead(st: dict[str, Stats], key: str, what: str = "kernel") -> float | None:
    """Median time of `key` minus the floor's (QEMU -kernel), in seconds."""
    s, f = st.get(key), st.get("qemu")
    a = getattr(s, what) if s else None
    b = getattr(f, what) if f else None
    return None if a is None or b is None else a[1] - b[1]


def cpu_cell(s: Stats, floor: Stats | None) -> str:
    if s.kernel_cpu is None:
        return "-"
    cell = f"{s.kernel_cpu[1]:.3f}"
    if floor is not None and floor is not s and floor.kernel_cpu is not None:
        cell += f" ({(s.kernel_cpu[1] - floor.kernel_cpu[1]) * 1000:+.0f} ms)"
    return cell


def targets(st, counts, kept, image_size) -> list[str]:
    """The project's goals, shown against what this run measured (test_figures.py
    asserts the size, memory and instruction figures; timings are never asserted)."""
    def verdict(ok: bool | None) -> str:
        return "?" if ok is None else ("met" if ok else "**not met**")

    rows = ["| target | measured | |", "|---|---|---|"]
    m, e = median_overhead(st, "mmuon"), median_overhead(st, "edk2")
    rows.append("| mmuon's overhead over QEMU -kernel <= 30 ms (median, TCG) | "
                + ("-" if m is None else f"{m * 1000:+.0f} ms") + f" | "
                f"{verdict(None if m is None else m <= 0.030)} |")
    if m is None or e is None:
        txt, ok = "-", None
    elif m <= 0:
        txt = f"EDK2 {e * 1000:+.0f} ms, mmuon {m * 1000:+.0f} ms (at or below the floor)"
        ok = e > 0
    else:
        txt, ok = f"EDK2 {e * 1000:+.0f} ms / mmuon {m * 1000:+.0f} ms = {e / m:.1f}x", e / m >= 15
    rows.append(f"| ... and >= 15x below EDK2's | {txt} | {verdict(ok)} |")
    cm = counts.get("mmuon", Count(None)).insns
    ce = counts.get("edk2", Count(None)).insns
    if cm and ce:
        rows.append(f"| (the same in instructions before the kernel) | EDK2 {ce:,} / mmuon "
                    f"{cm:,} = {ce / cm:.0f}x | {verdict(ce / cm >= 15)} |")
    rows.append("| image <= 128 KiB | "
                + ("-" if image_size is None else f"{image_size / 1024:.1f} KiB")
                + f" | {verdict(None if image_size is None else image_size <= 128 << 10)} |")
    k = kept.get("mmuon", (None, ""))[0]
    rows.append("| RAM kept after ExitBootServices <= 256 KiB | "
                + ("-" if k is None else f"{kib(k.ram)} ({kib(k.all)} with flash and MMIO)")
                + f" | {verdict(None if k is None else k.ram <= 256 << 10)} |")
    return rows


@dataclasses.dataclass
class RunInfo:
    """What every output says about the run."""
    n: int
    mem: str
    mach: dict[str, str]
    load_after: str
    started: datetime.datetime
    build: Build


def report(fws, skipped, st, counts, kept, img, image_size, run: RunInfo, plot_err,
           block: str) -> str:
    floor = st.get("qemu")
    fk = floor.kernel if floor else None
    fi = floor.init if floor else None
    mach, n = run.mach, run.n
    out = [
        "# Boot-time benchmark",
        "",
        f"**{run.build.mark()}**" if run.build.publishable else f"> **{run.build.mark()}**",
        "",
        f"{run.started:%Y-%m-%d %H:%M %Z}; `tools/bench.py -n {n}` (`make bench N={n}`). "
        f"Kernel `{img.package}`, test initramfs from `tools/mkinitramfs.sh`, "
        f"`qemu-system-aarch64 -M virt -cpu max -m {run.mem} -smp 1` (TCG), command line "
        f"`{qemu.BASE_CMDLINE}`. {n} boot(s) per firmware, round-robin, one QEMU at "
        "a time.",
        "",
        f"Machine: {mach['nproc']} CPUs, {mach['cpu']}; {mach['qemu']}; load average "
        f"{mach['load']} before, {run.load_after} after.",
        "",
        "Times in seconds from the QEMU process start: min / **median** / max over the "
        "boots that reached the init. Overhead = median minus QEMU -kernel's median, in ms. "
        "QEMU CPU time: CPU seconds the QEMU process had used when the kernel's first line "
        "arrived, a figure that other load on the host stretches less than wall time. "
        "Instructions: guest instructions from reset to the kernel's first instruction "
        "(deterministic, see below).",
        "",
        "| firmware | ok | → kernel's first line (s) | overhead (ms) "
        "| QEMU CPU time to that line, median (s) | → test init (s) "
        "| overhead (ms) | instructions before the kernel |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for fw in fws:
        s = st[fw.key]
        c = counts.get(fw.key, Count(None, why="not measured"))
        floor_row = fw.key == "qemu"
        out.append(
            f"| {fw.label} | {s.n_ok}/{s.n} | {fmt_mmm(s.kernel)} | "
            f"{'(floor)' if floor_row else overhead(s.kernel, fk)} | {cpu_cell(s, floor)} | "
            f"{fmt_mmm(s.init)} | "
            f"{'(floor)' if floor_row else overhead(s.init, fi)} | "
            f"{f'{c.insns:,}' if c.insns is not None else '- (' + c.why + ')'} |")
    out.append("")
    for fw in fws:
        out.append(f"- **{fw.label}**: {fw.note}.")
    for fw in skipped:
        out.append(f"- **{fw.label}**: not run: {fw.why_not}.")
    fails = [(fw, st[fw.key]) for fw in fws if st[fw.key].n_ok < st[fw.key].n]
    if fails:
        out += ["", "Failed boots (left out of the figures): "
                + "; ".join(f"{fw.label} {s.n - s.n_ok}" for fw, s in fails)
                + " — see `why` in bench.csv."]
    out += [
        "",
        "QEMU -kernel is the floor of guest work (QEMU's 6-instruction boot stub, then the "
        "kernel), not of host work: QEMU spends more host time setting up a -kernel boot "
        "(the Image becomes a ROM blob copied into RAM at reset) than handing the same "
        "file to a -bios firmware through fw_cfg, so a small firmware can reach the kernel "
        "sooner than QEMU -kernel does, and its overhead comes out negative.",
        "",
        "## Targets (shown here; `make test` asserts the image size, the RAM kept and the "
        "instruction count against tests/boot/recorded_figures.toml: tests/boot/test_figures.py)",
        "",
    ]
    out += targets(st, counts, kept, image_size)
    out += ["", "## Size and memory", ""]
    if image_size is not None:
        out.append(f"- `build/mmuon.bin` (the copy benchmarked): {image_size:,} bytes "
                   f"({image_size / 1024:.1f} KiB).")
    for key, (k, why) in kept.items():
        label = next(f.label for f in fws if f.key == key)
        if k is None:
            out.append(f"- {label}: no EFI memory map ({why}).")
            continue
        parts = ", ".join(f"{t} {s:#x}-{e - 1:#x} ({kib(e - s)})" for s, e, t in k.entries)
        out.append(
            f"- {label} keeps **{kib(k.ram)} of RAM** after ExitBootServices "
            f"({kib(k.all)} counting MMIO and flash, which are not RAM): {parts}.")
    out += [
        "",
        "Kept = the EFI memory map entries of types the OS may not reuse (Runtime Code/Data, "
        "Reserved, ACPI NVS, Unusable, PAL Code, Persistent; MMIO in the second figure "
        "only), as the kernel printed them with `efi=debug` (one extra boot each); RAM = "
        f"the part inside [{RAM_BASE:#x}, {RAM_BASE:#x} + {run.mem}), which leaves out the "
        "firmware's flash.",
        "",
        "Instructions before the kernel: one extra boot each under `-icount shift=0,"
        "sleep=off` with `build/plugin/insn_count.so` (tools/plugin/insn_count.c), which "
        "counts every executed guest instruction until the first one whose bytes are the "
        "kernel Image's at its PE entry point (EFI boots) or at offset 0 (QEMU -kernel, "
        "U-Boot's booti). Under icount the guest clock advances 1 ns per instruction, so "
        "timer waits cost the same number of instructions on any host: U-Boot's 2 s "
        "autoboot delay counts as ~2e9 (a 1 GHz CPU spinning for 2 s). mmuon's boot "
        "also marks the entry of firmware_tables_install() and the instruction after its "
        "call (`mark=` arguments): the difference is what installing ACPI and SMBIOS cost, "
        "fw_cfg reads and DMA included: "
        + tables_cost(counts.get("mmuon", Count(None))) + ".",
    ]
    if plot_err:
        out += ["", f"No plot: {plot_err}."]
    else:
        out += ["", "![boot times](bench.png)"]
    out += ["", "Summary: " + summary(st, counts, kept, image_size), "",
            "## For the README", "",
            "What `--publish` (`make bench PUBLISH=1`) writes between the README's "
            "`<!-- bench:begin -->` and `<!-- bench:end -->` lines:", "",
            "```markdown", block, "```", ""]
    return "\n".join(out)


# ---- the README's figures and publishing ------------------------------------------

README = REPO / "README.md"
PUBLISHED = REPO / "docs" / "results"
README_BEGIN = "<!-- bench:begin: written by tools/bench.py --publish (make bench PUBLISH=1) -->"
README_END = "<!-- bench:end -->"
README_LABELS = {
    "qemu": "QEMU `-kernel`",
    "edk2": "EDK2 {edk2} (Debian)",
    "uboot": "U-Boot {uboot} (Debian), as shipped",
    "uboot0": "U-Boot, `bootdelay=0`",
    "mmuon": "**mmuon**",
}


def upstream_version(package: str) -> str:
    """2022.11-6+deb12u2 -> 2022.11; 2023.01+dfsg-2+deb12u3 -> 2023.01."""
    return re.split(r"[-+~]", deb_version(package), maxsplit=1)[0]


def readme_block(fws, st, counts, kept, image_size, run: RunInfo) -> str:
    """The README's figures: the run, then one row per firmware."""
    mach = run.mach
    versions = {"edk2": upstream_version("qemu-efi-aarch64"),
                "uboot": upstream_version("u-boot-qemu")}
    edk2 = counts.get("edk2", Count(None)).insns
    rows = [
        f"Latest figures: `make bench` (N={run.n}), {run.started:%Y-%m-%d}, "
        f"{run.build.mark()}; {mach['nproc']} CPUs ({mach['cpu']}), "
        f"QEMU {mach['qemu'].removeprefix('QEMU emulator version ')} TCG, `-cpu max -m {run.mem}`, "
        f"load average {mach['load'].split()[0]} before, {run.load_after.split()[0]} after "
        "(wall times are noisy under load; instruction counts, size and memory are not):",
        "",
        "| firmware | → kernel's first line, median | overhead | instructions before the "
        "kernel | RAM kept after ExitBootServices |",
        "|---|---|---|---|---|",
    ]
    for fw in fws:
        s = st[fw.key]
        median = "-" if s.kernel is None else f"{s.kernel[1]:.2f} s"
        o = median_overhead(st, fw.key)
        ovh = "(floor)" if fw.key == "qemu" else ("-" if o is None else f"{o * 1000:+.0f} ms")
        c = counts.get(fw.key, Count(None)).insns
        insns = "-" if c is None else f"{c:,}"
        if fw.key == "mmuon" and c and edk2:
            insns += f" ({edk2 / c:.0f}× fewer than EDK2)"
        k = kept.get(fw.key, (None, ""))[0]
        ram = kib(k.ram) if k else ("– (no EFI boot)" if fw.key.startswith("uboot") else "–")
        cells = [README_LABELS.get(fw.key, fw.label).format(**versions), median, ovh,
                 insns, ram]
        if fw.key == "mmuon":
            cells = [cells[0]] + [f"**{x}**" for x in cells[1:]]
        rows.append("| " + " | ".join(cells) + " |")
    if image_size is not None:
        rows += ["", f"mmuon's image is {image_size / 1024:.0f} KiB (`build/mmuon.bin`, "
                 f"{image_size:,} bytes)."]
    return "\n".join(rows)


def publish_refusal(fws, skipped, st, counts, kept, build: Build) -> str:
    """Why these results must not become the published ones ("" if they may)."""
    if not build.publishable:
        return "; ".join(build.problems)
    keys = {f.key for f in fws}
    missing = [k for k in README_LABELS if k not in keys]
    if missing or skipped:
        return f"not every firmware was run: {', '.join(missing) or 'skipped ones'}"
    failed = [f"{f.key} {st[f.key].n - st[f.key].n_ok}" for f in fws
              if st[f.key].n_ok < st[f.key].n]
    if failed:
        return "failed boots: " + ", ".join(failed)
    if any(counts.get(f.key, Count(None)).insns is None for f in fws):
        return "an instruction count is missing"
    if any(kept.get(f.key, (None, ""))[0] is None for f in fws if f.efi):
        return "a memory map is missing"
    return ""


def publish(out: Path, block: str) -> None:
    """results -> docs/results/, and the README's block between its markers."""
    PUBLISHED.mkdir(parents=True, exist_ok=True)
    for name in ("bench.md", "bench.csv", "bench.png"):
        if (out / name).is_file():
            shutil.copyfile(out / name, PUBLISHED / name)
    text = README.read_text()
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        raise SystemExit(f"bench: {README} lacks the {README_BEGIN!r} ... "
                         f"{README_END!r} lines")
    README.write_text(text[:start + len(README_BEGIN)] + "\n" + block + "\n"
                      + text[end:])
    print(f"bench: published to {PUBLISHED}/ and {README}")


def summary(st, counts, kept, image_size) -> str:
    def ovh(key: str) -> str:
        o = median_overhead(st, key)
        return "?" if o is None else f"{o * 1000:+.0f} ms"

    def cpu_ovh(key: str) -> str:
        s, f = st.get(key), st.get("qemu")
        if not s or not f or not s.kernel_cpu or not f.kernel_cpu:
            return "?"
        return f"{(s.kernel_cpu[1] - f.kernel_cpu[1]) * 1000:+.0f} ms"

    parts = [f"mmuon: {ovh('mmuon')} over QEMU -kernel (EDK2 {ovh('edk2')}, "
             f"U-Boot {ovh('uboot')}, U-Boot bootdelay=0 {ovh('uboot0')}; median wall "
             f"time to the kernel's first line; in QEMU CPU time mmuon {cpu_ovh('mmuon')}, "
             f"EDK2 {cpu_ovh('edk2')})"]
    c = counts.get("mmuon", Count(None)).insns
    parts.append(f"{c:,} instructions before the kernel" if c is not None
                 else "instructions before the kernel not measured")
    if c is not None:
        parts.append("ACPI and SMBIOS installation " + tables_cost(counts["mmuon"]))
    if image_size is not None:
        parts.append(f"image {image_size / 1024:.0f} KiB")
    k = kept.get("mmuon", (None, ""))[0]
    if k is not None:
        parts.append(f"RAM kept after ExitBootServices {k.ram / 1024:.0f} KiB "
                     f"({k.all / 1024:.0f} KiB with flash and MMIO)")
    return "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
