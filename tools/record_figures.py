#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Measure and record the figures tests/boot/test_figures.py holds mmuon to.

    tools/record_figures.py [--check]       (make record-figures)

Today one figure: the guest instructions mmuon executes from reset to the
kernel's first instruction, measured exactly as `make bench` does
(tools/bench.py count_instructions(): tools/plugin/insn_count.so under
-icount shift=0,sleep=off, -cpu max -m 1G at EL1, the newest Debian kernel
and the test initramfs). The test allows TOLERANCE around the recorded
figure: mmuon's placement is random, which moves the count by a few 10,000
instructions, and real work that is added to the boot (PCI enumeration,
ACPI tables, ...) moves it for good. When a change is meant to move it,
re-record, and commit tests/boot/recorded_figures.toml with the change,
saying why the figure moved.

--check measures and compares without writing (what the test does).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tomllib
from pathlib import Path

import bench  # tools/bench.py
import qemu  # tests/boot/qemu.py, put on sys.path by bench

FIGURES = qemu.REPO / "tests" / "boot" / "recorded_figures.toml"
TOLERANCE = 0.10
MEM = "1G"  # as `make bench`
RECORD_COMMAND = "make record-figures"

HEADER = f"""\
# Figures tests/boot/test_figures.py holds mmuon to, within {TOLERANCE:.0%}.
#
# instructions_before_kernel: guest instructions from reset to the kernel's
# first instruction, counted as `make bench` counts them (insn_count.so under
# -icount shift=0,sleep=off; -cpu max -m {MEM}, EL1, the newest Debian kernel).
# Work added to the boot (PCI, ACPI, ...) moves it. When a change is meant
# to, re-record with `{RECORD_COMMAND}` and commit this file with the
# change, saying why the figure moved. Written by tools/record_figures.py.
"""


def measure_instructions(firmware: Path, kernel: Path, initrd: Path,
                         logs: Path = bench.LOGS) -> int:
    """mmuon's instructions before the kernel, as `make bench` counts them
    (console and plugin result in `logs`)."""
    plugin = bench.find_plugin()
    if plugin is None:
        raise RuntimeError("no build/plugin/insn_count.so: run `make plugins`")
    fw = next(f for f in bench.firmwares(None, firmware) if f.key == "mmuon")
    c = bench.count_instructions(fw, bench.kernel_image(kernel), initrd, MEM, plugin,
                                 timeout=180, logs=logs)
    if c.insns is None:
        raise RuntimeError(f"no instruction count: {c.why}")
    return c.insns


def recorded() -> dict:
    return tomllib.loads(FIGURES.read_text())


def check(measured: int) -> str | None:
    """None if `measured` is within TOLERANCE of the recorded figure, else why not."""
    fig = recorded()["instructions_before_kernel"]
    want = fig["count"]
    if abs(measured - want) <= TOLERANCE * want:
        return None
    return (f"mmuon executes {measured:,} instructions before the kernel; "
            f"{FIGURES.relative_to(qemu.REPO)} records {want:,} ({fig['recorded']}), "
            f"{(measured - want) / want:+.1%}, outside ±{TOLERANCE:.0%}. If this change is "
            f"meant to move the figure, re-record it with `{RECORD_COMMAND}` and commit "
            "the file with the change, saying why; otherwise find what added (or removed) "
            "the work.")


def _describe() -> str:
    version = bench.mmuon_version(bench.LOGS / "mmuon-count.log") or "?"
    qv = bench.machine()["qemu"]
    kernel = qemu.KERNELS["new"].with_name("vmlinuz-new.package")
    pkg = kernel.read_text().strip() if kernel.is_file() else "?"
    return f"{datetime.date.today()}, mmuon {version}, {pkg}, {qv}"


def write(measured: int) -> None:
    FIGURES.write_text(HEADER + "\n[instructions_before_kernel]\n"
                       f"count = {measured}\nrecorded = \"{_describe()}\"\n")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="compare, do not write")
    a = p.parse_args()
    kernel = qemu.KERNELS["new"]
    if not kernel.is_file() or not qemu.FIRMWARE.is_file():
        print("record_figures: needs build/mmuon.bin (make) and the kernel "
              "(tools/fetch-arm64.sh kernel-new)", file=sys.stderr)
        return 2
    initrd = bench.build_initramfs()
    measured = measure_instructions(qemu.FIRMWARE, kernel, initrd)
    if a.check:
        why = check(measured)
        print(why or f"{measured:,} instructions before the kernel: as recorded")
        return 1 if why else 0
    write(measured)
    print(f"recorded {measured:,} instructions before the kernel in {FIGURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
