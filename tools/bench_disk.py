#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Booting from disk, for `make bench`: mmuon and Debian's EDK2 on the same
disk images (tests/boot/images.py) with the same QEMU flags.

Two images, both on virtio-blk-pci, Linux 6.12 and the test initramfs:

- systemd-boot 254, menu timeout 0 (it boots its default, the Type #1
  entry, at once);
- shim + signed GRUB 2.06 with the kernel on the ESP (GRUB's timeout 0).

EDK2 runs as a distribution runs it: AAVMF_CODE.fd and a variable store
that has seen a boot of the same disk (one priming boot with a writable
copy of AAVMF_VARS.fd, stopped at the kernel): its boot manager then finds
its boot options and BootOrder in place, as on every boot after the first.
Each timed boot gets a private copy of that store (snapshot=on).

Two figures per image and firmware:

- QEMU start -> the kernel's first console line (earlycon), the median of
  N boots, wall clock under TCG on this machine (noisy under load);
- instructions executed from reset to the boot loader's first instruction
  (shim's or systemd-boot's PE entry point, recognised by up to 64 of its
  bytes, tools/pe_entry.py, by tools/plugin/insn_count.c), under -icount shift=0,sleep=off:
  exact and repeatable, the firmware's own share of the boot. The target
  is mmuon <= 1/10 of EDK2's.

    tools/bench_disk.py [-n N] [--only edk2,mmuon] [--out results]

Writes OUT/bench-disk.md; exit status 1 if a boot failed.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "boot"), str(ROOT / "tests")]

import bench  # noqa: E402  (tools/bench.py: the build's version and publishability)
import images  # noqa: E402
import qemu  # noqa: E402
from bench_boots import (PLUGIN, all_present, count_before, failure_rows,  # noqa: E402
                         kernel_package, load_average, options, publish, rounds,
                         seconds, share, timed_boot)
from pe_entry import client_entry_pattern  # noqa: E402

WORK = qemu.BUILD / "bench" / "disk"
# Others may rebuild build/mmuon.bin while this runs: every boot uses one
# copy of it, taken at the start.
MMUON = WORK / "mmuon.bin"
MEM = "1G"
TIMEOUT = 300
TARGET_SHARE = 0.1  # mmuon's instructions before the boot loader / EDK2's


@dataclasses.dataclass
class Case:
    key: str
    label: str
    image: images.Image
    loader: Path  # the file the firmware starts: \EFI\BOOT\BOOTAA64.EFI


def cases(kernel: Path, initrd: Path) -> list[Case]:
    sd = images.sdboot("254", kernel, initrd, menu_timeout=0)
    shim = images.shim_grub_esp(kernel, initrd)
    return [Case("sdboot", "systemd-boot 254, Type #1 entry", sd,
                 images.clients.systemd_boot("254")),
            Case("shim-grub", "shim + GRUB 2.06 (signed), kernel on the ESP", shim,
                 images.shim()["shim"])]


def firmware_args(fw: str, case: Case) -> list[str]:
    if fw == "mmuon":
        return ["-bios", str(MMUON)]
    return images.edk2_args(primed_edk2_vars(case))


def primed_edk2_vars(case: Case) -> Path:
    """AAVMF_VARS.fd after one EDK2 boot of the case's disk (cached per image)."""
    out = WORK / f"edk2-vars-{case.image.path.stem}.fd"
    if out.is_file():
        return out
    tmp = out.with_suffix(".tmp")
    shutil.copyfile(images.AAVMF_VARS, tmp)
    drive = ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={images.AAVMF_CODE}",
             "-drive", f"if=pflash,format=raw,unit=1,file={tmp}"]
    b = qemu.run_qemu(mem=MEM, extra=drive + images.drive_args(case.image, "virtio-blk-pci"),
                      timeout=TIMEOUT, check_timeout=False, stop_at=qemu.KERNEL_FIRST_LINE,
                      log=WORK / f"edk2-prime-{case.key}.log")
    if not b.stopped:
        raise SystemExit(f"bench_disk: EDK2's priming boot of {case.key} did not reach "
                         f"the kernel\n{b.describe()}")
    os.replace(tmp, out)
    return out


def run_args(fw: str, case: Case) -> dict:
    """run_qemu() arguments booting case's disk under fw."""
    return {"mem": MEM, "extra": firmware_args(fw, case)
            + images.drive_args(case.image, "virtio-blk-pci")}


def report(results: dict, cs: list[Case], fws: list[str], n: int,
           build: bench.Build) -> str:
    lines = [
        "# Booting from disk: mmuon and EDK2 (tools/bench_disk.py)", "",
        build.mark() + ".", "",
        f"{n} boot(s) of each, interleaved; virtio-blk-pci, `-cpu max -m {MEM}`, "
        f"Linux {kernel_package(qemu.KERNELS['new'])}; load average {load_average()}.", "",
        "| image | firmware | → kernel's first line, median | instructions before the "
        "boot loader | share of EDK2's |",
        "|---|---|---:|---:|---:|"]
    for c in cs:
        edk2 = results.get(("edk2", c.key))
        for fw in fws:
            r = results[(fw, c.key)]
            mine = r.counts.get("loader")
            i = f"{mine:,}" if mine is not None else f"– ({r.why_no_count})"
            theirs = edk2.counts.get("loader") if edk2 else None
            part = share(mine, theirs, TARGET_SHARE if fw == "mmuon" else None)
            lines.append(f"| {c.label} | {fw} | {seconds(r)} | {i} | {part} |")
            lines += failure_rows(r, fw, 5)
    return "\n".join(lines) + "\n"


def main() -> int:
    a = options(__doc__)
    fws = a.fws
    if not all_present("bench_disk", (PLUGIN, *qemu.KERNELS.values()),
                       "make plugins, tools/fetch-arm64.sh"):
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    if "mmuon" in fws:
        shutil.copyfile(qemu.FIRMWARE, MMUON)
    tree = bench.tree_version()
    initrd = qemu.BUILD / "boot" / "test-1048576.cpio"
    subprocess.run([str(ROOT / "tools" / "mkinitramfs.sh"), str(initrd)], check=True)
    cs = cases(qemu.KERNELS["new"], initrd)
    results = rounds(a.runs, cs, fws, lambda fw, c, rnd: timed_boot(
        WORK / f"{fw}-{c.key}-{rnd}.log", c.image.default_cmdline, ROOT, **run_args(fw, c),
        timeout=TIMEOUT))
    for c in cs:
        for fw in fws:
            r = results[(fw, c.key)]
            r.counts["loader"], r.why_no_count = count_before(
                client_entry_pattern(c.loader), WORK / f"{fw}-{c.key}-count.json",
                WORK / f"{fw}-{c.key}-count.log", "boot loader", ROOT, **run_args(fw, c),
                timeout=TIMEOUT + 300)
            print(f"  instructions before the boot loader, {c.key} {fw}: "
                  + (f"{r.counts['loader']:,}" if r.counts["loader"] is not None
                     else r.why_no_count), flush=True)
    build = bench.Build(bench.mmuon_version(WORK / f"mmuon-{cs[0].key}-1.log"), tree)
    print(f"bench_disk: {build.mark()}", flush=True)
    return publish(report(results, cs, fws, a.runs, build), a.out / "bench-disk.md", results)


if __name__ == "__main__":
    sys.exit(main())
