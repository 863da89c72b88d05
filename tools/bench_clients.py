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

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "boot"), str(ROOT / "tests"), str(ROOT / "tools")]

import clients  # noqa: E402
import qemu  # noqa: E402
from pe_entry import client_entry_pattern, entry_bytes  # noqa: E402

PLUGIN = qemu.BUILD / "plugin" / "insn_count.so"
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


@dataclasses.dataclass
class Result:
    kernel_s: list[float]
    failures: list[str]
    before_client: int | None = None
    before_kernel: int | None = None
    why_no_count: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.kernel_s) if self.kernel_s else None


def timed_boot(fw: str, case: Case, rnd: int) -> tuple[float | None, str]:
    log = WORK / f"{fw}-{case.key}-{rnd}.log"
    b = qemu.run_qemu(firmware=FIRMWARES[fw], kernel=case.image, mem=MEM, timeout=TIMEOUT,
                      check_timeout=False, log=log)
    r = b.report
    if b.kernel_time is None or not r.done or r.failures or b.returncode != 0:
        return None, (f"no boot ({'killed' if b.timed_out else f'exit {b.returncode}'}; "
                      f"{log.relative_to(ROOT)})")
    if r.detail("cmdline") != case.cmdline:
        return None, f"another command line: {r.detail('cmdline')!r} ({log.relative_to(ROOT)})"
    return b.kernel_time, ""


def count_before(fw: str, case: Case, what: str, pattern: bytes) -> tuple[int | None, str]:
    """Instructions from reset to the first one whose bytes are `pattern`."""
    out = WORK / f"{fw}-{case.key}-{what}.json"
    out.unlink(missing_ok=True)
    log = WORK / f"{fw}-{case.key}-{what}.log"
    qemu.run_qemu(firmware=FIRMWARES[fw], kernel=case.image, mem=MEM,
                  extra=["-plugin", f"{PLUGIN},match={pattern.hex()},out={out}",
                         "-icount", "shift=0,sleep=off"],
                  timeout=TIMEOUT + 300, check_timeout=False, log=log,
                  stop_at=qemu.KERNEL_FIRST_LINE)
    try:
        res = json.loads(out.read_text())
    except (OSError, ValueError):
        return None, f"no result from the plugin ({log.relative_to(ROOT)})"
    if not res.get("kernel_entered"):
        return None, f"the {what} was never entered ({log.relative_to(ROOT)})"
    return res["insns_before_kernel"], ""


def share(r: Result, edk2: Result | None, attr: str, target: float | None) -> str:
    mine, theirs = getattr(r, attr), getattr(edk2, attr) if edk2 else None
    if mine is None or not theirs:
        return "–"
    text = f"{mine / theirs:.3f}"
    if target is not None:
        text += f" (target ≤ {target}: " + ("met" if mine <= target * theirs else "MISSED") + ")"
    return text


def report(results: dict[tuple[str, str], Result], cs: list[Case], fws: list[str],
           n: int) -> tuple[str, bool]:
    kernel_pkg = qemu.KERNELS["new"].with_name("vmlinuz-new.package").read_text().strip()
    lines = [
        "# EFI clients as -kernel: mmuon and EDK2 (tools/bench_clients.py)", "",
        f"{n} boot(s) of each, interleaved; `-cpu max -m {MEM}`, the client as `-kernel`, "
        f"Linux {kernel_pkg} and the test initramfs inside it; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.", "",
        "| client | firmware | → kernel's first line, median | instructions before the "
        "client | share of EDK2's | instructions before the kernel | share of EDK2's |",
        "|---|---|---:|---:|---:|---:|---:|"]
    ok = True
    for c in cs:
        edk2 = results.get(("edk2", c.key))
        for fw in fws:
            r = results[(fw, c.key)]
            t = f"{r.median:.2f} s" if r.median is not None else "–"
            bc = f"{r.before_client:,}" if r.before_client is not None else \
                f"– ({r.why_no_count})"
            bk = f"{r.before_kernel:,}" if r.before_kernel is not None else "–"
            target = TARGET_SHARE if fw == "mmuon" else None
            lines.append(f"| {c.label} | {fw} | {t} | {bc} | "
                         f"{share(r, edk2, 'before_client', target)} | {bk} | "
                         f"{share(r, edk2, 'before_kernel', None)} |")
            for why in r.failures:
                ok = False
                lines.append(f"|  | {fw}: failed | {why} | | | | |")
    lines += ["", "Instructions under `-icount shift=0,sleep=off` with "
              "build/plugin/insn_count.so, counted from reset to the first instruction at "
              "the client's PE entry point, and to the kernel's; wall times from the QEMU "
              "process start to the kernel's first console line."]
    return "\n".join(lines) + "\n", ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", "--runs", type=int, default=int(os.environ.get("N", 10)))
    p.add_argument("--only", default="edk2,mmuon")
    p.add_argument("--out", type=Path, default=ROOT / "results")
    a = p.parse_args()
    fws = a.only.split(",")
    for need in (PLUGIN, qemu.KERNELS["new"], *(FIRMWARES[f] for f in fws)):
        if not need.is_file():
            print(f"bench_clients: {need} is missing (make, make plugins, "
                  "tools/install-deps.sh, tools/fetch-arm64.sh)", file=sys.stderr)
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
    results = {(fw, c.key): Result([], []) for fw in fws for c in cs}
    for rnd in range(1, a.runs + 1):
        for c in cs:
            for fw in fws:
                t, why = timed_boot(fw, c, rnd)
                r = results[(fw, c.key)]
                (r.kernel_s.append(t) if t is not None else r.failures.append(why))
                print(f"  run {rnd}/{a.runs} {c.key:4s} {fw:5s} "
                      + (f"kernel {t:.3f} s" if t is not None else f"FAILED: {why}"),
                      flush=True)
    kernel_entry = entry_bytes(kernel)
    for c in cs:
        for fw in fws:
            r = results[(fw, c.key)]
            r.before_client, r.why_no_count = count_before(
                fw, c, "client", client_entry_pattern(c.image))
            r.before_kernel, _ = count_before(fw, c, "kernel", kernel_entry)
            print(f"  instructions before the client, {c.key} {fw}: "
                  + (f"{r.before_client:,}" if r.before_client is not None
                     else r.why_no_count)
                  + (f"; before the kernel {r.before_kernel:,}"
                     if r.before_kernel is not None else ""), flush=True)
    md, ok = report(results, cs, fws, a.runs)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "bench-clients.md").write_text(md)
    print(md)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
