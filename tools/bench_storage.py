#!/usr/bin/env python3
"""The storage stack's costs, for `make bench`.

- Bringing the disks up: instructions from the entry of storage_init()
  (PCI enumeration and BAR assignment, virtio-mmio probing, starting each
  virtio device, reading its partition table, installing the BlockIo and
  DiskIo handles) to the instruction after its call in efi_init(), counted
  by the span_count TCG plugin (tools/plugin/span_count.c): with no disk
  (the empty PCIe bus and the 32 empty virtio-mmio slots of QEMU's virt
  machine), and with four GPT disks on virtio-blk-pci (target: at most
  1,000,000, issue #11). The count includes the firmware's polling while
  QEMU completes each read on the host (three per GPT disk), which under
  -icount varies from run to run: the median of five boots, and the range.
- Sequential reads through EFI_BLOCK_IO_PROTOCOL: blockio_check.efi reads
  256 MiB of a virtio-blk disk in 4 MiB ReadBlocks calls, timed with the
  generic timer inside the guest, under mmuon and under Debian's EDK2, on
  the same disk image (one boot each, interleaved, N rounds, median). The
  image lives in /dev/shm, so that the host's disk does not set the pace:
  what is compared is the firmwares' way of driving virtio-blk.
- RAM kept after ExitBootServices with those four disks attached: the EFI
  memory map the kernel prints with efi=debug (as tools/bench.py), so the
  drivers' memory is seen to go back to the OS (limit 256 KiB).

Times are wall-clock under TCG on this machine: they compare the two
firmwares on the same disk and host, not what KVM would do. Writes
results/bench-storage.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "boot"), str(ROOT / "tools")]

import bench  # noqa: E402
import disk_images  # noqa: E402
import elf_scan  # noqa: E402
import qemu  # noqa: E402

ELF = qemu.BUILD / "mmuon.elf"
PLUGIN = qemu.BUILD / "plugin" / "span_count.so"
APP = qemu.BUILD / "efi_apps" / "blockio_check.efi"
EDK2_FD = Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd")
CROSS = "aarch64-linux-gnu-"
TARGET = 1_000_000  # instructions with four disks (issue #11)
KEPT_LIMIT = 256 << 10
READ_MIB = 256
SPAN_RUNS = 5
BENCH = re.compile(r"BLOCKIO bench \d+ bytes=(\d+) ticks=(\d+) hz=(\d+)")


def storage_span() -> tuple[int, int]:
    """storage_init's address, and the instruction after its call."""
    return elf_scan.call_span(CROSS, str(ELF), "storage_init")


def disks_args(images: list[disk_images.Image]) -> list[str]:
    args = []
    for i, img in enumerate(images):
        args += ["-drive", f"if=none,id=d{i},file={img.path},format=raw,snapshot=on",
                 "-device", f"virtio-blk-pci,drive=d{i},addr={0x2 + i:#x}"]
    return args


def bring_up_cost(extra: list[str], tmp: Path, name: str) -> tuple[int, list[str]]:
    start, stop = storage_span()
    out = tmp / f"span-{name}.json"
    b = qemu.run_qemu(
        firmware=qemu.FIRMWARE, kernel=APP, append="poweroff", timeout=300,
        check_timeout=False, stop_at=re.compile(r"^mmuon: kernel image at"),
        log=bench.LOGS / f"storage-span-{name}.log",
        extra=extra + ["-plugin", f"{PLUGIN},start={start:x},stop={stop:x},out={out}",
                       "-icount", "shift=0,sleep=off"])
    res = json.loads(out.read_text()) if out.exists() else {}
    if not res.get("stopped"):
        raise SystemExit(f"bench_storage: the span was not seen: {res}\n{b.describe()}")
    said = [line for _, line in b.lines if line.startswith("mmuon: virtio")]
    return res["insns"], said


def read_rate(fw: Path, extra: list[str], name: str) -> float | None:
    """MiB/s of the in-guest sequential read, or None."""
    b = qemu.run_qemu(firmware=fw, kernel=APP, append=f"bench={READ_MIB} poweroff",
                      timeout=600, check_timeout=False, extra=extra,
                      log=bench.LOGS / f"storage-read-{name}.log")
    m = next((m for _, line in b.lines if (m := BENCH.search(line))), None)
    if not m:
        return None
    size, ticks, hz = int(m[1]), int(m[2]), int(m[3])
    return size / (1 << 20) / (ticks / hz)


def spread(v: list[float]) -> str:
    return f" (median of {len(v)}, {min(v):.0f}-{max(v):.0f})" if v else ""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=5, help="rounds of the read benchmark")
    p.add_argument("--out", default=str(ROOT / "results" / "bench-storage.md"))
    a = p.parse_args()
    for f in (ELF, PLUGIN, APP, qemu.FIRMWARE):
        if not f.exists():
            raise SystemExit(f"bench_storage: no {f} (make all plugins efi-apps)")
    bench.LOGS.mkdir(parents=True, exist_ok=True)
    four = [disk_images.gpt_disk(f"bench{i}.img", mib=64) for i in range(4)]
    big = disk_images.raw_disk("bench-read.img", (READ_MIB + 4) << 20)
    shm = Path("/dev/shm") / f"mmuon-bench-read-{os.getpid()}.img"
    shutil.copyfile(big.path, shm)
    big = dataclasses.replace(big, path=shm)

    with tempfile.TemporaryDirectory(prefix="bench-storage-") as t:
        tmp = Path(t)
        print("bringing the disks up (storage_init, span_count plugin):")
        none, _ = bring_up_cost([], tmp, "none")
        print(f"  no disk: {none:,} instructions")
        counts = []
        for i in range(SPAN_RUNS):
            n, said = bring_up_cost(disks_args(four), tmp, f"four-{i}")
            counts.append(n)
            print(f"  four GPT disks (virtio-blk-pci), boot {i + 1}: {n:,} instructions")
        for line in said:
            print("    " + line)
        with4 = int(statistics.median(counts))

    print(f"sequential read of {READ_MIB} MiB through BlockIo ({a.n} rounds):")
    rates: dict[str, list[float]] = {"mmuon": [], "edk2": []}
    args = disks_args([big])
    for i in range(a.n):
        for key, fw in (("mmuon", qemu.FIRMWARE), ("edk2", EDK2_FD)):
            r = read_rate(fw, args, f"{key}-{i}")
            print(f"  {key} round {i + 1}: " + (f"{r:.0f} MiB/s" if r else "no result"))
            if r:
                rates[key].append(r)

    shm.unlink()
    fw = next(f for f in bench.firmwares(None, qemu.FIRMWARE) if f.key == "mmuon")
    fw.extra = disks_args(four)
    kernel = qemu.KERNELS["new"]
    initrd = qemu.BUILD / "boot" / "bench-storage.cpio"
    subprocess.run([str(ROOT / "tools" / "mkinitramfs.sh"), str(initrd)], check=True,
                   capture_output=True)
    kept, why = bench.kept_memory(fw, kernel, initrd, "1G", timeout=300)

    med = {k: statistics.median(v) if v else None for k, v in rates.items()}
    lines = [
        "| storage | figure | how |",
        "|---|---:|---|",
        f"| bringing up four GPT disks (virtio-blk-pci) | **{with4:,} instructions** "
        f"(median of {SPAN_RUNS}, {min(counts):,}-{max(counts):,}; target ≤ {TARGET:,}: "
        f"{'met' if with4 <= TARGET else 'MISSED'}) | "
        "span_count: storage_init() entry to return, -icount; PCI enumeration, four "
        "virtio-blk devices started, their GPTs read, 12 BlockIo handles |",
        f"| the same with no disk (empty PCIe bus, 32 empty virtio-mmio slots) | "
        f"{none:,} instructions | same |",
        f"| sequential read, {READ_MIB} MiB in 4 MiB ReadBlocks, mmuon | "
        + (f"**{med['mmuon']:.0f} MiB/s**" if med["mmuon"] else "no result")
        + spread(rates["mmuon"]) + f" | blockio_check.efi bench={READ_MIB}, "
        "generic timer in the guest; wall-clock under TCG, so the host's load "
        "shows in the spread |",
        f"| the same, Debian's EDK2 | "
        + (f"{med['edk2']:.0f} MiB/s" if med["edk2"] else "no result")
        + spread(rates["edk2"]) + " | same disk image, same app, interleaved |",
        "| RAM kept after ExitBootServices, four disks attached | "
        + (f"**{kept.ram >> 10} KiB** (limit {KEPT_LIMIT >> 10} KiB: "
           f"{'met' if kept.ram <= KEPT_LIMIT else 'MISSED'})" if kept else f"no result ({why})")
        + " | efi=debug memory map, as tools/bench.py |",
    ]
    text = "\n".join(lines) + "\n"
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(text)
    print(f"bench_storage: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
