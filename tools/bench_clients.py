#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""EFI clients as QEMU's -kernel, for `make bench`: mmuon and Debian's EDK2
(QEMU_EFI.fd as -bios, as tools/bench.py runs it) on the same image with the
same QEMU flags.

Two clients, built by tests/boot/clients.py around Linux 6.12 and the test
initramfs:

- GRUB 2.12, a standalone image (grub-mkstandalone) whose memdisk holds the
  kernel and the initramfs, menu timeout 0: GRUB reads the kernel into
  memory and hands it to LoadImage, and offers the initrd by LoadFile2;
- a Unified Kernel Image of systemd-stub 254 (.linux, .initrd, .cmdline):
  the stub hands .linux to LoadImage and offers .initrd by LoadFile2.

Three figures per client and firmware:

- QEMU start -> the kernel's first console line (earlycon), the median of
  N boots, wall clock under TCG on this machine (noisy under load); the
  client's own time counts for both firmwares;
- instructions from reset to the client's first instruction (its PE entry
  point, recognised by its first 64 bytes by tools/plugin/insn_count.c)
  under -icount shift=0,sleep=off: exact and repeatable, the firmware's
  share before the client runs. The target is mmuon <= 1/5 of EDK2's;
- instructions from reset to the kernel's first instruction: the above,
  the client's work, and the firmware services it calls (LoadImage of the
  kernel from the client's buffer, LoadFile2, the memory map ...).

    tools/bench_clients.py [-n N] [--only edk2,mmuon] [--out results]

Writes OUT/bench-clients.md; exit status 1 if a boot failed.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "boot"), str(ROOT / "tests"), str(ROOT / "tools")]

import clients  # noqa: E402
import qemu  # noqa: E402
from bench_boots import (PLUGIN, all_present, count_before, failure_rows,  # noqa: E402
                         kernel_package, load_average, options, publish, rounds,
                         seconds, share, timed_boot)
from pe_entry import client_entry_pattern, entry_bytes  # noqa: E402

WORK = qemu.BUILD / "bench" / "clients"
MEM = "1G"
TIMEOUT = 300
TARGET_SHARE = 0.2  # mmuon's instructions before the client / EDK2's
FIRMWARES = {"edk2": Path("/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"),
             "mmuon": qemu.FIRMWARE}


@dataclasses.dataclass
class Case:
    key: str
    label: str
    image: Path  # what -kernel gets
    cmdline: str  # what the guest must see in /proc/cmdline


def cases(kernel: Path, initrd: Path) -> list[Case]:
    args = qemu.BASE_CMDLINE
    grub = clients.build_grub("2.12", kernel, initrd, clients.grub_menu([("linux", args)]))
    uki = clients.build_uki("254", kernel, initrd, args)
    return [Case("grub", "GRUB 2.12 (standalone, kernel in its memdisk)", grub,
                 f"{clients.GRUB_BOOT_IMAGE} {args}"),
            Case("uki", "UKI, systemd-stub 254", uki, args)]


def run_args(fw: str, case: Case) -> dict:
    """run_qemu() arguments booting case under fw: the client as -kernel."""
    return {"firmware": FIRMWARES[fw], "kernel": case.image, "mem": MEM}


def report(results: dict, cs: list[Case], fws: list[str], n: int) -> str:
    lines = [
        "# EFI clients as -kernel: mmuon and EDK2 (tools/bench_clients.py)", "",
        f"{n} boot(s) of each, interleaved; `-cpu max -m {MEM}`, the client as `-kernel`, "
        f"Linux {kernel_package(qemu.KERNELS['new'])} and the test initramfs inside it; "
        f"load average {load_average()}.", "",
        "| client | firmware | → kernel's first line, median | instructions before the "
        "client | share of EDK2's | instructions before the kernel | share of EDK2's |",
        "|---|---|---:|---:|---:|---:|---:|"]
    for c in cs:
        edk2 = results.get(("edk2", c.key))
        for fw in fws:
            r = results[(fw, c.key)]
            client, kernel = r.counts.get("client"), r.counts.get("kernel")
            bc = f"{client:,}" if client is not None else f"– ({r.why_no_count})"
            bk = f"{kernel:,}" if kernel is not None else "–"
            target = TARGET_SHARE if fw == "mmuon" else None
            theirs = edk2.counts if edk2 else {}
            lines.append(f"| {c.label} | {fw} | {seconds(r)} | {bc} | "
                         f"{share(client, theirs.get('client'), target)} | {bk} | "
                         f"{share(kernel, theirs.get('kernel'))} |")
            lines += failure_rows(r, fw, 7)
    lines += ["", "Instructions under `-icount shift=0,sleep=off` with "
              "build/plugin/insn_count.so, counted from reset to the first instruction at "
              "the client's PE entry point, and to the kernel's; wall times from the QEMU "
              "process start to the kernel's first console line."]
    return "\n".join(lines) + "\n"


def main() -> int:
    a = options(__doc__)
    fws = a.fws
    if not all_present("bench_clients", (PLUGIN, qemu.KERNELS["new"], *(FIRMWARES[f] for f in fws)),
                       "make, make plugins, tools/install-deps.sh, tools/fetch-arm64.sh"):
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    initrd = qemu.BUILD / "boot" / "test-1048576.cpio"
    subprocess.run([str(ROOT / "tools" / "mkinitramfs.sh"), str(initrd)], check=True,
                   stdout=subprocess.DEVNULL)
    kernel = qemu.KERNELS["new"]
    try:
        cs = cases(kernel, initrd)
    except RuntimeError as e:
        print(f"bench_clients: {e}", file=sys.stderr)
        return 2
    results = rounds(a.runs, cs, fws, lambda fw, c, rnd: timed_boot(
        WORK / f"{fw}-{c.key}-{rnd}.log", c.cmdline, ROOT, **run_args(fw, c), timeout=TIMEOUT))
    kernel_entry = entry_bytes(kernel)
    for c in cs:
        for fw in fws:
            r = results[(fw, c.key)]
            for what, pattern in (("client", client_entry_pattern(c.image)),
                                  ("kernel", kernel_entry)):
                r.counts[what], why = count_before(
                    pattern, WORK / f"{fw}-{c.key}-{what}.json",
                    WORK / f"{fw}-{c.key}-{what}.log", what, ROOT, **run_args(fw, c),
                    timeout=TIMEOUT + 300)
                r.why_no_count = r.why_no_count or why
            print(f"  instructions before the client, {c.key} {fw}: "
                  + (f"{r.counts['client']:,}" if r.counts["client"] is not None
                     else r.why_no_count)
                  + (f"; before the kernel {r.counts['kernel']:,}"
                     if r.counts["kernel"] is not None else ""), flush=True)
    return publish(report(results, cs, fws, a.runs), a.out / "bench-clients.md", results)


if __name__ == "__main__":
    sys.exit(main())
